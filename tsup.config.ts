import { rmSync } from 'node:fs';
import { defineConfig, type Options } from 'tsup';

// Several builds run side by side, so none may `clean`: empty dist once, here.
rmSync('dist', { recursive: true, force: true });

const shared: Options = {
  dts: true,
  sourcemap: true,
  target: 'es2022',
  platform: 'neutral',
  // Keep `node:` in imports: only keyguard/testing has them, and bundlers and Deno need the prefix.
  removeNodeProtocol: false,
  // msw and node built-ins stay imports; only keyguard/testing uses them.
  external: ['msw', 'msw/node', /^node:/],
};
const main = { index: 'src/index.ts' };
// keyguard/redis imports no Redis client: the user's node-redis or ioredis is passed in.
const redis = { 'redis/index': 'src/redis/index.ts' };
const testing = { 'testing/index': 'src/testing/index.ts', 'testing/simulator': 'src/testing/simulator-entry.ts' };
const presets = { 'providers/index': 'src/providers/index.ts' };

export default defineConfig([
  // `keyguard` does not use zod (options are checked by hand, see docs/size.md). ky and p-retry
  // stay imports in ESM, so an app's bundler dedupes them.
  { ...shared, entry: main, format: ['esm'] },
  // CJS: ky and p-retry ship ESM only, and `require()` of ESM needs Node >= 20.19; bundle them
  // so `require('keyguard')` works on every Node 20.
  { ...shared, entry: main, format: ['cjs'], noExternal: ['ky', 'p-retry', 'is-network-error'] },
  { ...shared, entry: redis, format: ['esm', 'cjs'] },
  // keyguard/testing (Node, for tests): the simulator's zod and msw stay imports.
  { ...shared, entry: testing, format: ['esm', 'cjs'] },
  // keyguard/providers: data and the key check; like the main entry, nothing Node-only.
  { ...shared, entry: presets, format: ['esm', 'cjs'], noExternal: ['zod'] },
  // The `keyguard` bin (Node): `npx keyguard doctor`. The shebang comes from src/cli/bin.ts.
  { ...shared, entry: { 'cli/bin': 'src/cli/bin.ts' }, format: ['esm'], platform: 'node', dts: false, noExternal: ['zod'] },
]);
