// MQTT on the real XS engine, measured (for `npm run bench`, tools/bench/run.ts): XS computrons per publish through
// firmware/mqtt (client + codec; QoS 0, and QoS 1 including the PUBACK's processing), and publish→subscriber latency
// over local TLS: XS client → XS provider bridge → Node socket host (node:tls, test CA) → aedes → a Node subscriber
// (host-tests/backend/mqtt-test-client.ts, TLS, QoS 0 subscription so the broker→subscriber leg is the same for both).
// One publish per exchange, sequentially (the next only after the previous arrived), 200 messages per QoS by default.
// What the figures include and not: computrons are XS's own instruction meter (deterministic; host calls count as a
// call, the Node work behind them, TLS included, is outside the meter, as C is on the chip). Each exchange also pays
// the harness's command dispatch in XS; `dispatchComputrons` is that cost alone (an empty command), and the net
// figures subtract it once per exchange. Latency is wall time on this machine and includes the pipe round trips to
// the xsnap process (about 0.1 ms each, which the chip does not pay) and a loaded host's scheduling.
import * as mqttPacket from 'mqtt-packet';
import { performance } from 'node:perf_hooks';
import { startAedesBroker } from '../brokers/aedes';
import { generateTestPki } from '../certs/pki';
import { createNodeHost } from '../sim/host/index';
import { XsSession } from '../../host-tests/xs/harness';
import { TestMqttClient } from '../../host-tests/backend/mqtt-test-client';
import type { ClientInput } from '../../host-tests/mqtt-xs/entry';

export interface Distribution {
  median: number;
  p95: number;
  min: number;
  max: number;
}

export interface MqttXsBenchResult {
  /** Per QoS. */
  messages: number;
  /** Longest payload (the decimal sequence number). */
  payloadBytes: number;
  topic: string;
  /** Computrons of an empty command exchange (harness dispatch), subtracted from the net figures. */
  dispatchComputrons: number;
  /** Per QoS 0 publish: publish() + encode + socket write via the bridge (net of dispatch). */
  qos0Computrons: Distribution;
  /** Per QoS 1 publish, PUBACK processing included: the publish exchange plus the exchange that delivered the
   * PUBACK (net of dispatch for both). */
  qos1Computrons: Distribution;
  /** Breakdown: computrons of encodePacket() for this PUBLISH (QoS 1), and of one host call through the XS provider
   * (clock.monotonicMs: request encoding + pipe + reply decoding in XS; a native call on the chip costs far less).
   * A publish makes two host calls (socket.write, clock.monotonicMs). */
  encodeComputrons: number;
  hostCallComputrons: number;
  /** publish command sent → the subscriber's socket delivered the PUBLISH, ms. */
  qos0LatencyMs: Distribution;
  qos1LatencyMs: Distribution;
  /** QoS 1: publish command sent → the client on XS processed the PUBACK (onDelivered), ms. */
  qos1PubackMs: Distribution;
}

const TOPIC = 'master/dev1/writeattributevalue/temperature/4cdWlxEvmDRBBDEuVyJAtM';
const USER = 'master:dev1';
const PASSWORD = 'bench-secret-123';

function distribution(values: number[], digits: number): Distribution {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const round = (v: number) => +v.toFixed(digits);
  return { median: round(at(0.5)), p95: round(at(0.95)), min: round(sorted[0]!), max: round(sorted[sorted.length - 1]!) };
}

export async function benchMqttOnXs(options: { messages?: number } = {}): Promise<MqttXsBenchResult> {
  const messages = options.messages ?? 200;
  const pki = await generateTestPki();
  const broker = await startAedesBroker({ tls: pki.server, users: { [USER]: PASSWORD, 'master:sub': PASSWORD } });
  const host = createNodeHost({ clock: 'real', log: 'capture', uart: 'memory' });
  let session: XsSession | undefined;
  let subscriber: TestMqttClient | undefined;
  try {
    subscriber = await TestMqttClient.connect({ port: broker.port, ca: pki.ca.cert, clientId: 'bench-sub', username: 'master:sub', password: PASSWORD });
    await subscriber.subscribe({ topic: TOPIC, qos: 0 });

    let deliveredAt = 0;
    let delivered = 0;
    const input: ClientInput = {
      url: `mqtts://127.0.0.1:${broker.port}`,
      ca: [pki.ca.cert],
      serverName: 'localhost',
      clientId: 'dev1',
      username: USER,
      password: PASSWORD,
      topic: TOPIC,
      logLevel: 'warn',
    };
    session = await XsSession.start('host-tests/mqtt-xs/entry.ts', {
      host,
      input,
      extraOps: {
        'bench.delivered': (count) => {
          delivered = count as number;
          deliveredAt = performance.now();
        },
      },
    });
    const online = await session.runTest('bench', 20_000);
    if (!online.ok) throw new Error(`bench client did not get online on XS: ${online.error}`);
    const worker = session.worker;

    // Dispatch baseline: the cheapest exchange the harness can make.
    const noop: number[] = [];
    for (let i = 0; i < 20; i++) {
      await session.command('bench.noop');
      noop.push(worker.lastMeter!.compute);
    }
    const dispatch = distribution(noop, 0).median;

    const sub = subscriber;
    // Arrival times from a second parser on the subscriber's socket: stamped in the 'data' event itself, whatever the
    // order in which the publish command's answer and the subscriber's data reach this process.
    const arrivedAt = new Map<string, number>();
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    parser.on('packet', (p: mqttPacket.Packet) => {
      if (p.cmd === 'publish') arrivedAt.set((p.payload as Buffer).toString('utf8'), performance.now());
    });
    sub.socket.on('data', (d: Buffer) => parser.parse(d));
    const run = async (qos: 0 | 1, seqBase: number) => {
      const compute: number[] = [];
      const latency: number[] = [];
      const puback: number[] = [];
      for (let i = 0; i < messages; i++) {
        const seq = seqBase + i;
        const payload = String(seq);
        const deliveredBefore = delivered;
        await session!.bridge.idle();
        worker.resetMeterTotals();
        const t0 = performance.now();
        await session!.command('bench.publish', { qos, count: 1, seq });
        await sub.waitFor((p) => p.cmd === 'publish' && (p.payload as Buffer).toString('utf8') === payload, `message ${seq} at the subscriber`);
        latency.push(arrivedAt.get(payload)! - t0);
        if (qos === 1) {
          const start = Date.now();
          while (delivered === deliveredBefore) {
            if (Date.now() - start > 5000) throw new Error(`no PUBACK processed for message ${seq}`);
            await new Promise((r) => setTimeout(r, 0));
          }
          puback.push(deliveredAt - t0);
          await session!.bridge.idle();
          compute.push(worker.totalCompute - 2 * dispatch);
        } else {
          compute.push(worker.totalCompute - dispatch);
        }
        sub.received.length = 0; // keep the subscriber's scan short
      }
      return { compute, latency, puback };
    };

    const perOp = async (kind: string) => {
      const count = 100;
      await session!.command(kind, { count: 0 });
      const empty = worker.lastMeter!.compute;
      await session!.command(kind, { count });
      return Math.round((worker.lastMeter!.compute - empty) / count);
    };
    const encodeComputrons = await perOp('bench.encode');
    const hostCallComputrons = await perOp('bench.hostcall');

    const q0 = await run(0, 0);
    const q1 = await run(1, messages);
    const stats = (await session.command('bench.stop')) as { protocolErrors: number; deliveredQos1: number };
    if (stats.deliveredQos1 !== messages) throw new Error(`expected ${messages} QoS 1 deliveries, got ${stats.deliveredQos1}`);
    await session.finish();
    return {
      messages,
      payloadBytes: String(2 * messages - 1).length,
      topic: TOPIC,
      dispatchComputrons: dispatch,
      encodeComputrons,
      hostCallComputrons,
      qos0Computrons: distribution(q0.compute, 0),
      qos1Computrons: distribution(q1.compute, 0),
      qos0LatencyMs: distribution(q0.latency, 3),
      qos1LatencyMs: distribution(q1.latency, 3),
      qos1PubackMs: distribution(q1.puback, 3),
    };
  } finally {
    subscriber?.socket.destroy();
    await session?.close();
    host.sim.shutdown();
    await broker.close();
  }
}

// `npx tsx tools/bench/mqtt-xs.ts` runs it alone.
if (import.meta.url === `file://${process.argv[1]}`) {
  benchMqttOnXs().then(
    (r) => console.log(JSON.stringify(r, null, 2)),
    (e) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
