import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['host-tests/**/*.test.ts'],
    // XS suites spawn xsnap workers and real brokers; keep parallelism modest on a 2-core machine.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
