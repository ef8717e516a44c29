// MQTT scenarios that run unchanged on Node and on the real XS engine (host-tests/xs/harness.ts runCasesOnBoth):
// codec vectors and a deterministic mutation fuzz, a scripted client session on in-bundle fakes (socket, timers,
// clock, randomness), and the OpenRemote topic/payload helpers. No Node APIs here; results are plain data.
import type { Socket, SocketCallbacks, SocketErrorCode, SocketHost } from '../../firmware/host/socket';
import { SocketError } from '../../firmware/host/socket';
import type { TimerHost } from '../../firmware/host/timers';
import { fromHex, toHex, utf8Encode } from '../../firmware/util/bytes';
import { Logger, SecretRegistry } from '../../firmware/util/log';
import { MqttClient } from '../../firmware/mqtt/client';
import { MqttDecoder, MqttError, encodePacket, type MqttPacket } from '../../firmware/mqtt/codec';
import { OpenRemoteMqtt, encodeTimestampedValue, encodeValue, writeAttributeValueTopic } from '../../firmware/openremote/mqtt-api';
import { decodeOutbox, encodeOutbox } from '../../firmware/mqtt/outbox-nvs';
import { xorshift } from '../fixtures/fuzz';

const silentLog = new Logger({ write() {} }, 'xs-mqtt', new SecretRegistry());

/** Packets covering every type and flag combination the encoder emits. */
function samplePackets(): MqttPacket[] {
  const big = new Uint8Array(20_000);
  for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 0xff;
  return [
    { type: 'connect', clientId: 'dev1', keepAliveS: 60, cleanSession: true, username: 'master:dev1', password: utf8Encode('pw'), will: { topic: 'w/t', payload: utf8Encode('bye'), qos: 1, retain: true } },
    { type: 'connect', clientId: '', keepAliveS: 0, cleanSession: true },
    { type: 'connack', sessionPresent: true, returnCode: 0 },
    { type: 'connack', sessionPresent: false, returnCode: 5 },
    { type: 'publish', topic: 'master/dev1/writeattributevalue/t/4cdWlxEvmDRBBDEuVyJAtM', payload: utf8Encode('21.5'), qos: 1, dup: true, retain: false, packetId: 65535 },
    { type: 'publish', topic: 'ü/€/𝄞', payload: new Uint8Array(0), qos: 0, dup: false, retain: true },
    { type: 'publish', topic: 'big', payload: big, qos: 2, dup: false, retain: false, packetId: 1 },
    { type: 'publish', topic: 'long/'.repeat(300) + 'end', payload: utf8Encode('x'), qos: 0, dup: false, retain: false },
    { type: 'puback', packetId: 1 },
    { type: 'pubrec', packetId: 2 },
    { type: 'pubrel', packetId: 3 },
    { type: 'pubcomp', packetId: 4 },
    { type: 'subscribe', packetId: 5, subscriptions: [{ topicFilter: 'a/+/b', qos: 1 }, { topicFilter: '#', qos: 2 }] },
    { type: 'suback', packetId: 5, returnCodes: [1, 0x80] },
    { type: 'unsubscribe', packetId: 6, topicFilters: ['a/+/b'] },
    { type: 'unsuback', packetId: 6 },
    { type: 'pingreq' },
    { type: 'pingresp' },
    { type: 'disconnect' },
  ];
}

function describePacket(p: MqttPacket): string {
  return JSON.stringify(p, (_k, v) => (v instanceof Uint8Array ? toHex(v) : v));
}

/** FNV-1a over a string: a compact digest of many outcomes. */
function fnv(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16);
}

class ScriptedConn implements Socket {
  readonly out: string[] = [];
  closed = false;
  private readonly decoder = new MqttDecoder();
  constructor(readonly callbacks: SocketCallbacks) {}
  write(data: Uint8Array): number {
    if (this.closed) throw new SocketError('CLOSED', 'closed');
    for (const p of this.decoder.push(data).packets) this.out.push(describePacket(p));
    return 0;
  }
  close(): void {
    this.closed = true;
  }
  deliver(p: MqttPacket): void {
    this.callbacks.onData(encodePacket(p));
  }
  drop(code?: SocketErrorCode): void {
    this.closed = true;
    this.callbacks.onClose(code ? new SocketError(code, code) : undefined);
  }
}

class PureTime implements TimerHost {
  now = 0;
  private next = 1;
  private readonly live = new Map<number, { due: number; cb: () => void }>();
  monotonicMs(): number {
    return this.now;
  }
  wallMs(): number | undefined {
    return undefined;
  }
  setTimeout(cb: () => void, ms: number): number {
    const id = this.next++;
    this.live.set(id, { due: this.now + ms, cb });
    return id;
  }
  setInterval(): number {
    throw new Error('not used');
  }
  clear(id: number): void {
    this.live.delete(id);
  }
  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      let best: [number, { due: number; cb: () => void }] | undefined;
      for (const e of this.live) if (e[1].due <= end && (!best || e[1].due < best[1].due)) best = e;
      if (!best) break;
      this.live.delete(best[0]);
      this.now = best[1].due;
      best[1].cb();
    }
    this.now = end;
  }
}

export const mqttCases = {
  'codec: every packet type encodes, and decodes whole and byte by byte': () => {
    const out: string[] = [];
    for (const p of samplePackets()) {
      const bytes = encodePacket(p);
      const whole = new MqttDecoder({ maxRemainingLength: 65536 }).push(bytes);
      const d = new MqttDecoder({ maxRemainingLength: 65536 });
      const split: string[] = [];
      for (let i = 0; i < bytes.length; i++) for (const q of d.push(bytes.subarray(i, i + 1)).packets) split.push(describePacket(q));
      out.push(`${bytes.length > 64 ? fnv(toHex(bytes)) : toHex(bytes)} ${whole.packets.map(describePacket).join()} ${split.join() === whole.packets.map(describePacket).join()}`);
    }
    return out;
  },

  'codec: protocol violations get their codes': () => {
    const vectors = ['f000', '3605000161 0001', '3803000161', '30ffffffff01', '30020000', '300500036 12f2b', '30040002c328', '30050003eda080', '3205000161 0000', '20020006', '90030001 03', '82020001', '100c00044d51545405020000 0000'];
    return vectors.map((h) => {
      const r = new MqttDecoder().push(fromHex(h.replace(/ /g, '')) ?? new Uint8Array(0));
      return r.error ? r.error.code : `ok:${r.packets.length}`;
    });
  },

  'codec: encoder refusals': () => {
    const bad: MqttPacket[] = [
      { type: 'publish', topic: 'a/+', payload: new Uint8Array(0), qos: 0, dup: false, retain: false },
      { type: 'publish', topic: 'a', payload: new Uint8Array(0), qos: 1, dup: false, retain: false, packetId: 0 },
      { type: 'publish', topic: 'a\ud800', payload: new Uint8Array(0), qos: 0, dup: false, retain: false },
      { type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: 'a/#/b', qos: 0 }] },
    ];
    return bad.map((p) => {
      try {
        encodePacket(p);
        return 'accepted';
      } catch (e) {
        return e instanceof MqttError ? e.code : String(e);
      }
    });
  },

  'codec: deterministic mutation fuzz (20k inputs)': () => {
    const corpus = samplePackets().map((p) => encodePacket(p)).filter((b) => b.length < 2000);
    const rnd = xorshift(0x5eed);
    const tally: Record<string, number> = {};
    let digest = '';
    for (let i = 0; i < 20_000; i++) {
      const base = corpus[Math.floor(rnd() * corpus.length)];
      const b = Array.from(base);
      const steps = 1 + Math.floor(rnd() * 3);
      for (let s = 0; s < steps; s++) {
        const pos = Math.floor(rnd() * (b.length + 1));
        const op = Math.floor(rnd() * 4);
        if (op === 0 && b.length) b[pos % b.length] = Math.floor(rnd() * 256);
        else if (op === 1) b.length = pos;
        else if (op === 2) b.splice(pos, 0, Math.floor(rnd() * 256));
        else if (b.length) b[pos % b.length] ^= 0x80;
      }
      const r = new MqttDecoder({ maxRemainingLength: 4096, maxTopicLength: 256 }).push(Uint8Array.from(b));
      const key = r.error ? r.error.code : r.packets.length ? 'ok' : 'partial';
      tally[key] = (tally[key] ?? 0) + 1;
      if (i % 50 === 0) digest = fnv(digest + key + r.packets.map(describePacket).join());
    }
    return { tally, digest };
  },

  'client: session with subscribe, QoS 1 both ways, reconnect with DUP, keep-alive and backoff': () => {
    const time = new PureTime();
    const conns: ScriptedConn[] = [];
    const socket: SocketHost = {
      connect(_options, callbacks) {
        const c = new ScriptedConn(callbacks);
        conns.push(c);
        return c;
      },
      listen() {
        throw new Error('not used');
      },
    };
    const events: string[] = [];
    let r = 0;
    const client = new MqttClient(
      { socket, timers: time, clock: time, crypto: { randomBytes: (n) => new Uint8Array(n).fill((r++ * 37) & 0xff) }, logger: silentLog },
      { url: 'mqtt://broker', clientId: 'dev1', username: 'master:dev1', password: 'pw', keepAliveS: 10 },
      {
        onLinkState: (s) => events.push(`${s.phase}${s.retryInMs !== undefined ? ` ${s.retryInMs}` : ''}${s.lastFailure && s.phase === 'backing-off' ? ` ${s.lastFailure.reason}` : ''}`),
        onMessage: (m) => events.push(`msg ${m.topic} ${toHex(m.payload)}`),
        onDelivered: (seq) => events.push(`delivered ${seq}`),
        onSubscription: (f, res) => events.push(`sub ${f} ${JSON.stringify(res)}`),
      },
    );
    const or = new OpenRemoteMqtt(client, { realm: 'master', clientId: 'dev1', assetId: '4cdWlxEvmDRBBDEuVyJAtM' }, time);
    or.subscribeValues();
    client.start();
    conns[0].callbacks.onConnect();
    conns[0].deliver({ type: 'connack', sessionPresent: false, returnCode: 0 });
    conns[0].deliver({ type: 'suback', packetId: 1, returnCodes: [0] });
    or.write('temperature', 21.5);
    conns[0].deliver({ type: 'publish', topic: 'master/dev1/attributevalue/setpoint/4cdWlxEvmDRBBDEuVyJAtM', payload: utf8Encode('19'), qos: 1, dup: false, retain: false, packetId: 9 });
    time.advance(10_000); // PINGREQ
    conns[0].deliver({ type: 'pingresp' });
    conns[0].drop('RESET');
    time.advance(5_000);
    conns[1].callbacks.onConnect();
    conns[1].deliver({ type: 'connack', sessionPresent: false, returnCode: 0 });
    conns[1].deliver({ type: 'puback', packetId: 2 });
    client.stop();
    return { events, wire: conns.map((c) => c.out), stats: client.stats };
  },

  'outbox: NVS blob round trip and bound': () => {
    const entries = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((seq) => {
      const payload = utf8Encode('v'.repeat(seq * 100));
      return { seq, topic: `r/c/writeattributevalue/a${seq}/4cdWlxEvmDRBBDEuVyJAtM`, payload, retain: seq % 2 === 0, size: 0, sent: true, packetId: seq };
    });
    const { blob, omitted } = encodeOutbox(entries);
    const back = decodeOutbox(blob);
    return { blob: fnv(toHex(blob)), length: blob.length, omitted, seqs: back?.map((e) => `${e.seq}:${e.retain}:${e.payload.length}:${e.sent}`) };
  },

  'openremote: topics and JSON payloads': () => [
    JSON.stringify(writeAttributeValueTopic({ realm: 'r', clientId: 'c', assetId: '4cdWlxEvmDRBBDEuVyJAtM' }, 'temp')),
    JSON.stringify(writeAttributeValueTopic({ realm: 'r', clientId: 'c', assetId: '4cdWlxEvmDRBBDEuVyJAtM' }, 'a/b')),
    toHex(encodeValue({ s: 'Grüße "q"', n: [1.5, -0, 1e21], b: false, z: null })),
    toHex(encodeTimestampedValue('on', 1795257600123)),
  ],
};
