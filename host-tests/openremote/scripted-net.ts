// A scripted network behind the SocketHost seam, in virtual time, for MqttBackendLink tests: per host name it
// fails the way the socket seam reports real failures (DNS, REFUSED, TLS_UNKNOWN_CA, a black hole that TIMEOUTs)
// or connects to a small OpenRemote-like broker written with mqtt-packet (independent of firmware/mqtt): CONNACK 5
// for a wrong `realm:user`/secret after a Keycloak-like login delay, SUBACK 0x80 for a filter outside the device's
// own asset. Not modelled: partial writes, TLS record framing, keep-alive expiry on the broker side.
import * as mqttPacket from 'mqtt-packet';
import { SocketError, type Socket, type SocketCallbacks, type SocketErrorCode, type SocketHost } from '../../firmware/host/socket';
import type { VirtualClock } from '../../tools/sim/host/clock';

export type HostBehaviour =
  | { kind: 'fail'; code: SocketErrorCode; afterMs: number }
  | { kind: 'blackhole' }
  | { kind: 'broker'; broker: ScriptedBroker };

export interface ScriptedBroker {
  /** username "realm:user" → secret. */
  users: Record<string, string>;
  /** Topic filters the broker grants; others get SUBACK 0x80. */
  allowFilter(filter: string, username: string): boolean;
  loginDelayMs: number;
  connects: number;
  accepted: number;
}

export function scriptedBroker(users: Record<string, string>, allowFilter: ScriptedBroker['allowFilter'] = () => true, loginDelayMs = 400): ScriptedBroker {
  return { users, allowFilter, loginDelayMs, connects: 0, accepted: 0 };
}

export class ScriptedNet implements SocketHost {
  readonly hosts = new Map<string, HostBehaviour>();
  readonly attempts: string[] = [];

  constructor(private readonly clock: VirtualClock) {}

  connect(options: { host: string; port: number; tls?: { ca: string[]; serverName: string }; timeoutMs: number }, cb: SocketCallbacks): Socket {
    this.attempts.push(`${options.host}:${options.port}${options.tls ? ' tls' : ''}`);
    const behaviour = this.hosts.get(options.host) ?? { kind: 'fail', code: 'DNS', afterMs: 30 };
    let open = true;
    const timers: number[] = [];
    const later = (ms: number, fn: () => void) => timers.push(this.clock.setTimeout(() => open && fn(), ms) as number);
    const close = (error?: SocketError) => {
      if (!open) return;
      open = false;
      for (const t of timers) this.clock.clear(t);
      cb.onClose(error);
    };
    let onWrite: (data: Uint8Array) => void = () => {};
    const socket: Socket = {
      write: (data) => {
        if (!open) throw new SocketError('CLOSED', 'closed');
        const copy = data.slice();
        later(1, () => onWrite(copy));
        return 0;
      },
      close: () => {
        if (!open) return;
        open = false;
        for (const t of timers) this.clock.clear(t);
      },
    };
    if (behaviour.kind === 'fail') later(behaviour.afterMs, () => close(new SocketError(behaviour.code, `scripted ${behaviour.code}`)));
    else if (behaviour.kind === 'blackhole') later(options.timeoutMs, () => close(new SocketError('TIMEOUT', 'connect timed out')));
    else {
      const broker = behaviour.broker;
      const parser = mqttPacket.parser({ protocolVersion: 4 });
      let username = '';
      const send = (packet: Record<string, unknown>) => {
        const bytes = new Uint8Array(mqttPacket.generate(packet as never, { protocolVersion: 4 }));
        later(2, () => cb.onData(bytes));
      };
      parser.on('packet', (p: Record<string, any>) => {
        if (p.cmd === 'connect') {
          broker.connects++;
          username = p.username ?? '';
          const secret = p.password ? Buffer.from(p.password).toString('utf8') : undefined;
          const ok = secret !== undefined && broker.users[username] === secret;
          later(broker.loginDelayMs, () => {
            if (ok) broker.accepted++;
            send({ cmd: 'connack', returnCode: ok ? 0 : 5, sessionPresent: false });
          });
        } else if (p.cmd === 'subscribe') {
          const granted = (p.subscriptions as { topic: string; qos: number }[]).map((s) => (broker.allowFilter(s.topic, username) ? s.qos : 0x80));
          send({ cmd: 'suback', messageId: p.messageId, granted });
        } else if (p.cmd === 'pingreq') send({ cmd: 'pingresp' });
        else if (p.cmd === 'disconnect') close();
      });
      onWrite = (data) => parser.parse(Buffer.from(data));
      later(60, () => cb.onConnect());
    }
    return socket;
  }

  listen(): never {
    throw new Error('not modelled');
  }
}
