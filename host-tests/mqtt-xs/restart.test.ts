// The firmware's MqttClient on the real XS engine (xsnap, XS 13.3) streaming QoS 1 counter publishes over TLS (test
// CA, name verified) to aedes while the broker is killed and restarted 20 times (MQTT 3.1.1 §4.3.2 at-least-once,
// §4.4 resend with DUP after a reconnect; openremote.md §0 items 7–8). The broker side records every PUBLISH it
// received (host-tests/mqtt-xs/broker.ts: aedes' authorizePublish hook, before the PUBACK is written).
//
// Half the kills are random in time; the other half happen INSIDE the hook, i.e. with a PUBLISH received and its
// PUBACK never sent, which forces the resend path every time (a random kill often finds nothing in flight).
//
// Ordering guarantee checked (what firmware/mqtt/client.ts pump() gives): messages leave the outbox oldest first, so
// on any one connection the counter values the broker receives strictly increase; and because a new connection
// first resends what is unacknowledged (oldest first) before anything newer, the FIRST copies of all messages arrive
// in publish order across the whole run. Duplicates are only copies sent again after a reconnect: each carries DUP,
// arrives on a later connection than the first copy, and there are no more of them than stats.resentQos1.
import { afterAll, describe, expect, it } from 'vitest';
import { generateTestPki } from '../../tools/certs/pki';
import { RestartableBroker, PASSWORD, TOPIC, clientInput, sleep, startRig, type XsMqttRig } from './broker';

const RESTARTS = 20;

/** Small deterministic PRNG so a failing schedule can be replayed with MQTT_XS_SEED. */
function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

async function waitFor(what: string, predicate: () => boolean, timeoutMs = 15_000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

describe('MQTT client on XS: QoS 1 stream across broker restarts', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    while (cleanups.length) await cleanups.pop()!();
  });

  it(`loses nothing over ${RESTARTS} broker kills (TLS, aedes)`, async () => {
    const seed = Number(process.env.MQTT_XS_SEED ?? Date.now() % 1_000_000);
    const random = prng(seed);
    const context = `(seed ${seed}; replay with MQTT_XS_SEED=${seed})`;
    const pki = await generateTestPki();

    let heldInHook = 0;
    const broker = new RestartableBroker({ tls: pki.server });
    await broker.start();
    cleanups.push(() => broker.stop());

    const rig: XsMqttRig = await startRig({ ...clientInput(broker.portNumber, pki.ca.cert), intervalMs: 5, backoff: { baseMs: 20, capMs: 200 } });
    cleanups.push(() => rig.close());
    const running = rig.session.runTest('stream', 90_000);
    running.catch(() => undefined); // awaited below; a failure must not surface as unhandled meanwhile

    await waitFor('the stream to start', () => broker.arrivals.length >= 10);
    let midPublishKills = 0;
    for (let i = 0; i < RESTARTS; i++) {
      const pauseMs = 10 + Math.floor(random() * 150);
      if (i % 2 === 1) {
        // Kill while a PUBLISH is in the broker and its PUBACK is not written.
        const seen = broker.arrivals.length;
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`no PUBLISH reached the broker within 15 s ${context}`)), 15_000);
          broker.onNextArrival = () => {
            broker.onNextArrival = undefined;
            heldInHook++;
            clearTimeout(timer);
            resolve();
            return 'hold';
          };
        });
        expect(broker.arrivals.length).toBeGreaterThan(seen);
        midPublishKills++;
      } else {
        await sleep(20 + Math.floor(random() * 200));
      }
      await broker.restart(pauseMs);
      // The next kill only after the client is back and streaming on the new broker.
      const before = broker.arrivals.length;
      await waitFor(`traffic after restart ${i + 1} ${context}`, () => broker.arrivals.length >= before + 5, 20_000);
    }

    const published = (await rig.session.command('stream.stop')) as number;
    const result = await running;
    expect(result.error, context).toBeUndefined();
    expect(result.ok).toBe(true);
    const report = result.values[0] as {
      published: number;
      delivered: number;
      dropped: number;
      stats: { resentQos1: number; connects: number; droppedQos1: number; deliveredQos1: number };
    };
    expect(report.published).toBe(published);

    const arrivals = broker.arrivals;
    // 0 lost: every counter value in [0, N) reached the broker.
    const seen = new Set(arrivals.map((a) => a.n));
    const missing: number[] = [];
    for (let n = 0; n < published; n++) if (!seen.has(n)) missing.push(n);
    expect(missing, context).toEqual([]);
    expect([...seen].every((n) => Number.isInteger(n) && n >= 0 && n < published)).toBe(true);
    expect(report.delivered).toBe(published);
    expect(report.stats.droppedQos1).toBe(0);
    expect(report.dropped).toBe(0);

    // Duplicates: only re-sends after a reconnect.
    const firstConn = new Map<number, number>();
    let duplicates = 0;
    for (const a of arrivals) {
      const first = firstConn.get(a.n);
      if (first === undefined) {
        firstConn.set(a.n, a.conn);
        continue;
      }
      duplicates++;
      expect(a.dup, `copy of ${a.n} without DUP ${context}`).toBe(true);
      expect(a.conn, `copy of ${a.n} on the same connection ${context}`).toBeGreaterThan(first);
    }
    expect(duplicates).toBeLessThanOrEqual(report.stats.resentQos1);
    // Each PUBLISH held in the hook was received and never acknowledged: it must have come again.
    expect(heldInHook).toBe(midPublishKills);
    expect(duplicates).toBeGreaterThanOrEqual(midPublishKills);
    expect(report.stats.resentQos1).toBeGreaterThanOrEqual(midPublishKills);

    // Order: strictly increasing per connection, and first copies in publish order overall.
    const lastOnConn = new Map<number, number>();
    for (const a of arrivals) {
      const last = lastOnConn.get(a.conn);
      if (last !== undefined) expect(a.n, `order on connection ${a.conn} ${context}`).toBeGreaterThan(last);
      lastOnConn.set(a.conn, a.n);
    }
    const firsts: number[] = [];
    const firstSeen = new Set<number>();
    for (const a of arrivals) if (!firstSeen.has(a.n)) firstSeen.add(a.n), firsts.push(a.n);
    expect(firsts).toEqual([...firsts].sort((x, y) => x - y));

    expect(broker.restarts).toBe(RESTARTS);
    expect(report.stats.connects).toBeGreaterThanOrEqual(RESTARTS + 1);
    expect(new Set(arrivals.map((a) => a.conn)).size).toBeGreaterThanOrEqual(RESTARTS + 1);
    await rig.session.finish();
    rig.host.sim.capture!.assertNoSecret(PASSWORD);
    console.log(
      `[mqtt-xs restart] ${context} published ${published}, arrivals ${arrivals.length}, duplicates ${duplicates}, ` +
        `resentQos1 ${report.stats.resentQos1}, connects ${report.stats.connects}, mid-publish kills ${midPublishKills}, topic ${TOPIC}`,
    );
  }, 120_000);
});
