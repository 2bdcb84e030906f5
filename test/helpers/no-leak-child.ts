/**
 * Run by test/retry-integration.test.ts as `node --import tsx test/helpers/no-leak-child.ts`.
 * Makes 1,000 requests against a flaky local server — retried, timed out, aborted in flight
 * and during long backoff delays, and replayed after a key rotation — then closes the server
 * and returns. It never calls process.exit: the process must end because nothing is left
 * (no timer, no socket). The parent checks that it does, promptly.
 */
import { createClient, isKeyguardError } from '../../src/index.js';
import { guardChild } from './child-guards.js';
import { startFlakyServer } from './flaky-server.js';

const guard = guardChild();

const OLD_KEY = 'sk-live-4f9a2c7e1b3d5f60';
const ROTATED_KEY = 'sk-live-8e1d3b5a7c9f2e40';
const TOTAL = 1000;
const CONCURRENCY = 50;

const server = await startFlakyServer({ seed: 7, tooSlowMs: 300, maxDelayMs: 30, validKey: ROTATED_KEY });
let retried = 0;
let keyReplays = 0;
const client = createClient({
  baseUrl: server.url,
  apiKey: OLD_KEY,
  // Long on purpose: a timer the client forgot to clear would keep this process alive for 20 s.
  timeoutMs: 20_000,
  retry: { retries: 2, minDelayMs: 1, maxDelayMs: 5 },
  onKeyInvalid: async () => ROTATED_KEY,
  logger: {
    debug: (line: unknown) => {
      if (typeof line !== 'string') return;
      if (line.includes('retrying')) retried += 1;
      if (line.includes('replaying')) keyReplays += 1;
    },
  },
});

const counts: Record<string, number> = { settled: 0, ok: 0, aborted: 0 };

async function one(i: number): Promise<void> {
  const kind = i % 10;
  const controller = new AbortController();
  let abortTimer: ReturnType<typeof setTimeout> | undefined;
  try {
    if (kind === 0) {
      await client.get(`/auth/${i}`);
    } else if (kind === 1) {
      await client.get(`/items/${i}`, { timeoutMs: 100 });
    } else if (kind === 2) {
      abortTimer = setTimeout(() => controller.abort(), i % 40);
      await client.get(`/items/${i}`, { signal: controller.signal });
    } else if (kind === 3) {
      // Aborted while sleeping a 10 s backoff: a leaked backoff timer would hold the process.
      abortTimer = setTimeout(() => controller.abort(new Error('gave up')), 20);
      await client.get(`/down/${i}`, { signal: controller.signal, retry: { retries: 2, minDelayMs: 10_000, maxDelayMs: 10_000 } });
    } else {
      await client.get(`/items/${i}`);
    }
    counts.ok! += 1;
  } catch (error) {
    if (controller.signal.aborted && error === controller.signal.reason) counts.aborted! += 1;
    else if (isKeyguardError(error)) counts[error.name] = (counts[error.name] ?? 0) + 1;
    else throw error;
  } finally {
    clearTimeout(abortTimer);
    counts.settled! += 1;
  }
}

let next = 0;
await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    while (next < TOTAL) await one(next++);
  }),
);
await server.close();
process.stdout.write(
  `SUMMARY ${JSON.stringify({ ...counts, retried, keyReplays, unhandled: guard.unhandled, serverActions: server.counts })}\n`,
);
