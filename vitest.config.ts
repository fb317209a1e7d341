import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Most suites wait on sockets, databases and browsers, not on the CPU: four files at once
    // on two cores halves the wall time (vitest's default would run one at a time here).
    maxWorkers: 4,
  },
});
