// XS entry for the protocomm replay and bench (runs INSIDE the xsnap worker): the Node side drives the device with
// channel commands, one transport request per command, so the harness meters each step separately. Crypto, clock
// and log are the XS provider, served by the Node simulator hosts (pinned randomness lives on the Node side).
import type { ProtocommCore } from '../../firmware/protocomm/protocomm';
import { Logger, SecretRegistry } from '../../firmware/util/log';
import { channel, xsHost } from '../xs/runtime';
import { buildReplayDevice, type ReplaySetup } from './device-setup';
import type { ScriptedEndpoints } from './scripted-endpoints';

let device: { pc: ProtocommCore; scripted: ScriptedEndpoints } | undefined;

function current(): { pc: ProtocommCore; scripted: ScriptedEndpoints } {
  if (!device) throw new Error('protocomm.setup was not called');
  return device;
}

channel.onCommand('protocomm.setup', (setup) => {
  const host = xsHost();
  device = buildReplayDevice(setup as ReplaySetup, {
    crypto: host.crypto,
    clock: host.clock,
    log: new Logger(host.log, 'protocomm', new SecretRegistry(), 'info'),
  });
  return true;
});

channel.onCommand('protocomm.newTransportSession', (id) => {
  current().pc.newTransportSession(id as number);
  return true;
});

/** One transport request; answers { replied, response } (handlers in these tests reply synchronously). */
channel.onCommand('protocomm.handle', (payload) => {
  const { endpoint, sessionId, request } = payload as { endpoint: string; sessionId: number; request: Uint8Array };
  let replied = 0;
  let response: Uint8Array | undefined;
  current().pc.handle(endpoint, sessionId, request, (r) => {
    replied++;
    response = r;
  });
  return { replied, response };
});

channel.onCommand('protocomm.handlerErrors', () => current().scripted.errors.slice());
