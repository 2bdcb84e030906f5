import { rmSync } from 'node:fs';
import { defineConfig, type Options } from 'tsup';

// Two builds run side by side, so neither may `clean`: empty dist once, here.
rmSync('dist', { recursive: true, force: true });

const shared: Options = {
  entry: { index: 'src/index.ts', 'testing/index': 'src/testing/index.ts', 'testing/simulator': 'src/testing/simulator-entry.ts' },
  dts: true,
  sourcemap: true,
  target: 'es2022',
  platform: 'neutral',
  // Keep `node:` in imports: only keyguard/testing has them, and bundlers and Deno need the prefix.
  removeNodeProtocol: false,
  // msw and node built-ins stay imports; only keyguard/testing uses them.
  external: ['msw', 'msw/node', /^node:/],
};

export default defineConfig([
  // ESM: every dependency stays an import, so the app's bundler dedupes ky, zod and p-retry.
  { ...shared, format: ['esm'] },
  // CJS: ky and p-retry ship ESM only, and `require()` of ESM needs Node >= 20.19; bundle them
  // so `require('keyguard')` works on every Node 20. zod ships CJS and stays an import.
  { ...shared, format: ['cjs'], noExternal: ['ky', 'p-retry', 'is-network-error'] },
]);
