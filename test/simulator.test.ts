import { connect } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { KeyErrorFormat, SimulatedKeyErrorReason } from '../src/testing/formats.js';
import { type Simulator, startSimulator } from '../src/testing/simulator.js';

let sim: Simulator;
beforeEach(async () => {
  sim = await startSimulator({ seed: 1 });
});
afterEach(() => sim.close());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const api = (path: string, init: RequestInit = {}) => fetch(`${sim.url}${path}`, init);
const postItem = (key: string, body: unknown, headers: Record<string, string> = {}) =>
  api('/items', {
    method: 'POST',
    headers: { ...bearer(key), 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
const admin = (path: string, init: RequestInit = {}, token = sim.adminToken) =>
  fetch(`${sim.origin}${path}`, { ...init, headers: { 'x-admin-token': token, 'content-type': 'application/json', ...init.headers } });
const errorBody = (message: string) => ({ error: { type: 'invalid_request_error', message } });

describe('keys', () => {
  it('issues sk_live_ keys that expire after keyTtlMs', async () => {
    const before = Date.now();
    const record = sim.issueKey();
    expect(record.key).toMatch(/^sk_live_[0-9a-f]{32}$/);
    expect(record.id).toMatch(/^key_[0-9a-f]{16}$/);
    expect(record.expiresAt).toBeGreaterThanOrEqual(before + 3_600_000);
    expect(record.expiresAt).toBeLessThanOrEqual(Date.now() + 3_600_000);
  });

  it('accepts the key as a Bearer token, an x-api-key header or an api_key query parameter', async () => {
    const { id, key, expiresAt } = sim.issueKey({ label: 'ci' });
    const expected = { keyId: id, label: 'ci', expiresAt };
    for (const res of [
      await api('/me', { headers: bearer(key) }),
      await api('/me', { headers: { 'x-api-key': key } }),
      await api(`/me?api_key=${key}`),
    ]) {
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual(expected);
    }
  });

  it('rejects a key after its ttlMs ran out', async () => {
    // Only Date is faked: the lifetime is measured by the clock, so a loaded machine cannot outrun it.
    vi.useFakeTimers({ toFake: ['Date'] });
    const { key } = sim.issueKey({ ttlMs: 40 });
    expect((await api('/me', { headers: bearer(key) })).status).toBe(200);
    vi.setSystemTime(Date.now() + 50);
    const res = await api('/me', { headers: bearer(key) });
    vi.useRealTimers();
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: 'api_key_expired' } });
  });

  it('rejects a revoked key as revoked, also once it has expired too', async () => {
    const { id, key } = sim.issueKey();
    expect((await admin(`/admin/keys/${id}/revoke`, { method: 'POST' })).status).toBe(204);
    sim.expireKey(key);
    expect(await (await api('/me', { headers: bearer(key) })).json()).toMatchObject({ error: { code: 'api_key_revoked' } });
  });

  it('expires a key through the admin API', async () => {
    const { id, key } = sim.issueKey();
    expect((await admin(`/admin/keys/${id}/expire`, { method: 'POST' })).status).toBe(204);
    expect(await (await api('/me', { headers: bearer(key) })).json()).toMatchObject({ error: { code: 'api_key_expired' } });
  });

  it('rotation without grace expires the old key at once and keeps the label', async () => {
    const old = sim.issueKey({ label: 'app' });
    const next = sim.rotateKey(old.id);
    expect(next.key).not.toBe(old.key);
    expect((await api('/me', { headers: bearer(old.key) })).status).toBe(401);
    expect(await (await api('/me', { headers: bearer(next.key) })).json()).toMatchObject({ keyId: next.id, label: 'app' });
  });

  it('rotation with graceMs keeps the old key valid until the grace ends', async () => {
    vi.useFakeTimers({ toFake: ['Date'] }); // The grace is measured by the clock: a loaded machine cannot outrun it.
    const old = sim.issueKey();
    const res = await admin(`/admin/keys/${old.id}/rotate`, { method: 'POST', body: JSON.stringify({ graceMs: 60 }) });
    expect(res.status).toBe(201);
    const next = (await res.json()) as { key: string };
    expect((await api('/me', { headers: bearer(old.key) })).status).toBe(200);
    expect((await api('/me', { headers: bearer(next.key) })).status).toBe(200);
    vi.setSystemTime(Date.now() + 70);
    expect(await (await api('/me', { headers: bearer(old.key) })).json()).toMatchObject({ error: { code: 'api_key_expired' } });
    vi.useRealTimers();
  });

  it('throws on unknown keys and invalid arguments in the programmatic API', () => {
    expect(() => sim.revokeKey('nope')).toThrow('No such key.');
    expect(() => sim.rotateKey('nope')).toThrow('No such key.');
    expect(() => sim.issueKey({ ttlMs: -5 })).toThrow(/ttlMs/);
    expect(() => sim.setFormat('xml' as KeyErrorFormat)).toThrow();
    expect(() => sim.setFaults({ rate429: 0.7, rate503: 0.7 })).toThrow('fault rates must add up to at most 1');
  });

  it('rejects invalid options', async () => {
    await expect(startSimulator({ format: 'xml' as KeyErrorFormat })).rejects.toThrow(/format/);
    await expect(startSimulator({ port: -1 })).rejects.toThrow(/port/);
  });
});

describe('items', () => {
  it('creates, reads, lists, pages and deletes items', async () => {
    const { key } = sim.issueKey();
    const created = await postItem(key, { name: 'apple', price: 1.5 });
    expect(created.status).toBe(201);
    const apple = (await created.json()) as { id: string };
    expect(apple).toEqual({ id: 'item_1', name: 'apple', price: 1.5, createdAt: expect.any(String) });
    await postItem(key, { name: 'pear' });
    await postItem(key, { name: 'plum' });

    expect(await (await api(`/items/${apple.id}`, { headers: bearer(key) })).json()).toEqual(apple);
    const first = (await (await api('/items?limit=2', { headers: bearer(key) })).json()) as {
      data: { name: string }[];
      nextCursor: string;
    };
    expect(first.data.map((i) => i.name)).toEqual(['apple', 'pear']);
    const second = await (await api(`/items?limit=2&cursor=${first.nextCursor}`, { headers: bearer(key) })).json();
    expect(second).toMatchObject({ data: [{ name: 'plum', price: 0 }], nextCursor: null });

    const deleted = await api(`/items/${apple.id}`, { method: 'DELETE', headers: bearer(key) });
    expect(deleted.status).toBe(204);
    expect(await deleted.text()).toBe('');
    const gone = await api(`/items/${apple.id}`, { headers: bearer(key) });
    expect(gone.status).toBe(404);
    expect(await gone.json()).toEqual(errorBody('No such item.'));
  });

  it.each([
    ['limit=0', 'limit: Too small: expected number to be >=1'],
    ['limit=abc', 'limit: Invalid input: expected number, received NaN'],
    ['cursor=xyz', 'cursor: not a cursor from this API'],
  ])('answers 400 to ?%s', async (query, message) => {
    const { key } = sim.issueKey();
    const res = await api(`/items?${query}`, { headers: bearer(key) });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual(errorBody(message));
  });

  it.each([
    ['a name over 100 characters', { name: 'x'.repeat(101) }, 'name: Too big: expected string to have <=100 characters'],
    ['an empty name', { name: '' }, 'name: Too small: expected string to have >=1 characters'],
    ['a numeric name', { name: 123 }, 'name: Invalid input: expected string, received number'],
    ['a negative price', { name: 'a', price: -1 }, 'price: Too small: expected number to be >=0'],
    ['a string price', { name: 'a', price: '1' }, 'price: Invalid input: expected number, received string'],
    ['an array', [{ name: 'a' }], 'Invalid input: expected object, received array'],
    ['null', null, 'Invalid input: expected object, received null'],
    ['an unknown field', { name: 'a', admin: true }, 'Unrecognized key: "admin"'],
  ])('answers 400 to %s', async (_, body, message) => {
    const { key } = sim.issueKey();
    const res = await postItem(key, body);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual(errorBody(message));
  });

  it('answers 400 to a __proto__ key and is not polluted by it', async () => {
    const { key } = sim.issueKey();
    const res = await api('/items', { method: 'POST', headers: bearer(key), body: '{"name":"a","__proto__":{"polluted":true}}' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual(errorBody('Unrecognized key: "__proto__"'));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('answers 400 to bad JSON and to an empty body', async () => {
    const { key } = sim.issueKey();
    const bad = await api('/items', { method: 'POST', headers: bearer(key), body: '{"name":' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual(errorBody('Request body is not valid JSON.'));
    const empty = await api('/items', { method: 'POST', headers: bearer(key) });
    expect(await empty.json()).toEqual(errorBody('Invalid input: expected object, received undefined'));
  });

  it('answers 413 to a body over 1 MiB, with or without a content-length', async () => {
    const { key } = sim.issueKey();
    const huge = 'x'.repeat(1024 * 1024 + 1);
    const sized = await api('/items', { method: 'POST', headers: bearer(key), body: huge });
    expect(sized.status).toBe(413);
    expect(await sized.json()).toEqual(errorBody('Request body exceeds 1048576 bytes.'));
    const stream = new Blob([huge]).stream();
    const chunked = await api('/items', { method: 'POST', headers: bearer(key), body: stream, duplex: 'half' } as RequestInit);
    expect(chunked.status).toBe(413);
  });

  it('replays an Idempotency-Key: same item, same status and body, created once', async () => {
    const { key } = sim.issueKey();
    const first = await postItem(key, { name: 'once' }, { 'idempotency-key': 'k1' });
    const again = await postItem(key, { name: 'once' }, { 'idempotency-key': 'k1' });
    expect(again.status).toBe(first.status);
    expect(await again.text()).toBe(await first.text());
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await (await api('/items', { headers: bearer(key) })).json()).toMatchObject({ data: [{ name: 'once' }] });
  });

  it('answers 422 when an Idempotency-Key is reused with another body', async () => {
    const { key } = sim.issueKey();
    await postItem(key, { name: 'a' }, { 'idempotency-key': 'k1' });
    const res = await postItem(key, { name: 'b' }, { 'idempotency-key': 'k1' });
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({
      error: { type: 'idempotency_error', message: 'Idempotency-Key was already used with a different body.' },
    });
  });
});

describe('routing', () => {
  it('serves /v1/health without a key', async () => {
    const res = await api('/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('answers 404 to an unknown route and 405 with Allow to a wrong method', async () => {
    const unknown = await api('/nope');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual(errorBody('No route for /v1/nope.'));
    const wrong = await api('/me', { method: 'POST', headers: bearer(sim.issueKey().key) });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET, OPTIONS');
  });

  it('puts an x-request-id on every answer', async () => {
    const ids = await Promise.all(['/health', '/me', '/nope'].map(async (p) => (await api(p)).headers.get('x-request-id')));
    for (const id of ids) expect(id).toMatch(/^req_[0-9a-f]{16}$/);
    expect(new Set(ids).size).toBe(3);
  });

  it('answers a CORS preflight with 204, every method the client sends, and the headers asked for', async () => {
    const res = await api('/items', {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:3000',
        'access-control-request-method': 'PATCH',
        'access-control-request-headers': 'authorization, x-client-version',
      },
    });
    expect(res.status).toBe(204);
    expect(Object.fromEntries([...res.headers].filter(([name]) => name.startsWith('access-control-')))).toEqual({
      'access-control-allow-origin': '*',
      'access-control-allow-methods': 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS',
      'access-control-allow-headers':
        'authorization, x-api-key, content-type, idempotency-key, x-admin-token, authorization, x-client-version',
      'access-control-expose-headers': 'x-request-id, retry-after, retry-after-ms, www-authenticate, idempotent-replayed, allow',
      'access-control-max-age': '600',
    });
    expect((await api('/me')).headers.get('access-control-expose-headers')).toBe(
      'x-request-id, retry-after, retry-after-ms, www-authenticate, idempotent-replayed, allow',
    );
    const hostile = await api('/items', { method: 'OPTIONS', headers: { 'access-control-request-headers': 'x-a, <script>' } });
    expect(hostile.headers.get('access-control-allow-headers')).toBe(
      'authorization, x-api-key, content-type, idempotency-key, x-admin-token',
    );
  });

  it('an empty header does not hide a key sent in the next place', async () => {
    const { key } = sim.issueKey();
    expect((await api('/me', { headers: { authorization: '', 'x-api-key': key } })).status).toBe(200);
    expect((await api(`/me?api_key=${key}`, { headers: { 'x-api-key': '' } })).status).toBe(200);
    expect((await api('/me', { headers: { authorization: '', 'x-api-key': '' } })).status).toBe(401);
  });

  it('survives a garbage request line and an unparsable target', async () => {
    for (const raw of ['GARBAGE\r\n\r\n', 'GET http://[::1 HTTP/1.1\r\nHost: x\r\n\r\n']) {
      const answer = await new Promise<string>((resolve) => {
        let data = '';
        const socket = connect(Number(new URL(sim.origin).port), '127.0.0.1', () => socket.end(raw));
        socket.on('data', (chunk) => (data += chunk));
        socket.on('close', () => resolve(data));
      });
      expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    }
    expect((await api('/health')).status).toBe(200);
  });
});

describe('key error formats', () => {
  type Wire = { contentType?: string; wwwAuthenticate?: string; body: string };
  const EXPECTED: Record<KeyErrorFormat, Record<SimulatedKeyErrorReason, Wire>> = {
    classic: {
      expired: { contentType: 'application/json', body: '{"error":"Invalid API Key","message":"The API key provided has expired."}' },
      revoked: { contentType: 'application/json', body: '{"error":"Invalid API Key","message":"The API key provided has been revoked."}' },
      malformed: { contentType: 'application/json', body: '{"error":"Invalid API Key","message":"The API key provided is not valid."}' },
      missing: { contentType: 'application/json', body: '{"error":"Invalid API Key","message":"No API key provided."}' },
    },
    vague: {
      expired: {
        contentType: 'application/json',
        body: '{"error":"Invalid API Key","message":"The API key provided is not valid or has expired."}',
      },
      revoked: {
        contentType: 'application/json',
        body: '{"error":"Invalid API Key","message":"The API key provided is not valid or has expired."}',
      },
      malformed: {
        contentType: 'application/json',
        body: '{"error":"Invalid API Key","message":"The API key provided is not valid or has expired."}',
      },
      missing: { contentType: 'application/json', body: '{"error":"Invalid API Key","message":"No API key provided."}' },
    },
    envelope: {
      expired: {
        contentType: 'application/json',
        body: '{"error":{"type":"authentication_error","code":"api_key_expired","message":"The API key provided has expired."}}',
      },
      revoked: {
        contentType: 'application/json',
        body: '{"error":{"type":"authentication_error","code":"api_key_revoked","message":"The API key provided has been revoked."}}',
      },
      malformed: {
        contentType: 'application/json',
        body: '{"error":{"type":"authentication_error","code":"invalid_api_key","message":"The API key provided is not valid."}}',
      },
      missing: {
        contentType: 'application/json',
        body: '{"error":{"type":"authentication_error","code":"missing_api_key","message":"No API key provided."}}',
      },
    },
    rfc6750: {
      expired: {
        wwwAuthenticate: 'Bearer realm="api-service", error="invalid_token", error_description="The access token expired"',
        body: '',
      },
      revoked: {
        wwwAuthenticate: 'Bearer realm="api-service", error="invalid_token", error_description="The access token has been revoked"',
        body: '',
      },
      malformed: {
        wwwAuthenticate: 'Bearer realm="api-service", error="invalid_token", error_description="The access token is malformed"',
        body: '',
      },
      missing: { wwwAuthenticate: 'Bearer realm="api-service"', body: '' },
    },
    problem: {
      expired: {
        contentType: 'application/problem+json',
        body: '{"type":"https://api-service.test/problems/api-key-expired","title":"API key expired","status":401,"detail":"The API key provided has expired.","code":"api_key_expired"}',
      },
      revoked: {
        contentType: 'application/problem+json',
        body: '{"type":"https://api-service.test/problems/api-key-revoked","title":"API key revoked","status":401,"detail":"The API key provided has been revoked.","code":"api_key_revoked"}',
      },
      malformed: {
        contentType: 'application/problem+json',
        body: '{"type":"https://api-service.test/problems/invalid-api-key","title":"Invalid API key","status":401,"detail":"The API key provided is not valid.","code":"invalid_api_key"}',
      },
      missing: {
        contentType: 'application/problem+json',
        body: '{"type":"https://api-service.test/problems/missing-api-key","title":"API key missing","status":401,"detail":"No API key provided.","code":"missing_api_key"}',
      },
    },
  };

  /** Headers that make the simulator reject the request for `reason`. */
  function headersFor(reason: SimulatedKeyErrorReason): Record<string, string> {
    if (reason === 'missing') return {};
    if (reason === 'malformed') return bearer('sk_live_not_a_key_we_issued');
    const { key } = sim.issueKey();
    if (reason === 'expired') sim.expireKey(key);
    else sim.revokeKey(key);
    return bearer(key);
  }

  const cases = Object.entries(EXPECTED).flatMap(([format, byReason]) =>
    Object.entries(byReason).map(([reason, wire]) => [format as KeyErrorFormat, reason as SimulatedKeyErrorReason, wire] as const),
  );

  it.each(cases)('%s format, %s key', async (format, reason, wire) => {
    sim.setFormat(format);
    const res = await api('/items', { headers: headersFor(reason) });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe(wire.contentType ?? null);
    expect(res.headers.get('www-authenticate')).toBe(wire.wwwAuthenticate ?? null);
    expect(res.headers.get('x-request-id')).toMatch(/^req_/);
    expect(await res.text()).toBe(wire.body);
  });

  it('switches format through PUT /admin/config', async () => {
    const res = await admin('/admin/config', { method: 'PUT', body: JSON.stringify({ format: 'rfc6750' }) });
    expect(await res.json()).toEqual({ format: 'rfc6750', faults: {} });
    expect((await api('/me')).headers.get('www-authenticate')).toBe('Bearer realm="api-service"');
  });
});

describe('admin API', () => {
  it('issues keys with POST /admin/keys', async () => {
    const res = await admin('/admin/keys', { method: 'POST', body: JSON.stringify({ ttlMs: 60_000, label: 'ci' }) });
    expect(res.status).toBe(201);
    const record = (await res.json()) as { key: string };
    expect(record).toEqual({ id: expect.stringMatching(/^key_/), key: expect.stringMatching(/^sk_live_/), expiresAt: expect.any(Number) });
    expect(await (await api('/me', { headers: bearer(record.key) })).json()).toMatchObject({ label: 'ci' });
    expect((await admin('/admin/keys', { method: 'POST' })).status).toBe(201);
  });

  it.each([
    ['no token', {}],
    ['a wrong token', { 'x-admin-token': 'wrong' }],
    ['an API key', bearer('sk_live_x')],
  ])('answers 401 to %s', async (_, headers) => {
    const res = await fetch(`${sim.origin}/admin/stats`, { headers });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: { type: 'authentication_error', message: 'Missing or invalid x-admin-token header.' } });
  });

  it.each([
    ['/admin/keys', { ttlMs: -1 }, 'ttlMs: Too small: expected number to be >0'],
    ['/admin/keys', { ttlMs: 'soon' }, 'ttlMs: Invalid input: expected number, received string'],
    ['/admin/keys', { label: 'x'.repeat(101) }, 'label: Too big: expected string to have <=100 characters'],
    ['/admin/keys', { ttl: 5 }, 'Unrecognized key: "ttl"'],
  ])('answers 400 to POST %s %j', async (path, body, message) => {
    const res = await admin(path, { method: 'POST', body: JSON.stringify(body) });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual(errorBody(message));
  });

  it.each([
    [{ format: 'xml' }, 'format: Invalid option: expected one of "classic"|"vague"|"envelope"|"rfc6750"|"problem"'],
    [{ faults: { rate429: 2 } }, 'faults.rate429: Too big: expected number to be <=1'],
    [{ faults: { latencyMs: [50, 10] } }, 'faults.latencyMs: min must not exceed max'],
  ])('answers 400 to PUT /admin/config %j', async (body, message) => {
    const res = await admin('/admin/config', { method: 'PUT', body: JSON.stringify(body) });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual(errorBody(message));
  });

  it('answers 400 to bad JSON, 404 to an unknown key, 405 to a wrong method, 413 to a huge body', async () => {
    expect((await admin('/admin/keys', { method: 'POST', body: '{' })).status).toBe(400);
    const unknown = await admin('/admin/keys/key_nope/revoke', { method: 'POST' });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual(errorBody('No such key.'));
    const wrong = await admin('/admin/keys', { method: 'GET' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST, OPTIONS');
    expect((await admin('/admin/keys', { method: 'POST', body: 'x'.repeat(2 * 1024 * 1024) })).status).toBe(413);
  });
});

describe('faults', () => {
  it('failNext answers 429 with Retry-After, then 503, then normally', async () => {
    const { key } = sim.issueKey();
    sim.failNext(1, '429', { retryAfterS: 7 });
    sim.failNext(1, '503');
    const limited = await api('/me', { headers: bearer(key) });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(await limited.json()).toEqual({ error: { type: 'rate_limit_error', message: 'Too many requests.' } });
    const down = await api('/me', { headers: bearer(key) });
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ error: { type: 'api_error', message: 'The service is temporarily unavailable.' } });
    expect((await api('/me', { headers: bearer(key) })).status).toBe(200);
  });

  it('failNext reset destroys the socket, so fetch rejects', async () => {
    sim.failNext(1, 'reset');
    await expect(api('/me', { headers: bearer(sim.issueKey().key) })).rejects.toThrow(TypeError);
    expect((await api('/me', { headers: bearer(sim.issueKey().key) })).status).toBe(200);
  });

  it('failNext slow delays the answer', async () => {
    sim.failNext(1, 'slow', { delayMs: 60 });
    const started = Date.now();
    const res = await api('/me', { headers: bearer(sim.issueKey().key) });
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
  });

  it('faults hit before the key check and never hit /v1/health or /admin', async () => {
    sim.setFaults({ rate503: 1 });
    expect((await api('/me')).status).toBe(503);
    expect((await api('/health')).status).toBe(200);
    expect((await admin('/admin/stats')).status).toBe(200);
  });

  it('random faults are reproducible from the seed', async () => {
    const run = async (seed: number) => {
      const s = await startSimulator({ seed, faults: { rate429: 0.3, rate503: 0.3, retryAfterS: 2 } });
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) statuses.push((await fetch(`${s.url}/nope`)).status);
      await s.close();
      return statuses;
    };
    const first = await run(42);
    expect(await run(42)).toEqual(first);
    expect(new Set(first)).toEqual(new Set([404, 429, 503]));
    expect(await run(43)).not.toEqual(first);
  });

  it('latencyMs delays every answer', async () => {
    sim.setFaults({ latencyMs: [30, 40] });
    const started = Date.now();
    await api('/me');
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
  });
});

describe('stats', () => {
  it('counts /v1 requests, key errors and route templates, not admin calls', async () => {
    const { key } = sim.issueKey();
    await api('/me', { headers: bearer(key) });
    await api('/me');
    await api('/items/item_9', { headers: bearer('sk_live_bogus') });
    await admin('/admin/stats');
    const expected = {
      requests: 3,
      keyErrors: { expired: 0, revoked: 0, malformed: 1, missing: 1 },
      byPath: { '/v1/me': 2, '/v1/items/{id}': 1 },
    };
    expect(sim.stats()).toEqual(expected);
    expect(await (await admin('/admin/stats')).json()).toEqual(expected);
    sim.resetStats();
    expect(sim.stats()).toEqual({ requests: 0, keyErrors: { expired: 0, revoked: 0, malformed: 0, missing: 0 }, byPath: {} });
  });
});

describe('close', () => {
  it('releases the port, also with a request still waiting, and can be called twice', async () => {
    const { port } = sim;
    sim.failNext(1, 'slow', { delayMs: 10_000 });
    const pending = api('/health').then(() => api('/me'));
    await sleep(20);
    await Promise.all([sim.close(), sim.close()]);
    await expect(pending).rejects.toThrow(TypeError);
    sim = await startSimulator({ port });
    expect(sim.port).toBe(port);
  });
});
