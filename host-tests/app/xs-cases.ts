// Application-model scenarios that run unchanged on Node and on the real XS engine (host-tests/xs/harness.ts
// runCasesOnBoth): declaration checks, coercion, a scripted session (offline coalescing, connect, deadband,
// minimum interval, periodic, cloud writes, echoes, refusals, secret redaction) and the demo app over ten virtual
// minutes, published through the real OpenRemoteMqtt onto a recording client. In-bundle fakes only (time, log,
// randomness); no Node APIs. Results are plain data.
import { AttributeModel, bindOpenRemote, defineAttributes } from '../../firmware/app/attributes';
import { coerce } from '../../firmware/app/attribute-values';
import { DemoApp } from '../../firmware/app/demo';
import type { ClockHost } from '../../firmware/host/clock';
import type { LogHost } from '../../firmware/host/log';
import type { TimerHost } from '../../firmware/host/timers';
import type { PublishResult } from '../../firmware/mqtt/client';
import { OpenRemoteMqtt, type AttributeValue } from '../../firmware/openremote/mqtt-api';
import { utf8Decode, utf8Encode } from '../../firmware/util/bytes';
import { Logger, SecretRegistry } from '../../firmware/util/log';

const ASSET = '4cdWlxEvmDRBBDEuVyJAtM';

/** Deterministic time for both engines: timers fire in due order, then creation order. */
class PureTime implements TimerHost, ClockHost {
  now = 0;
  wall: number | undefined;
  private next = 1;
  private readonly live = new Map<number, { due: number; period: number; cb: () => void }>();
  monotonicMs(): number {
    return this.now;
  }
  wallMs(): number | undefined {
    return this.wall === undefined ? undefined : this.wall + this.now;
  }
  setTimeout(cb: () => void, ms: number): number {
    const id = this.next++;
    this.live.set(id, { due: this.now + ms, period: 0, cb });
    return id;
  }
  setInterval(cb: () => void, ms: number): number {
    const id = this.next++;
    this.live.set(id, { due: this.now + ms, period: ms, cb });
    return id;
  }
  clear(id: number): void {
    this.live.delete(id);
  }
  get pending(): number {
    return this.live.size;
  }
  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      let best: [number, { due: number; period: number; cb: () => void }] | undefined;
      for (const e of this.live) if (e[1].due <= end && (!best || e[1].due < best[1].due || (e[1].due === best[1].due && e[0] < best[0]))) best = e;
      if (!best) break;
      const [id, t] = best;
      this.now = t.due;
      if (t.period > 0) t.due += t.period;
      else this.live.delete(id);
      t.cb();
    }
    this.now = end;
  }
}

class Lines implements LogHost {
  readonly lines: string[] = [];
  write(level: string, tag: string, message: string): void {
    this.lines.push(`${level} ${tag} ${message}`);
  }
}

/** Records what OpenRemoteMqtt hands the MQTT client: topic and payload text. */
class RecordingClient {
  readonly wire: string[] = [];
  refuse = false;
  publish(topic: string, payload: Uint8Array, options: { qos?: 0 | 1 } = {}): PublishResult {
    if (this.refuse) return { ok: false, reason: 'OFFLINE' };
    this.wire.push(`${options.qos ?? 0} ${topic} ${utf8Decode(payload)}`);
    return { ok: true };
  }
  subscribe(): { ok: true } {
    return { ok: true };
  }
  unsubscribe(): void {}
}

function deliver(or: OpenRemoteMqtt, attribute: string, json: string): void {
  or.handleMessage({ topic: `master/dev1/attributevalue/${attribute}/${ASSET}`, payload: utf8Encode(json), qos: 0, retain: false, dup: false });
}

function thrown(f: () => unknown): string {
  try {
    f();
    return 'no error';
  } catch (e) {
    return (e as Error).message;
  }
}

export const appCases = {
  'declaration: names and specs are checked at boot'(): string[] {
    return [
      thrown(() => defineAttributes({ 'a/b': { type: 'number', access: 'read-only' } })),
      thrown(() => defineAttributes({ 'x\ud800': { type: 'number', access: 'read-only' } })),
      thrown(() => defineAttributes({ s: { type: 'boolean', access: 'writable' } as never })),
      thrown(() => defineAttributes({ t: { type: 'number', access: 'read-only', initial: NaN } })),
      thrown(() => defineAttributes({ t: { type: 'boolean', access: 'read-only', publish: { onChange: { minDelta: 1 } } } })),
      thrown(() => defineAttributes({ t: { type: 'number', access: 'read-only', publish: { intervalMs: 10 } } })),
      thrown(() => defineAttributes({ temperature: { type: 'number', access: 'read-only' } })),
    ];
  },

  'coercion: the device-side type table'(): string[] {
    const raws: AttributeValue[] = [5, '7.5', '', 'abc', true, 'false', 1, 'hi', null, { a: [1] }];
    const out: string[] = [];
    for (const type of ['number', 'boolean', 'text', 'json'] as const) {
      out.push(`${type}: ${raws.map((r) => { const c = coerce(type, r); return c.ok ? JSON.stringify(c.value) : 'x'; }).join(' ')}`);
    }
    return out;
  },

  'session: coalescing, connect, deadband, interval, writes, echoes, refusals, redaction'(): unknown {
    const time = new PureTime();
    const log = new Lines();
    const logger = new Logger(log, 'app', new SecretRegistry(), 'debug');
    const relay: boolean[] = [];
    const model = new AttributeModel({
      attributes: defineAttributes({
        temperature: { type: 'number', access: 'read-only', publish: { onChange: { minDelta: 0.1, minIntervalMs: 5000 }, intervalMs: 60_000 } },
        switch: { type: 'boolean', access: 'writable', initial: false, onWrite: (v) => void relay.push(v) },
        level: { type: 'number', access: 'writable', initial: 3, min: 0, max: 10, integer: true, onWrite: (v) => (v > 8 ? { applied: 8 } : undefined) },
        token: { type: 'text', access: 'writable', secret: true, initial: 'Tok-Secret-4471', maxLength: 16, onWrite() {} },
      }),
      timers: time,
      clock: time,
      logger,
    });
    const client = new RecordingClient();
    const or = new OpenRemoteMqtt(client, { realm: 'master', clientId: 'dev1', assetId: ASSET }, time);
    const publisher = or;
    bindOpenRemote(model, or);

    for (let i = 0; i < 50; i++) model.set('temperature', 20 + i / 100); // offline: coalesced
    model.connect(publisher);
    time.advance(1000);
    model.set('temperature', 20.52); // inside the deadband of 20.49
    model.set('temperature', 20.7); // outside, but inside the minimum interval: deferred to t=5000
    time.advance(5000);
    deliver(or, 'switch', 'false'); // echo of the connect publish
    deliver(or, 'switch', 'true'); // a user's write
    deliver(or, 'switch', '1'); // wrong type: refused, state put back
    deliver(or, 'level', '9'); // clamped by the hardware
    deliver(or, 'level', '2.5'); // not an integer
    deliver(or, 'token', '"Way-Too-Long-Secret-5512"');
    deliver(or, 'connected', 'true'); // undeclared
    time.wall = 1_700_000_000_000; // SNTP synced: writeattribute with timestamps from now on
    model.set('switch', false);
    deliver(or, 'level', '11'); // above max: put back with OpenRemote's receipt time (writeattributevalue)
    time.advance(60_000);
    model.disconnect();
    model.set('temperature', 25);
    model.set('temperature', 26);
    client.refuse = true;
    const pendingOffline = time.pending;
    client.refuse = false;
    model.connect(publisher);
    model.stop();
    return { wire: client.wire, relay, stats: model.stats(), log: log.lines, pendingOffline, pendingStopped: time.pending };
  },

  'demo: ten virtual minutes, a cloud switch write and a local toggle'(): unknown {
    const time = new PureTime();
    const log = new Lines();
    let seed = 12345;
    const app = new DemoApp({
      timers: time,
      clock: time,
      crypto: { randomBytes: (n) => { const b = new Uint8Array(n); for (let i = 0; i < n; i++) { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; b[i] = seed >>> 24; } return b; } },
      wifi: { stationInfo: () => ({ ssid: new Uint8Array(1), bssid: new Uint8Array(6), channel: 1, rssi: -60, auth: 3, ip: '10.0.0.2' }) },
      logger: new Logger(log, 'demo', new SecretRegistry()),
      firmwareVersion: '0.1.0',
    });
    const client = new RecordingClient();
    const or = new OpenRemoteMqtt(client, { realm: 'master', clientId: 'dev1', assetId: ASSET }, time);
    bindOpenRemote(app.model, or);
    app.start();
    app.connect(or);
    time.advance(600_000);
    deliver(or, 'switch', 'true');
    app.toggleSwitch();
    app.stop();
    const temps = client.wire.filter((w) => w.includes('/temperature/'));
    return { count: client.wire.length, temps: temps.length, first: client.wire.slice(0, 5), last: client.wire.slice(-2), relayLog: log.lines.filter((l) => l.includes('relay')) };
  },
};
