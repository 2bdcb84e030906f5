import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'tsup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Builds the main entry the way tsup.config.ts does (same bundler, formats, target and inlined
// packages; no type declarations) into a temporary folder under node_modules (so ky and p-retry resolve), then loads it in a child Node process:
// the names must survive bundling, where esbuild renames a class that refers to itself.
const CLASSES = [
  'KeyguardError',
  'ApiError',
  'BadRequestError',
  'PermissionDeniedError',
  'NotFoundError',
  'ConflictError',
  'RateLimitError',
  'ServerError',
  'ConnectionError',
  'TimeoutError',
  'ResponseValidationError',
  'ResponseTooLargeError',
  'InvalidApiKeyError',
  'ConfigError',
];

let outDir = '';

beforeAll(async () => {
  const cache = resolve('node_modules/.cache');
  mkdirSync(cache, { recursive: true });
  outDir = mkdtempSync(join(cache, 'keyguard-dist-names-'));
  const shared = { entry: { index: 'src/index.ts' }, outDir, target: 'es2022', platform: 'neutral', silent: true, dts: false } as const;
  await build({ ...shared, format: ['esm'], noExternal: ['zod'] });
  await build({ ...shared, format: ['cjs'], noExternal: ['zod', 'ky', 'p-retry', 'is-network-error'] });
}, 60_000);

afterAll(() => {
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

/** What a child process prints for each class: `constructor.name`, `String(error)` and the first line of `util.inspect`. */
function printed(file: string, loader: 'import' | 'require'): Record<string, [string, string, string]> {
  const script = `
    const util = require('node:util');
    const names = ${JSON.stringify(CLASSES)};
    const load = ${loader === 'import' ? `() => import(${JSON.stringify(file)})` : `async () => require(${JSON.stringify(file)})`};
    load().then((k) => {
      const out = {};
      for (const name of names) {
        const Cls = k[name];
        const init = { reason: 'expired', source: 'server', message: 'm', hint: 'h', status: 500 };
        const args = { KeyguardError: ['m'], ConfigError: ['apiKey', 'm'], ConnectionError: ['GET', 'u', {}], TimeoutError: ['GET', 'u', 1], ResponseValidationError: ['GET', 'u', []], ResponseTooLargeError: ['GET', 'u', 1] }[name] ?? [init];
        const e = new Cls(...args);
        out[name] = [Cls.name, String(e).split(':')[0], util.inspect(e).split(/[\\s:]/)[0]];
      }
      process.stdout.write(JSON.stringify(out));
    });`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }));
}

describe('error class names in the built package', () => {
  it.each(['index.js', 'index.cjs'])('%s: every class prints its own name', (file) => {
    const out = printed(join(outDir, file), file.endsWith('.cjs') ? 'require' : 'import');
    for (const name of CLASSES) expect(out[name], name).toEqual([name, name, name]);
  });
});
