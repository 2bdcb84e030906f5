/**
 * The public SDK over real HTTP against the "API Service" simulator (no msw):
 * key expiry, revocation, single-flight refresh, every wire format, auth placements,
 * retries, and the typed endpoints of examples/api-service.ts.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createApiService } from '../examples/api-service.js';
import {
  ApiError,
  type AuthPlacement,
  BadRequestError,
  type ClientOptions,
  ConfigError,
  createClient,
  InvalidApiKeyError,
  type KeyErrorReason,
  NotFoundError,
  RateLimitError,
  ServerError,
} from '../src/index.js';
import { KEY_ERROR_FORMATS, type KeyRecord, type SimulatedKeyErrorReason, type Simulator, startSimulator } from '../src/testing/index.js';

let sim: Simulator;
beforeEach(async () => {
  sim = await startSimulator({ seed: 7 });
});
afterEach(() => sim.close());

/** Fast retries, so the tests do not wait for the production backoff. */
const FAST_RETRY = { minDelayMs: 1, maxDelayMs: 5 };

/** The API Service SDK over `sim`, holding `key`. */
const service = (key: KeyRecord | string | undefined, options: Partial<ClientOptions> = {}) =>
  createApiService({ baseUrl: sim.url, apiKey: key, retry: FAST_RETRY, ...options });

async function rejection<E extends Error = InvalidApiKeyError>(promise: Promise<unknown>): Promise<E> {
  try {
    await promise;
  } catch (error) {
    return error as E;
  }
  throw new Error('expected the request to reject');
}

describe('key expiry and revocation', () => {
  it('rotates a key that expires mid-run through onKeyInvalid and replays the request', async () => {
    let current = sim.issueKey({ label: 'app' });
    const onKeyInvalid = vi.fn((_error: InvalidApiKeyError) => {
      current = sim.rotateKey(current.id);
      return current;
    });
    const api = service(current, { onKeyInvalid });
    const first = await api.me();

    sim.expireKey(first.keyId);
    const second = await api.me();

    expect(onKeyInvalid).toHaveBeenCalledTimes(1);
    const error = onKeyInvalid.mock.calls[0]?.[0];
    expect(error).toBeInstanceOf(InvalidApiKeyError);
    expect(error).toMatchObject({ reason: 'expired', source: 'server', status: 401, code: 'api_key_expired' });
    expect(second.keyId).toBe(current.id);
    expect(second.keyId).not.toBe(first.keyId);
    expect(sim.stats()).toMatchObject({ requests: 3, keyErrors: { expired: 1 } });
  });

  it('rejects a revoked key with InvalidApiKeyError reason revoked when no hook replaces it', async () => {
    const revoked = sim.issueKey();
    sim.revokeKey(revoked.id);

    const error = await rejection(service(revoked).me());

    expect(error).toBeInstanceOf(InvalidApiKeyError);
    expect(error).toMatchObject({
      name: 'InvalidApiKeyError',
      reason: 'revoked',
      source: 'server',
      status: 401,
      code: 'api_key_revoked',
      message: 'The API key provided has been revoked.',
      keyHint: `sk_l…${revoked.key.slice(-4)}`,
    });
    expect(error.hint).toMatch(/revoked/);
    expect(error.requestId).toMatch(/^req_[0-9a-f]{16}$/);
    expect(JSON.stringify(error)).not.toContain(revoked.key);
    expect(sim.stats()).toMatchObject({ requests: 1, keyErrors: { revoked: 1 } });
  });

  it('replays a request rejected for a revoked key once onKeyInvalid returns a new one', async () => {
    const revoked = sim.issueKey();
    sim.revokeKey(revoked.id);
    const replacement = sim.issueKey();
    const onKeyInvalid = vi.fn((_error: InvalidApiKeyError) => replacement);

    const me = await service(revoked, { onKeyInvalid }).me();

    expect(me.keyId).toBe(replacement.id);
    expect(onKeyInvalid).toHaveBeenCalledTimes(1);
    expect(onKeyInvalid.mock.calls[0]?.[0]).toMatchObject({ reason: 'revoked' });
    expect(sim.stats()).toMatchObject({ requests: 2, keyErrors: { revoked: 1 } });
  });

  it('refreshes exactly once for a burst of 100 concurrent requests with an expired key', async () => {
    const expired = sim.issueKey();
    sim.expireKey(expired.id);
    const replacement = sim.issueKey();
    const onKeyInvalid = vi.fn(async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return replacement;
    });
    const api = service(expired, { onKeyInvalid });

    const results = await Promise.all(Array.from({ length: 100 }, () => api.me()));

    expect(onKeyInvalid).toHaveBeenCalledTimes(1);
    expect(results).toHaveLength(100);
    for (const me of results) expect(me.keyId).toBe(replacement.id);
    const stats = sim.stats();
    expect(stats.requests).toBeLessThanOrEqual(200);
    expect(stats.requests - stats.keyErrors.expired).toBe(100);
  });
});

describe('wire formats', () => {
  const reasons: SimulatedKeyErrorReason[] = ['expired', 'revoked', 'malformed', 'missing'];
  const cases = KEY_ERROR_FORMATS.flatMap((format) =>
    reasons.map((sent) => ({
      format,
      sent,
      // 'vague' says "not valid or has expired" for all three, so nobody can tell which it was.
      expected: (format === 'vague' && sent !== 'missing' ? 'unknown' : sent) as KeyErrorReason,
    })),
  );

  it.each(cases)('$format: a $sent key is classified as $expected', async ({ format, sent, expected }) => {
    sim.setFormat(format);
    const record = sim.issueKey();
    if (sent === 'expired') sim.expireKey(record.id);
    if (sent === 'revoked') sim.revokeKey(record.id);
    const key = sent === 'malformed' ? 'sk_live_never_issued_by_the_sim' : record.key;
    const client = createClient({ baseUrl: sim.url, apiKey: key, retry: false });

    // `auth: false` sends no key at all, so the server (not the client-side lint) answers 'missing'.
    const error = await rejection(client.get('/me', sent === 'missing' ? { auth: false } : {}));

    expect(error).toBeInstanceOf(InvalidApiKeyError);
    expect(error).toMatchObject({ reason: expected, source: 'server', status: 401 });
    expect(error.requestId).toMatch(/^req_[0-9a-f]{16}$/);
    expect(error.requestId).toBe(error.response?.headers['x-request-id']);
    expect(sim.stats().keyErrors[sent]).toBe(1);
  });
});

describe('auth placements', () => {
  const placements: [string, AuthPlacement][] = [
    ['Authorization: Bearer', { type: 'bearer' }],
    ['an x-api-key header', { type: 'header', name: 'x-api-key' }],
    ['an api_key query parameter', { type: 'query', name: 'api_key' }],
  ];

  it.each(placements)('sends the key as %s', async (_, auth) => {
    const record = sim.issueKey();
    const me = await service(record, { auth }).me();
    expect(me.keyId).toBe(record.id);
    expect(sim.stats().keyErrors).toEqual({ expired: 0, revoked: 0, malformed: 0, missing: 0 });
  });

  it('keeps a query-string key out of the error url, message and serialisation', async () => {
    const record = sim.issueKey();
    sim.expireKey(record.id);
    const error = await rejection(service(record, { auth: { type: 'query', name: 'api_key' } }).me());

    expect(error).toMatchObject({ reason: 'expired', method: 'GET' });
    expect(error.url).toBe(`${sim.url}/me?api_key=[REDACTED]`);
    expect(error.url).not.toContain(record.key);
    expect(`${JSON.stringify(error)} ${String(error)} ${error.stack}`).not.toContain(record.key);
  });

  it('keeps a query-string key out of an ApiError url', async () => {
    const record = sim.issueKey();
    const error = await rejection<NotFoundError>(
      service(record, { auth: { type: 'query', name: 'api_key' } }).getItem({ params: { id: 'item_404' } }),
    );
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.url).toBe(`${sim.url}/items/item_404?api_key=[REDACTED]`);
    expect(JSON.stringify(error)).not.toContain(record.key);
  });
});

describe('retries', () => {
  it('retries a 429 after its Retry-After and succeeds', async () => {
    const api = service(sim.issueKey());
    sim.failNext(1, '429', { retryAfterS: 0 });

    await expect(api.me()).resolves.toMatchObject({ label: null });
    expect(sim.stats().requests).toBe(2);
  });

  it('waits the Retry-After the server asks for, over the short backoff', async () => {
    const api = service(sim.issueKey());
    sim.failNext(1, '429', { retryAfterS: 1 });

    const started = Date.now();
    await api.me();

    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(sim.stats().requests).toBe(2);
  });

  it('throws RateLimitError with retryAfterMs once the retries are used up', async () => {
    const api = service(sim.issueKey());
    sim.failNext(3, '429', { retryAfterS: 0 });

    const error = await rejection<RateLimitError>(api.me());

    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({ status: 429, retryAfterMs: 0, attempts: 3 });
    expect(sim.stats().requests).toBe(3);
  });

  it('retries a POST with an idempotencyKey after a 503 and creates exactly one item', async () => {
    const api = service(sim.issueKey());
    sim.failNext(1, '503');

    const item = await api.createItem({ body: { name: 'Widget', price: 5 }, idempotencyKey: 'order-42' });
    const again = await api.createItem({ body: { name: 'Widget', price: 5 }, idempotencyKey: 'order-42' });

    expect(item).toMatchObject({ name: 'Widget', price: 5 });
    expect(again).toEqual(item);
    expect((await api.listItems()).data).toEqual([item]);
    expect(sim.stats().byPath['/v1/items']).toBe(4); // 503, 201, replayed 201, list
  });

  it('does not retry a POST without an idempotencyKey', async () => {
    const api = service(sim.issueKey());
    sim.failNext(1, '503');

    const error = await rejection<ServerError>(api.createItem({ body: { name: 'Widget' } }));

    expect(error).toBeInstanceOf(ServerError);
    expect(error.status).toBe(503);
    expect((await api.listItems()).data).toEqual([]);
  });
});

describe('the typed endpoints of examples/api-service.ts', () => {
  it('create, get, list and delete an item', async () => {
    const api = service(sim.issueKey());

    const made = await api.createItem({ body: { name: 'Lamp', price: 12.5 } });
    expect(made).toEqual({ id: 'item_1', name: 'Lamp', price: 12.5, createdAt: expect.any(String) });
    await expect(api.getItem({ params: { id: made.id } })).resolves.toEqual(made);
    await api.createItem({ body: { name: 'Desk' } });

    const page = await api.listItems({ query: { limit: 1 } });
    expect(page).toEqual({ data: [made], nextCursor: '1' });
    const next = await api.listItems({ query: { limit: 1, cursor: page.nextCursor } });
    expect(next.data.map((item) => item.name)).toEqual(['Desk']);
    expect(next.nextCursor).toBeNull();

    await expect(api.deleteItem({ params: { id: made.id } })).resolves.toBeUndefined();
    await expect(api.getItem({ params: { id: made.id } })).rejects.toBeInstanceOf(NotFoundError);
  });

  it.each(['a/b', 'a b', '../me', 'item_1?x=1', 'item_1#x'])(
    'URL-encodes the id %j: a 404 for that item, not another route',
    async (id) => {
      const api = service(sim.issueKey());
      await api.createItem({ body: { name: 'Lamp' } });

      const error = await rejection<NotFoundError>(api.getItem({ params: { id } }));

      expect(error).toBeInstanceOf(NotFoundError);
      expect(error.message).toContain('No such item.');
      expect(sim.stats().byPath).toEqual({ '/v1/items': 1, '/v1/items/{id}': 1 });
    },
  );

  // SDK bug: src/client.ts makeEndpoint() fills `{name}` with encodeURIComponent(value), which leaves
  // '.' and '..' as they are, and buildUrl() then passes the path to `new URL`, which resolves dot
  // segments (WHATWG URL also treats %2E%2E as '..'). So a param '..' climbs out of its segment:
  // '/things/{id}/me' with id '..' is sent to '/me'. A dot-segment param should be refused.
  it('never lets a "." or ".." param climb to another route', async () => {
    const { client } = service(sim.issueKey());
    const thing = client.endpoint({ method: 'GET', path: '/things/{id}/me' });

    for (const id of ['..', '.', '%2E%2E']) {
      await expect(thing({ params: { id } })).rejects.toBeInstanceOf(Error);
    }
    expect(sim.stats().byPath['/v1/me']).toBeUndefined();
  });

  it('turns a 404 into NotFoundError with the API message and request id', async () => {
    const error = await rejection<NotFoundError>(service(sim.issueKey()).getItem({ params: { id: 'item_9' } }));

    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ name: 'NotFoundError', status: 404, method: 'GET', code: 'invalid_request_error' });
    expect(error.message).toBe('GET /v1/items/item_9 failed with 404: No such item.');
    expect(error.requestId).toMatch(/^req_[0-9a-f]{16}$/);
  });

  it('turns a 400 for invalid input into BadRequestError carrying the API message', async () => {
    const api = service(sim.issueKey());

    const error = await rejection<BadRequestError>(api.listItems({ query: { limit: 1000 } }));

    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.status).toBe(400);
    const apiMessage = (error.body as { error: { message: string } }).error.message;
    expect(apiMessage).toMatch(/^limit: /);
    expect(error.message).toBe(`GET /v1/items failed with 400: ${apiMessage}`);
    expect(sim.stats().requests).toBe(1); // a 400 is not retried
  });

  // SDK bug (src/classify/classify.ts): the 400 {"error":{"type":"invalid_request_error",
  // "message":"Unrecognized key: \"colour\""}} is taken for a key error. In judge(), KEY_SUBJECT matches
  // the bare word "key" (a JSON field name here) and CUES.malformed matches "Unrecognized", so the
  // statement is "about the key", and classify() returns a key error for any status. The request
  // rejects with InvalidApiKeyError 'malformed' and onKeyInvalid rotates a good key over a typo in the body.
  it('turns an unknown field the server refuses into BadRequestError, without calling onKeyInvalid', async () => {
    const onKeyInvalid = vi.fn(() => sim.issueKey());
    const { client } = service(sim.issueKey(), { onKeyInvalid });
    const error = await rejection<BadRequestError>(client.post('/items', { body: { name: 'Lamp', colour: 'red' } }));
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.message).toBe('POST /v1/items failed with 400: Unrecognized key: "colour"');
    expect(onKeyInvalid).not.toHaveBeenCalled();
  });

  it('checks the body against NewItem before sending: nothing reaches the API', async () => {
    const api = service(sim.issueKey());
    const error = await rejection<ConfigError>(api.createItem({ body: { name: '' } }));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/body\.name/);
    expect(sim.stats().requests).toBe(0);
  });
});
