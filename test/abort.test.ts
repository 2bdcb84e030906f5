import { delay, HttpResponse, http } from 'msw';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type ClientOptions, createClient, InvalidApiKeyError, ServerError, TimeoutError } from '../src/index.js';
import { BASE, useMsw } from './helpers/msw.js';

const server = useMsw();
const KEY = 'sk-live-4f9a2c7e1b3d5f60';
const NEW_KEY = 'sk-live-8e1d3b5a7c9f2e40';

function makeClient(options: Partial<ClientOptions> = {}) {
  return createClient({ baseUrl: BASE, apiKey: KEY, ...options });
}

/** Every unhandled rejection in this file fails it (vitest reports them too; this names the test). */
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeAll(() => {
  process.on('unhandledRejection', onUnhandled);
});
afterEach(async () => {
  vi.useRealTimers();
  // Let late rejections surface before checking.
  await new Promise((resolve) => setTimeout(resolve, 20));
  expect(unhandled).toEqual([]);
});
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
});

/** Settles a promise into a value, recording when it settled. */
function track<T>(promise: Promise<T>) {
  const started = performance.now();
  let settledAfterMs: number | undefined;
  const outcome = promise.then(
    (value) => {
      settledAfterMs = performance.now() - started;
      return { ok: true as const, value };
    },
    (error: unknown) => {
      settledAfterMs = performance.now() - started;
      return { ok: false as const, error };
    },
  );
  return { outcome, settled: () => settledAfterMs !== undefined, ms: () => settledAfterMs };
}

/** A handler that waits up to `ms` (real time) or until the client gives up on the request. */
function slow(ms: number, count: { n: number }, reply: () => Response = () => HttpResponse.json({ ok: true })) {
  return http.get(`${BASE}/slow`, async ({ request }) => {
    count.n += 1;
    await Promise.race([delay(ms), new Promise((resolve) => request.signal.addEventListener('abort', resolve, { once: true }))]);
    return reply();
  });
}

describe('abort before the request starts', () => {
  it('rejects with the platform AbortError and sends nothing', async () => {
    const count = { n: 0 };
    server.use(slow(0, count));
    const controller = new AbortController();
    controller.abort();
    const error = await makeClient()
      .get('/slow', { signal: controller.signal })
      .catch((e: unknown) => e);
    expect(error).toBe(controller.signal.reason);
    expect(error).toBeInstanceOf(DOMException);
    expect((error as DOMException).name).toBe('AbortError');
    expect(count.n).toBe(0);
  });

  it('rejects with a custom reason as is', async () => {
    const count = { n: 0 };
    server.use(slow(0, count));
    const reason = { code: 'user-cancelled' };
    const error = await makeClient()
      .get('/slow', { signal: AbortSignal.abort(reason) })
      .catch((e: unknown) => e);
    expect(error).toBe(reason);
    expect(count.n).toBe(0);
  });
});

describe('abort in flight', () => {
  it('rejects promptly with signal.reason and does not retry', async () => {
    const count = { n: 0 };
    server.use(slow(5000, count));
    const controller = new AbortController();
    const tracked = track(makeClient().get('/slow', { signal: controller.signal }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(count.n).toBe(1);
    controller.abort();
    const outcome = await tracked.outcome;
    expect(outcome.ok).toBe(false);
    expect((outcome as { error: unknown }).error).toBe(controller.signal.reason);
    expect(tracked.ms()).toBeLessThan(1000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(count.n).toBe(1);
  });

  it.each([
    ['an Error subclass', new (class CancelledByUser extends Error {})('cancelled')],
    ['a plain object', { code: 'user-cancelled' }],
    ['a string', 'stop now'],
  ])('preserves %s as the rejection', async (_, reason) => {
    const count = { n: 0 };
    server.use(slow(5000, count));
    const controller = new AbortController();
    const tracked = track(makeClient().get('/slow', { signal: controller.signal }));
    await new Promise((resolve) => setTimeout(resolve, 30));
    controller.abort(reason);
    const outcome = await tracked.outcome;
    expect(outcome).toEqual({ ok: false, error: reason });
    expect((outcome as { error: unknown }).error).toBe(reason);
    expect(count.n).toBe(1);
  });
});

describe('abort during a backoff delay', () => {
  it('rejects at once and sends no further attempt', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    let n = 0;
    server.use(
      http.get(`${BASE}/thing`, () => {
        n += 1;
        return HttpResponse.json({ error: 'unavailable' }, { status: 503 });
      }),
    );
    const controller = new AbortController();
    const tracked = track(makeClient().get('/thing', { signal: controller.signal }));
    await vi.advanceTimersByTimeAsync(200); // The first delay is 375–500 ms: now it is sleeping.
    expect(n).toBe(1);
    expect(tracked.settled()).toBe(false);
    const reason = new Error('user navigated away');
    controller.abort(reason);
    await vi.advanceTimersByTimeAsync(0); // Nothing needs to fire for it to reject.
    expect(tracked.settled()).toBe(true);
    expect(await tracked.outcome).toEqual({ ok: false, error: reason });
    await vi.advanceTimersByTimeAsync(30_000);
    expect(n).toBe(1);
    expect(vi.getTimerCount()).toBe(0); // The backoff timer was cleared.
  });

  it('rejects at once during a long Retry-After wait', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    let n = 0;
    server.use(
      http.get(`${BASE}/thing`, () => {
        n += 1;
        return HttpResponse.json({ error: 'slow down' }, { status: 429, headers: { 'retry-after': '30' } });
      }),
    );
    const controller = new AbortController();
    const tracked = track(makeClient().get('/thing', { signal: controller.signal }));
    await vi.advanceTimersByTimeAsync(10_000);
    controller.abort('cancelled');
    await vi.advanceTimersByTimeAsync(0);
    expect(await tracked.outcome).toEqual({ ok: false, error: 'cancelled' });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(n).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('abort while waiting for a key refresh', () => {
  /** A 401 on the first request, then 200; an onKeyInvalid hook that answers only when told to. */
  function slowHook() {
    const seen: Array<string | null> = [];
    server.use(
      http.get(`${BASE}/me`, ({ request }) => {
        seen.push(request.headers.get('authorization'));
        return request.headers.get('authorization') === `Bearer ${NEW_KEY}`
          ? HttpResponse.json({ ok: true })
          : HttpResponse.json({ error: { code: 'api_key_expired', message: 'The API key provided has expired.' } }, { status: 401 });
      }),
    );
    let answer!: (key: string) => void;
    const onKeyInvalid = vi.fn(() => new Promise<string>((resolve) => (answer = resolve)));
    return { seen, onKeyInvalid, answer: (key: string) => answer(key) };
  }

  it.each([
    ['the platform AbortError', undefined],
    ['a custom Error', new Error('cancelled by the user')],
    ['a plain object', { code: 'user-cancelled' }],
    ['a string', 'stop now'],
  ])('rejects within a few hundred ms with %s, and the refresh still completes for others', async (_, reason) => {
    const hook = slowHook();
    const client = makeClient({ onKeyInvalid: hook.onKeyInvalid });
    const controller = new AbortController();
    const tracked = track(client.get('/me', { signal: controller.signal }));
    await vi.waitFor(() => expect(hook.onKeyInvalid).toHaveBeenCalledTimes(1));
    expect(tracked.settled()).toBe(false);
    const abortedAt = performance.now();
    controller.abort(reason);
    const outcome = await tracked.outcome;
    expect(performance.now() - abortedAt).toBeLessThan(300);
    expect(outcome.ok).toBe(false);
    expect((outcome as { error: unknown }).error).toBe(controller.signal.reason);
    if (reason !== undefined) expect((outcome as { error: unknown }).error).toBe(reason);
    else expect((outcome as { error: DOMException }).error.name).toBe('AbortError');
    expect(hook.seen).toHaveLength(1); // Not replayed.

    // The hook answers later: the new key is installed, nothing is unhandled, the next request uses it.
    hook.answer(NEW_KEY);
    await new Promise((resolve) => setTimeout(resolve, 0)); // Let the refresh install the key.
    await expect(client.get('/me')).resolves.toEqual({ ok: true });
    expect(hook.onKeyInvalid).toHaveBeenCalledTimes(1);
    expect(hook.seen).toEqual([`Bearer ${KEY}`, `Bearer ${NEW_KEY}`]);
  });

  it('an aborted waiter does not cancel another request waiting on the same refresh', async () => {
    const hook = slowHook();
    const client = makeClient({ onKeyInvalid: hook.onKeyInvalid });
    const controller = new AbortController();
    const aborted = track(client.get('/me', { signal: controller.signal }));
    const other = track(client.get('/me'));
    await vi.waitFor(() => expect(hook.seen).toHaveLength(2));
    await vi.waitFor(() => expect(hook.onKeyInvalid).toHaveBeenCalledTimes(1));
    controller.abort();
    expect((await aborted.outcome).ok).toBe(false);
    hook.answer(NEW_KEY);
    expect(await other.outcome).toEqual({ ok: true, value: { ok: true } });
    expect(hook.onKeyInvalid).toHaveBeenCalledTimes(1);
  });
});

describe('timeoutMs', () => {
  it('fails each attempt that runs past timeoutMs with TimeoutError, and retries it', async () => {
    const count = { n: 0 };
    server.use(slow(2000, count));
    const tracked = track(makeClient({ timeoutMs: 50, retry: { retries: 2, minDelayMs: 1, maxDelayMs: 1 } }).get('/slow'));
    const outcome = await tracked.outcome;
    expect(outcome.ok).toBe(false);
    const error = (outcome as { error: TimeoutError }).error;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.name).toBe('TimeoutError');
    expect(error.timeoutMs).toBe(50);
    expect(error.attempts).toBe(3);
    expect(error.message).toBe(`GET ${BASE}/slow timed out after 50 ms.`);
    expect(count.n).toBe(3);
    expect(tracked.ms()).toBeGreaterThanOrEqual(150);
    expect(tracked.ms()).toBeLessThan(1500);
  });

  it('is per attempt: three attempts of 100 ms each succeed under a 250 ms timeout', async () => {
    let n = 0;
    server.use(
      http.get(`${BASE}/thing`, async () => {
        n += 1;
        await delay(100);
        return n < 3 ? HttpResponse.json({ error: 'busy' }, { status: 503 }) : HttpResponse.json({ ok: n });
      }),
    );
    const tracked = track(makeClient({ timeoutMs: 250, retry: { minDelayMs: 1, maxDelayMs: 1 } }).get('/thing'));
    expect(await tracked.outcome).toEqual({ ok: true, value: { ok: 3 } });
    expect(tracked.ms()).toBeGreaterThan(290); // Longer than one timeout in all.
  });

  it('recovers when a timed-out attempt is followed by a fast one', async () => {
    let n = 0;
    server.use(
      http.get(`${BASE}/thing`, async ({ request }) => {
        n += 1;
        if (n === 1) await Promise.race([delay(2000), new Promise((r) => request.signal.addEventListener('abort', r))]);
        return HttpResponse.json({ attempt: n });
      }),
    );
    const value = await makeClient({ retry: { minDelayMs: 1, maxDelayMs: 1 } }).get('/thing', { timeoutMs: 150 });
    expect(value).toEqual({ attempt: 2 });
  });

  it('does not retry a timed-out POST without an idempotencyKey', async () => {
    let n = 0;
    server.use(
      http.post(`${BASE}/slow`, async ({ request }) => {
        n += 1;
        await Promise.race([delay(2000), new Promise((r) => request.signal.addEventListener('abort', r))]);
        return HttpResponse.json({});
      }),
    );
    const error = await makeClient({ timeoutMs: 40 })
      .post('/slow', { body: {} })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).attempts).toBe(1);
    expect(n).toBe(1);
  });

  it('a user abort wins over the timeout: it rejects with the reason, not TimeoutError', async () => {
    const count = { n: 0 };
    server.use(slow(2000, count));
    const error = await makeClient({ timeoutMs: 1000 })
      .get('/slow', { signal: AbortSignal.timeout(30) })
      .catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(TimeoutError);
    expect((error as DOMException).name).toBe('TimeoutError'); // AbortSignal.timeout's own DOMException.
    expect(error).toBeInstanceOf(DOMException);
    expect(count.n).toBe(1);
  });

  it('a 503 after an abort-free timeout chain ends with the last error class', async () => {
    let n = 0;
    server.use(
      http.get(`${BASE}/thing`, async ({ request }) => {
        n += 1;
        if (n < 3) await Promise.race([delay(2000), new Promise((r) => request.signal.addEventListener('abort', r))]);
        return HttpResponse.json({ error: 'unavailable' }, { status: 503 });
      }),
    );
    const error = await makeClient({ timeoutMs: 150, retry: { minDelayMs: 1, maxDelayMs: 1 } })
      .get('/thing')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect((error as ServerError).attempts).toBe(3);
    expect(n).toBe(3);
  });
});

describe('no key error leaks into the retry loop on abort', () => {
  it('an abort while the hook runs never reports the InvalidApiKeyError', async () => {
    server.use(
      http.get(`${BASE}/me`, () =>
        HttpResponse.json({ error: { code: 'api_key_revoked', message: 'This key was revoked.' } }, { status: 401 }),
      ),
    );
    let release!: () => void;
    const onKeyInvalid = vi.fn(() => new Promise<undefined>((resolve) => (release = () => resolve(undefined))));
    const controller = new AbortController();
    const pending = makeClient({ onKeyInvalid })
      .get('/me', { signal: controller.signal })
      .catch((e: unknown) => e);
    await vi.waitFor(() => expect(onKeyInvalid).toHaveBeenCalledTimes(1));
    controller.abort('bye');
    const error = await pending;
    expect(error).toBe('bye');
    expect(error).not.toBeInstanceOf(InvalidApiKeyError);
    release(); // The hook gives up after the abort: its rejection must not be unhandled.
  });
});

describe('a custom fetch that ignores the abort signal', () => {
  // E.g. a wrapper that rebuilds the Request and loses its signal, or a polyfill without abort support.
  const pending = new Set<ReturnType<typeof setTimeout>>();
  afterEach(() => {
    for (const timer of pending) clearTimeout(timer);
    pending.clear();
  });
  /** Answers 200 after `ms`, whatever happens to the signal. Counts calls. */
  function deafFetch(ms: number) {
    const calls = { n: 0 };
    const fetch: typeof globalThis.fetch = () => {
      calls.n += 1;
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          pending.delete(timer);
          resolve(new Response(JSON.stringify({ late: true }), { headers: { 'content-type': 'application/json' } }));
        }, ms);
        pending.add(timer);
      });
    };
    return { fetch, calls };
  }

  it('still fails each attempt at timeoutMs with TimeoutError, and retries it', async () => {
    const deaf = deafFetch(1000);
    const tracked = track(
      makeClient({ fetch: deaf.fetch, timeoutMs: 50, retry: { retries: 1, minDelayMs: 1, maxDelayMs: 1 } }).get('/thing'),
    );
    const outcome = await tracked.outcome;
    expect(outcome.ok).toBe(false);
    expect((outcome as { error: unknown }).error).toBeInstanceOf(TimeoutError);
    expect((outcome as { error: TimeoutError }).error.attempts).toBe(2);
    expect(deaf.calls.n).toBe(2);
    expect(tracked.ms()).toBeLessThan(600);
  });

  it('still rejects at once with the reason when the caller aborts in flight', async () => {
    const deaf = deafFetch(1000);
    const controller = new AbortController();
    const tracked = track(makeClient({ fetch: deaf.fetch }).get('/thing', { signal: controller.signal }));
    await new Promise((resolve) => setTimeout(resolve, 30));
    controller.abort('stop');
    const outcome = await tracked.outcome;
    expect(outcome).toEqual({ ok: false, error: 'stop' });
    expect(tracked.ms()).toBeLessThan(500);
    expect(deaf.calls.n).toBe(1);
  });
});
