import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ConnectionError,
  createClient,
  isKeyguardError,
  type KeyguardError,
  RateLimitError,
  ServerError,
  TimeoutError,
} from '../src/index.js';
import { type FlakyAction, type FlakyServer, startFlakyServer } from './helpers/flaky-server.js';
import { runChild } from './helpers/run-child.js';

const KEY = 'sk-live-4f9a2c7e1b3d5f60';
const SEED = 20250101;
const REQUESTS = 500;
const CONCURRENCY = 25;
/** Well above the server's normal delays (up to 30 ms), so only its too-slow answers time out, even on a busy machine. */
const TIMEOUT_MS = 1000;
const RETRIES = 3;

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeAll(() => {
  process.on('unhandledRejection', onUnhandled);
});
afterEach(() => {
  expect(unhandled).toEqual([]);
});
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
});

/** Runs `task(i)` for i in [0, n) with at most `limit` in flight; every result is kept, in order. */
async function pool<T>(n: number, limit: number, task: (i: number) => Promise<T>): Promise<PromiseSettledResult<T>[]> {
  const results: PromiseSettledResult<T>[] = new Array(n);
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      try {
        results[i] = { status: 'fulfilled', value: await task(i) };
      } catch (reason) {
        results[i] = { status: 'rejected', reason };
      }
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  return results;
}

/** The error class a request must end with when the server's last answer to it was `action`. */
const EXPECTED: Partial<Record<FlakyAction, new (...args: never[]) => KeyguardError>> = {
  reset: ConnectionError,
  'too-slow': TimeoutError,
  unavailable: ServerError,
  'rate-limited': RateLimitError,
};

describe('against a flaky real server', () => {
  let server: FlakyServer;
  beforeAll(async () => {
    server = await startFlakyServer({ seed: SEED, tooSlowMs: 2 * TIMEOUT_MS, maxDelayMs: 30 });
  });
  afterAll(async () => {
    await server?.close();
  });

  it(`settles all ${REQUESTS} requests, each a success or a typed KeyguardError matching what the server did`, async () => {
    // The real fetch, tagging each attempt so the server decides by attempt number (see flaky-server.ts)
    // and counting what the client really sent.
    const sent = new Map<string, number>();
    const tagging: typeof fetch = (input, init) => {
      // Tag the Request itself: rebuilding it (new Request(request, …)) can lose the abort signal's link.
      const request = input instanceof Request ? input : new Request(input, init);
      const path = new URL(request.url).pathname;
      const attempt = (sent.get(path) ?? 0) + 1;
      sent.set(path, attempt);
      request.headers.set('x-attempt', String(attempt));
      return fetch(request, input instanceof Request ? init : undefined);
    };
    const client = createClient({
      baseUrl: server.url,
      apiKey: KEY,
      timeoutMs: TIMEOUT_MS,
      retry: { retries: RETRIES, minDelayMs: 1, maxDelayMs: 5 },
      fetch: tagging,
    });
    const started = performance.now();
    const results = await pool(REQUESTS, CONCURRENCY, (i) => client.get(`/items/${i}`));
    const elapsedMs = performance.now() - started;

    const outcomes: Record<string, number> = {};
    let stalledTimeouts = 0; // Attempts that timed out although the server was not too slow.
    results.forEach((result, i) => {
      const path = `/items/${i}`;
      const attempts = sent.get(path) ?? 0;
      const actions = server.log.get(path) ?? [];
      // Bounded: at least one send, never more than 1 + retries.
      expect(attempts).toBeGreaterThanOrEqual(1);
      expect(attempts).toBeLessThanOrEqual(RETRIES + 1);
      const last = actions[attempts - 1];
      if (result.status === 'fulfilled') {
        // A success is the server's 200 to the last attempt, and every attempt before it failed.
        expect(result.value).toEqual({ path });
        expect(last).toBe('ok');
        // An earlier attempt the server answered 200 can only have failed by a stall-induced timeout (below).
        stalledTimeouts += actions.slice(0, attempts - 1).filter((action) => action === 'ok').length;
        outcomes.ok = (outcomes.ok ?? 0) + 1;
        return;
      }
      const error: unknown = result.reason;
      expect(isKeyguardError(error)).toBe(true);
      const name = (error as Error).name;
      outcomes[name] = (outcomes[name] ?? 0) + 1;
      // Every send is counted, and a transient failure gives up only when the retries ran out.
      expect((error as KeyguardError).attempts).toBe(attempts);
      expect(attempts).toBe(RETRIES + 1);
      if (error instanceof TimeoutError) {
        // Normally the server was too slow. The server shares this event loop, so a stall longer than
        // timeoutMs can also let the timer fire first (or delay reading the attempt): counted, bounded below.
        if (last !== 'too-slow') stalledTimeouts += 1;
        return;
      }
      // Any other class is decided by the server's answer to the last attempt.
      expect(last).toBeDefined();
      expect(error).toBeInstanceOf(EXPECTED[last!]!);
    });

    const sends = [...sent.values()].reduce((sum, n) => sum + n, 0);
    console.info(
      `flaky server: ${REQUESTS} requests, ${sends} sends in ${Math.round(elapsedMs)} ms; outcomes ${JSON.stringify(outcomes)}; ` +
        `server actions ${JSON.stringify(server.counts)}; timeouts without a too-slow answer ${stalledTimeouts}`,
    );
    expect(results).toHaveLength(REQUESTS);
    expect(Object.values(outcomes).reduce((a, b) => a + b, 0)).toBe(REQUESTS);
    expect(stalledTimeouts).toBeLessThanOrEqual(REQUESTS * 0.02);
    // The seed produces every kind of server behaviour, and the retries recover most of them.
    for (const action of ['reset', 'too-slow', 'unavailable', 'rate-limited', 'ok'] as const)
      expect(server.counts[action]).toBeGreaterThan(0);
    expect(outcomes.ok).toBeGreaterThan(REQUESTS * 0.9);
    expect(elapsedMs).toBeLessThan(10_000);
  }, 15_000);

  it('settles every request when callers also abort at random moments', async () => {
    const client = createClient({
      baseUrl: server.url,
      apiKey: KEY,
      timeoutMs: TIMEOUT_MS,
      retry: { retries: RETRIES, minDelayMs: 1, maxDelayMs: 5 },
    });
    const results = await pool(200, CONCURRENCY, (i) => client.get(`/abort/${i}`, { signal: AbortSignal.timeout(1 + (i % 40)) }));
    let aborted = 0;
    for (const result of results) {
      if (result.status === 'fulfilled') continue;
      const error: unknown = result.reason;
      if (error instanceof DOMException) {
        expect(error.name).toBe('TimeoutError'); // AbortSignal.timeout's reason, passed through as is.
        aborted += 1;
      } else {
        expect(isKeyguardError(error)).toBe(true);
      }
    }
    expect(aborted).toBeGreaterThan(0);
  });
});

describe('a child process using the client', () => {
  it('makes 1,000 requests (retried, timed out, aborted, key-replayed), closes its server and exits on its own', async () => {
    const {
      stderr,
      signal,
      code,
      stdout,
      summary: parsed,
      exitAfterSummaryMs,
      totalMs,
    } = await runChild(new URL('./helpers/no-leak-child.ts', import.meta.url), { deadlineMs: 30_000 });

    expect(stderr).toBe('');
    expect(signal).toBeNull(); // Not killed by the 30 s guard.
    expect(code).toBe(0);
    // `beforeExit` fires only when the event loop ran dry: never after process.exit().
    expect(stdout).toContain('BEFORE_EXIT');
    const summary = parsed as Record<string, number>;
    console.info(`child: ${JSON.stringify(summary)}; exited ${exitAfterSummaryMs} ms after its last line, ${totalMs} ms in all`);
    expect(summary.settled).toBe(1000);
    expect(summary.ok).toBeGreaterThan(0);
    expect(summary.aborted).toBeGreaterThan(0);
    expect(summary.retried).toBeGreaterThan(0);
    expect(summary.keyReplays).toBeGreaterThan(0);
    expect(summary.unhandled).toBe(0);
    // Nothing left behind: a leaked timeout (20 s), backoff (10 s) or socket would hold the process open.
    expect(exitAfterSummaryMs).toBeLessThan(1000);
  }, 40_000);
});
