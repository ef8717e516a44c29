// The QoS 1 outbox persisted over NVS (firmware/mqtt/outbox-nvs.ts): blob round trip, corrupt blobs, the 4000-byte
// bound keeping the newest entries, messages surviving a reboot and being delivered after it, and a power cut at
// every NVS step leaving the old or the new queue, never a mix.
import { describe, expect, it } from 'vitest';
import type { SocketCallbacks, SocketHost } from '../../firmware/host/socket';
import { MqttClient } from '../../firmware/mqtt/client';
import { MqttDecoder, encodePacket, type MqttPacket } from '../../firmware/mqtt/codec';
import { Outbox, type OutboxEntry } from '../../firmware/mqtt/outbox';
import { NvsOutboxStore, decodeOutbox, encodeOutbox } from '../../firmware/mqtt/outbox-nvs';
import { Logger, SecretRegistry } from '../../firmware/util/log';
import { VirtualClock } from '../../tools/sim/host/clock';
import { CaptureLog } from '../../tools/sim/host/log';
import { SimNvs } from '../../tools/sim/host/nvs';
import { xorshift } from './oracle';

const enc = (s: string) => new TextEncoder().encode(s);
const logger = new Logger(new CaptureLog(), 'outbox', new SecretRegistry(), 'debug');
const entry = (seq: number, topic: string, payload: string, retain = false): OutboxEntry => ({
  seq, topic, payload: enc(payload), retain, size: enc(topic).length + enc(payload).length, sent: false,
});

describe('outbox blob', () => {
  it('round-trips entries (unsent, no packet id)', () => {
    const entries = [entry(1, 'a/b', '1'), entry(7, 'ü/€', '', true), { ...entry(9, 't', 'x'), sent: true, packetId: 5 }];
    const { blob, omitted } = encodeOutbox(entries);
    expect(omitted).toBe(0);
    expect(decodeOutbox(blob)).toEqual([entry(1, 'a/b', '1'), entry(7, 'ü/€', '', true), entry(9, 't', 'x')]);
  });

  it('keeps the newest entries within the blob bound', () => {
    const entries = Array.from({ length: 10 }, (_, i) => entry(i + 1, 't', 'x'.repeat(500)));
    const { blob, omitted } = encodeOutbox(entries);
    expect(blob.length).toBeLessThanOrEqual(4000);
    expect(omitted).toBe(3);
    expect(decodeOutbox(blob)!.map((e) => e.seq)).toEqual([4, 5, 6, 7, 8, 9, 10]);
  });

  it('rejects corrupt blobs without throwing (fuzz)', () => {
    const good = encodeOutbox([entry(1, 'a/b', 'hello'), entry(2, 'c', 'world', true)]).blob;
    expect(decodeOutbox(good.subarray(0, good.length - 1))).toBeUndefined();
    expect(decodeOutbox(Uint8Array.of(2, 0, 0))).toBeUndefined();
    const rnd = xorshift(99);
    for (let i = 0; i < 20_000; i++) {
      const b = Uint8Array.from(good);
      for (let k = 0; k < 1 + Math.floor(rnd() * 3); k++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
      const cut = rnd() < 0.3 ? b.subarray(0, Math.floor(rnd() * b.length)) : b;
      const r = decodeOutbox(cut);
      if (r) expect(encodeOutbox(r).blob).toEqual(Uint8Array.from(cut)); // accepted means canonical
    }
  });
});

function scriptedBroker() {
  const conns: { callbacks: SocketCallbacks; written: MqttPacket[] }[] = [];
  const socket: SocketHost = {
    connect(_o, callbacks) {
      const decoder = new MqttDecoder();
      const c = { callbacks, written: [] as MqttPacket[] };
      conns.push(c);
      return { write: (d: Uint8Array) => (c.written.push(...decoder.push(d).packets), 0), close() {} };
    },
    listen() {
      throw new Error('unused');
    },
  };
  return { socket, conns };
}

function device(nvs: SimNvs) {
  const clock = new VirtualClock();
  const broker = scriptedBroker();
  const delivered: number[] = [];
  const client = new MqttClient(
    { socket: broker.socket, timers: clock, clock, crypto: { randomBytes: (n) => new Uint8Array(n) }, logger },
    { url: 'mqtt://b', clientId: 'dev1', outbox: { maxEntries: 8, store: new NvsOutboxStore({ nvs, logger }) } },
    { onDelivered: (s) => delivered.push(s) },
  );
  return { client, broker, delivered, clock };
}

describe('outbox over NVS', () => {
  it('survives a reboot and is delivered afterwards', () => {
    const nvs = new SimNvs();
    const a = device(nvs);
    for (const v of ['1', '2', '3']) a.client.publish('r/dev1/t', enc(v), { qos: 1 });
    expect(a.client.pendingCount).toBe(3);
    nvs.reboot(); // power cycle: RAM (the first client) is gone

    const b = device(nvs);
    expect(b.client.pendingCount).toBe(3);
    b.client.start();
    const c = b.broker.conns[0];
    c.callbacks.onConnect();
    c.callbacks.onData(encodePacket({ type: 'connack', sessionPresent: false, returnCode: 0 }));
    const pubs = c.written.filter((p) => p.type === 'publish') as Extract<MqttPacket, { type: 'publish' }>[];
    expect(pubs.map((p) => new TextDecoder().decode(p.payload))).toEqual(['1', '2', '3']);
    for (const p of pubs) c.callbacks.onData(encodePacket({ type: 'puback', packetId: p.packetId! }));
    expect(b.delivered).toEqual([1, 2, 3]);
    nvs.reboot();
    expect(device(nvs).client.pendingCount).toBe(0); // acknowledged ones are gone from flash too
  });

  it('a power cut at any NVS step leaves the old or the new queue', () => {
    // Record every queue state the store is asked to persist, then cut power at each step in turn.
    const scenario = (nvs: SimNvs, states: number[][]) => {
      const outbox = new Outbox({
        maxEntries: 3,
        maxBytes: 4096,
        policy: 'drop-oldest',
        store: {
          load: () => new NvsOutboxStore({ nvs, logger }).load(),
          save: (entries) => {
            states.push(entries.map((e) => e.seq));
            new NvsOutboxStore({ nvs, logger }).save(entries);
          },
        },
      });
      for (let i = 0; i < 5; i++) outbox.add('t', enc(String(i)), false, 1);
      for (const e of [...outbox.list()]) {
        outbox.markSent(e, e.seq);
        outbox.ack(e.seq);
      }
    };
    const dry = new SimNvs();
    scenario(dry, []);
    const totalSteps = dry.steps;
    expect(totalSteps).toBeGreaterThan(10);
    for (let cut = 1; cut <= totalSteps; cut++) {
      const nvs = new SimNvs();
      nvs.cutPowerAt(cut);
      const states: number[][] = [[]];
      scenario(nvs, states);
      nvs.reboot();
      const after = new NvsOutboxStore({ nvs, logger }).load().map((e) => e.seq);
      expect(states, `cut at step ${cut}`).toContainEqual(after);
    }
  });
});
