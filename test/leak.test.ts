import { inspect } from 'node:util';
import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type AuthPlacement, createClient } from '../src/index.js';
import { BASE, useMsw } from './helpers/msw.js';
import { renderings } from './helpers/renderings.js';

const server = useMsw();
// A key with characters that change under URL encoding, so every spelling is checked.
const KEY = "sk_live_Zx9+Qw/Er7=Ty8Ui6Op5As4!~*'()";
const SPELLINGS = [KEY, encodeURIComponent(KEY), new URLSearchParams({ k: KEY }).toString().slice(2)];

function expectNoKey(value: unknown) {
  for (const text of renderings(value)) for (const spelling of SPELLINGS) expect(text).not.toContain(spelling);
}

/** An API that echoes the key back everywhere it can: body, message, headers. */
function echoingApi(status: number) {
  server.use(
    http.all(`${BASE}/*`, ({ request }) => {
      const url = new URL(request.url);
      const key =
        request.headers.get('authorization')?.slice(7) ?? request.headers.get('x-api-key') ?? url.searchParams.get('api_key') ?? '';
      const body = { error: { code: 'invalid_api_key', message: `Incorrect API key provided: ${key}`, key, [key]: 'as a field name' } };
      return HttpResponse.json(body, {
        status,
        headers: {
          'x-echo-key': key,
          'set-cookie': `session=${key}`,
          'www-authenticate': `Bearer error="invalid_token", error_description="bad ${key}"`,
        },
      });
    }),
  );
}

const placements: Array<[string, AuthPlacement | undefined]> = [
  ['bearer', { type: 'bearer' }],
  ['header', { type: 'header', name: 'x-api-key' }],
  ['query', { type: 'query', name: 'api_key' }],
];

describe('the key never leaks', () => {
  describe.each(placements)('with the key in %s', (_, auth) => {
    const options = { baseUrl: BASE, apiKey: KEY, auth, retry: false as const };

    it.each([401, 403, 400, 404, 409, 422, 429, 500, 503])('from a %i answer that echoes the key', async (status) => {
      echoingApi(status);
      const error = await createClient(options)
        .get('/me')
        .catch((e: unknown) => e);
      expect((error as Error).name).toMatch(/Error$/);
      expectNoKey(error);
      const fields = error as { headers?: Record<string, string>; response?: { headers: Record<string, string> }; url?: string };
      expect(JSON.stringify(fields.headers ?? fields.response?.headers)).toContain('[REDACTED]');
      expect(fields.url).toBe(
        `${BASE}/me${auth?.type === 'query' ? '?api_key=%5BREDACTED%5D' : ''}`.replace('%5BREDACTED%5D', '[REDACTED]'),
      );
    });

    it('from ConnectionError and TimeoutError', async () => {
      server.use(
        http.get(`${BASE}/down`, () => HttpResponse.error()),
        http.get(`${BASE}/slow`, () => new Promise(() => {})),
      );
      const client = createClient({ ...options, timeoutMs: 20 });
      const connection = await client.get('/down').catch((e: unknown) => e);
      const timeout = await client.get('/slow').catch((e: unknown) => e);
      expect((connection as Error).name).toBe('ConnectionError');
      expect((timeout as Error).name).toBe('TimeoutError');
      expectNoKey(connection);
      expectNoKey(timeout);
    });

    it('from ResponseValidationError', async () => {
      server.use(http.get(`${BASE}/me`, () => HttpResponse.json({ id: KEY })));
      const error = await createClient(options)
        .get('/me', { schema: z.object({ id: z.number() }) })
        .catch((e: unknown) => e);
      expect((error as Error).name).toBe('ResponseValidationError');
      expectNoKey(error);
    });

    it('from a failed hook, with the error it threw as cause', async () => {
      echoingApi(401);
      const client = createClient({
        ...options,
        onKeyInvalid: () => {
          throw new Error('vault is down');
        },
      });
      const error = await client.get('/me').catch((e: unknown) => e);
      expect((error as Error).cause).toBeInstanceOf(Error);
      expectNoKey(error);
    });
  });

  it('from client-side key checks, whatever is wrong with the key', async () => {
    for (const bad of [`"${KEY}"`, `Bearer ${KEY}`, `${KEY.slice(0, 10)} ${KEY.slice(10)}`, `${KEY}\u200b`, `${KEY}\n`]) {
      const error = await createClient({ baseUrl: BASE, apiKey: bad, keyLint: 'strict' })
        .get('/me')
        .catch((e: unknown) => e);
      expect((error as Error).name).toBe('InvalidApiKeyError');
      for (const text of renderings(error)) {
        expect(text).not.toContain(KEY.slice(0, 12));
        expect(text).not.toContain(KEY.slice(10));
      }
    }
  });

  it('from the logger, at every level', async () => {
    echoingApi(401);
    const lines: string[] = [];
    const log = (...args: unknown[]) => lines.push(args.map((a) => (typeof a === 'string' ? a : inspect(a, { depth: 10 }))).join(' '));
    const client = createClient({
      baseUrl: BASE,
      apiKey: ` ${KEY}\n`, // trimmed under 'fix', which logs a warning
      auth: { type: 'query', name: 'api_key' },
      logger: { debug: log, info: log, warn: log, error: log },
      onKeyInvalid: () => `${KEY}-rotated`,
      retry: false,
    });
    await client.get('/me').catch(() => {});
    expect(lines.length).toBeGreaterThan(3);
    expect(lines.some((line) => line.includes('trimmed'))).toBe(true);
    for (const line of lines) for (const spelling of SPELLINGS) expect(line).not.toContain(spelling);
  });

  it('from the client object itself', () => {
    const client = createClient({ baseUrl: BASE, apiKey: KEY, headers: { 'x-app': 'demo' } });
    const shown = [
      inspect(client, { showHidden: true, depth: Number.POSITIVE_INFINITY }),
      JSON.stringify(client),
      String(Object.keys(client)),
    ];
    for (const text of shown) expect(text).not.toContain(KEY);
    expect(JSON.stringify(client)).toBe(`{"baseUrl":"${BASE}","auth":"bearer"}`);
  });

  it('from a cause that quotes the URL or the key (a custom fetch, a hook, a provider)', async () => {
    const fetchQuotingUrl: typeof fetch = async (input) => {
      throw new TypeError(`request to ${(input as Request).url} failed, reason: socket hang up`);
    };
    const viaFetch = await createClient({
      baseUrl: BASE,
      apiKey: KEY,
      auth: { type: 'query', name: 'api_key' },
      fetch: fetchQuotingUrl,
      retry: false,
    })
      .get('/me')
      .catch((e: unknown) => e);
    expect((viaFetch as Error).name).toBe('ConnectionError');
    expect(String(((viaFetch as Error).cause as Error).message)).toContain('[REDACTED]');
    expectNoKey(viaFetch);

    echoingApi(401);
    const hook = await createClient({
      baseUrl: BASE,
      apiKey: KEY,
      retry: false,
      onKeyInvalid: () => {
        throw new Error(`vault refused ${KEY}`, { cause: new Error(`nested ${KEY}`) });
      },
    })
      .get('/me')
      .catch((e: unknown) => e);
    expect(((hook as Error).cause as Error).message).toBe('vault refused [REDACTED]');
    expectNoKey(hook);

    // The provider hands out the key, then fails to replace it with an error that quotes it.
    const provider = await createClient({
      baseUrl: BASE,
      retry: false,
      apiKey: ({ reason }) => {
        if (reason === 'initial') return KEY;
        throw Object.assign(new Error('no key'), { config: { headers: { authorization: `Bearer ${KEY}` } } });
      },
    })
      .get('/me')
      .catch((e: unknown) => e);
    expect((provider as Error).name).toBe('InvalidApiKeyError');
    expectNoKey(provider);
  });

  it('from schema issues that quote the value, and from a request id that echoes the key', async () => {
    server.use(http.get(`${BASE}/me`, () => HttpResponse.json({ id: KEY }, { headers: { 'x-request-id': `req-${KEY}` } })));
    const echoingSchema = {
      '~standard': {
        version: 1 as const,
        vendor: 'test',
        validate: (value: unknown) => ({ issues: [{ message: `bad value ${JSON.stringify(value)}`, path: [KEY] }] }),
      },
    };
    const error = await createClient({ baseUrl: BASE, apiKey: KEY })
      .get('/me', { schema: echoingSchema })
      .catch((e: unknown) => e);
    expect((error as Error).name).toBe('ResponseValidationError');
    expectNoKey(error);

    server.use(
      http.get(`${BASE}/gone`, () => HttpResponse.json({ error: 'x' }, { status: 404, headers: { 'x-request-id': `req-${KEY}` } })),
    );
    const notFound = await createClient({ baseUrl: BASE, apiKey: KEY })
      .get('/gone')
      .catch((e: unknown) => e);
    expect((notFound as { requestId: string }).requestId).toBe('req-[REDACTED]');
    expectNoKey(notFound);
  });
});
