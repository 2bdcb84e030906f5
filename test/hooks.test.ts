// Request hooks (ky's beforeRequest and afterResponse, and beforeRetry) over real HTTP: what they may
// do (trace, sign, log, answer), and what they never get (the key).
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import ky, { type AfterResponseHook, type BeforeRequestHook } from 'ky';
import { afterEach, describe, expect, it } from 'vitest';
import { type BeforeRetryState, ConfigError, createClient, InvalidApiKeyError, ServerError } from '../src/index.js';

const KEY = 'sk_test_hooks_abcdefghijklmnop';
const NEW_KEY = 'sk_test_hooks_qrstuvwxyz012345';
const SECRET = 'signing-secret';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

const servers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((close) => close()));
});

/** A node:http server on 127.0.0.1 that records every request (body included) and answers with `handle`. */
async function serve(handle: (req: Seen, res: ServerResponse, index: number) => void) {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const entry = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() };
      seen.push(entry);
      handle(entry, res, seen.length - 1);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  servers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url, seen };
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

/** What a hook saw of a request, as plain data. */
const snapshot = (request: Request) => ({
  url: request.url,
  method: request.method,
  headers: Object.fromEntries(request.headers),
});

describe('hooks.beforeRequest', () => {
  it('adds a header to every request (tracing) and never sees the key, which still reaches the server', async () => {
    const api = await serve((_req, res) => json(res, 200, { ok: true }));
    const saw: ReturnType<typeof snapshot>[] = [];
    const trace: BeforeRequestHook = (request) => {
      saw.push(snapshot(request));
      request.headers.set('traceparent', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    };
    const client = createClient({ baseUrl: `${api.url}/v1`, apiKey: KEY, hooks: { beforeRequest: [trace] } });

    await expect(client.get('/me')).resolves.toEqual({ ok: true });

    expect(api.seen[0]?.headers.traceparent).toMatch(/^00-0af7/);
    expect(api.seen[0]?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(saw).toHaveLength(1);
    expect(saw[0]?.url).toBe(`${api.url}/v1/me`);
    expect(saw[0]?.headers.authorization).toBeUndefined();
    expect(JSON.stringify(saw)).not.toContain(KEY);
  });

  it('signs the body on every attempt: a retried POST is signed again, with retryCount 0 then 1', async () => {
    const api = await serve((req, res, index) => {
      const signature = createHmac('sha256', SECRET).update(req.body).digest('hex');
      if (req.headers['x-signature'] !== signature) return json(res, 400, { error: 'bad signature' });
      return index === 0 ? json(res, 503, { error: 'busy' }) : json(res, 201, { id: 7 });
    });
    const counts: number[] = [];
    const sign: BeforeRequestHook = async (request, _options, { retryCount }) => {
      counts.push(retryCount);
      const body = await request.clone().text();
      request.headers.set('x-signature', createHmac('sha256', SECRET).update(body).digest('hex'));
    };
    const client = createClient({
      baseUrl: api.url,
      apiKey: KEY,
      retry: { retries: 2, minDelayMs: 1, maxDelayMs: 2 },
      hooks: { beforeRequest: [sign] },
    });

    await expect(client.post('/orders', { body: { sku: 'a-1', qty: 2 }, idempotencyKey: 'order-1' })).resolves.toEqual({ id: 7 });

    expect(api.seen.map((r) => r.body)).toEqual(['{"sku":"a-1","qty":2}', '{"sku":"a-1","qty":2}']);
    expect(counts).toEqual([0, 1]);
  });

  it('runs again for the replay after a key refresh, and the replay carries the new key', async () => {
    const api = await serve((req, res) =>
      req.headers.authorization === `Bearer ${NEW_KEY}`
        ? json(res, 200, { ok: true })
        : json(res, 401, { error: { code: 'expired_api_key' } }),
    );
    const saw: ReturnType<typeof snapshot>[] = [];
    const client = createClient({
      baseUrl: api.url,
      apiKey: KEY,
      onKeyInvalid: () => NEW_KEY,
      hooks: { beforeRequest: [(request) => void saw.push(snapshot(request))] },
    });

    await expect(client.get('/me')).resolves.toEqual({ ok: true });

    expect(api.seen.map((r) => r.headers.authorization)).toEqual([`Bearer ${KEY}`, `Bearer ${NEW_KEY}`]);
    expect(saw).toHaveLength(2);
    expect(JSON.stringify(saw)).not.toContain(KEY.slice(0, 12));
  });

  it('a returned Response is the answer, and nothing is sent', async () => {
    const api = await serve((_req, res) => json(res, 500, {}));
    const cached = () => new Response(JSON.stringify({ cached: true }), { headers: { 'content-type': 'application/json' } });
    const client = createClient({ baseUrl: api.url, apiKey: KEY, hooks: { beforeRequest: [cached] } });

    await expect(client.get('/me')).resolves.toEqual({ cached: true });
    expect(api.seen).toEqual([]);
  });

  it('a returned 401 Response goes through the key flow like a server answer', async () => {
    const api = await serve((_req, res) => json(res, 200, { ok: true }));
    const client = createClient({
      baseUrl: api.url,
      apiKey: KEY,
      hooks: { beforeRequest: [() => new Response('{"error":{"code":"invalid_api_key"}}', { status: 401 })] },
    });

    const error = await client.get('/me').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidApiKeyError);
    expect((error as InvalidApiKeyError).reason).toBe('malformed');
  });

  it('a returned Request on the same origin is sent instead, with the key; later hooks are skipped, as in ky', async () => {
    const api = await serve((req, res) => json(res, 200, { path: req.url }));
    let later = 0;
    const client = createClient({
      baseUrl: `${api.url}/v1`,
      apiKey: KEY,
      hooks: {
        beforeRequest: [
          (request) => new Request(`${request.url}?fields=id`, request),
          () => {
            later += 1;
          },
        ],
      },
    });

    await expect(client.get('/me')).resolves.toEqual({ path: '/v1/me?fields=id' });
    expect(api.seen[0]?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(later).toBe(0);
  });

  it('a returned Request for another origin is refused: a ConfigError, and nothing reaches either server', async () => {
    const other = await serve((_req, res) => json(res, 200, {}));
    const api = await serve((_req, res) => json(res, 200, {}));
    const client = createClient({
      baseUrl: api.url,
      apiKey: KEY,
      hooks: { beforeRequest: [(request) => new Request(`${other.url}/steal`, request)] },
    });

    const error = await client.get('/me').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).option).toBe('hooks.beforeRequest');
    expect(other.seen).toEqual([]);
    expect(api.seen).toEqual([]);
  });

  it('a returned Request that would follow redirects still does not carry the key to another origin', async () => {
    const other = await serve((_req, res) => json(res, 200, {}));
    const api = await serve((_req, res) => {
      res.writeHead(307, { location: `${other.url}/steal` });
      res.end();
    });
    const client = createClient({
      baseUrl: api.url,
      apiKey: KEY,
      auth: { type: 'header', name: 'x-api-key' },
      hooks: {
        beforeRequest: [(request) => new Request(request.url, { method: request.method, headers: request.headers, redirect: 'follow' })],
      },
    });

    const error = await client.get('/me').catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ApiError', status: 307 });
    expect(api.seen[0]?.headers['x-api-key']).toBe(KEY);
    expect(other.seen).toEqual([]);
  });

  it('with the key in the query, hooks see the URL without it; the server gets it and the body intact', async () => {
    const api = await serve((req, res) => json(res, 200, { url: req.url, body: req.body }));
    const before: string[] = [];
    const after: string[] = [];
    const client = createClient({
      baseUrl: api.url,
      apiKey: KEY,
      auth: { type: 'query', name: 'key' },
      hooks: {
        beforeRequest: [(request) => void before.push(request.url)],
        afterResponse: [(request) => void after.push(request.url)],
      },
    });

    await expect(client.post('/notes', { body: { text: 'hi' } })).resolves.toEqual({
      url: `/notes?key=${KEY}`,
      body: '{"text":"hi"}',
    });
    expect(before).toEqual([`${api.url}/notes`]);
    expect(after).toEqual([`${api.url}/notes`]);
  });

  it('runs for each same-origin redirect hop, and each hop carries the key', async () => {
    const api = await serve((req, res) => {
      if (req.url === '/old') {
        res.writeHead(307, { location: '/new' });
        return res.end();
      }
      return json(res, 200, { ok: true });
    });
    const urls: string[] = [];
    const client = createClient({ baseUrl: api.url, apiKey: KEY, hooks: { beforeRequest: [(request) => void urls.push(request.url)] } });

    await expect(client.get('/old')).resolves.toEqual({ ok: true });
    expect(urls).toEqual([`${api.url}/old`, `${api.url}/new`]);
    expect(api.seen.map((r) => r.headers.authorization)).toEqual([`Bearer ${KEY}`, `Bearer ${KEY}`]);
  });

  it('finds the request context as options.context', async () => {
    const api = await serve((req, res) => json(res, 200, { tenant: req.headers['x-tenant'] }));
    const tenant: BeforeRequestHook = (request, options) => {
      request.headers.set('x-tenant', String(options.context.tenant));
    };
    const client = createClient({ baseUrl: api.url, apiKey: KEY, hooks: { beforeRequest: [tenant] } });

    await expect(client.get('/me', { context: { tenant: 'acme' } })).resolves.toEqual({ tenant: 'acme' });
  });

  it("a hook that never settles is bounded by timeoutMs (TimeoutError) and by the caller's abort", async () => {
    const api = await serve((_req, res) => json(res, 200, {}));
    const client = createClient({
      baseUrl: api.url,
      apiKey: KEY,
      retry: 0,
      timeoutMs: 50,
      hooks: { beforeRequest: [() => new Promise<void>(() => {})] },
    });

    await expect(client.get('/me')).rejects.toMatchObject({ name: 'TimeoutError' });
    const controller = new AbortController();
    const pending = client.get('/me', { signal: controller.signal, timeoutMs: 60_000 });
    controller.abort(new Error('user gave up'));
    await expect(pending).rejects.toThrow('user gave up');
    expect(api.seen).toEqual([]);
  });

  it('a hook that throws rejects the request with a ConfigError naming it (its error as the cause), sending nothing', async () => {
    const api = await serve((_req, res) => json(res, 200, {}));
    const boom = new Error('no signing key loaded');
    const client = createClient({ baseUrl: api.url, apiKey: KEY, hooks: { beforeRequest: [() => {}, () => Promise.reject(boom)] } });

    const error = await client.get('/me').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).option).toBe('hooks.beforeRequest[1]');
    expect((error as ConfigError).message).toContain('no signing key loaded');
    expect(((error as ConfigError).cause as Error).message).toBe('no signing key loaded');
    expect(api.seen).toEqual([]);
  });
});

describe('hooks and the key', () => {
  it('with keyLint off, a key a header cannot carry is still a typed key error, and nothing is sent', async () => {
    const api = await serve((_req, res) => json(res, 200, {}));
    let ran = 0;
    const client = createClient({
      baseUrl: api.url,
      apiKey: 'sk_test_line\nbreak_0000',
      keyLint: 'off',
      hooks: { beforeRequest: [() => void ran++] },
    });

    await expect(client.get('/me')).rejects.toMatchObject({ name: 'InvalidApiKeyError', reason: 'malformed', source: 'client' });
    expect(api.seen).toEqual([]);
    expect(ran).toBe(1);
  });
});

describe('hooks never hold the key (hostile review)', () => {
  it('a request a beforeRequest hook keeps is never written to: no key while in flight, none after', async () => {
    const api = await serve((_req, res) => setTimeout(() => json(res, 200, {}), 30));
    let saved: Request | undefined;
    let inFlight: string | null | undefined;
    const client = createClient({
      baseUrl: api.url,
      apiKey: KEY,
      hooks: {
        beforeRequest: [
          (request) => {
            saved = request;
            setTimeout(() => {
              inFlight = saved?.headers.get('authorization');
            }, 10);
          },
        ],
      },
    });

    await client.get('/me');
    expect(api.seen[0]?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(inFlight).toBeNull();
    expect(saved?.headers.get('authorization')).toBeNull();
  });

  it.each([
    ['the query', { type: 'query', name: 'api_key' }],
    [
      'the query and a header',
      [
        { type: 'query', name: 'api_key' },
        { type: 'header', name: 'x-api-key' },
      ],
    ],
  ] as const)(
    'with the key in %s, afterResponse sees response.url without it: the 401, its replay, and each redirect hop',
    async (_what, auth) => {
      const api = await serve((req, res) => {
        const url = new URL(req.url, 'http://x');
        if (url.pathname === '/old') {
          res.writeHead(307, { location: `/new?api_key=${url.searchParams.get('api_key')}` });
          return res.end();
        }
        return url.searchParams.get('api_key') === NEW_KEY
          ? json(res, 200, { ok: true })
          : json(res, 401, { error: { code: 'expired_api_key' } });
      });
      const urls: string[] = [];
      const client = createClient({
        baseUrl: api.url,
        apiKey: KEY,
        auth: auth as never,
        onKeyInvalid: () => NEW_KEY,
        hooks: { afterResponse: [(_request, _options, response) => void urls.push(response.url)] },
      });

      await expect(client.get('/old')).resolves.toEqual({ ok: true });
      expect(urls.length).toBeGreaterThanOrEqual(3);
      for (const url of urls) {
        expect(url).not.toContain(KEY);
        expect(url).not.toContain(NEW_KEY);
      }
      expect(urls).toContain(`${api.url}/new`);
    },
  );

  it.each([
    ['beforeRequest', { beforeRequest: [unprintable] }, 0],
    ['afterResponse', { afterResponse: [unprintable] }, 1],
  ] as const)('a %s hook that throws a value without a string form: a ConfigError naming it, not retried', async (name, hooks, sent) => {
    const api = await serve((_req, res) => json(res, 200, {}));
    const client = createClient({ baseUrl: api.url, apiKey: KEY, retry: { retries: 2, minDelayMs: 1, maxDelayMs: 2 }, hooks });

    const error = await client.get('/me').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).option).toBe(`hooks.${name}[0]`);
    expect(api.seen).toHaveLength(sent);
  });
});

function unprintable(): never {
  throw Object.create(null);
}

describe('hooks.afterResponse', () => {
  it('sees every response (a 401, then the replay) with the request without its key', async () => {
    const api = await serve((req, res) =>
      req.headers.authorization === `Bearer ${NEW_KEY}`
        ? json(res, 200, { ok: true }, { 'x-request-id': 'req_2' })
        : json(res, 401, { error: { code: 'expired_api_key' } }, { 'x-request-id': 'req_1' }),
    );
    const log: Array<{ status: number; id: string | null; auth: string | null; retryCount: number }> = [];
    const record: AfterResponseHook = (request, _options, response, { retryCount }) => {
      log.push({
        status: response.status,
        id: response.headers.get('x-request-id'),
        auth: request.headers.get('authorization'),
        retryCount,
      });
    };
    const client = createClient({ baseUrl: api.url, apiKey: KEY, onKeyInvalid: () => NEW_KEY, hooks: { afterResponse: [record] } });

    await expect(client.get('/me')).resolves.toEqual({ ok: true });
    expect(log).toEqual([
      { status: 401, id: 'req_1', auth: null, retryCount: 0 },
      { status: 200, id: 'req_2', auth: null, retryCount: 1 },
    ]);
  });

  it('a returned Response replaces the answer before keyguard reads it', async () => {
    const api = await serve((_req, res) => json(res, 200, { data: { id: 1 } }));
    const unwrap: AfterResponseHook = async (_request, _options, response) => {
      const { data } = (await response.json()) as { data: unknown };
      return new Response(JSON.stringify(data), { status: response.status, headers: response.headers });
    };
    const client = createClient({ baseUrl: api.url, apiKey: KEY, hooks: { afterResponse: [unwrap] } });

    await expect(client.get('/things/1')).resolves.toEqual({ id: 1 });
  });

  it("ky.retry() is refused with a ConfigError (retries follow keyguard's retry option); the server is asked once", async () => {
    const api = await serve((_req, res) => json(res, 200, {}));
    const client = createClient({ baseUrl: api.url, apiKey: KEY, hooks: { afterResponse: [() => ky.retry()] } });

    const error = await client.get('/me').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).option).toBe('hooks.afterResponse[0]');
    expect(api.seen).toHaveLength(1);
  });

  it('a hook that throws with an echoed key in its message: a ConfigError, not retried, the key redacted', async () => {
    const api = await serve((req, res) => json(res, 200, { echo: req.headers.authorization }));
    const client = createClient({
      baseUrl: api.url,
      apiKey: KEY,
      retry: { retries: 3, minDelayMs: 1, maxDelayMs: 2 },
      hooks: {
        afterResponse: [
          async (_request, _options, response) => {
            throw new Error(`unexpected answer ${await response.text()}`);
          },
        ],
      },
    });

    const error = await client.get('/me').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).option).toBe('hooks.afterResponse[0]');
    expect(api.seen).toHaveLength(1);
    expect((error as ConfigError).message).toContain('unexpected answer');
    expect(String(error)).not.toContain(KEY);
    expect(String((error as ConfigError).cause)).not.toContain(KEY);
  });
});

describe('hooks.beforeRetry', () => {
  it('is called before each retry with the failure, the retry count and the request without its key', async () => {
    const api = await serve((_req, res, index) => (index < 2 ? json(res, 503, { error: 'busy' }) : json(res, 200, { ok: true })));
    const states: BeforeRetryState[] = [];
    const client = createClient({
      baseUrl: api.url,
      apiKey: KEY,
      retry: { retries: 2, minDelayMs: 1, maxDelayMs: 2 },
      hooks: { beforeRetry: [(state) => void states.push(state)] },
    });

    await expect(client.get('/me')).resolves.toEqual({ ok: true });
    expect(states.map((s) => s.retryCount)).toEqual([1, 2]);
    expect(states[0]?.error).toBeInstanceOf(ServerError);
    expect(states[0]?.request.url).toBe(`${api.url}/me`);
    expect(states[0]?.request.headers.get('authorization')).toBeNull();
  });

  it('throwing stops the retries with a ConfigError naming the hook', async () => {
    const api = await serve((_req, res) => json(res, 503, { error: 'busy' }));
    const client = createClient({
      baseUrl: api.url,
      apiKey: KEY,
      retry: { retries: 3, minDelayMs: 1, maxDelayMs: 2 },
      hooks: {
        beforeRetry: [
          () => {
            throw new Error('circuit open');
          },
        ],
      },
    });

    const error = await client.get('/me').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).option).toBe('hooks.beforeRetry[0]');
    expect(api.seen).toHaveLength(1);
  });
});

describe('hooks.beforeRetry that misbehaves', () => {
  it('one that throws a value without a string form: a ConfigError naming it', async () => {
    const client = createClient({
      baseUrl: 'http://127.0.0.1:9',
      apiKey: KEY,
      retry: { retries: 1, minDelayMs: 1, maxDelayMs: 1 },
      hooks: { beforeRetry: [unprintable] },
    });
    await expect(client.get('/me')).rejects.toMatchObject({ name: 'ConfigError', option: 'hooks.beforeRetry[0]' });
  });

  it("one that never settles: the caller's abort ends the request at once, and timeoutMs bounds it otherwise", async () => {
    const api = await serve((_req, res) => json(res, 503, {}));
    const hooks = { beforeRetry: [() => new Promise<void>(() => {})] };
    const client = createClient({
      baseUrl: api.url,
      apiKey: KEY,
      timeoutMs: 100,
      retry: { retries: 2, minDelayMs: 1, maxDelayMs: 1 },
      hooks,
    });

    await expect(client.get('/me')).rejects.toMatchObject({ name: 'ConfigError', option: 'hooks.beforeRetry[0]' });
    const controller = new AbortController();
    const pending = client.get('/me', { signal: controller.signal, timeoutMs: 60_000 });
    setTimeout(() => controller.abort(new Error('gave up')), 30);
    await expect(pending).rejects.toThrow('gave up');
  });
});

describe('the hooks option', () => {
  it.each([
    ['a string', 'x', 'hooks'],
    ['a hook keyguard does not run', { beforeError: [() => {}] }, 'hooks.beforeError'],
    ['a list that is not a list', { beforeRequest: () => {} }, 'hooks.beforeRequest'],
    ['an entry that is not a function', { afterResponse: [() => {}, 42] }, 'hooks.afterResponse[1]'],
  ])('refuses %s with a ConfigError naming it', (_what, hooks, option) => {
    const error = (() => {
      try {
        createClient({ baseUrl: 'http://127.0.0.1:9', hooks: hooks as never });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).option).toBe(option);
  });

  it('copies the lists: a hook pushed after createClient does not run', async () => {
    const api = await serve((_req, res) => json(res, 200, {}));
    const beforeRequest: BeforeRequestHook[] = [];
    const client = createClient({ baseUrl: api.url, apiKey: KEY, hooks: { beforeRequest } });
    let ran = false;
    beforeRequest.push(() => {
      ran = true;
    });

    await client.get('/me');
    expect(ran).toBe(false);
  });

  it('refuses a context that is not an object', async () => {
    const client = createClient({ baseUrl: 'http://127.0.0.1:9', apiKey: KEY });
    await expect(client.get('/me', { context: 'x' as never })).rejects.toMatchObject({ name: 'ConfigError', option: 'context' });
  });
});
