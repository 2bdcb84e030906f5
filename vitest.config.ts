import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // test/reliability runs on its own: npm run test:reliability.
    exclude: ['test/browser/**', 'test/reliability/**', 'node_modules/**'],
    testTimeout: 10_000,
    unstubGlobals: true,
    // Type tests (expectTypeOf) in test/**/*.test-d.ts run with `vitest run` and fail it like any test.
    typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './test/tsconfig.typecheck.json' },
  },
});
