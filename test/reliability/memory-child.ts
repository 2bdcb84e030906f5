/**
 * Run by test/reliability/memory.test.ts as `node --expose-gc --import tsx test/reliability/memory-child.ts`.
 *
 * One keyguard client sends 20,000 requests (25 in flight) to a healthy local server (on a worker
 * thread, so its memory is not in this heap) that rotates its key every 2,000 requests; `onKeyInvalid` fetches the new key from the server's admin endpoint.
 * After a warm-up of 2,000 requests and then after every 2,000, it waits for the requests in flight,
 * runs the GC (twice, a turn of the event loop apart) and records `heapUsed`. It prints one line,
 * `SUMMARY {json}`, and exits on its own.
 *
 * MEMORY_LEAK_BYTES_PER_REQUEST (default 0) makes this script itself keep that many bytes per
 * request — a deliberate leak, to check that the parent's bound catches one (see memory.test.ts).
 */
import { randomBytes } from 'node:crypto';
import { getHeapSpaceStatistics } from 'node:v8';
import { createClient, isKeyguardError } from '../../src/index.js';
import { guardChild } from '../helpers/child-guards.js';
import { startServerThread } from './server-thread.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

const TOTAL = Number(process.env.MEMORY_TOTAL ?? 20_000);
const STEP = 2000;
const CONCURRENCY = 25;
const LEAK_BYTES = Number(process.env.MEMORY_LEAK_BYTES_PER_REQUEST ?? 0);
const leaked: string[] = [];

const guard = guardChild();

// On its own thread: the server's work runs on the other core and its memory stays out of this heap.
const server = await startServerThread({
  seed: 42,
  faults: false,
  maxDelayMs: 0,
  // Mid-step, so each step sees one rotation with requests in flight.
  rotateEvery: STEP,
  rotateOffset: STEP / 2,
  log: false,
});

let hookCalls = 0;
let logLines = 0;
const client = createClient({
  baseUrl: server.url,
  apiKey: server.initialKey,
  timeoutMs: 10_000,
  retry: { retries: 2, minDelayMs: 5, maxDelayMs: 50 },
  logger: {
    debug: () => {
      logLines += 1;
    },
    info: () => {
      logLines += 1;
    },
  },
  onKeyInvalid: async () => {
    hookCalls += 1;
    const response = await fetch(server.adminKeyUrl);
    return ((await response.json()) as { key: string }).key;
  },
});

let ok = 0;
const errors: Record<string, number> = {};

async function one(i: number): Promise<void> {
  const path = `/items/${i % 50}`;
  try {
    if (i % 4 === 0) await client.put(path, { body: { i, note: 'memory' } });
    else await client.get(path, { query: { i } });
    ok += 1;
    if (LEAK_BYTES > 0) leaked.push(randomBytes(LEAK_BYTES / 2).toString('hex'));
  } catch (error) {
    const name = isKeyguardError(error) ? error.name : 'not-a-KeyguardError';
    errors[name] = (errors[name] ?? 0) + 1;
  }
}

/** heapUsed after GC, and per V8 heap space (code_space holds compiled code, which grows while the JIT warms up). */
async function heapAfterGc(): Promise<{ heapUsed: number; spaces: Record<string, number> }> {
  const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
  // Several rounds: finalizers (undici registers some for fetch responses) run after a GC, and what
  // they release is only collected by the next one.
  for (let round = 0; round < 4; round += 1) {
    await turn();
    gc!();
  }
  await turn();
  const spaces = Object.fromEntries(getHeapSpaceStatistics().map((space) => [space.space_name, space.space_used_size]));
  return { heapUsed: process.memoryUsage().heapUsed, spaces };
}

const checkpoints: Array<{ requests: number; heapUsed: number; spaces: Record<string, number> }> = [];
const t0 = performance.now();
let next = 0;
for (let end = STEP; end <= TOTAL; end += STEP) {
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < end) await one(next++);
    }),
  );
  checkpoints.push({ requests: end, ...(await heapAfterGc()) });
}
const elapsedMs = Math.round(performance.now() - t0);
const serverStats = await server.close();

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 1000) / 1000;
const base = checkpoints[0]!;
const last = checkpoints.at(-1)!;
process.stdout.write(
  `SUMMARY ${JSON.stringify({
    total: TOTAL,
    concurrency: CONCURRENCY,
    leakBytesPerRequest: LEAK_BYTES,
    leakedItems: leaked.length,
    elapsedMs,
    ok,
    errors,
    unhandled: guard.unhandled,
    hookCalls,
    rotations: serverStats.rotations,
    serverHits: serverStats.hits,
    logLines,
    checkpointsMB: checkpoints.map((c) => [c.requests, mb(c.heapUsed)]),
    checkpoints,
    growthBytes: last.heapUsed - base.heapUsed,
    growthMB: mb(last.heapUsed - base.heapUsed),
    bytesPerRequest: Math.round((last.heapUsed - base.heapUsed) / (last.requests - base.requests)),
  })}\n`,
);
