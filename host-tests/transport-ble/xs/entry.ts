// XS entry: the BLE provisioning transport and the firmware protocomm (sec1) running on the real XS engine, with
// the BLE host bridged to the Node simulator (tools/sim/ble) — every onWrite/onRead is a Promise on the Node side.
// Endpoints: custom-data (reverse echo) and slow (answers from a timer, so the write is deferred: WRITE_PENDING).
import { createProtocomm } from '../../../firmware/protocomm/protocomm';
import { BleTransport, provisioningEndpoints } from '../../../firmware/transport/ble';
import { Logger, SecretRegistry } from '../../../firmware/util/log';
import { input, test, xsHost } from '../../xs/runtime';

let transport: BleTransport | undefined;

test('start', () => {
  const host = xsHost();
  const { pop } = input<{ pop: string }>();
  const secrets = new SecretRegistry();
  secrets.add(pop);
  const log = new Logger(host.log, 'prov', secrets, 'debug');
  const protocomm = createProtocomm({ crypto: host.crypto, clock: host.clock, log: log.child('protocomm'), security: { version: 1, pop } });
  protocomm.addEndpoint('custom-data', (_session, request, reply) => reply(Uint8Array.from(request).reverse()));
  protocomm.addEndpoint('slow', (_session, request, reply) => {
    host.timers.setTimeout(() => reply(Uint8Array.of(request.length & 0xff, 0x5a)), 5);
  });
  transport = new BleTransport({
    host: host.ble,
    protocomm,
    logger: log.child('ble'),
    endpoints: provisioningEndpoints(['custom-data', 'slow']),
    deviceName: 'PROV_XS0001',
  });
  transport.start();
});

test('stop', () => {
  transport?.stop();
});
