// CI fuzz run for protocomm (≥100k inputs; FUZZ_BUDGET raises it, FUZZ_SEED picks another deterministic run).
import { describe, expect, it } from 'vitest';
import { fuzzBudget, fuzzSeed } from '../fixtures/fuzz';
import { runProtocommFuzz } from './fuzz-driver';
import { loadVectors } from './replay';

const budget = fuzzBudget(100_000);
const seed = fuzzSeed(0x5eed);

describe('protocomm fuzz', () => {
  it(`${budget} inputs over every scheme, state and endpoint: no throw, one reply each, bounded time`, () => {
    const report = runProtocommFuzz(loadVectors(), { budget, seed });
    expect(report.failures).toEqual([]);
    expect(report.inputs).toBe(budget);
    // Coverage sanity: all ten worlds got inputs, and some inputs were answered (not everything is noise).
    expect(Object.keys(report.perWorld).length).toBe(10); // sec0 has one state; the others three
    expect(report.responses).toBeGreaterThan(budget / 20);
    expect(report.maxInputMs).toBeLessThan(2000);
  }, 600_000);
});
