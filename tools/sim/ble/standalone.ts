// A BLE-only device for developing phone-side tools before (or without) the full simulator: the firmware BLE transport
// and protocomm core (sec0/1/2) on the simulated peripheral, served on the BLE link protocol (tools/sim/README.md).
// Only proto-ver, prov-session and custom echo endpoints answer; prov-config/scan/ctrl get ATT 0x04 here.
// Usage: tsx tools/sim/ble/standalone.ts [--ble-port 0] [--sec 2] [--pop abcd1234] [--username wifiprov]
//        [--custom custom-data]... [--mtu 517] [--interval-ms 30]
import { parseArgs } from 'node:util';
import { createProtocomm } from '../../../firmware/protocomm/protocomm';
import type { SecurityConfig } from '../../../firmware/protocomm/security/index';
import { computeVerifier, generateSalt } from '../../../firmware/protocomm/security/srp';
import { BleTransport, provisioningEndpoints } from '../../../firmware/transport/ble';
import { defaultDeviceName } from '../../../firmware/transport/ble-uuid';
import { utf8Encode } from '../../../firmware/util/bytes';
import { Logger, SecretRegistry } from '../../../firmware/util/log';
import { createNodeCryptoHost } from '../host/crypto';
import { startBleLinkServer } from './link-server';
import { SimBlePeripheral } from './peripheral';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'ble-port': { type: 'string', default: '0' },
      sec: { type: 'string', default: '2' },
      pop: { type: 'string', default: 'abcd1234' },
      username: { type: 'string', default: 'wifiprov' },
      custom: { type: 'string', multiple: true, default: ['custom-data'] },
      mtu: { type: 'string', default: '517' },
      'interval-ms': { type: 'string', default: '30' },
    },
  });
  const crypto = createNodeCryptoHost();
  const secrets = new SecretRegistry();
  secrets.add(values.pop);
  const logger = new Logger({ write: (level, tag, message) => process.stderr.write(`${level} ${tag}: ${message}\n`) }, 'sim', secrets, 'info');
  let security: SecurityConfig;
  if (values.sec === '0') security = { version: 0 };
  else if (values.sec === '1') security = { version: 1, pop: values.pop };
  else {
    // The device stores only salt and verifier (§5.2); derive them here from the PoP as a factory would.
    const salt = generateSalt(crypto);
    security = { version: 2, salt, verifier: computeVerifier(crypto, salt, utf8Encode(values.username), utf8Encode(values.pop)) };
  }
  const protocomm = createProtocomm({ crypto, clock: { monotonicMs: () => Math.floor(performance.now()), wallMs: () => Date.now() }, log: logger.child('protocomm'), security });
  for (const name of values.custom) protocomm.addEndpoint(name, (_session, request, reply) => reply(request));
  const peripheral = new SimBlePeripheral({ connectionIntervalMs: Number(values['interval-ms']), log: (line) => logger.debug(line) });
  const deviceName = defaultDeviceName(peripheral.address);
  const transport = new BleTransport({
    host: peripheral,
    protocomm,
    logger: logger.child('ble'),
    endpoints: provisioningEndpoints(values.custom),
    deviceName,
    preferredMtu: Number(values.mtu),
  });
  transport.start();
  const server = await startBleLinkServer(peripheral, { port: Number(values['ble-port']) });
  process.stdout.write(`${JSON.stringify({ blePort: server.port, deviceName, sec: security.version })}\n`);
  const shutdown = async () => {
    await server.close();
    transport.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());
}

void main();
