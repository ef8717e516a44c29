// XS entry: the firmware's MqttClient (firmware/mqtt/client.ts, OASIS MQTT 3.1.1 §4.3.2/§4.4 at-least-once, openremote.md
// §4.1–4.7) running on the real XS engine, built from xsHost() parts (sockets, timers, clock and randomness are the
// Node simulator's, reached through the XS provider). Node drives it with commands:
//   'stream'  QoS 1 counter publishes on a host interval until 'stream.stop', then drains the outbox (restart.test.ts)
//   'cycles'  connect/drop cycles with a tiny backoff until a target number of CONNACKs; 'cycles.sample' collects
//             garbage so the worker's meter reports the live slot count (cycles.test.ts)
//   'bench'   an online client that 'bench.publish' drives one exchange at a time (tools/bench/mqtt-xs.ts)
import { MqttClient, type MqttClientConfig, type MqttClientEvents } from '../../firmware/mqtt/client';
import type { Host } from '../../firmware/host/index';
import { encodePacket } from '../../firmware/mqtt/encode';
import { utf8Encode } from '../../firmware/util/bytes';
import type { LogLevel } from '../../firmware/host/log';
import { Logger, SecretRegistry } from '../../firmware/util/log';
import { assert, channel, emit, input, test, xsHost } from '../xs/runtime';

/** xsnap-worker.c defines gc() (xsCollectGarbage) as a non-enumerable global. */
declare const gc: (() => void) | undefined;

export interface ClientInput {
  url: string;
  ca?: string[];
  serverName?: string;
  clientId: string;
  username: string;
  password: string;
  topic: string;
  logLevel?: LogLevel;
  backoff?: { baseMs: number; capMs: number };
  keepAliveS?: number;
  outboxEntries?: number;
}

export interface StreamInput extends ClientInput {
  intervalMs: number;
}

export interface CyclesInput extends ClientInput {
  cycles: number;
  /** Negative control for the heap check: retain this many small objects per cycle (a deliberate leak). */
  leakPerCycle?: number;
}

const leaked: unknown[] = [];

function makeClient(host: Host, cfg: ClientInput, events: MqttClientEvents): MqttClient {
  const secrets = new SecretRegistry();
  secrets.add(cfg.password);
  const logger = new Logger(host.log, 'mqtt', secrets, cfg.logLevel ?? 'info');
  const config: MqttClientConfig = {
    url: cfg.url,
    clientId: cfg.clientId,
    username: cfg.username,
    password: cfg.password,
    keepAliveS: cfg.keepAliveS ?? 30,
    connectTimeoutMs: 5000,
    connackTimeoutMs: 15_000,
    backoff: cfg.backoff ?? { baseMs: 20, capMs: 200 },
    // Large enough that nothing is dropped while the broker is away: the test is about loss on reconnect, not about
    // the drop policy (outbox.test.ts covers that).
    outbox: { maxEntries: cfg.outboxEntries ?? 4096, maxBytes: 1 << 20 },
  };
  if (cfg.ca) config.tls = { ca: cfg.ca, serverName: cfg.serverName };
  return new MqttClient({ socket: host.socket, timers: host.timers, clock: host.clock, crypto: host.crypto, logger }, config, events);
}

/** Resolves once `predicate` holds, polling on the host's timers (the only clock the firmware has). */
function until(host: Host, predicate: () => boolean, everyMs = 10): Promise<void> {
  return new Promise((resolve) => {
    const check = () => (predicate() ? resolve() : host.timers.setTimeout(check, everyMs));
    check();
  });
}

test('stream', async () => {
  const host = xsHost();
  const cfg = input<StreamInput>();
  let delivered = 0;
  let dropped = 0;
  const client = makeClient(host, cfg, { onDelivered: () => delivered++, onDropped: () => dropped++ });
  let next = 0;
  let refused = '';
  const tick = host.timers.setInterval(() => {
    // The counter value is the payload; it is the publish order, which the subscriber side checks.
    const r = client.publish(cfg.topic, utf8Encode(String(next)), { qos: 1 });
    if (r.ok) next++;
    else refused ||= r.reason;
  }, cfg.intervalMs);
  let stopped = false;
  channel.onCommand('stream.stop', () => {
    stopped = true;
    host.timers.clear(tick);
    return next;
  });
  client.start();
  await until(host, () => stopped);
  await until(host, () => client.pendingCount === 0);
  const stats = client.stats;
  client.stop();
  emit({ published: next, delivered, dropped, refused, stats, link: client.linkState });
  assert(refused === '', `a publish was refused: ${refused}`);
});

test('cycles', async () => {
  const host = xsHost();
  const cfg = input<CyclesInput>();
  let online = 0;
  const client = makeClient(host, cfg, {
    onLinkState: (s) => {
      if (s.phase !== 'online') return;
      online++;
      for (let i = 0; i < (cfg.leakPerCycle ?? 0); i++) leaked.push({ cycle: online, i });
    },
  });
  channel.onCommand('cycles.sample', () => {
    // The meter of this exchange reports currentHeapCount after it: with a full collection as its last act, that is
    // the live slot count (plus the few slots this handler's reply allocates).
    if (typeof gc !== 'function') throw new Error('xsnap has no gc() global');
    const figures = { online, attempts: client.stats.connectAttempts };
    gc();
    return figures;
  });
  client.start();
  await until(host, () => online >= cfg.cycles, 5);
  const stats = client.stats;
  client.stop();
  emit({ online, stats });
});

let bench: { client: MqttClient; delivered: number; host: Host; cfg: ClientInput } | undefined;

test('bench', async () => {
  const host = xsHost();
  const cfg = input<ClientInput>();
  const state = { client: undefined as unknown as MqttClient, delivered: 0, host, cfg };
  state.client = makeClient(host, cfg, {
    onDelivered: () => {
      state.delivered++;
      // Tells Node synchronously, from inside the PUBACK's own exchange, so no polling exchange is metered.
      channel.request('bench.delivered', [state.delivered]);
    },
  });
  bench = state;
  state.client.start();
  await until(host, () => state.client.linkState.phase === 'online');
});

channel.onCommand('bench.publish', (arg) => {
  const { qos, count, seq } = arg as { qos: 0 | 1; count: number; seq: number };
  if (!bench) throw new Error('bench client not started');
  for (let i = 0; i < count; i++) {
    const r = bench.client.publish(bench.cfg.topic, utf8Encode(`${seq + i}`), { qos });
    if (!r.ok) throw new Error(`publish refused: ${r.reason}`);
  }
  return bench.delivered;
});

channel.onCommand('bench.noop', () => undefined);

// Breakdown of a publish's cost: the codec alone, and one host call through the XS provider (a pipe request with
// its argument encoding, which a native host call on the chip does not pay).
channel.onCommand('bench.encode', (arg) => {
  const { count } = arg as { count: number };
  const payload = utf8Encode('21.5');
  const topic = bench?.cfg.topic ?? 'a/b';
  for (let i = 0; i < count; i++) encodePacket({ type: 'publish', topic, payload, qos: 1, dup: false, retain: false, packetId: 1 + i });
});
channel.onCommand('bench.hostcall', (arg) => {
  const { count } = arg as { count: number };
  const clock = xsHost().clock;
  for (let i = 0; i < count; i++) clock.monotonicMs();
});

channel.onCommand('bench.stop', () => {
  const stats = bench?.client.stats;
  bench?.client.stop();
  return stats;
});
