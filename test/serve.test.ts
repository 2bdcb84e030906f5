// `npm run serve` (scripts/serve.ts) in a child process: a bad or busy PORT is one clear line on
// stderr and exit code 1, never a stack trace; a good one serves until SIGTERM.

import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { runChild } from './helpers/run-child.js';

const SERVE = new URL('../scripts/serve.ts', import.meta.url);
const serve = (port: string) => runChild(SERVE, { env: { PORT: port }, deadlineMs: 20_000 });

function expectOneLine(run: Awaited<ReturnType<typeof serve>>, message: RegExp) {
  expect(run.signal).toBeNull();
  expect(run.code).toBe(1);
  expect(run.stdout).toBe('');
  expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(run.stderr).toMatch(message);
  expect(run.stderr).not.toMatch(/\n\s+at |Error:/);
}

describe('npm run serve', () => {
  it('a PORT that is not a port (abc, 0, -1, 1.5, 65536, 8080abc): one line each, exit code 1', async () => {
    const ports = ['abc', '0', '-1', '1.5', '65536', '8080abc'];
    const runs = await Promise.all(ports.map(serve));
    for (const [i, run] of runs.entries()) {
      expectOneLine(run, new RegExp(`^npm run serve: PORT must be a whole number from 1 to 65535, got "${ports[i]}"`));
    }
  }, 30_000);

  it('a busy port: one line naming it, exit code 1', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as AddressInfo).port;
    try {
      expectOneLine(await serve(String(port)), new RegExp(`^npm run serve: port ${port} is already in use`));
    } finally {
      await new Promise<void>((resolve) => busy.close(() => resolve()));
    }
  }, 30_000);
});
