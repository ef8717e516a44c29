// CLI for the OpenRemote-compatible dev backend (tools/backend/index.ts):
//   tsx tools/backend/main.ts [--http-port N] [--mqtt-port N] [--data DIR] [--host ADDR] [--cert-host NAME]...
//        [--https] [--login-delay-ms N] [--config FILE]
// Prints the CA path and the ports, then logs until SIGINT/SIGTERM. --config is a JSON file
// {"users":[{realm,username,password}], "models":{...}} overriding the defaults (master/admin/secret, or-demo).
import * as fs from 'node:fs';
import { parseCommandLine } from '../common/cli';
import { startBackend, DEFAULT_USERS } from './index';
import { validateModels, type AssetModel } from './model';

const USAGE =
  'usage: tsx tools/backend/main.ts [--http-port N] [--mqtt-port N] [--data DIR] [--host ADDR] [--cert-host NAME]... [--https] [--login-delay-ms N] [--config FILE]';

function port(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`--${name} must be a port number (0-65535)`);
  return n;
}

function delay(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 60_000) throw new Error('--login-delay-ms must be an integer 0-60000');
  return n;
}

async function main(): Promise<number> {
  const values = parseCommandLine(
    {
      'http-port': { type: 'string' },
      'mqtt-port': { type: 'string' },
      data: { type: 'string', default: 'build/backend' },
      host: { type: 'string' },
      'cert-host': { type: 'string', multiple: true },
      https: { type: 'boolean', default: false },
      'login-delay-ms': { type: 'string' },
      config: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    USAGE,
  );
  if (typeof values === 'number') return values;
  let config: { users?: typeof DEFAULT_USERS; models?: Record<string, AssetModel> } = {};
  if (values.config) {
    config = JSON.parse(fs.readFileSync(values.config, 'utf8')) as typeof config;
    const ok = (u: unknown) => typeof u === 'object' && u !== null && ['realm', 'username', 'password'].every((k) => typeof (u as Record<string, unknown>)[k] === 'string' && (u as Record<string, string>)[k] !== '');
    if (config.users !== undefined && (!Array.isArray(config.users) || !config.users.every(ok))) throw new Error('config users must be [{realm, username, password}] with non-empty strings');
    if (config.models !== undefined) validateModels(config.models);
  }
  const backend = await startBackend({
    httpPort: port('http-port', values['http-port'], 8080),
    mqttPort: port('mqtt-port', values['mqtt-port'], 8883),
    dataDir: values.data,
    host: values.host,
    certHosts: values['cert-host'],
    httpsApi: values.https,
    loginDelayMs: values['login-delay-ms'] === undefined ? undefined : delay(values['login-delay-ms']),
    users: config.users,
    models: config.models,
    log: (line) => console.error(`${new Date().toISOString()} ${line}`),
  });
  const users = config.users ?? DEFAULT_USERS;
  console.log(`CA certificate: ${backend.caPath}`);
  console.log(`HTTP${values.https ? 'S' : ''} API: port ${backend.httpPort}  (token: /auth/realms/{realm}/protocol/openid-connect/token, provisioning: /api/{realm}/rest/device)`);
  console.log(`MQTT over TLS: port ${backend.mqttPort}`);
  console.log(`human users: ${users.map((u) => `${u.realm}/${u.username}`).join(', ')}`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await backend.stop();
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error((error as Error).message);
    process.exit(1);
  },
);
