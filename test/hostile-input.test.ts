import { HttpResponse, http } from 'msw';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { ConfigError, createClient, lintApiKey, ResponseValidationError } from '../src/index.js';
import { BASE, useMsw } from './helpers/msw.js';

const server = useMsw();
const KEY = 'sk_test_abcdefghijklmnop1234';

/** A fetch that records whether it was called and answers 200 {}. */
function spyFetch() {
  const fetchSpy = vi.fn<typeof fetch>(async () => Response.json({}));
  return fetchSpy;
}

describe('bad input to a request is a ConfigError, sent nowhere', () => {
  it('a GET or HEAD with a body', async () => {
    const fetch = spyFetch();
    const client = createClient({ baseUrl: BASE, apiKey: KEY, fetch });
    await expect(client.get('/x', { body: { a: 1 } })).rejects.toMatchObject({ name: 'ConfigError', option: 'body' });
    await expect(client.request({ method: 'HEAD', path: '/x', body: 'b' })).rejects.toThrowError(/not allowed on a HEAD request/);
    expect(fetch).not.toHaveBeenCalled();
  });

  it('a request header HTTP cannot carry, named without echoing its value', async () => {
    const fetch = spyFetch();
    const client = createClient({ baseUrl: BASE, apiKey: KEY, fetch });
    const error = await client.get('/x', { headers: { 'x-token': `${KEY}\nInjected: 1` } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ option: 'headers.x-token' });
    expect(JSON.stringify(error) + String(error)).not.toContain(KEY);
    await expect(client.get('/x', { headers: { 'bad name': 'v' } })).rejects.toMatchObject({ option: 'headers.bad name' });
    await expect(client.post('/x', { idempotencyKey: 'a\r\nb' })).rejects.toMatchObject({ option: 'idempotencyKey.idempotency-key' });
    expect(fetch).not.toHaveBeenCalled();
  });

  it('a path that climbs out of baseUrl, even percent-encoded', async () => {
    const fetch = spyFetch();
    const client = createClient({ baseUrl: BASE, apiKey: KEY, fetch });
    for (const path of ['/../admin/users', '/%2e%2e/admin', 'a/../../x', '/..']) {
      await expect(client.get(path)).rejects.toMatchObject({ name: 'ConfigError', option: 'path' });
    }
    await expect(client.get('/a/../b')).resolves.toEqual({}); // stays under /v1: allowed
    expect(String(fetch.mock.calls[0]?.[0] instanceof Request ? fetch.mock.calls[0][0].url : '')).toBe(`${BASE}/b`);
  });

  it('a query value that is an object', async () => {
    const client = createClient({ baseUrl: BASE, apiKey: KEY, fetch: spyFetch() });
    await expect(client.get('/x', { query: { filter: { a: 1 } as never } })).rejects.toMatchObject({ option: 'query.filter' });
  });

  it('a custom fetch that throws synchronously is a ConnectionError, not a crash', async () => {
    const throwingFetch = vi.fn<typeof fetch>(() => {
      throw new TypeError('boom');
    });
    const client = createClient({ baseUrl: BASE, apiKey: KEY, fetch: throwingFetch, retry: false });
    const error = await client.get('/x').catch((e: unknown) => e);
    expect((error as Error).name).toBe('ConnectionError');
    expect(((error as Error).cause as Error).message).toBe('boom');
  });
});

describe('bad options fail in createClient', () => {
  it.each([
    ['a header value with a line break', { headers: { 'x-a': 'a\nb' } }, 'headers.x-a'],
    ['a header name with a space', { headers: { 'x a': 'b' } }, 'headers.x a'],
    ['a baseUrl with a query string', { baseUrl: `${BASE}?tenant=1` }, 'baseUrl'],
    ['a baseUrl with a fragment', { baseUrl: `${BASE}#x` }, 'baseUrl'],
    ['a logger method that is not a function', { logger: { debug: 'yes' } }, 'logger'],
  ])('%s', (_, options, option) => {
    const error = (() => {
      try {
        createClient({ baseUrl: BASE, apiKey: KEY, ...(options as object) });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ option });
  });
});

describe('user code that misbehaves does not break the client', () => {
  it('a logger that throws', async () => {
    server.use(http.get(`${BASE}/x`, () => HttpResponse.json({ ok: true })));
    const boom = () => {
      throw new Error('logger down');
    };
    const client = createClient({ baseUrl: BASE, apiKey: ` ${KEY}`, logger: { debug: boom, info: boom, warn: boom, error: boom } });
    await expect(client.get('/x')).resolves.toEqual({ ok: true });
  });

  it('an async classifyKeyError: ignored with a warning, never an unhandled rejection', async () => {
    server.use(http.get(`${BASE}/x`, () => HttpResponse.json({ error: 'invalid_api_key' }, { status: 401 })));
    const warn = vi.fn();
    const classifyKeyError = (async () => {
      throw new Error('async boom');
    }) as never;
    const client = createClient({ baseUrl: BASE, apiKey: KEY, retry: false, logger: { warn }, classifyKeyError });
    await expect(client.get('/x')).rejects.toMatchObject({ name: 'InvalidApiKeyError' });
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/must answer synchronously/));
  });

  it('a schema that throws or returns garbage → ResponseValidationError; as an endpoint input schema → ConfigError', async () => {
    server.use(http.get(`${BASE}/x`, () => HttpResponse.json({ ok: true })));
    const throwing = {
      '~standard': {
        version: 1 as const,
        vendor: 't',
        validate: () => {
          throw 'oops';
        },
      },
    };
    const garbage = { '~standard': { version: 1 as const, vendor: 't', validate: () => undefined as never } };
    const client = createClient({ baseUrl: BASE, apiKey: KEY });
    await expect(client.get('/x', { schema: throwing })).rejects.toThrowError(ResponseValidationError);
    await expect(client.get('/x', { schema: throwing })).rejects.toThrowError(/the schema threw: oops/);
    await expect(client.get('/x', { schema: garbage })).rejects.toThrowError(/not a Standard Schema result/);
    const endpoint = client.endpoint({ method: 'POST', path: '/x', body: throwing });
    await expect(endpoint({ body: 1 as never })).rejects.toMatchObject({ name: 'ConfigError', option: 'body' });
  });
});

describe('edges of the contract', () => {
  it('a 204 resolves to undefined even with a schema', async () => {
    server.use(http.delete(`${BASE}/items/1`, () => new HttpResponse(null, { status: 204 })));
    const client = createClient({ baseUrl: BASE, apiKey: KEY });
    await expect(client.delete('/items/1', { schema: z.object({ id: z.string() }) })).resolves.toBeUndefined();
  });

  it('non-ASCII whitespace at the edges of a key is malformed, not trimmed', () => {
    for (const key of [`\ufeff${KEY}`, `${KEY}\u00a0`, `\u3000${KEY}`]) {
      const result = lintApiKey(key, 'fix');
      expect(result.ok).toBe(false);
      expect(result.problems.some((p) => p.code === 'invalid-character' || p.code === 'inner-whitespace')).toBe(true);
    }
    expect(lintApiKey(` ${KEY}\n`, 'fix')).toMatchObject({ ok: true, key: KEY });
  });
});
