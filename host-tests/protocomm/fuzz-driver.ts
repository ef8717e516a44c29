// Fuzz driver for protocomm (field-notes.md §3.2 "every protocol decoder is fuzzed"): mutated transcript messages,
// truncations, splices, cross-scheme payloads and random bytes against every session state (fresh, after Cmd0,
// established) of sec0, sec1, sec2 patch 1 and patch 0, on the session endpoint, the encrypted REQ endpoints and
// unknown names. Checks: nothing throws out of handle(), reply is called exactly once, bounded time per input, and
// for sec2 no forged ciphertext ever reaches a handler. Deterministic for a seed (FUZZ_SEED).
// Cost control: a message that restarts a session with real key agreement (a well-formed Cmd0 for the scheme)
// costs about 1 ms (X25519) or 35 ms (three 3072-bit modexps); those are capped per budget so 100k inputs finish
// in seconds. Everything else (the decoders and state checks) is exercised at full rate.
import { SessionData } from '../../firmware/generated/proto.js';
import { createNodeCryptoHost, scriptedRandom, type RandomSource } from '../../tools/sim/host/crypto';
import { createProtocomm, type ProtocommCore } from '../../firmware/protocomm/protocomm';
import { fromHex, toHex } from '../../firmware/util/bytes';
import { FakeClock, securityConfig } from './node-device';
import { TRANSCRIPTS, replaySetup, type TranscriptName, type Vectors } from './replay';

export interface FuzzOptions {
  budget: number;
  seed: number;
  /** Longest time one input may take before it counts as a failure (ms). */
  maxInputMs?: number;
}

export interface FuzzFailure {
  kind: 'throw' | 'reply-count' | 'slow' | 'forgery';
  world: string;
  endpoint: string;
  inputHex: string;
  detail: string;
}

export interface FuzzReport {
  inputs: number;
  failures: FuzzFailure[];
  perWorld: Record<string, number>;
  expensiveInputs: number;
  worldBuilds: number;
  maxInputMs: number;
  responses: number;
}

type State = 'fresh' | 'cmd1' | 'done';
const REQ_ENDPOINTS = ['prov-scan', 'prov-config', 'prov-ctrl', 'custom-data'];

/** mulberry32: small, fast, deterministic. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const bytes = (n: number) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = int(256);
    return out;
  };
  return { next, int, bytes, pick: <T>(xs: readonly T[]): T => xs[int(xs.length)] };
}
type Prng = ReturnType<typeof prng>;

const INTERESTING = [0x00, 0x01, 0x02, 0x03, 0x7f, 0x80, 0xff, 0x08, 0x10, 0x12, 0x0a, 0x1a, 0x22, 0x52, 0x5a, 0x62, 0xa2, 0xaa, 0xb2, 0xba];

function mutate(r: Prng, base: Uint8Array, others: Uint8Array[]): Uint8Array {
  let data = base.slice();
  const rounds = 1 + r.int(4);
  for (let k = 0; k < rounds; k++) {
    const op = r.int(10);
    const at = data.length ? r.int(data.length) : 0;
    switch (op) {
      case 0: // bit flip
        if (data.length) data[at] ^= 1 << r.int(8);
        break;
      case 1: // interesting byte (tags, varint edges)
        if (data.length) data[at] = r.pick(INTERESTING);
        break;
      case 2: // random byte
        if (data.length) data[at] = r.int(256);
        break;
      case 3: // truncate
        data = data.subarray(0, r.int(data.length + 1)).slice();
        break;
      case 4: // delete a range
        data = new Uint8Array([...data.subarray(0, at), ...data.subarray(at + 1 + r.int(8))]);
        break;
      case 5: // insert random bytes
        data = new Uint8Array([...data.subarray(0, at), ...r.bytes(1 + r.int(8)), ...data.subarray(at)]);
        break;
      case 6: // long varint / length field
        data = new Uint8Array([...data.subarray(0, at), ...r.pick([[0xff, 0xff, 0xff, 0xff, 0x0f], [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01], [0xff, 0x01]]), ...data.subarray(at)]);
        break;
      case 7: { // splice with another template
        const other = r.pick(others);
        const cut = r.int(other.length + 1);
        data = new Uint8Array([...data.subarray(0, at), ...other.subarray(cut)]);
        break;
      }
      case 8: // duplicate a chunk
        data = new Uint8Array([...data, ...data.subarray(at, at + 1 + r.int(32))]);
        break;
      default: // append
        data = new Uint8Array([...data, ...r.bytes(1 + r.int(16))]);
    }
  }
  return data;
}

interface World {
  name: TranscriptName;
  state: State;
  pc: ProtocommCore;
  dirty: boolean;
  /** Ciphertexts from the transcript: the only REQ inputs that may legitimately reach a handler under sec2. */
  validRequests: Set<string>;
  handlerHits: number;
}

/** The scheme's own well-formed Cmd0 restarts the session and runs real key agreement (the costly case). */
function isCostlyCmd0(name: TranscriptName, input: Uint8Array): boolean {
  let m: ReturnType<typeof SessionData.decode>;
  try {
    m = SessionData.decode(input);
  } catch {
    return false;
  }
  if (name === 'sec1') return m.secVer === 1 && m.proto === 'sec1' && (m.sec1?.msg ?? 0) === 0 && m.sec1?.payload === 'sc0';
  if (name === 'sec2_patch1' || name === 'sec2_patch0') {
    return m.secVer === 2 && m.proto === 'sec2' && (m.sec2?.msg ?? 0) === 0 && m.sec2?.payload === 'sc0';
  }
  return false;
}

export function runProtocommFuzz(vectors: Vectors, options: FuzzOptions): FuzzReport {
  const r = prng(options.seed);
  const maxInputMs = options.maxInputMs ?? 2000;
  const seeded: RandomSource = (n) => r.bytes(n);
  const report: FuzzReport = { inputs: 0, failures: [], perWorld: {}, expensiveInputs: 0, worldBuilds: 0, maxInputMs: 0, responses: 0 };
  // Costly inputs allowed: sec2 ~1 per 4000 inputs each, sec1 ~1 per 400.
  const costlyCap: Record<string, number> = {
    sec2_patch1: Math.max(4, Math.floor(options.budget / 4000)),
    sec2_patch0: Math.max(4, Math.floor(options.budget / 4000)),
    sec1: Math.max(10, Math.floor(options.budget / 400)),
  };
  const costlyUsed: Record<string, number> = { sec2_patch1: 0, sec2_patch0: 0, sec1: 0 };

  const sessionTemplates: Uint8Array[] = [];
  const reqTemplates: Record<string, Uint8Array[]> = {};
  for (const name of TRANSCRIPTS) {
    reqTemplates[name] = [];
    for (const s of vectors[name]) {
      const bytes = fromHex(s.request_hex) as Uint8Array;
      if (s.endpoint === 'prov-session') sessionTemplates.push(bytes);
      else if (s.endpoint !== 'proto-ver') reqTemplates[name].push(bytes);
    }
  }
  const everything = [...sessionTemplates, ...Object.values(reqTemplates).flat()];

  const worlds = new Map<string, World>();
  function build(name: TranscriptName, state: State): World {
    report.worldBuilds++;
    const setup = replaySetup(vectors, name);
    const crypto = createNodeCryptoHost(scriptedRandom(setup.randomHex.map((h) => fromHex(h) as Uint8Array), seeded));
    // The attempt limit stays on for sec1 (its lockout paths get fuzzed too) and is off for sec2, whose worlds
    // are expensive to rebuild.
    const pc = createProtocomm({
      crypto,
      clock: new FakeClock(),
      security: securityConfig(setup.security),
      attemptLimit: name === 'sec1' ? {} : { maxFailures: 0 },
    });
    const world: World = { name, state, pc, dirty: false, validRequests: new Set(reqTemplates[name].map(toHex)), handlerHits: 0 };
    for (const ep of REQ_ENDPOINTS) {
      pc.addEndpoint(ep, (_id, request, reply) => {
        world.handlerHits++;
        reply(request.length % 3 === 0 ? undefined : Uint8Array.of(0x08, 0x01, request.length & 0x7f));
      });
    }
    pc.newTransportSession(1);
    const steps = vectors[name].filter((s) => s.endpoint === 'prov-session');
    const upto = state === 'fresh' ? 0 : state === 'cmd1' ? 1 : 2;
    for (let i = 0; i < Math.min(upto, steps.length); i++) {
      let ok = false;
      pc.handle('prov-session', 1, fromHex(steps[i].request_hex) as Uint8Array, (resp) => (ok = resp !== undefined && toHex(resp) === steps[i].response_hex));
      if (!ok) throw new Error(`fuzz world ${name}/${state}: handshake step ${i} did not replay`);
    }
    return world;
  }
  function world(name: TranscriptName, state: State): World {
    const key = `${name}/${name === 'sec0' ? 'fresh' : state}`;
    let w = worlds.get(key);
    if (!w || w.dirty) {
      w = build(name, name === 'sec0' ? 'fresh' : state);
      worlds.set(key, w);
    }
    return w;
  }

  while (report.inputs < options.budget) {
    const name = r.pick(TRANSCRIPTS);
    const state = r.pick(['fresh', 'cmd1', 'done'] as const);
    const w = world(name, state);
    const roll = r.next();
    let endpoint: string;
    let input: Uint8Array;
    let costly = false;
    if (roll < 0.45) {
      endpoint = 'prov-session';
      input = r.next() < 0.08 ? r.bytes(r.int(600)) : mutate(r, r.pick(sessionTemplates), everything);
      if (isCostlyCmd0(name, input)) {
        if (costlyUsed[name] >= costlyCap[name]) continue; // over the cost cap: draw another input
        costlyUsed[name]++;
        costly = true;
      }
    } else if (roll < 0.93) {
      endpoint = r.pick(REQ_ENDPOINTS);
      const templates = reqTemplates[name];
      input = r.next() < 0.05 ? r.bytes(r.int(300)) : r.next() < 0.03 ? r.pick(templates).slice() : mutate(r, r.pick(templates), everything);
    } else {
      endpoint = r.pick(['proto-ver', 'Prov-session', 'prov-sessio', '', 'prov-scan\u0000', 'unknown']);
      input = r.bytes(r.int(40));
    }

    const hitsBefore = w.handlerHits;
    let calls = 0;
    let response: Uint8Array | undefined;
    const t0 = performance.now();
    try {
      w.pc.handle(endpoint, r.next() < 0.97 ? 1 : r.int(5), input, (resp) => {
        calls++;
        response = resp;
      });
    } catch (error) {
      report.failures.push({ kind: 'throw', world: `${name}/${w.state}`, endpoint, inputHex: toHex(input), detail: String(error) });
    }
    const ms = performance.now() - t0;
    report.maxInputMs = Math.max(report.maxInputMs, ms);
    if (ms > maxInputMs) report.failures.push({ kind: 'slow', world: `${name}/${w.state}`, endpoint, inputHex: toHex(input), detail: `${ms.toFixed(1)} ms` });
    if (calls !== 1) {
      report.failures.push({ kind: 'reply-count', world: `${name}/${w.state}`, endpoint, inputHex: toHex(input), detail: `reply called ${calls} times` });
    }
    // GCM must stop every forged or mutated ciphertext before a handler sees it.
    if ((name === 'sec2_patch1' || name === 'sec2_patch0') && w.handlerHits > hitsBefore && !w.validRequests.has(toHex(input))) {
      report.failures.push({ kind: 'forgery', world: `${name}/${w.state}`, endpoint, inputHex: toHex(input), detail: 'a non-genuine ciphertext reached a handler' });
    }
    if (response !== undefined) report.responses++;
    // A session message that was answered (or restarted the session) moved the world off its state.
    if (endpoint === 'prov-session' && (response !== undefined || costly)) w.dirty = true;
    if (costly) report.expensiveInputs++;
    report.inputs++;
    const key = `${name}/${w.state}`;
    report.perWorld[key] = (report.perWorld[key] ?? 0) + 1;
    if (report.failures.length > 20) break;
  }
  return report;
}
