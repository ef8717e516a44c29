// The device simulator (`npm run sim -- …`): the firmware (on the real XS engine by default, or on Node) with
// every host part simulated: BLE (tools/sim/ble, reachable by other processes over --ble-port), Wi-Fi from a world
// file, NVS in a file that survives restarts, TCP/TLS sockets that are real. The official esp_prov talks to the
// SoftAP/HTTP transport (--softap-port) or the console (--console). Every flag is documented in the README.
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { BootConfig, SecurityBootConfig } from '../../firmware/app/config';
import { demoApplication } from '../../firmware/app/demo-application';
import { boot } from '../../firmware/boot';
import { computeVerifier, generateSalt } from '../../firmware/protocomm/security/srp';
import type { LogHost } from '../../firmware/host/log';
import { toHex, utf8Encode } from '../../firmware/util/bytes';
import { startBleLinkServer, type BleLinkServer } from './ble/link-server';
import { SimBlePeripheral } from './ble/peripheral';
import { createNodeCryptoHost } from './host/crypto';
import { createNodeHost, type NodeHost } from './host/index';
import { SimNvs } from './host/nvs';
import { createSimWifi } from './wifi/index';
import { startFirmwareOnXs, type XsFirmware } from '../xs/firmware';

export const USAGE = `usage: npm run sim -- [options]
  --engine xs|node        where the firmware runs (default xs: the real XS engine)
  --security 0|1|2        protocomm security scheme (default 2)
  --pop P                 proof of possession: sec1 PoP, sec2 password (default abcd1234)
  --sec2-username U       SRP username the verifier is made for (default UNUSED, as the OpenRemote apps use)
  --sec2-patch 0|1        sec2 AES-GCM IV scheme (default 1; 0 for apps older than the IV fix)
  --ble-port N            serve the simulated BLE peripheral on 127.0.0.1:N (tools/sim/README.md); 0 = any
  --no-ble                no BLE transport
  --softap-port N         SoftAP/HTTP transport on 127.0.0.1:N (esp_prov --transport httpd); 0 = any
  --softap-passphrase P   WPA2 key of the provisioning access point (8..63 chars or 64 hex; default: open AP)
  --console               console transport on stdin/stdout (esp_prov --transport console)
  --wifi-world FILE       access points the simulated radio sees (default tools/sim/wifi/default-world.json)
  --nvs FILE              NVS contents, kept across restarts (default: in memory)
  --no-auto-stop          keep provisioning running after Wi-Fi succeeded (the app stops it)
  --ca FILE               PEM CA certificate(s) the device trusts for mqtts://, as a product image carries its CA
                          bundle; enables OpenRemote (or-cfg endpoint during provisioning, MQTT link afterwards)
  --model NAME            OpenRemote model name reported in DeviceInfo (default or-demo)
  --allow-plaintext-mqtt  accept mqtt:// broker URLs (development only)
  --name NAME             BLE name / SoftAP SSID (default PROV_ + last 3 MAC bytes)
  --mac AA:BB:CC:DD:EE:FF station MAC (default 02:53:49:4d:00:01)
  --log-level L           error|warn|info|debug (default info)
  --help`;

export interface SimOptions {
  engine: 'xs' | 'node';
  security: 0 | 1 | 2;
  pop: string;
  sec2Username: string;
  sec2Patch: 0 | 1;
  blePort: number | undefined;
  softapPort: number | undefined;
  softapPassphrase: string | undefined;
  console: boolean;
  wifiWorld: string | undefined;
  nvsFile: string | undefined;
  autoStop: boolean;
  caFile: string | undefined;
  model: string;
  allowPlaintextMqtt: boolean;
  name: string | undefined;
  mac: string | undefined;
  logLevel: 'error' | 'warn' | 'info' | 'debug';
}

export class UsageError extends Error {}

export function parseSimArgs(argv: string[]): SimOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      engine: { type: 'string', default: 'xs' },
      security: { type: 'string', default: '2' },
      pop: { type: 'string', default: 'abcd1234' },
      'sec2-username': { type: 'string', default: 'UNUSED' },
      'sec2-patch': { type: 'string', default: '1' },
      'ble-port': { type: 'string' },
      'no-ble': { type: 'boolean', default: false },
      'softap-port': { type: 'string' },
      'softap-passphrase': { type: 'string' },
      console: { type: 'boolean', default: false },
      'wifi-world': { type: 'string' },
      nvs: { type: 'string' },
      'no-auto-stop': { type: 'boolean', default: false },
      ca: { type: 'string' },
      model: { type: 'string', default: 'or-demo' },
      'allow-plaintext-mqtt': { type: 'boolean', default: false },
      name: { type: 'string' },
      mac: { type: 'string' },
      'log-level': { type: 'string', default: 'info' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) throw new UsageError(USAGE);
  const oneOf = <T extends string>(name: string, value: string, allowed: readonly T[]): T => {
    if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')}`);
    return value as T;
  };
  const port = (name: string, value: string | undefined): number | undefined => {
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--${name} must be a port number 0..65535`);
    return n;
  };
  const options: SimOptions = {
    engine: oneOf('engine', values.engine!, ['xs', 'node'] as const),
    security: Number(oneOf('security', values.security!, ['0', '1', '2'] as const)) as 0 | 1 | 2,
    pop: values.pop!,
    sec2Username: values['sec2-username']!,
    sec2Patch: Number(oneOf('sec2-patch', values['sec2-patch']!, ['0', '1'] as const)) as 0 | 1,
    blePort: values['no-ble'] ? undefined : (port('ble-port', values['ble-port']) ?? 0),
    softapPort: port('softap-port', values['softap-port']),
    softapPassphrase: values['softap-passphrase'],
    console: values.console!,
    wifiWorld: values['wifi-world'],
    nvsFile: values.nvs,
    autoStop: !values['no-auto-stop'],
    caFile: values.ca,
    model: values.model!,
    allowPlaintextMqtt: values['allow-plaintext-mqtt']!,
    name: values.name,
    mac: values.mac,
    logLevel: oneOf('log-level', values['log-level']!, ['error', 'warn', 'info', 'debug'] as const),
  };
  if (options.wifiWorld && !existsSync(options.wifiWorld)) throw new UsageError(`--wifi-world: no file ${options.wifiWorld}`);
  if (options.caFile && !/-----BEGIN CERTIFICATE-----/.test(readFileOrEmpty(options.caFile))) {
    throw new UsageError(`--ca: ${options.caFile} holds no PEM certificate`);
  }
  if (options.blePort === undefined && options.softapPort === undefined && !options.console) {
    throw new UsageError('no provisioning transport: drop --no-ble, or add --softap-port or --console');
  }
  if (options.security === 2 && options.console) {
    console.error('note: sec2 messages (Cmd0 406 B) do not fit the 256-byte console line, as in ESP-IDF (§9.3)');
  }
  return options;
}

/** The factory step of a product line: sec2 salt + verifier from username and PoP (§5.2). */
function securityConfig(options: SimOptions): SecurityBootConfig {
  if (options.security === 0) return { version: 0 };
  if (options.security === 1) return { version: 1, pop: options.pop };
  const crypto = createNodeCryptoHost();
  const salt = generateSalt(crypto);
  const verifier = computeVerifier(crypto, salt, utf8Encode(options.sec2Username), utf8Encode(options.pop));
  return { version: 2, saltHex: toHex(salt), verifierHex: toHex(verifier), patchVersion: options.sec2Patch };
}

export function bootConfig(options: SimOptions): BootConfig {
  return {
    logLevel: options.logLevel,
    deviceName: options.name,
    security: securityConfig(options),
    transports: {
      ble: options.blePort !== undefined ? {} : undefined,
      softap: options.softapPort !== undefined ? { port: options.softapPort, passphrase: options.softapPassphrase } : undefined,
      console: options.console,
    },
    provisioning: { autoStop: options.autoStop },
    openremote: options.caFile
      ? {
          modelName: options.model,
          caCerts: splitPem(readFileSync(options.caFile, 'utf8')),
          allowPlaintextMqtt: options.allowPlaintextMqtt,
          firmwareVersion: FIRMWARE_VERSION,
        }
      : undefined,
  };
}

/** The simulated build's version (package.json), as a product build would bake its own. */
const FIRMWARE_VERSION: string = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;

function readFileOrEmpty(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** One PEM string per certificate in a bundle file. */
export function splitPem(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)?.map((c) => c + '\n') ?? [];
}

/** One simulated board: boots the firmware, and boots it again (same NVS, fresh RAM and radio) on restart(). */
export class SimulatedDevice {
  private host: NodeHost | undefined;
  private xs: XsFirmware | undefined;
  private bleServer: BleLinkServer | undefined;
  private readonly nvs: SimNvs;
  private readonly config: BootConfig;
  /** Exceptions that escaped firmware callbacks (on the chip: an XS abort and a reboot). Tests expect none. */
  readonly errors: Error[] = [];
  /** What the last boot reported (mode, device name, HTTP port). */
  status: { mode: string; deviceName?: string; httpPort?: number; blePort?: number } | undefined;
  private restarting: Promise<void> | undefined;

  private readonly print: (line: string) => void;
  private readonly log: LogHost | 'stderr';

  /** `io.print` gets the simulator's own status lines; `io.log` the firmware's log (default stderr);
   * `io.config` may adjust the boot configuration the flags produced (tests: short timeouts). */
  constructor(
    private readonly options: SimOptions,
    io: { print?: (line: string) => void; log?: LogHost; config?: (config: BootConfig) => BootConfig } = {},
  ) {
    this.print = io.print ?? ((l) => console.log(l));
    this.log = io.log ?? 'stderr';
    this.nvs = new SimNvs({ path: options.nvsFile });
    this.config = io.config ? io.config(bootConfig(options)) : bootConfig(options);
  }

  async start(): Promise<void> {
    const ble = this.options.blePort !== undefined ? new SimBlePeripheral({}) : undefined;
    const host: NodeHost = createNodeHost({
      nvs: this.nvs,
      ble,
      log: this.log,
      uart: this.options.console ? 'stdio' : 'memory',
      device: { mac: this.options.mac, onRestart: () => void this.restart() },
      onCallbackError: (error) => this.firmwareError(error),
    });
    // The Wi-Fi world runs on the host's timers (one dispatcher serialises every callback into the firmware), so
    // it joins the host right after creation, before the firmware boots.
    (host as { wifi: NodeHost['wifi'] }).wifi = createSimWifi({ timers: host.timers, world: this.options.wifiWorld, mac: host.device.mac() });
    this.host = host;
    if (ble) this.bleServer = await startBleLinkServer(ble, { port: this.options.blePort });
    if (this.options.engine === 'xs') {
      this.xs = await startFirmwareOnXs(host);
      const s = await this.xs.boot(this.config);
      this.status = { mode: s.mode, deviceName: s.deviceName, httpPort: s.httpPort };
    } else {
      const device = boot(host, this.config, demoApplication);
      this.status = { mode: device.mode, deviceName: device.deviceName, httpPort: device.httpPort() };
    }
    this.status.blePort = this.bleServer?.port;
    this.print(this.describe());
  }

  private firmwareError(error: unknown): void {
    const e = error instanceof Error ? error : new Error(String(error));
    this.errors.push(e);
    this.print(`firmware exception escaped a callback: ${e.name}: ${e.message}`);
  }

  describe(): string {
    const s = this.status!;
    const parts = [`device ${s.mode} on ${this.options.engine === 'xs' ? 'XS' : 'Node'}`];
    if (s.deviceName) parts.push(`name ${s.deviceName}`);
    if (s.blePort !== undefined && s.mode === 'provisioning') parts.push(`BLE link 127.0.0.1:${s.blePort}`);
    if (s.httpPort !== undefined) parts.push(`SoftAP/HTTP 127.0.0.1:${s.httpPort}`);
    if (this.options.console && s.mode === 'provisioning') parts.push('console on stdin');
    return parts.join(' | ');
  }

  /** A reboot: RAM and radio state are lost, NVS is kept. */
  restart(): Promise<void> {
    this.restarting ??= (async () => {
      this.print('device restarting');
      await this.stop();
      await this.start();
    })().finally(() => (this.restarting = undefined));
    return this.restarting;
  }

  async stop(): Promise<void> {
    this.host?.sim.shutdown();
    await this.xs?.close().catch(() => {});
    await this.bleServer?.close();
    this.host = undefined;
    this.xs = undefined;
    this.bleServer = undefined;
  }

  get nodeHost(): NodeHost | undefined {
    return this.host;
  }
}

async function main(): Promise<void> {
  let options: SimOptions;
  try {
    options = parseSimArgs(process.argv.slice(2));
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(e instanceof UsageError && e.message === USAGE ? 0 : 2);
  }
  const device = new SimulatedDevice(options, { print: (line) => console.error(`[sim] ${line}`) });
  const shutdown = async () => {
    await device.stop();
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  await device.start();
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  main().catch((e) => {
    console.error(`[sim] ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    process.exit(1);
  });
}
