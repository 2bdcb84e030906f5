import { defineConfig } from 'vitest/config';

// `npm run test:reliability`: the slow suite (child processes under load, heap checks), kept out of `vitest run`.
export default defineConfig({
  test: {
    include: ['test/reliability/**/*.test.ts'],
    environment: 'node',
    testTimeout: 180_000,
    hookTimeout: 30_000,
    // One file at a time: each child process wants the CPU to itself, or its timings mean nothing.
    fileParallelism: false,
  },
});
