import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, createClient, ResponseValidationError } from '../src/index.js';
import { BASE, useMsw } from './helpers/msw.js';

const server = useMsw();
const KEY = 'sk_test_abcdefghijklmnop1234';
const User = z.object({ id: z.number(), name: z.string() });

function echo() {
  server.use(
    http.all(`${BASE}/*`, async ({ request }) => {
      const url = new URL(request.url);
      return HttpResponse.json({
        method: request.method,
        path: url.pathname,
        query: [...url.searchParams.entries()],
        headers: Object.fromEntries(request.headers.entries()),
        body: request.method === 'GET' || request.method === 'HEAD' ? null : await request.text(),
      });
    }),
  );
}

describe('requests', () => {
  it('sends each verb with JSON body, query and headers', async () => {
    echo();
    const client = createClient({ baseUrl: `${BASE}/`, apiKey: KEY, headers: { 'x-app': 'demo' } });
    for (const verb of ['get', 'post', 'put', 'patch', 'delete'] as const) {
      const sent = (await client[verb]('/things', {
        query: { limit: 10, tags: ['a', 'b'], skip: undefined, none: null, flag: true },
        headers: { 'x-trace': '1' },
        ...(verb === 'get' ? {} : { body: { n: 1 } }),
      })) as { method: string; path: string; query: string[][]; headers: Record<string, string>; body: string | null };
      expect(sent.method).toBe(verb.toUpperCase());
      expect(sent.path).toBe('/v1/things');
      expect(sent.query).toEqual([
        ['limit', '10'],
        ['tags', 'a'],
        ['tags', 'b'],
        ['flag', 'true'],
      ]);
      expect(sent.headers).toMatchObject({ authorization: `Bearer ${KEY}`, 'x-app': 'demo', 'x-trace': '1', accept: 'application/json' });
      if (verb !== 'get') {
        expect(sent.body).toBe('{"n":1}');
        expect(sent.headers['content-type']).toBe('application/json');
      }
    }
  });

  it('sends the key as a named header or a query parameter', async () => {
    echo();
    const header = createClient({ baseUrl: BASE, apiKey: KEY, auth: { type: 'header', name: 'x-api-key' } });
    const viaHeader = (await header.get('/a')) as { headers: Record<string, string> };
    expect(viaHeader.headers['x-api-key']).toBe(KEY);
    expect(viaHeader.headers.authorization).toBeUndefined();

    const query = createClient({ baseUrl: BASE, apiKey: KEY, auth: { type: 'query', name: 'api_key' } });
    const viaQuery = (await query.get('/a', { query: { q: 'x' } })) as { query: string[][]; headers: Record<string, string> };
    expect(viaQuery.query).toEqual([
      ['q', 'x'],
      ['api_key', KEY],
    ]);
    expect(viaQuery.headers.authorization).toBeUndefined();
  });

  it('request() takes method and path', async () => {
    echo();
    const client = createClient({ baseUrl: BASE, apiKey: KEY });
    await expect(client.request({ method: 'get', path: '/users', query: { limit: 10 } })).resolves.toMatchObject({
      method: 'GET',
      path: '/v1/users',
      query: [['limit', '10']],
    });
  });

  it('types and validates the result with a schema', async () => {
    server.use(http.get(`${BASE}/users/42`, () => HttpResponse.json({ id: 42, name: 'Ada' })));
    const client = createClient({ baseUrl: BASE, apiKey: KEY });
    const user = await client.get('/users/42', { schema: User });
    expect(user.name).toBe('Ada');
  });

  it('rejects a response that does not match the schema with ResponseValidationError and its issues', async () => {
    server.use(http.get(`${BASE}/users/42`, () => HttpResponse.json({ id: '42' })));
    const client = createClient({ baseUrl: BASE, apiKey: KEY });
    const error = await client.get('/users/42', { schema: User }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect((error as ResponseValidationError).issues.map((i) => i.path)).toEqual([['id'], ['name']]);
    expect((error as Error).message).toBe(
      'The response of GET https://api.example.test/v1/users/42 did not match the schema at id: Invalid input: expected number, received string.',
    );
  });

  it('rejects invalid JSON in a 2xx JSON response with ResponseValidationError', async () => {
    server.use(http.get(`${BASE}/broken`, () => new HttpResponse('{"id": 4', { headers: { 'content-type': 'application/json' } })));
    const client = createClient({ baseUrl: BASE, apiKey: KEY });
    await expect(client.get('/broken')).rejects.toThrowError(/not valid JSON/);
  });

  it('resolves 204 and empty bodies to undefined, and text to a string', async () => {
    server.use(
      http.delete(`${BASE}/items/1`, () => new HttpResponse(null, { status: 204 })),
      http.get(`${BASE}/empty`, () => new HttpResponse('', { status: 200, headers: { 'content-type': 'application/json' } })),
      http.get(`${BASE}/text`, () => HttpResponse.text('pong')),
    );
    const client = createClient({ baseUrl: BASE, apiKey: KEY });
    await expect(client.delete('/items/1')).resolves.toBeUndefined();
    await expect(client.get('/empty')).resolves.toBeUndefined();
    await expect(client.get('/text')).resolves.toBe('pong');
  });

  it('refuses an absolute URL as path, so the key cannot go to another host', async () => {
    const client = createClient({ baseUrl: BASE, apiKey: KEY });
    await expect(client.get('https://evil.example/steal')).rejects.toThrowError(ConfigError);
    await expect(client.get('//evil.example/steal')).rejects.toThrowError(/relative to baseUrl/);
  });

  it('refuses a body that cannot be JSON-serialised', async () => {
    const client = createClient({ baseUrl: BASE, apiKey: KEY });
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    await expect(client.post('/x', { body: circular })).rejects.toMatchObject({ name: 'ConfigError', option: 'body' });
    await expect(client.post('/x', { body: 10n })).rejects.toMatchObject({ name: 'ConfigError', option: 'body' });
  });
});

describe('endpoint()', () => {
  it('URL-encodes path params and validates inputs and output', async () => {
    echo();
    const client = createClient({ baseUrl: BASE, apiKey: KEY });
    const getThing = client.endpoint({
      method: 'GET',
      path: '/things/{id}/parts/{part}',
      query: z.object({ expand: z.boolean() }),
      response: z.object({ path: z.string(), query: z.array(z.array(z.string())) }),
    });
    const result = await getThing({ params: { id: 'a/b c', part: 7 }, query: { expand: true } });
    expect(result.path).toBe('/v1/things/a%2Fb%20c/parts/7');
    expect(result.query).toEqual([['expand', 'true']]);
  });

  it('validates the body against its schema before sending', async () => {
    echo();
    const client = createClient({ baseUrl: BASE, apiKey: KEY });
    const create = client.endpoint({ method: 'POST', path: '/items', body: z.object({ name: z.string().min(1) }) });
    await expect(create({ body: { name: '' } })).rejects.toMatchObject({ name: 'ConfigError', option: 'body.name' });
    await expect(create({ body: { name: 'ok' } })).resolves.toMatchObject({ body: '{"name":"ok"}' });
  });

  it('throws ConfigError for a missing path param', async () => {
    const client = createClient({ baseUrl: BASE, apiKey: KEY });
    const getUser = client.endpoint({ method: 'GET', path: '/users/{id}' });
    await expect(getUser({ params: {} as { id: string } })).rejects.toMatchObject({ name: 'ConfigError', option: 'params.id' });
  });
});

describe('createClient options', () => {
  const bad: Array<[string, Record<string, unknown>, RegExp]> = [
    ['no baseUrl', {}, /Invalid option "baseUrl": must be an absolute http\(s\) URL/],
    ['a relative baseUrl', { baseUrl: '/v1' }, /"baseUrl"/],
    ['a non-http baseUrl', { baseUrl: 'ftp://example.com' }, /"baseUrl"/],
    ['a negative timeout', { baseUrl: BASE, timeoutMs: -1 }, /"timeoutMs": must be a positive number/],
    ['a negative maxKeyRefreshes', { baseUrl: BASE, maxKeyRefreshes: -1 }, /"maxKeyRefreshes": must be a whole number >= 0/],
    ['a fractional maxKeyRefreshes', { baseUrl: BASE, maxKeyRefreshes: 1.5 }, /"maxKeyRefreshes"/],
    ['a non-function hook', { baseUrl: BASE, onKeyInvalid: 'rotate' }, /"onKeyInvalid": must be a function/],
    ['a number as key', { baseUrl: BASE, apiKey: 12345 }, /"apiKey": must be a string, a \{ key, expiresAt \} grant, or a function/],
    ['an unknown auth type', { baseUrl: BASE, auth: { type: 'basic' } }, /"auth/],
    [
      'a header auth without a valid name',
      { baseUrl: BASE, auth: { type: 'header', name: 'x api key' } },
      /"auth.name": must be a valid header name/,
    ],
    ['a bad keyLint', { baseUrl: BASE, keyLint: 'loose' }, /"keyLint": must be 'fix', 'strict' or 'off'/],
    ['negative retries', { baseUrl: BASE, retry: -1 }, /"retry"/],
    ['a bad retry object', { baseUrl: BASE, retry: { minDelayMs: -5 } }, /"retry.minDelayMs"/],
    ['non-string headers', { baseUrl: BASE, headers: { 'x-n': 1 } }, /"headers.x-n": must be a string/],
    ['a non-function fetch', { baseUrl: BASE, fetch: {} }, /"fetch": must be a function/],
  ];
  it.each(bad)('throws ConfigError naming the option for %s', (_, options, message) => {
    expect(() => createClient(options as never)).toThrowError(ConfigError);
    expect(() => createClient(options as never)).toThrowError(message);
  });

  it('never echoes a bad key in the ConfigError', () => {
    const error = (() => {
      try {
        createClient({ baseUrl: BASE, apiKey: { key: 'sk_live_secret_value_123', expiresAt: 'soon' } as never });
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(JSON.stringify(error) + String(error) + error?.stack).not.toContain('sk_live_secret_value_123');
  });

  it('throws for a non-object', () => {
    expect(() => createClient(undefined as never)).toThrowError(/Invalid option "options"/);
  });
});
