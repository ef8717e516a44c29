// `npm run fuzz` entry for protocomm: the same driver as host-tests/protocomm/fuzz.test.ts with the big budget
// (FUZZ_BUDGET=1000000 from package.json; about 100 s on one core). Without FUZZ_BUDGET it is skipped: CI already
// runs the 100k-input pass in host-tests/protocomm/fuzz.test.ts. The seed (FUZZ_SEED, else time-derived so each
// `npm run fuzz` explores new inputs) is in the test name, so any failure can be replayed exactly.
import { describe, expect, it } from 'vitest';
import { runProtocommFuzz } from '../protocomm/fuzz-driver';
import { loadVectors } from '../protocomm/replay';

const budget = Number(process.env.FUZZ_BUDGET ?? 0);
const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);

describe('protocomm fuzz (large budget)', () => {
  it.skipIf(budget === 0)(`${budget} inputs, seed ${seed}`, () => {
    const report = runProtocommFuzz(loadVectors(), { budget, seed });
    expect(report.failures).toEqual([]);
    expect(report.inputs).toBe(budget);
  }, 3_600_000);
});
