import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Tests that spawn servers and write gigabytes must not all run at once on a 2-core machine.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
