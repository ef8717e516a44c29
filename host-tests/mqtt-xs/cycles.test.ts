// Connect/drop cycles of the firmware's MqttClient on the real XS engine (xsnap, XS 13.3): aedes accepts CONNECT,
// sends CONNACK and the test destroys the connection as soon as aedes reports the CONNACK written ('connackSent'),
// so every cycle is a full session setup and loss (socket, decoder, timers, link-state events, backoff) with a tiny
// backoff. The XS heap must stay flat: Node asks the entry to run a full garbage collection ('cycles.sample') at
// intervals and reads the slot count the worker's meter reports after that exchange (tools/xs/worker.ts MeterUsage).
// Cycles are split into 10 windows; a window's figure is its minimum sample (samples land mid-cycle, so the minimum
// is the figure with the least transient state). Assert: last window within a small tolerance of the second (the
// first is warm-up: code paths allocating their lazily-created objects for the first time).
// A negative control runs the same check with a deliberate leak of one object per cycle in the entry and requires it
// to fail, so the flatness check is known to be able to see a leak of that size.
// Count: MQTT_CYCLES (default 1000, about 8 ms per cycle on an idle 2-core machine). Plain TCP by default: TLS only
// adds Node-side handshake time per cycle, the XS side (what this measures) is identical; MQTT_CYCLES_TLS=1 for TLS.
import { afterAll, describe, expect, it } from 'vitest';
import { generateTestPki } from '../../tools/certs/pki';
import { RestartableBroker, PASSWORD, clientInput, sleep, startRig } from './broker';

const CYCLES = Number(process.env.MQTT_CYCLES ?? 1000);
const USE_TLS = process.env.MQTT_CYCLES_TLS === '1';
const WINDOWS = 10;
/** Allowed growth of the live slot count from the second window to the last. */
const TOLERANCE_SLOTS = 64;

export interface CycleFigures {
  cycles: number;
  attempts: number;
  wallMs: number;
  msPerCycle: number;
  /** XS computrons per cycle (client work plus its share of the 'cycles.sample' exchanges). */
  computePerCycle: number;
  /** Minimum live slot count (after gc()) seen in each tenth of the run. */
  heapSlotsByWindow: number[];
  samples: number;
  /** Last window minus second window. */
  growthSlots: number;
}

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function runCycles(cycles: number, options: { leakPerCycle?: number; tls?: boolean } = {}): Promise<CycleFigures> {
  const pki = options.tls ? await generateTestPki() : undefined;
  const broker = new RestartableBroker({ tls: pki?.server });
  await broker.start();
  cleanups.push(() => broker.stop());
  let connacks = 0;
  broker.broker.broker.on('connackSent', (_packet, client) => {
    connacks++;
    // aedes calls this from the CONNACK write's callback: the bytes are with the socket. Destroying it now is a
    // broker that drops the client right after accepting it (no DISCONNECT, no FIN handshake with MQTT state).
    (client as unknown as { conn: { destroy(): void } }).conn.destroy();
  });

  const rig = await startRig({
    ...clientInput(broker.portNumber, pki?.ca.cert),
    cycles,
    leakPerCycle: options.leakPerCycle ?? 0,
    logLevel: 'warn',
    backoff: { baseMs: 1, capMs: 4 },
  });
  cleanups.push(() => rig.close());
  const worker = rig.session.worker;
  const started = Date.now();
  const running = rig.session.runTest('cycles', 600_000);
  let done = false;
  running.then(
    () => (done = true),
    () => (done = true),
  );

  const windowMin: number[] = new Array(WINDOWS).fill(Infinity);
  let samples = 0;
  while (!done) {
    await sleep(25);
    if (done) break;
    const r = (await rig.session.command('cycles.sample')) as { online: number };
    // Commands are answered one at a time and this continuation runs before the next reply is read, so lastMeter
    // is the meter of the 'cycles.sample' exchange, whose last act was the collection.
    const heap = worker.lastMeter!.currentHeapCount;
    samples++;
    if (r.online < cycles) {
      const w = Math.min(WINDOWS - 1, Math.floor((r.online * WINDOWS) / cycles));
      windowMin[w] = Math.min(windowMin[w], heap);
    }
  }
  const result = await running;
  const wallMs = Date.now() - started;
  expect(result.error).toBeUndefined();
  const report = result.values[0] as { online: number; stats: { connects: number; connectAttempts: number; protocolErrors: number } };
  expect(report.online).toBe(cycles);
  expect(report.stats.connects).toBe(cycles);
  expect(report.stats.protocolErrors).toBe(0);
  expect(connacks).toBeGreaterThanOrEqual(cycles);
  for (let w = 1; w < WINDOWS; w++) expect(windowMin[w], `no heap sample in window ${w}`).toBeLessThan(Infinity);
  await rig.session.finish();
  rig.host.sim.capture!.assertNoSecret(PASSWORD);
  await cleanups.pop()!();
  await cleanups.pop()!();
  return {
    cycles,
    attempts: report.stats.connectAttempts,
    wallMs,
    msPerCycle: +(wallMs / cycles).toFixed(2),
    computePerCycle: Math.round(result.compute / cycles),
    heapSlotsByWindow: windowMin,
    samples,
    growthSlots: windowMin[WINDOWS - 1] - windowMin[1],
  };
}

describe('MQTT client on XS: connect/drop cycles keep the heap flat', () => {
  it(`${CYCLES} cycles (MQTT_CYCLES)${USE_TLS ? ' over TLS' : ''}: live XS slots flat after warm-up`, async () => {
    expect(CYCLES).toBeGreaterThanOrEqual(WINDOWS * 10);
    const figures = await runCycles(CYCLES, { tls: USE_TLS });
    console.log(`[mqtt-xs cycles] ${JSON.stringify(figures)}`);
    expect(figures.growthSlots, `XS live slots by window: ${figures.heapSlotsByWindow.join(' ')}`).toBeLessThanOrEqual(TOLERANCE_SLOTS);
  }, 600_000);

  it('negative control: a leak of one small object per cycle fails the same check', async () => {
    const figures = await runCycles(200, { leakPerCycle: 1 });
    console.log(`[mqtt-xs cycles, leaking] ${JSON.stringify(figures)}`);
    expect(figures.growthSlots).toBeGreaterThan(TOLERANCE_SLOTS);
  }, 120_000);
});
