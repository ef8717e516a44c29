// Command-line provisioning client: plays the phone (esp_prov / the OpenRemote app) against a device over HTTP or
// the simulator's BLE link. One progress line per step, never a secret. On failure the exit status is the
// OpenRemote error code (openremote.md §2.8) as the shell sees it (code & 0xff: 502 → 246, 301 → 45, 600 → 88).
//   tsx tools/prov/main.ts --transport ble --ble-port 9001 --name-prefix PROV_ --pop abcd1234 --ssid HomeNet \
//       --passphrase secretpass [--scan] [--openremote --backend http://127.0.0.1:8080 --user admin --password secret]
// Secrets may come from the environment instead of argv (visible in `ps`): PROV_POP, PROV_PASSPHRASE, OR_PASSWORD.
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { runProvisioning, type ProvisionOptions } from './provision';

const USAGE = `usage: tsx tools/prov/main.ts --transport ble|httpd (--ble-port N [--name-prefix PROV_] [--ios-names] | --http HOST:PORT)
       [--pop P] [--sec-ver 0|1|2] [--username UNUSED] [--ssid S --passphrase P] [--scan] [--reset] [--reprov]
       [--openremote --backend URL [--realm master] --user U --password P [--mqtt-url URL | --mqtt-port N] [--model M]
        [--no-exit] [--stop-on-failed]] [--json]`;

function fail(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

function int(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) fail(`--${name} wants an integer`);
  return n;
}

export function optionsFromArgv(argv: string[], env: NodeJS.ProcessEnv = process.env): ProvisionOptions & { json: boolean } {
  const { values: v } = parseArgs({
    args: argv,
    strict: true,
    options: {
      transport: { type: 'string' },
      'ble-port': { type: 'string' },
      'ble-host': { type: 'string' },
      'name-prefix': { type: 'string' },
      'ios-names': { type: 'boolean' },
      mtu: { type: 'string' },
      http: { type: 'string' },
      pop: { type: 'string' },
      'sec-ver': { type: 'string' },
      username: { type: 'string' },
      ssid: { type: 'string' },
      passphrase: { type: 'string' },
      scan: { type: 'boolean' },
      reset: { type: 'boolean' },
      reprov: { type: 'boolean' },
      openremote: { type: 'boolean' },
      backend: { type: 'string' },
      realm: { type: 'string' },
      user: { type: 'string' },
      password: { type: 'string' },
      'mqtt-url': { type: 'string' },
      'mqtt-port': { type: 'string' },
      model: { type: 'string' },
      'no-exit': { type: 'boolean' },
      'stop-on-failed': { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (v.help) {
    process.stdout.write(USAGE + '\n');
    process.exit(0);
  }
  if (v.transport !== 'ble' && v.transport !== 'httpd') fail('--transport must be ble or httpd');
  const secVer = v['sec-ver'];
  if (secVer !== undefined && !['0', '1', '2'].includes(secVer)) fail('--sec-ver must be 0, 1 or 2');
  const options: ProvisionOptions & { json: boolean } = {
    transport: v.transport,
    blePort: int(v['ble-port'], 'ble-port'),
    bleHost: v['ble-host'],
    namePrefix: v['name-prefix'] ?? 'PROV_',
    nameMatch: v['ios-names'] ? 'ios' : 'android',
    bleMtu: int(v.mtu, 'mtu'),
    http: v.http,
    pop: v.pop ?? env.PROV_POP,
    secVer: secVer === undefined ? undefined : (Number(secVer) as 0 | 1 | 2),
    username: v.username,
    ssid: v.ssid,
    passphrase: v.passphrase ?? env.PROV_PASSPHRASE,
    scan: v.scan,
    reset: v.reset,
    reprov: v.reprov,
    exit: !v['no-exit'],
    json: !!v.json,
  };
  if (v.ssid !== undefined && options.passphrase === undefined) fail('--ssid needs --passphrase (use "" for an open network)');
  if (v.openremote) {
    const password = v.password ?? env.OR_PASSWORD;
    if (!v.backend || !v.user || password === undefined) fail('--openremote needs --backend, --user and --password');
    options.openremote = {
      backend: v.backend,
      realm: v.realm,
      user: v.user,
      password,
      mqttUrl: v['mqtt-url'],
      mqttPort: int(v['mqtt-port'], 'mqtt-port'),
      modelName: v.model,
      stopOnFailed: v['stop-on-failed'],
    };
  }
  return options;
}

async function main(): Promise<void> {
  const options = optionsFromArgv(process.argv.slice(2));
  const result = await runProvisioning(options, options.json ? undefined : (line) => process.stdout.write(line + '\n'));
  if (options.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  process.exitCode = result.ok ? 0 : (result.code ?? 10000);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error) => {
    process.stderr.write(`prov: ${(error as Error).message}\n`);
    process.exitCode = 10000;
  });
}
