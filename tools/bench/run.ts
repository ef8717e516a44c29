// `npm run bench`: the speed and memory figures of the README's performance section, measured, never asserted by
// timed tests. Prints a report and writes build/bench.json. XS figures are the engine's own meter (computrons are
// XS's deterministic instruction count; heap in slots and bytes) from @agoric/xsnap's XS 13.3; host crypto and the
// simulated radio run in Node behind the XS provider, outside the meter, as they run in C on the chip.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { performance } from 'node:perf_hooks';
import { createNodeHost } from '../sim/host/index';
import { createSimWifi } from '../sim/wifi/index';
import { SimBlePeripheral } from '../sim/ble/peripheral';
import { startFirmwareOnXs } from '../xs/firmware';
import { benchHandshake } from '../../host-tests/protocomm/bench';
import { airTimeTable } from '../../host-tests/transport-ble/airtime';
import { benchMqttCodec } from '../../host-tests/mqtt/bench';
import { benchMqttOnXs } from './mqtt-xs';

const report: Record<string, unknown> = {};
const line = (text = '') => console.log(text);
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

async function bundleSizes(): Promise<void> {
  const { bundle } = await import('../build/bundle.mjs' as string);
  mkdirSync('build/bench', { recursive: true });
  const sizes: Record<string, { raw: number; min: number; minGz: number }> = {};
  const entries: [string, string][] = [
    ['firmware (simulator entry: everything the device runs)', 'firmware/entry/xsnap.ts'],
    ['protobufjs/minimal runtime alone', 'tools/bench/entries/protobuf-runtime.ts'],
  ];
  for (const [name, input] of entries) {
    const stem = input.replace(/\W+/g, '_');
    await bundle(input, `build/bench/${stem}.js`);
    await bundle(input, `build/bench/${stem}.min.js`, { minify: true });
    const raw = readFileSync(`build/bench/${stem}.js`);
    const min = readFileSync(`build/bench/${stem}.min.js`);
    sizes[name] = { raw: raw.length, min: min.length, minGz: gzipSync(min).length };
  }
  report.bundles = sizes;
  line('## Bundle size (rollup + esbuild, terser for the minified build)');
  for (const [name, s] of Object.entries(sizes)) line(`${name}: raw ${kb(s.raw)}, minified ${kb(s.min)}, minified+gzip ${kb(s.minGz)}`);
  line();
}

async function xsBoot(): Promise<void> {
  const host = createNodeHost({ clock: 'virtual', log: 'capture', uart: 'memory', ble: new SimBlePeripheral() });
  (host as { wifi: typeof host.wifi }).wifi = createSimWifi({ timers: host.timers });
  const t0 = performance.now();
  const firmware = await startFirmwareOnXs(host);
  const loadCompute = firmware.worker.totalCompute;
  firmware.worker.resetMeterTotals();
  await firmware.boot({ security: { version: 1, pop: 'abcd1234' }, transports: { ble: {}, softap: { port: 0 }, console: true } });
  const meter = firmware.worker.lastMeter;
  if (!meter) throw new Error('the XS worker reported no meter for boot');
  const figures = {
    loadComputrons: loadCompute,
    bootComputrons: firmware.worker.totalCompute,
    heapSlotsAfterBoot: meter.currentHeapCount,
    allocatedBytesAfterBoot: meter.allocate,
    wallMs: Math.round(performance.now() - t0),
  };
  await firmware.close();
  host.sim.shutdown();
  report.xsBoot = figures;
  line('## XS: load + boot into provisioning (BLE + SoftAP/HTTP + console, sec1)');
  line(`evaluate bundle: ${figures.loadComputrons} computrons; boot(): ${figures.bootComputrons} computrons`);
  line(`after boot: ${figures.heapSlotsAfterBoot} XS heap slots in use (meter currentHeapCount); engine reservation ${kb(figures.allocatedBytesAfterBoot)} (meter allocate, xsnap defaults, not a chip figure)`);
  line();
}

async function handshakes(): Promise<void> {
  const out: Record<string, unknown> = {};
  line('## Protocomm handshake per step on XS (host crypto outside the meter)');
  for (const name of ['sec1', 'sec2_patch1'] as const) {
    const steps = await benchHandshake(name, 'xs');
    out[name] = steps;
    for (const s of steps) {
      line(`${name} ${s.step.padEnd(28)} ${String(s.requestBytes).padStart(4)} B -> ${String(s.responseBytes).padStart(4)} B  ${String(s.xs?.compute ?? '-').padStart(9)} computrons  ${s.ms.toFixed(1)} ms wall`);
    }
  }
  report.handshakes = out;
  line();
}

async function airTime(): Promise<void> {
  const rows = await airTimeTable(30, 'sec2_patch1');
  report.bleAirTime = rows;
  line('## BLE: full sec2 provisioning transcript, 30 ms connection interval (modelled)');
  for (const r of rows) {
    line(`MTU ${String(r.mtu).padStart(3)}: ${r.gattOperations} GATT operations (${r.discoveryOperations} discovery), ${r.attBytes} ATT bytes, ${(r.airTimeMs / 1000).toFixed(2)} s`);
  }
  line();
}

function mqttCodec(): void {
  const r = benchMqttCodec({ budgetMs: 1500 });
  report.mqttCodec = r;
  line('## MQTT codec, encode+decode on Node (same run, same packets)');
  line(`${r.name}: ours ${Math.round(r.oursMessagesPerSecond)} msg/s, mqtt-packet ${Math.round(r.mqttPacketMessagesPerSecond)} msg/s, ratio ${r.ratio.toFixed(2)} (goal >= ${r.goal})`);
  line();
}

async function mqttOnXs(): Promise<void> {
  const r = await benchMqttOnXs({ messages: 200 });
  report.mqttOnXs = r;
  line(`## MQTT client on XS over local TLS (aedes), ${r.messages} publishes per QoS, topic ${r.topic.length} chars`);
  line(`computrons per publish: QoS 0 median ${r.qos0Computrons.median}, QoS 1 (PUBACK included) median ${r.qos1Computrons.median}`);
  line(`  of which encoding the PUBLISH ${r.encodeComputrons}; one host call through the simulator bridge ${r.hostCallComputrons} (native on the chip)`);
  line(`publish -> subscriber: QoS 0 median ${r.qos0LatencyMs.median} ms (p95 ${r.qos0LatencyMs.p95}), QoS 1 median ${r.qos1LatencyMs.median} ms (p95 ${r.qos1LatencyMs.p95})`);
  line();
}

async function main(): Promise<void> {
  line(`# Benchmarks (${new Date().toISOString()}, node ${process.version})`);
  line();
  await bundleSizes();
  await xsBoot();
  await handshakes();
  await airTime();
  mqttCodec();
  await mqttOnXs();
  mkdirSync('build', { recursive: true });
  writeFileSync('build/bench.json', JSON.stringify(report, null, 2));
  line('written: build/bench.json');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
