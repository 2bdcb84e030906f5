// The error path's chunk is slow to arrive (a stalled network in a page): failures that never needed it
// before this commit must still settle, within the request's own timeout.
import { createServer } from 'node:net';
import { afterEach, expect, it, vi } from 'vitest';

const KEY = 'sk_live_stalled_review_0000000000abcd';

afterEach(() => {
  vi.doUnmock('../src/core/error-path.js');
});

async function stalledKeyguard() {
  vi.resetModules();
  vi.doMock('../src/core/error-path.js', () => new Promise(() => {})); // the chunk's request never answers
  // A page: the import starts with the first failure (load-error-path.ts).
  vi.stubGlobal('process', new Proxy(process, { get: (t, n) => (n === 'versions' ? {} : Reflect.get(t, n)) }));
  try {
    return await import('../src/index.js');
  } finally {
    vi.unstubAllGlobals();
  }
}

async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return `http://127.0.0.1:${port}`;
}

/** `promise`'s outcome, or 'still pending' after `ms`. */
function within<T>(promise: Promise<T>, ms: number) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    promise.then(
      (value) => ({ settled: 'resolved', value }),
      (error: unknown) => ({ settled: 'rejected', error }),
    ),
    new Promise<{ settled: string }>((r) => {
      timer = setTimeout(() => r({ settled: 'still pending' }), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

it('a refused connection rejects (ConnectionError) even while the error path is still loading', async () => {
  const kg = await stalledKeyguard();
  const client = kg.createClient({ baseUrl: await closedPort(), apiKey: KEY, timeoutMs: 1000, retry: { limit: 0 } } as never);
  const outcome = await within(client.get('/x'), 3000);
  expect(outcome.settled).toBe('rejected');
});

it('a key provider that throws gives its InvalidApiKeyError even while the error path is still loading', async () => {
  const kg = await stalledKeyguard();
  const client = kg.createClient({
    baseUrl: await closedPort(),
    apiKey: () => {
      throw new Error('vault down');
    },
  });
  const outcome = await within(client.get('/x'), 3000);
  expect(outcome.settled).toBe('rejected');
});

it('keyguardFetch: a transport error reaches the SDK even while the error path is still loading', async () => {
  const kg = await stalledKeyguard();
  const base = await closedPort();
  const fetch = kg.keyguardFetch({ apiKey: KEY, baseUrl: base });
  const outcome = await within(fetch(`${base}/v1/x`), 3000);
  expect(outcome.settled).toBe('rejected');
});

it('a successful request with a key that only needs trimming (a .env newline) is not held by the error path', async () => {
  const kg = await stalledKeyguard();
  const { createServer: httpServer } = await import('node:http');
  const server = httpServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const { port } = server.address() as { port: number };
    const client = kg.createClient({ baseUrl: `http://127.0.0.1:${port}`, apiKey: `${KEY}\n` });
    const outcome = await within(client.get('/ok'), 3000);
    expect(outcome).toEqual({ settled: 'resolved', value: { ok: true } });
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
});

it("the caller's abort still ends a request whose failure waits for the error path", async () => {
  const kg = await stalledKeyguard();
  const controller = new AbortController();
  const client = kg.createClient({ baseUrl: await closedPort(), apiKey: KEY, retry: { limit: 0 } } as never);
  const pending = client.get('/x', { signal: controller.signal } as never);
  setTimeout(() => controller.abort(new Error('user gave up')), 300);
  const outcome = await within(pending, 3000);
  expect(outcome).toMatchObject({ settled: 'rejected' });
});
