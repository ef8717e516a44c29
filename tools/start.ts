// `npm start`: the whole product on one laptop (issue 8, openremote.md §1.5). It starts the OpenRemote-compatible
// dev backend (tools/backend), boots the simulated device with the firmware on the real XS engine (tools/sim), plays
// the OpenRemote app over the simulated BLE link (tools/prov), then shows a sensor value going up and a switch write
// coming down, prints a summary, writes a sequence diagram of the actual run, stops everything and exits 0.
// State lives in build/start/: a second `npm start` boots the device straight online from its NVS (no
// provisioning); `npm start -- --fresh` starts over.
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { LogHost, LogLevel } from '../firmware/host/log';
import { startBackend, type Backend } from './backend/index';
import { SequenceRecorder, writeDiagram } from './diagram/index';
import { login } from './prov/backend';
import { runProvisioning, type ProvResult } from './prov/index';
import { parseSimArgs, SimulatedDevice } from './sim/main';

const STATE_DIR = 'build/start';
const POP = 'abcd1234';
const WIFI = { ssid: 'HomeNet', passphrase: 'secretpass' }; // an access point of tools/sim/wifi/default-world.json
const USER = { realm: 'master', user: 'admin', password: 'secret' }; // the dev backend's default user

export interface StartOptions {
  engine: 'xs' | 'node';
  fresh: boolean;
  stateDir: string;
  print: (line: string) => void;
}

export interface StartSummary {
  provisioned: boolean;
  deviceId: string;
  assetId: string;
  temperature: number;
  switchValue: boolean;
  switchEchoed: boolean;
  diagram: { mermaid: string; svg: string };
  elapsedMs: number;
}

/** Firmware log lines go to a file (the console shows the story), and are kept for waiting on them. */
class DeviceLog implements LogHost {
  readonly messages: string[] = [];
  constructor(private readonly file: string, private readonly start: number) {}
  write(level: LogLevel, tag: string, message: string): void {
    this.messages.push(message);
    appendFileSync(this.file, `${level[0].toUpperCase()} (${Date.now() - this.start}) ${tag}: ${message}\n`);
  }
}

async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 60_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The backend's ports must survive runs: the device stores mqtts://127.0.0.1:<port> in its NVS. */
function loadPorts(dir: string): { http: number; mqtt: number } {
  const file = join(dir, 'ports.json');
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : { http: 0, mqtt: 0 };
}

export async function runStart(options: StartOptions): Promise<StartSummary> {
  const t0 = Date.now();
  const say = options.print;
  if (options.fresh) rmSync(options.stateDir, { recursive: true, force: true });
  mkdirSync(options.stateDir, { recursive: true });
  const logFile = join(options.stateDir, 'device.log');
  writeFileSync(logFile, '');

  const rec = new SequenceRecorder([
    { id: 'user', label: 'User (OpenRemote UI)' },
    { id: 'phone', label: 'Phone app (tools/prov)' },
    { id: 'device', label: `Device (firmware on ${options.engine === 'xs' ? 'XS' : 'Node'})` },
    { id: 'backend', label: 'Backend REST (tools/backend)' },
    { id: 'broker', label: 'MQTT broker (TLS)' },
  ]);
  for (const s of [POP, WIFI.passphrase, USER.password]) rec.secret(s);

  const ports = loadPorts(options.stateDir);
  let backend: Backend;
  try {
    backend = await startBackend({ httpPort: ports.http, mqttPort: ports.mqtt, dataDir: join(options.stateDir, 'backend') });
  } catch (e) {
    throw new Error(`the dev backend could not start on its saved ports ${ports.http}/${ports.mqtt} (${(e as Error).message}); run \`npm start -- --fresh\``);
  }
  writeFileSync(join(options.stateDir, 'ports.json'), JSON.stringify({ http: backend.httpPort, mqtt: backend.mqttPort }));
  say(`backend: REST http://127.0.0.1:${backend.httpPort}, MQTT mqtts://127.0.0.1:${backend.mqttPort} (CA ${backend.caPath})`);

  // What the backend saw, in order: REST provisioning, MQTT sessions, attribute values.
  backend.events.on('provisioned', (e: { deviceId: string; assetId: string; assetCreated: boolean }) => {
    rec.request('phone', 'backend', `POST /api/master/rest/device {deviceId ${e.deviceId}}`);
    rec.response('backend', 'phone', `asset ${e.assetId}${e.assetCreated ? ' (created)' : ''}`);
  });
  backend.events.on('mqttConnect', (e: { clientId: string; realm: string; username: string }) => {
    rec.request('device', 'broker', `CONNECT ${e.realm}:${e.username} (client id ${e.clientId})`);
    rec.response('broker', 'device', 'CONNACK accepted');
  });
  backend.events.on('mqttDisconnect', (e: { clientId: string }) => rec.note('broker', `${e.clientId} disconnected`));
  const attributeEvents: { name: string; value: unknown; source: string; at: number }[] = [];
  backend.events.on('attribute', (e: { name: string; value: unknown; source: string; changed: boolean }) => {
    attributeEvents.push({ ...e, at: Date.now() });
    if (e.source.startsWith('mqtt:')) {
      rec.event('device', 'broker', `PUBLISH ${e.name} = ${JSON.stringify(e.value)}`, { key: `publish ${e.name}` });
    }
  });

  const nvs = join(options.stateDir, 'nvs.json');
  const log = new DeviceLog(logFile, t0);
  const device = new SimulatedDevice(
    parseSimArgs(['--engine', options.engine, '--ble-port', '0', '--nvs', nvs, '--ca', backend.caPath!, '--log-level', 'info']),
    { log, print: (line) => say(`device: ${line}`) },
  );
  try {
    const bootGroup = rec.begin('Boot');
    await device.start();
    rec.note('device', device.status!.mode === 'provisioning' ? `not provisioned: advertising as ${device.status!.deviceName}` : 'provisioned: joining Wi-Fi, then the broker');
    rec.end(bootGroup);

    let prov: ProvResult | undefined;
    if (device.status!.mode === 'provisioning') {
      say('phone app: provisioning over BLE (sec2, username UNUSED, PoP from the label)');
      prov = await rec.group('BLE provisioning and OpenRemote config (phone ↔ device)', () =>
        runProvisioning(
          {
            transport: 'ble',
            blePort: device.status!.blePort,
            namePrefix: 'PROV_',
            pop: POP,
            ssid: WIFI.ssid,
            passphrase: WIFI.passphrase,
            scan: true,
            wifiPollIntervalMs: 500,
            openremote: { backend: `http://127.0.0.1:${backend.httpPort}`, realm: USER.realm, user: USER.user, password: USER.password, mqttPort: backend.mqttPort },
            onExchange: (x) => {
              rec.request('phone', 'device', `${x.endpoint} (${x.requestBytes} B)`, { key: `x ${x.endpoint} ${x.requestBytes}` });
              rec.response('device', 'phone', x.responseBytes === undefined ? 'no response' : `${x.responseBytes} B`, { key: `r ${x.endpoint} ${x.responseBytes}` });
            },
          },
          (line) => {
            say(`  ${line}`);
            rec.note('phone', line.replace(/^✓ /, ''));
          },
        ),
      );
      if (!prov.ok) throw new Error(`provisioning failed at ${prov.failedStep}: OpenRemote error ${prov.code}, ${prov.message}`);
    } else {
      say('device: already provisioned (build/start/nvs.json): booted straight to Wi-Fi and MQTT, no provisioning');
    }

    const logMark = log.messages.length;
    const asset = await until('the device asset', () => backend.core.listAssets().find((a) => a.modelName === 'or-demo'));
    const deviceId = prov?.deviceInfo?.deviceId ?? asset.name;
    const clientId = deviceId.toLowerCase();
    await until('the device online at the broker', () => backend.connectedClientIds().includes(clientId));
    say(`device: online at the broker as ${USER.realm}:${clientId}`);

    // A value going up: the demo's simulated temperature sensor (firmware/app/demo.ts).
    // Only a value published in this run counts: the backend keeps the previous run's state.
    const temperature = await until('a temperature value from the device', () => {
      const e = attributeEvents.find((x) => x.name === 'temperature' && x.source.startsWith('mqtt:'));
      return e ? (e.value as number) : undefined;
    });
    rec.note('backend', `asset ${asset.id}: temperature ${temperature} °C from the device`);
    say(`up:   temperature ${temperature} °C arrived in asset ${asset.id} (firmwareVersion ${JSON.stringify(backend.core.getAsset(asset.id)!.attributes.firmwareVersion.value)})`);

    // A write coming down: a user flips the relay in OpenRemote. OpenRemote forwards only changed values (§4.5),
    // so the write is the opposite of what the asset shows once the device has published its state after connect.
    await until('the device to publish its switch state', () => attributeEvents.some((e) => e.name === 'switch' && e.source.startsWith('mqtt:')));
    const target = backend.core.getAsset(asset.id)!.attributes.switch.value !== true;
    const switchEchoed = await rec.group('Attribute write down', async () => {
      const token = await login({ backend: `http://127.0.0.1:${backend.httpPort}`, realm: USER.realm, user: USER.user, password: USER.password });
      const writeAt = Date.now();
      rec.request('user', 'backend', `PUT asset/${asset.id}/attribute/switch ${target}`);
      const r = await fetch(`http://127.0.0.1:${backend.httpPort}/api/${USER.realm}/asset/${asset.id}/attribute/switch`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(target),
      });
      if (!r.ok) throw new Error(`the user's write was refused: HTTP ${r.status}`);
      rec.response('backend', 'user', `${r.status}`);
      rec.event('broker', 'device', `PUBLISH attributevalue/switch ${target}`);
      const relay = `relay ${target ? 'on' : 'off'}`;
      await until(`the device to switch the ${relay}`, () => log.messages.slice(logMark).some((m) => m.startsWith(relay)));
      rec.note('device', relay);
      return until('the device to echo the switch state', () =>
        attributeEvents.some((e) => e.name === 'switch' && e.value === target && e.source.startsWith('mqtt:') && e.at >= writeAt),
      );
    });
    say(`down: the user switched the relay ${target ? 'on' : 'off'} in OpenRemote; the device applied it and echoed switch=${target}`);

    const diagram = writeDiagram(rec, join(options.stateDir, 'sequence'));
    const summary: StartSummary = {
      provisioned: prov !== undefined,
      deviceId,
      assetId: asset.id,
      temperature,
      switchValue: target,
      switchEchoed,
      diagram: { mermaid: diagram.mmd, svg: diagram.svg },
      elapsedMs: Date.now() - t0,
    };
    return summary;
  } finally {
    await device.stop();
    await backend.stop();
    if (device.errors.length > 0) throw new Error(`firmware exceptions: ${device.errors.map((e) => e.message).join('; ')}`);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { engine: { type: 'string', default: 'xs' }, fresh: { type: 'boolean', default: false } },
  });
  if (values.engine !== 'xs' && values.engine !== 'node') throw new Error('--engine must be xs or node');
  const s = await runStart({ engine: values.engine, fresh: values.fresh!, stateDir: STATE_DIR, print: (l) => console.log(l) });
  console.log('');
  console.log('summary');
  console.log(`  device ${s.deviceId} ${s.provisioned ? 'provisioned over BLE just now' : 'came back online from NVS'}; asset ${s.assetId}`);
  console.log(`  value up: temperature ${s.temperature} °C; write down: switch=${s.switchValue} applied and echoed`);
  console.log(`  sequence diagram: ${s.diagram.svg} (Mermaid: ${s.diagram.mermaid}); device log: ${STATE_DIR}/device.log`);
  console.log(`  ${(s.elapsedMs / 1000).toFixed(1)} s. Run \`npm start\` again: the device boots straight online. \`npm start -- --fresh\` starts over.`);
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  main().catch((e) => {
    console.error(`npm start failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
}
