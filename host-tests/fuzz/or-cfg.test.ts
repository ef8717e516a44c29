// Fuzz of the or-cfg handler (firmware/openremote/config-channel.ts): random bytes, mutations of every request
// kind (bit flips, truncation, splices, insertions, varint/length corruption) and structured requests with random
// field values. Every input must get exactly one synchronous reply that is a well-formed, canonical Response
// (re-encodes to the same bytes) with `result` present, the request's id echoed when the request decodes, and a
// body only where the rules allow it — or no response; the handler never throws (openremote.md §1.4, §2.9).
// 100k inputs by default (CI); FUZZ_BUDGET raises it, FUZZ_SEED replays a run.
import { describe, expect, it } from 'vitest';
import { orconfig } from '../../firmware/generated/proto.js';
import { OrConfigChannel } from '../../firmware/openremote/config-channel';
import { Logger, SecretRegistry } from '../../firmware/util/log';
import { VirtualClock } from '../../tools/sim/host/clock';
import { SimNvs } from '../../tools/sim/host/nvs';
import { ScriptedLink } from '../openremote/fake-link';
import { fuzzRun, xorshift } from '../fixtures/fuzz';

const { budget, seed, label } = fuzzRun({ budget: 100_000, seed: Date.now() % 2 ** 31 });
const prng = (s: number) => xorshift(s, 0x9e3779b9);

const GOOD = { mqttBrokerUrl: 'mqtts://or.example.com:8883', user: 'a4cf12b3c4d5', mqttPassword: 'Xy7pQ2rS9tU4vW1z', realm: 'master', assetId: '6tXbmMvQLd2e7UrY5xLviR' };
const KINDS = ['deviceInfo', 'backendConnectionStatus', 'openRemoteConfig', 'exitProvisioning'] as const;

describe('or-cfg fuzz', () => {
  it(`${label}: a well-formed Response or nothing, never a throw`, () => {
    const rnd = prng(seed);
    const int = (n: number) => Math.floor(rnd() * n);
    const clock = new VirtualClock();
    const secrets = new SecretRegistry();
    const lines: string[] = [];
    const channel = new OrConfigChannel({
      nvs: new SimNvs({ partitionBytes: 0x10000 }),
      timers: clock,
      log: new Logger({ write: (_l, _t, m) => void (lines.length < 1000 && lines.push(m)) }, 'or-cfg', secrets),
      secrets,
      deviceId: 'A4CF12B3C4D5',
      modelName: 'or-demo',
      link: new ScriptedLink(clock, () => [{ atMs: 0, status: 'CONNECTING', reason: 'connecting' }]),
      onExit: () => undefined,
    });

    const strings = ['', '0', '17', 'master', 'a/b', '#', '+', ' ', 'mqtts://x:1', 'mqtt://h:1883', 'ü€𝄞', '\u0000', 'x'.repeat(300), GOOD.assetId, GOOD.user];
    const randomString = () => (rnd() < 0.6 ? strings[int(strings.length)] : Array.from({ length: int(24) }, () => String.fromCharCode(32 + int(95))).join(''));
    const structured = (): Uint8Array => {
      const kind = KINDS[int(KINDS.length)];
      const body: Record<string, unknown> = {};
      if (kind === 'openRemoteConfig') {
        for (const k of Object.keys(GOOD) as (keyof typeof GOOD)[]) body[k] = rnd() < 0.7 ? GOOD[k] : randomString();
        if (rnd() < 0.3) body.properties = Object.fromEntries(Array.from({ length: int(20) }, () => [randomString() || 'k', randomString()]));
      }
      return orconfig.Request.encode({ id: rnd() < 0.8 ? String(int(1000)) : randomString(), [kind]: body } as orconfig.Request.$Properties).finish();
    };
    const seeds = KINDS.map((k) => orconfig.Request.encode({ id: '12', [k]: k === 'openRemoteConfig' ? { ...GOOD, properties: { a: 'b' } } : {} } as orconfig.Request.$Properties).finish());
    const mutate = (input: Uint8Array): Uint8Array => {
      let b = Array.from(input);
      const rounds = 1 + int(4);
      for (let r = 0; r < rounds; r++) {
        const at = int(b.length + 1);
        switch (int(6)) {
          case 0: if (b.length) b[at % b.length] ^= 1 << int(8); break;
          case 1: b = b.slice(0, at); break;
          case 2: b.splice(at, 0, int(256)); break;
          case 3: if (b.length) b[at % b.length] = [0x00, 0x7f, 0x80, 0xff, 0x0a, 0x12, 0x32, 0x42][int(8)]; break;
          case 4: b.splice(at, int(4)); break;
          default: b = b.concat(Array.from(seeds[int(seeds.length)])); break;
        }
      }
      return Uint8Array.from(b);
    };

    const tally = { random: 0, mutated: 0, structured: 0, noResponse: 0, success: 0, unknown: 0, argument: 0, internal: 0 };
    const failures: string[] = [];
    for (let i = 0; i < budget && failures.length < 5; i++) {
      const pick = rnd();
      let input: Uint8Array;
      if (pick < 0.2) {
        input = Uint8Array.from({ length: int(48) }, () => int(256));
        tally.random++;
      } else if (pick < 0.8) {
        input = mutate(seeds[int(seeds.length)]);
        tally.mutated++;
      } else {
        input = structured();
        tally.structured++;
      }
      const hex = Buffer.from(input).toString('hex');
      try {
        let replies = 0;
        let response: Uint8Array | undefined;
        channel.handler(1, input, (r) => {
          replies++;
          response = r;
        });
        if (replies !== 1) throw new Error(`${replies} replies`);
        if (i % 512 === 0) clock.advance(1); // let scheduled link restarts and exits run
        if (response === undefined) {
          tally.noResponse++;
          continue;
        }
        const decoded = orconfig.Response.decode(response);
        const canonical = orconfig.Response.encode(decoded).finish();
        if (Buffer.compare(Buffer.from(canonical), Buffer.from(response)) !== 0) throw new Error('response is not canonical');
        if (decoded.result == null) throw new Error('result missing');
        const result = decoded.result.result ?? 0;
        if (![0, 1, 2, 3].includes(result)) throw new Error(`result ${result}`);
        let request: orconfig.Request | undefined;
        try {
          request = orconfig.Request.decode(input);
        } catch {
          request = undefined;
        }
        const kind = request && KINDS.find((k) => request![k] != null);
        if (request) {
          if (decoded.id !== request.id) throw new Error(`id ${decoded.id} != ${request.id}`);
        }
        if (!kind) {
          if (result !== 1) throw new Error('unknown or undecodable request not REQUEST_UNKNOWN');
          if (KINDS.some((k) => decoded[k] != null)) throw new Error('body on REQUEST_UNKNOWN');
          tally.unknown++;
          continue;
        }
        const bodies = KINDS.filter((k) => decoded[k] != null);
        if (bodies.length !== 1 || bodies[0] !== kind) throw new Error(`body ${bodies} for ${kind}`);
        if (result !== 0 && kind !== 'openRemoteConfig') throw new Error(`${kind} failed with ${result}`);
        if (kind === 'openRemoteConfig') {
          const status = decoded.openRemoteConfig?.status ?? 0;
          if ((result === 0) !== (status === 0)) throw new Error('config status disagrees with result');
        }
        if (kind === 'backendConnectionStatus' && ![0, 1, 2, 3].includes(decoded.backendConnectionStatus?.status ?? 0)) throw new Error('status out of range');
        if (result === 0) tally.success++;
        else if (result === 3) tally.argument++;
        else if (result === 2) tally.internal++;
        else throw new Error(`result ${result} for a known body`);
      } catch (e) {
        failures.push(`input ${hex}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    expect(failures).toEqual([]);
    expect(tally.random + tally.mutated + tally.structured).toBe(budget);
    // The generators reach every outcome class (otherwise the fuzz is not testing what it claims).
    expect(tally.success).toBeGreaterThan(budget / 100);
    expect(tally.unknown).toBeGreaterThan(budget / 100);
    expect(tally.argument).toBeGreaterThan(budget / 1000);
  }, 600_000);
});
