import { HttpResponse, http } from 'msw';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TimeoutError } from '../src/errors/timeout-error.js';
import {
  ApiError,
  BadRequestError,
  type ClientOptions,
  ConflictError,
  ConnectionError,
  createClient,
  InvalidApiKeyError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  ServerError,
} from '../src/index.js';
import { backoffDelay, isRetryableMethod, isTransient, parseRetryAfter } from '../src/internal/retry.js';
import { DEFAULT_RETRY, type RetryPolicy } from '../src/options.js';
import { BASE, useMsw } from './helpers/msw.js';

const server = useMsw();
const KEY = 'sk-live-4f9a2c7e1b3d5f60';
const NEW_KEY = 'sk-live-8e1d3b5a7c9f2e40';
/** A whole second, so HTTP dates (second resolution) are exact. */
const T0 = Date.UTC(2025, 0, 1, 0, 0, 0);

type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** Starts the request and turns its outcome into a value at once, so a rejection is never "unhandled" while timers run. */
function track<T>(promise: Promise<T>): { outcome: Promise<Outcome<T>>; settled: () => boolean } {
  let done = false;
  const outcome = promise.then(
    (value): Outcome<T> => {
      done = true;
      return { ok: true, value };
    },
    (error: unknown): Outcome<T> => {
      done = true;
      return { ok: false, error };
    },
  );
  return { outcome, settled: () => done };
}

/** Runs a request to completion under fake timers (advancing up to `ms`), and returns its outcome. */
async function settle<T>(promise: Promise<T>, ms = 120_000): Promise<Outcome<T>> {
  const tracked = track(promise);
  await vi.advanceTimersByTimeAsync(ms);
  expect(tracked.settled()).toBe(true);
  return tracked.outcome;
}

/** The request's rejection, under fake timers. Fails if it resolved. */
async function failure(promise: Promise<unknown>, ms?: number): Promise<Error & Record<string, unknown>> {
  const outcome = await settle(promise, ms);
  if (outcome.ok) throw new Error(`expected a rejection, got ${JSON.stringify(outcome.value)}`);
  return outcome.error as Error & Record<string, unknown>;
}

interface Seen {
  method: string;
  at: number;
  authorization: string | null;
  idempotencyKey: string | null;
  body: string;
}

/** Answers each request with the next reply (the last one repeats), recording what arrived and when (fake time). */
function serve(method: 'get' | 'post' | 'put' | 'patch' | 'delete' | 'head' | 'options' | 'all', replies: Array<() => Response>) {
  const seen: Seen[] = [];
  server.use(
    http[method](`${BASE}/thing`, async ({ request }) => {
      seen.push({
        method: request.method,
        at: Date.now(),
        authorization: request.headers.get('authorization'),
        idempotencyKey: request.headers.get('idempotency-key'),
        body: await request.text(),
      });
      const reply = replies[Math.min(seen.length - 1, replies.length - 1)]!;
      return reply();
    }),
  );
  return seen;
}

const status =
  (code: number, headers?: Record<string, string>, body: unknown = { error: { message: `status ${code}` } }) =>
  () =>
    HttpResponse.json(body as Record<string, unknown>, { status: code, headers });
const ok =
  (body: Record<string, unknown> = { ok: true }) =>
  () =>
    HttpResponse.json(body);
const networkError = () => HttpResponse.error();
const keyRejected = () =>
  HttpResponse.json({ error: { code: 'api_key_expired', message: 'The API key provided has expired.' } }, { status: 401 });

function makeClient(options: Partial<ClientOptions> = {}) {
  return createClient({ baseUrl: BASE, apiKey: KEY, ...options });
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  vi.setSystemTime(T0);
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('which failures are retried', () => {
  it.each([
    [408, ApiError],
    [409, ConflictError],
    [429, RateLimitError],
    [500, ServerError],
    [502, ServerError],
    [503, ServerError],
    [504, ServerError],
  ] as const)('retries a %i twice by default (3 requests), then throws %o', async (code, ErrorClass) => {
    const seen = serve('get', [status(code)]);
    const error = await failure(makeClient().get('/thing'));
    expect(seen).toHaveLength(3);
    expect(error).toBeInstanceOf(ErrorClass);
    expect(error.constructor).toBe(ErrorClass);
    expect(error.status).toBe(code);
    expect(error.attempts).toBe(3);
  });

  it('retries a connection error (no response) and throws ConnectionError with attempts 3', async () => {
    const seen = serve('get', [networkError]);
    const error = await failure(makeClient().get('/thing'));
    expect(seen).toHaveLength(3);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.name).toBe('ConnectionError');
    expect(error.attempts).toBe(3);
    expect(error.cause).toBeInstanceOf(TypeError);
  });

  it('resolves when a retry succeeds', async () => {
    const seen = serve('get', [status(503), networkError, ok({ id: 42 })]);
    const outcome = await settle(makeClient().get('/thing'));
    expect(outcome).toEqual({ ok: true, value: { id: 42 } });
    expect(seen).toHaveLength(3);
  });

  it.each([
    [400, BadRequestError],
    [403, PermissionDeniedError],
    [404, NotFoundError],
    [422, BadRequestError],
  ] as const)('does not retry a %i (1 request, %o)', async (code, ErrorClass) => {
    const seen = serve('get', [status(code, undefined, { error: { message: 'nope' } })]);
    const error = await failure(makeClient().get('/thing'));
    expect(seen).toHaveLength(1);
    expect(error.constructor).toBe(ErrorClass);
    expect(error.status).toBe(code);
    expect(error.attempts).toBe(1);
  });

  it('does not retry a 401 key error (1 request, InvalidApiKeyError) when there is no hook', async () => {
    const seen = serve('get', [keyRejected]);
    const error = await failure(makeClient().get('/thing'));
    expect(seen).toHaveLength(1);
    expect(error).toBeInstanceOf(InvalidApiKeyError);
    expect(error.reason).toBe('expired');
    expect(error.status).toBe(401);
    expect(error.attempts).toBe(1);
  });

  it('does not retry a 401 that is not a key error (plain ApiError)', async () => {
    const seen = serve('get', [
      status(401, undefined, { error: { message: 'This account is on hold until the invoice is paid: see billing.' } }),
    ]);
    const client = makeClient({ classifyKeyError: () => null });
    const error = await failure(client.get('/thing'));
    expect(seen).toHaveLength(1);
    expect(error.constructor).toBe(ApiError);
    expect(error.status).toBe(401);
  });
});

describe('the retry option', () => {
  it('sends 3 requests by default (2 retries)', async () => {
    const seen = serve('get', [status(503)]);
    await failure(makeClient().get('/thing'));
    expect(seen).toHaveLength(3);
  });

  it.each([false, 0] as const)('sends 1 request with retry: %s on the client', async (retry) => {
    const seen = serve('get', [status(503)]);
    const error = await failure(makeClient({ retry }).get('/thing'));
    expect(seen).toHaveLength(1);
    expect(error).toBeInstanceOf(ServerError);
    expect(error.attempts).toBe(1);
  });

  it.each([false, 0] as const)('sends 1 request with retry: %s on the request', async (retry) => {
    const seen = serve('get', [status(503)]);
    await failure(makeClient().get('/thing', { retry }));
    expect(seen).toHaveLength(1);
  });

  it('takes a count on the client', async () => {
    const seen = serve('get', [status(503)]);
    const error = await failure(makeClient({ retry: 4 }).get('/thing'));
    expect(seen).toHaveLength(5);
    expect(error.attempts).toBe(5);
  });

  it('lets a request override the client policy, both ways', async () => {
    const seen = serve('get', [status(503)]);
    await failure(makeClient({ retry: false }).get('/thing', { retry: 3 }));
    expect(seen).toHaveLength(4);

    seen.length = 0;
    await failure(makeClient({ retry: 5 }).get('/thing', { retry: false }));
    expect(seen).toHaveLength(1);

    seen.length = 0;
    await failure(makeClient({ retry: { retries: 1 } }).get('/thing', { retry: { minDelayMs: 10 } }));
    expect(seen).toHaveLength(2); // The request's fields merge over the client's policy.
  });

  it('replaces the default statuses with `statuses`', async () => {
    const teapot = serve('get', [status(418)]);
    await failure(makeClient({ retry: { statuses: [418] } }).get('/thing'));
    expect(teapot).toHaveLength(3);

    const unavailable = serve('get', [status(503)]);
    const error = await failure(makeClient({ retry: { statuses: [418] } }).get('/thing'));
    expect(unavailable).toHaveLength(1);
    expect(error).toBeInstanceOf(ServerError);
  });

  it('still retries connection errors when `statuses` is empty', async () => {
    const seen = serve('get', [networkError]);
    await failure(makeClient({ retry: { statuses: [] } }).get('/thing'));
    expect(seen).toHaveLength(3);
  });

  it('replaces the default methods with `methods` (case-insensitive)', async () => {
    const put = serve('put', [status(503)]);
    await failure(makeClient({ retry: { methods: ['get'] } }).put('/thing'));
    expect(put).toHaveLength(1);

    const post = serve('post', [status(503)]);
    await failure(makeClient({ retry: { methods: ['post'] } }).post('/thing', { body: { a: 1 } }));
    expect(post).toHaveLength(3);
  });

  it.each(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'] as const)('retries %s by default', async (method) => {
    const seen = serve('all', [status(503)]);
    await failure(makeClient().request({ method, path: '/thing' }));
    expect(seen).toHaveLength(3);
    expect(seen.every((s) => s.method === method)).toBe(true);
  });
});

describe('backoff', () => {
  it('waits 375–500 ms before the first retry, then longer each time', async () => {
    const seen = serve('get', [status(503)]);
    const tracked = track(makeClient({ retry: 3 }).get('/thing'));
    await vi.advanceTimersByTimeAsync(374);
    expect(seen).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(126); // t = 500
    expect(seen).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(tracked.settled()).toBe(true);
    expect(seen).toHaveLength(4);
    const gaps = seen.slice(1).map((s, i) => s.at - seen[i]!.at);
    expect(gaps[0]).toBeGreaterThanOrEqual(375);
    expect(gaps[0]).toBeLessThanOrEqual(500);
    expect(gaps[1]).toBeGreaterThanOrEqual(750);
    expect(gaps[1]).toBeLessThanOrEqual(1000);
    expect(gaps[2]).toBeGreaterThanOrEqual(1500);
    expect(gaps[2]).toBeLessThanOrEqual(2000);
  });

  it('uses the given minDelayMs and caps the backoff at maxDelayMs', async () => {
    const seen = serve('get', [networkError]);
    await failure(makeClient({ retry: { retries: 5, minDelayMs: 100, maxDelayMs: 300 } }).get('/thing'));
    expect(seen).toHaveLength(6);
    const gaps = seen.slice(1).map((s, i) => s.at - seen[i]!.at);
    // 100, 200, then capped at 300 (each less up to 25 % jitter).
    const bounds = [
      [75, 100],
      [150, 200],
      [225, 300],
      [225, 300],
      [225, 300],
    ];
    gaps.forEach((gap, i) => {
      expect(gap).toBeGreaterThanOrEqual(bounds[i]![0]!);
      expect(gap).toBeLessThanOrEqual(bounds[i]![1]!);
    });
  });

  it('waits exactly the computed delay: jitter scales the delay by 0.75–1', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const seen = serve('get', [status(502)]);
    const tracked = track(makeClient().get('/thing'));
    await vi.advanceTimersByTimeAsync(374);
    expect(seen).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(seen).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(749);
    expect(seen).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(seen).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(0);
    expect(tracked.settled()).toBe(true);
  });

  it('backoffDelay: about minDelayMs first, doubling, capped, with jitter in [0.75, 1]', () => {
    const policy: RetryPolicy = { ...DEFAULT_RETRY };
    expect([0, 1, 2, 3, 4, 5].map((n) => backoffDelay(n, policy, () => 0.999999))).toEqual([500, 1000, 2000, 4000, 8000, 8000]);
    expect([0, 1, 2, 3, 4, 5].map((n) => backoffDelay(n, policy, () => 0))).toEqual([375, 750, 1500, 3000, 6000, 6000]);
    expect(backoffDelay(40, policy, () => 0.5)).toBe(7000);
    expect(backoffDelay(0, { ...policy, minDelayMs: 0 }, Math.random)).toBe(0);
  });
});

describe('Retry-After', () => {
  it('waits the seconds of Retry-After on a 429, not the backoff', async () => {
    const seen = serve('get', [status(429, { 'retry-after': '2' }), ok()]);
    const tracked = track(makeClient().get('/thing'));
    await vi.advanceTimersByTimeAsync(1999);
    expect(seen).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(seen).toHaveLength(2);
    expect(await tracked.outcome).toEqual({ ok: true, value: { ok: true } });
  });

  it.each([408, 409, 503])('honours Retry-After on a %i too', async (code) => {
    const seen = serve('get', [status(code, { 'retry-after': '3' }), ok()]);
    const tracked = track(makeClient().get('/thing'));
    await vi.advanceTimersByTimeAsync(2999);
    expect(seen).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(seen).toHaveLength(2);
    expect(await tracked.outcome).toEqual({ ok: true, value: { ok: true } });
  });

  it('waits until the HTTP date of Retry-After', async () => {
    const seen = serve('get', [() => status(503, { 'retry-after': new Date(Date.now() + 3000).toUTCString() })(), ok()]);
    const tracked = track(makeClient().get('/thing'));
    await vi.advanceTimersByTimeAsync(2999);
    expect(seen).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(seen).toHaveLength(2);
    expect((await tracked.outcome).ok).toBe(true);
  });

  it('treats an HTTP date in the past as "retry now"', async () => {
    const seen = serve('get', [() => status(503, { 'retry-after': new Date(Date.now() - 60_000).toUTCString() })(), ok()]);
    const tracked = track(makeClient().get('/thing'));
    await vi.advanceTimersByTimeAsync(0);
    expect(seen).toHaveLength(2);
    expect((await tracked.outcome).ok).toBe(true);
  });

  it('honours retry-after-ms (over Retry-After)', async () => {
    const seen = serve('get', [status(429, { 'retry-after-ms': '150', 'retry-after': '30' }), ok()]);
    const tracked = track(makeClient().get('/thing'));
    await vi.advanceTimersByTimeAsync(149);
    expect(seen).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(seen).toHaveLength(2);
    expect((await tracked.outcome).ok).toBe(true);
  });

  it('honours a Retry-After longer than maxDelayMs (that caps the backoff only)', async () => {
    const seen = serve('get', [status(503, { 'retry-after': '20' }), ok()]);
    const tracked = track(makeClient({ retry: { maxDelayMs: 1000 } }).get('/thing'));
    await vi.advanceTimersByTimeAsync(19_999);
    expect(seen).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(seen).toHaveLength(2);
    expect((await tracked.outcome).ok).toBe(true);
  });

  it('throws at once, with retryAfterMs, when Retry-After is above maxRetryAfterMs (default 60 s)', async () => {
    const seen = serve('get', [status(429, { 'retry-after': '120' }), ok()]);
    const tracked = track(makeClient().get('/thing'));
    await vi.advanceTimersByTimeAsync(0); // No timer needs to fire: it is not waiting.
    expect(tracked.settled()).toBe(true);
    const outcome = await tracked.outcome;
    expect(outcome.ok).toBe(false);
    const error = (outcome as { error: RateLimitError }).error;
    expect(error.constructor).toBe(RateLimitError);
    expect(error.retryAfterMs).toBe(120_000);
    expect(error.attempts).toBe(1);
    expect(seen).toHaveLength(1);
  });

  it('throws a ServerError at once when retry-after-ms is above a custom maxRetryAfterMs', async () => {
    const seen = serve('get', [status(503, { 'retry-after-ms': '1500' }), ok()]);
    const tracked = track(makeClient({ retry: { maxRetryAfterMs: 1000 } }).get('/thing'));
    await vi.advanceTimersByTimeAsync(0);
    expect(tracked.settled()).toBe(true);
    const error = ((await tracked.outcome) as { error: ServerError }).error;
    expect(error.constructor).toBe(ServerError);
    expect(error.retryAfterMs).toBe(1500);
    expect(seen).toHaveLength(1);
  });

  it('sets retryAfterMs on the final error after the retries run out', async () => {
    const seen = serve('get', [status(429, { 'retry-after': '1' })]);
    const error = await failure(makeClient().get('/thing'));
    expect(seen).toHaveLength(3);
    expect(seen[1]!.at - seen[0]!.at).toBe(1000);
    expect(seen[2]!.at - seen[1]!.at).toBe(1000);
    expect(error.constructor).toBe(RateLimitError);
    expect(error.retryAfterMs).toBe(1000);
  });

  it('parseRetryAfter: seconds, HTTP date, retry-after-ms, garbage', () => {
    const h = (init: Record<string, string>) => new Headers(init);
    expect(parseRetryAfter(h({}))).toBeUndefined();
    expect(parseRetryAfter(h({ 'retry-after': '3' }))).toBe(3000);
    expect(parseRetryAfter(h({ 'retry-after': '0.5' }))).toBe(500);
    expect(parseRetryAfter(h({ 'retry-after': 'Wed, 01 Jan 2025 00:00:10 GMT' }), T0)).toBe(10_000);
    expect(parseRetryAfter(h({ 'retry-after': 'Tue, 31 Dec 2024 23:59:00 GMT' }), T0)).toBe(0);
    expect(parseRetryAfter(h({ 'retry-after-ms': '250.2' }))).toBe(251);
    expect(parseRetryAfter(h({ 'retry-after': 'soon' }))).toBeUndefined();
    expect(parseRetryAfter(h({ 'retry-after': '-5' }))).toBeUndefined();
    expect(parseRetryAfter(h({ 'retry-after-ms': '-1', 'retry-after': '2' }))).toBe(2000);
    expect(parseRetryAfter(h({ 'retry-after-ms': 'later', 'retry-after': '2' }))).toBe(2000);
    // Only real HTTP dates: Date.parse alone reads '-5', 'soon 2030' and '1.5.2030' as dates.
    expect(parseRetryAfter(h({ 'retry-after': 'soon 2030' }), T0)).toBeUndefined();
    expect(parseRetryAfter(h({ 'retry-after': '1.5.2030' }), T0)).toBeUndefined();
    // The obsolete forms HTTP still allows; asctime is GMT although it says no zone.
    expect(parseRetryAfter(h({ 'retry-after': 'Wednesday, 01-Jan-25 00:00:10 GMT' }), T0)).toBe(10_000);
    expect(parseRetryAfter(h({ 'retry-after': 'Wed Jan  1 00:00:10 2025' }), T0)).toBe(10_000);
  });
});

describe('idempotency', () => {
  it.each(['post', 'patch'] as const)('does not retry %s without an idempotencyKey', async (method) => {
    const seen = serve(method, [status(503)]);
    const error = await failure(makeClient()[method]('/thing', { body: { name: 'ci' } }));
    expect(seen).toHaveLength(1);
    expect(seen[0]!.idempotencyKey).toBeNull();
    expect(error.constructor).toBe(ServerError);
    expect(error.attempts).toBe(1);
  });

  it('does not retry a POST connection error without an idempotencyKey', async () => {
    const seen = serve('post', [networkError]);
    const error = await failure(makeClient().post('/thing', { body: { name: 'ci' } }));
    expect(seen).toHaveLength(1);
    expect(error).toBeInstanceOf(ConnectionError);
  });

  it.each(['post', 'patch'] as const)(
    'retries %s with an idempotencyKey: same Idempotency-Key and same body bytes every attempt',
    async (method) => {
      const seen = serve(method, [status(503), networkError, ok({ id: 'k_1' })]);
      const body = { name: 'ci', tags: ['a', 'b'], nested: { n: 1.5, s: 'é ✓' } };
      const outcome = await settle(makeClient()[method]('/thing', { body, idempotencyKey: 'idem-123' }));
      expect(outcome).toEqual({ ok: true, value: { id: 'k_1' } });
      expect(seen).toHaveLength(3);
      expect(seen.map((s) => s.idempotencyKey)).toEqual(['idem-123', 'idem-123', 'idem-123']);
      expect(seen.map((s) => s.body)).toEqual([JSON.stringify(body), JSON.stringify(body), JSON.stringify(body)]);
    },
  );

  it('sends Idempotency-Key once, on a request that is not retried', async () => {
    const seen = serve('post', [ok()]);
    await settle(makeClient().post('/thing', { body: {}, idempotencyKey: 'idem-9' }));
    expect(seen.map((s) => s.idempotencyKey)).toEqual(['idem-9']);
  });

  it('does not retry a POST with an idempotencyKey when retry is false', async () => {
    const seen = serve('post', [status(503)]);
    await failure(makeClient().post('/thing', { body: {}, idempotencyKey: 'idem-1', retry: false }));
    expect(seen).toHaveLength(1);
  });

  it('isRetryableMethod', () => {
    expect(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'].map((m) => isRetryableMethod(m, DEFAULT_RETRY, undefined))).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(isRetryableMethod('POST', DEFAULT_RETRY, undefined)).toBe(false);
    expect(isRetryableMethod('PATCH', DEFAULT_RETRY, undefined)).toBe(false);
    expect(isRetryableMethod('POST', DEFAULT_RETRY, 'k')).toBe(true);
    expect(isRetryableMethod('PATCH', DEFAULT_RETRY, 'k')).toBe(true);
    expect(isRetryableMethod('PUT', { ...DEFAULT_RETRY, methods: ['GET'] }, undefined)).toBe(false);
  });

  it('isTransient', () => {
    const timeout = new TimeoutError('GET', 'u', 1);
    const connection = new ConnectionError('GET', 'u', {});
    const api = (s: number) => new ApiError({ status: s, message: 'x', body: undefined, headers: {}, method: 'GET', url: 'u' });
    expect(isTransient(timeout, DEFAULT_RETRY)).toBe(true);
    expect(isTransient(connection, DEFAULT_RETRY)).toBe(true);
    expect([408, 409, 429, 500, 502, 503, 504].every((s) => isTransient(api(s), DEFAULT_RETRY))).toBe(true);
    expect([400, 401, 403, 404, 422, 501, 505].some((s) => isTransient(api(s), DEFAULT_RETRY))).toBe(false);
    expect(isTransient(new Error('x'), DEFAULT_RETRY)).toBe(false);
    expect(isTransient(api(418), { ...DEFAULT_RETRY, statuses: [418] })).toBe(true);
  });
});

describe('key replays and retries together', () => {
  it('503 → 401 → 200: retries, then replays with the hook key once (3 requests, hook once)', async () => {
    const seen = serve('get', [status(503), keyRejected, ok({ id: 7 })]);
    const onKeyInvalid = vi.fn((_error: InvalidApiKeyError) => NEW_KEY);
    const outcome = await settle(makeClient({ onKeyInvalid }).get('/thing'));
    expect(outcome).toEqual({ ok: true, value: { id: 7 } });
    expect(onKeyInvalid).toHaveBeenCalledTimes(1);
    expect(onKeyInvalid.mock.calls[0]![0]).toBeInstanceOf(InvalidApiKeyError);
    expect(seen.map((s) => s.authorization)).toEqual([`Bearer ${KEY}`, `Bearer ${KEY}`, `Bearer ${NEW_KEY}`]);
  });

  it('401 → 503 → 200: a replayed request that hits a transient error is still retried', async () => {
    const seen = serve('get', [keyRejected, status(503), ok()]);
    const onKeyInvalid = vi.fn(() => NEW_KEY);
    const outcome = await settle(makeClient({ onKeyInvalid }).get('/thing'));
    expect(outcome.ok).toBe(true);
    expect(onKeyInvalid).toHaveBeenCalledTimes(1);
    expect(seen.map((s) => s.authorization)).toEqual([`Bearer ${KEY}`, `Bearer ${NEW_KEY}`, `Bearer ${NEW_KEY}`]);
  });

  it('is bounded when everything fails: (retries + 1) + maxKeyRefreshes requests at most', async () => {
    // 503, 401, 503, 401, … and a hook that always has a fresh key.
    let n = 0;
    const seen = serve('get', [() => (seen.length % 2 === 1 ? status(503)() : keyRejected())]);
    const onKeyInvalid = vi.fn(() => `sk-live-fresh-key-${++n}-000000`);
    const error = await failure(makeClient({ onKeyInvalid }).get('/thing'));
    // 1: 503 (retry 1), 2: 401 (replay 1), 3: 503 (retry 2), 4: 401 (no replays left).
    expect(seen).toHaveLength(4);
    expect(onKeyInvalid).toHaveBeenCalledTimes(1);
    expect(error).toBeInstanceOf(InvalidApiKeyError);
    expect(error.attempts).toBe(4);
  });

  it('is bounded with a larger policy too: retries 3 and maxKeyRefreshes 2 → at most 6 requests', async () => {
    let n = 0;
    const seen = serve('get', [() => (seen.length % 2 === 1 ? status(503)() : keyRejected())]);
    const onKeyInvalid = vi.fn(() => `sk-live-fresh-key-${++n}-000000`);
    const error = await failure(makeClient({ onKeyInvalid, maxKeyRefreshes: 2, retry: 3 }).get('/thing'));
    // 503 r1, 401 k1, 503 r2, 401 k2, 503 r3, 401 → no replays left.
    expect(seen).toHaveLength(6);
    expect(onKeyInvalid).toHaveBeenCalledTimes(2);
    expect(error).toBeInstanceOf(InvalidApiKeyError);
    expect(error.attempts).toBe(6);
  });

  it('a key rejected every time is replayed maxKeyRefreshes times and never retried', async () => {
    let n = 0;
    const seen = serve('get', [keyRejected]);
    const onKeyInvalid = vi.fn(() => `sk-live-fresh-key-${++n}-000000`);
    const error = await failure(makeClient({ onKeyInvalid, maxKeyRefreshes: 2 }).get('/thing'));
    expect(seen).toHaveLength(3);
    expect(onKeyInvalid).toHaveBeenCalledTimes(2);
    expect(error).toBeInstanceOf(InvalidApiKeyError);
    expect(error.attempts).toBe(3);
  });

  it('a transient failure every time after a replay stops at the retry limit', async () => {
    const seen = serve('get', [keyRejected, status(503)]);
    const onKeyInvalid = vi.fn(() => NEW_KEY);
    const error = await failure(makeClient({ onKeyInvalid }).get('/thing'));
    // 401 → replay → 503, 503, 503: the replay is not a retry.
    expect(seen).toHaveLength(4);
    expect(onKeyInvalid).toHaveBeenCalledTimes(1);
    expect(error.constructor).toBe(ServerError);
    expect(error.attempts).toBe(4);
  });
});

describe('logging', () => {
  it.each([
    ['bearer', undefined],
    ['query', { type: 'query', name: 'api_key' }],
    ['header', { type: 'header', name: 'x-api-key' }],
  ] as const)('logs retries with logger.debug and never the key (auth: %s)', async (_, auth) => {
    const lines: string[] = [];
    const write = (...args: unknown[]) => lines.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
    const logger = { debug: write, info: write, warn: write, error: write };
    const seen = serve('get', [status(503, { 'retry-after-ms': '10' }), ok()]);
    server.use(http.get(`${BASE}/thing`, () => HttpResponse.error(), { once: true })); // First: no response at all.
    const outcome = await settle(makeClient({ logger, ...(auth ? { auth } : {}) }).get('/thing'));
    expect(outcome.ok).toBe(true);
    expect(seen).toHaveLength(2);
    const retrying = lines.filter((l) => /retrying GET .*\/thing/.test(l));
    expect(retrying).toHaveLength(2);
    expect(retrying[1]).toMatch(/in 10 ms/);
    expect(lines.filter((l) => /attempt \d failed/.test(l))).toHaveLength(2);
    expect(lines.join('\n')).not.toContain(KEY);
    expect(lines.join('\n')).not.toContain(KEY.slice(4, 16));
  });
});
