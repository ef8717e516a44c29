// Deterministic fuzzing helpers shared by the HTTP and console transport fuzzers: a seeded PRNG (xorshift32, so a
// failure names a seed that replays it), byte mutations, random splits, and the FUZZ_BUDGET knob (default 100k
// inputs across the transport fuzzers in CI; `npm run fuzz` or FUZZ_BUDGET=... raises it).
import { fuzzBudget, fuzzSeed } from '../fixtures/fuzz';

export const FUZZ_BUDGET = Math.max(1000, fuzzBudget(100_000) || 100_000);
export const FUZZ_SEED = fuzzSeed(0x5eed1234) >>> 0 || 1;

export class Rng {
  constructor(private state: number) {
    if (this.state === 0) this.state = 1;
  }

  next(): number {
    let x = this.state;
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state;
  }

  int(n: number): number {
    return this.next() % n;
  }

  chance(p: number): boolean {
    return this.next() / 0x100000000 < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.next() & 0xff;
    return out;
  }
}

/** Applies 1..k random edits (flip, insert, delete, duplicate a slice, splice an interesting token). */
export function mutate(rng: Rng, input: Uint8Array, tokens: readonly string[]): Uint8Array {
  let data = Array.from(input);
  const edits = 1 + rng.int(4);
  for (let e = 0; e < edits; e++) {
    const at = data.length === 0 ? 0 : rng.int(data.length + 1);
    switch (rng.int(6)) {
      case 0:
        if (data.length) data[Math.min(at, data.length - 1)] = rng.next() & 0xff;
        break;
      case 1:
        data.splice(at, 0, ...rng.bytes(1 + rng.int(8)));
        break;
      case 2:
        data.splice(at, 1 + rng.int(16));
        break;
      case 3: {
        const len = rng.int(64);
        data.splice(at, 0, ...data.slice(at, at + len));
        break;
      }
      case 4:
        data.splice(at, 0, ...Buffer.from(rng.pick(tokens), 'latin1'));
        break;
      default:
        data = data.slice(0, at);
    }
  }
  return Uint8Array.from(data);
}

/** Cuts data into 1..n pieces at random offsets (empty pieces allowed). */
export function randomSplit(rng: Rng, data: Uint8Array): Uint8Array[] {
  const cuts = rng.chance(0.3) ? 0 : rng.chance(0.1) ? data.length : rng.int(6);
  const offsets = new Set<number>();
  for (let i = 0; i < cuts; i++) offsets.add(rng.int(data.length + 1));
  const sorted = [...offsets].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const o of sorted) {
    out.push(data.subarray(prev, o));
    prev = o;
  }
  out.push(data.subarray(prev));
  return out;
}
