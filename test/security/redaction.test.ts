import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import ky from 'ky';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClientOptions, createClient } from '../../src/index.js';
import { Secrets } from '../../src/internal/redact.js';
import { redactError } from '../../src/internal/redact-deep.js';
import { renderings } from '../helpers/renderings.js';

// 44 characters, as a real key: a recognisable prefix and random-looking letters and digits.
const KEY = 'sk_live_4fQ9zT2mLx8vR1cN7bW3kJ6hY0pD5sG2aEuZ';
const MiB = 1024 * 1024;

/** Every piece of the key 8 characters or longer: none may be shown, cut or not. */
const FRAGMENTS = Array.from({ length: KEY.length - 7 }, (_, i) => KEY.slice(i, i + 8));

function expectNoKeyIn(texts: string[], key = KEY) {
  const pieces = key === KEY ? FRAGMENTS : [key];
  for (const text of texts) {
    for (const piece of pieces) {
      if (text.includes(piece)) {
        const at = text.indexOf(piece);
        throw new Error(`"${piece}" of the key is shown: …${text.slice(Math.max(0, at - 60), at + 60)}…`);
      }
    }
  }
}

const expectNoKey = (value: unknown, key = KEY) => expectNoKeyIn(renderings(value), key);

// ---------------------------------------------------------------------------
// A real HTTP server on 127.0.0.1 that echoes the key where keyguard cuts text.
// ---------------------------------------------------------------------------

let server: Server;
let base: string;

/** The key the request carried, from any placement. */
function keyOf(url: URL, headers: Record<string, string | string[] | undefined>): string {
  const bearer = String(headers.authorization ?? '').replace(/^Bearer /, '');
  return bearer || String(headers['x-api-key'] ?? '') || (url.searchParams.get('api_key') ?? '');
}

/** `before` characters of filler, so the key starts `before` characters before the cut at `cut`. */
const pad = (start: string, length: number) => (start + 'x'.repeat(Math.max(0, length))).slice(0, Math.max(start.length, length));

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const key = keyOf(url, req.headers);
    const status = Number(url.searchParams.get('status') ?? 401);
    const cut = Number(url.searchParams.get('cut'));
    const kept = Number(url.searchParams.get('kept')); // characters of the key before the cut
    const before = cut - kept;
    const send = (type: string, body: string) => {
      // No keep-alive: a reused socket the server is closing would fail a request for reasons of its own.
      res.writeHead(status, { 'content-type': type, connection: 'close' });
      res.end(body);
    };
    switch (url.pathname) {
      case '/json':
        return send(
          'application/json',
          JSON.stringify({ error: { message: `${pad('The API key is invalid: ', before)}${key} and more text after it` } }),
        );
      case '/html-title':
        // A <title> over 500 characters is not a headline: the text is cut at 200 characters.
        return send('text/html', `<html><head><title>${pad('Invalid API key ', before)}${key} ${'y'.repeat(600)}</title></head></html>`);
      case '/html-h1':
        return send('text/html', `<html><body><h1>${pad('Invalid API key ', before)}${key}</h1><p>more</p></body></html>`);
      case '/html-p':
        return send('text/html', `<!doctype html><html><body><p>${pad('Invalid API key ', before)}${key} and more</p></body></html>`);
      case '/text':
        return send('text/plain', `${pad('Invalid API key: ', before)}${key} and more text`);
      case '/huge':
        // The key straddles the 1 MiB read cap of an error body.
        return send('text/plain', `${pad('Invalid API key: ', before)}${key}${'z'.repeat(1000)}`);
      default:
        return send('application/json', '{}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const placements: Array<[string, ClientOptions['auth']]> = [
  ['bearer', { type: 'bearer' }],
  ['header', { type: 'header', name: 'x-api-key' }],
  ['query', { type: 'query', name: 'api_key' }],
];

/** A client, and the lines its logger wrote at every level. */
function client(auth: ClientOptions['auth'], extra: Partial<ClientOptions> = {}) {
  const lines: string[] = [];
  const log = (...args: unknown[]) =>
    lines.push(args.map((a) => (typeof a === 'string' ? a : inspect(a, { showHidden: true, depth: 10 }))).join(' '));
  const api = createClient({
    baseUrl: base,
    apiKey: KEY,
    auth,
    retry: false,
    logger: { debug: log, info: log, warn: log, error: log },
    ...extra,
  });
  return { api, lines };
}

/** The texts a cut lands in: messages, bodies, the redacted response. */
function cutTexts(error: unknown): string[] {
  const e = error as { message: string; body?: unknown; response?: { body?: unknown } };
  return [e.message, JSON.stringify(e.body ?? ''), JSON.stringify(e.response?.body ?? '')];
}

describe('a key straddling a cut is redacted, not cut', () => {
  const cases: Array<[string, number]> = [
    ['/json', 2000],
    ['/html-title', 200],
    ['/html-p', 200],
    ['/text', 2000],
    ['/huge', MiB],
  ];
  describe.each(placements)('with the key in %s', (_, auth) => {
    it.each(cases)('%s, cut at %i characters, 401 and 500', async (path, cut) => {
      for (const status of [401, 500]) {
        for (const kept of [4, 5, 8, 20, 30, KEY.length - 1]) {
          const { api, lines } = client(auth);
          const error = await api.get(path, { query: { status, cut, kept } }).catch((e: unknown) => e);
          expect((error as Error).name, `${path} ${status} ${kept}`).toBe(status === 401 ? 'InvalidApiKeyError' : 'ServerError');
          expectNoKey(error);
          expectNoKeyIn(lines);
          // Not even a 4-character prefix of the key is left at the cut.
          for (const text of cutTexts(error)) expect(text, `${path} ${status} ${kept}`).not.toContain(KEY.slice(0, 4));
          expect(cutTexts(error).join(' ')).toContain('[REDACTED]');
        }
      }
    });
  });

  it('an <h1> holding the key is redacted whole', async () => {
    const { api } = client({ type: 'bearer' });
    const error = await api.get('/html-h1', { query: { status: 401, cut: 100, kept: 0 } }).catch((e: unknown) => e);
    expect((error as Error).message).toContain('[REDACTED]');
    expectNoKey(error);
  });
});

// ---------------------------------------------------------------------------
// Causes that carry a Request, Headers, URL, Map, Set, AggregateError, Symbols, deep chains.
// ---------------------------------------------------------------------------

/** A custom fetch that throws `make(input)` without sending anything. */
const throwing =
  (make: (request: Request) => unknown): typeof fetch =>
  async (input) => {
    throw make(input as Request);
  };

const carriers: Array<[string, (request: Request) => unknown]> = [
  [
    'error.request = input (as ky does)',
    (request) => Object.assign(new TypeError(`fetch failed: ${request.method} ${request.url}`), { request }),
  ],
  ['a bare Headers field', (request) => Object.assign(new Error('failed'), { headers: request.headers })],
  [
    'a URL field',
    (request) => Object.assign(new Error('failed'), { url: new URL(request.url), params: new URL(request.url).searchParams }),
  ],
  [
    'a Map and a Set',
    (request) =>
      Object.assign(new Error('failed'), {
        map: new Map<unknown, unknown>([
          ['authorization', request.headers.get('authorization')],
          [request.url, 1],
        ]),
        set: new Set([request.url, request.headers.get('authorization'), request.headers.get('x-api-key')]),
      }),
  ],
  [
    'an AggregateError',
    (request) => new AggregateError([Object.assign(new Error('inner'), { request }), new Error(`at ${request.url}`)], 'all failed'),
  ],
  [
    'Symbol-keyed and non-enumerable fields, a Symbol named after the key',
    (request) => {
      const error = new Error('failed') as Error & Record<symbol, unknown>;
      error[Symbol('request')] = request;
      Object.defineProperty(error, 'hidden', { value: { headers: request.headers }, enumerable: false });
      error[Symbol(request.url)] = 1;
      error[Symbol(String(request.headers.get('authorization')))] = 2;
      return error;
    },
  ],
  [
    'getters, one that returns the request and one that throws the key',
    (request) => {
      const error = new Error('failed');
      Object.defineProperty(error, 'request', { get: () => request, enumerable: true });
      Object.defineProperty(error, 'boom', {
        get: () => {
          throw new Error(`no: ${request.url} ${request.headers.get('authorization')} ${request.headers.get('x-api-key')}`);
        },
        enumerable: false,
      });
      return error;
    },
  ],
  [
    'a cycle',
    (request) => {
      const error = new Error('failed') as Error & { self?: unknown; request?: unknown };
      error.self = { error, request };
      error.cause = error;
      return error;
    },
  ],
  [
    'a cause chain of depth 50 with the request at the bottom',
    (request) => {
      let error: Error = Object.assign(new Error(`bottom ${request.url}`), { request });
      for (let i = 0; i < 50; i += 1) error = new Error(`level ${i}`, { cause: error });
      return error;
    },
  ],
  [
    'a thrown plain object',
    (request) => ({ request, headers: Object.fromEntries(request.headers), deep: { deeper: [new Map([['k', request.url]])] } }),
  ],
  [
    'a Response with the key echoed in a header',
    (request) =>
      Object.assign(new Error('failed'), {
        response: new Response('', { headers: { 'x-echo': String(request.headers.get('authorization')), location: request.url } }),
      }),
  ],
  ['a Uint8Array of the request line', (request) => Object.assign(new Error('failed'), { raw: new TextEncoder().encode(request.url) })],
  [
    'a throwing Proxy next to the request',
    (request) =>
      Object.assign(new Error('failed'), {
        request,
        proxy: new Proxy(
          {},
          {
            ownKeys: () => {
              throw new Error(request.url);
            },
          },
        ),
      }),
  ],
];

describe('a cause that carries the request never shows the key', () => {
  describe.each(placements)('with the key in %s', (_, auth) => {
    it.each(carriers)('%s', async (_, make) => {
      const { api, lines } = client(auth, { fetch: throwing(make) });
      const error = await api.get('/me').catch((e: unknown) => e);
      expect((error as Error).name).toBe('ConnectionError');
      expect((error as Error).cause).toBeDefined();
      expectNoKey(error);
      expectNoKeyIn(lines);
      // console.log(error) is util.inspect: the key is not there at any depth.
      expectNoKeyIn([inspect(error, { showHidden: true, depth: 10 }), inspect(error, { depth: null })]);
    });
  });

  it('a Request in a cause is described: method, redacted URL, redacted headers', async () => {
    const { api } = client(
      { type: 'query', name: 'api_key' },
      { fetch: throwing((request) => Object.assign(new Error('x'), { request })) },
    );
    const error = (await api.get('/me', { headers: { 'x-app': 'demo' } }).catch((e: unknown) => e)) as Error;
    const request = (error.cause as { request: { method: string; url: string; headers: Record<string, string> } }).request;
    expect(request.method).toBe('GET');
    expect(request.url).toBe(`${base}/me?api_key=[REDACTED]`);
    expect(request.headers['x-app']).toBe('demo');
  });

  it('every cause of a depth-50 chain is reachable and key-free, the class kept', async () => {
    const { api } = client({ type: 'bearer' }, { fetch: throwing((request) => carriers[8]?.[1](request)) });
    const error = (await api.get('/me').catch((e: unknown) => e)) as Error;
    let cause: unknown = error.cause;
    let depth = 0;
    expectNoKey(error);
    while (cause instanceof Error && depth < 100) {
      expectNoKeyIn([String(cause), String(cause.stack), inspect(cause, { showHidden: true, depth: 0 }), JSON.stringify(cause)]);
      cause = cause.cause;
      depth += 1;
    }
    expect(depth).toBe(51);
  });

  it('a cause without a key is passed on as it is', async () => {
    const thrown = new TypeError('socket hang up');
    const { api } = client({ type: 'bearer' }, { fetch: throwing(() => thrown) });
    const error = (await api.get('/me').catch((e: unknown) => e)) as Error;
    expect(error.cause).toBe(thrown);
  });

  describe.each(placements)('fetch: ky.create(...), the key in %s', (_, auth) => {
    it('an HTTPError (which holds the Request, the Response and the options)', async () => {
      const { api, lines } = client(auth, { fetch: ky.create({ retry: 0, throwHttpErrors: true }) as unknown as typeof fetch });
      const error = (await api.get('/json', { query: { status: 401, cut: 2000, kept: 20 } }).catch((e: unknown) => e)) as Error;
      expect((error.cause as Error).name).toBe('HTTPError');
      expectNoKey(error);
      expectNoKeyIn(lines);
    });

    it('a TimeoutError (which holds the Request)', async () => {
      const hang = createServer(() => {});
      await new Promise<void>((resolve) => hang.listen(0, '127.0.0.1', resolve));
      try {
        const url = `http://127.0.0.1:${(hang.address() as AddressInfo).port}`;
        const { api, lines } = client(auth, {
          baseUrl: url,
          fetch: ky.create({ retry: 0, timeout: 30 }) as unknown as typeof fetch,
        });
        const error = (await api.get('/slow').catch((e: unknown) => e)) as Error;
        expect((error.cause as Error).name).toBe('TimeoutError');
        expectNoKey(error);
        expectNoKeyIn(lines);
      } finally {
        hang.closeAllConnections();
        await new Promise((resolve) => hang.close(resolve));
      }
    });
  });
});

// ---------------------------------------------------------------------------
// Short keys, and the Secrets rules themselves.
// ---------------------------------------------------------------------------

describe('short keys are redacted too', () => {
  it.each(['a', 'k9', 'abc', 'Q+/'])('a %j key is redacted in headers, the URL and as a token in text', async (short) => {
    const echo = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const key = String(req.headers['x-api-key'] ?? url.searchParams.get('api_key') ?? '');
      res.writeHead(401, { 'content-type': 'application/json', 'x-echo': key });
      res.end(JSON.stringify({ error: { message: `Invalid API key: ${key}.`, key } }));
    });
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`;
      for (const auth of [
        { type: 'query', name: 'api_key' },
        { type: 'header', name: 'x-api-key' },
      ] as const) {
        const error = (await createClient({ baseUrl: url, apiKey: short, auth, keyLint: 'off', retry: false })
          .get('/me')
          .catch((e: unknown) => e)) as { message: string; url: string; response: { headers: Record<string, string>; body: unknown } };
        expect(error.message).toBe('Invalid API key: [REDACTED].');
        expect(error.response.body).toEqual({ error: { message: 'Invalid API key: [REDACTED].', key: '[REDACTED]' } });
        expect(error.response.headers['x-echo']).toBe('[REDACTED]');
        if (auth.type === 'query') expect(error.url).toBe(`${url}/me?api_key=[REDACTED]`);
        for (const text of renderings(error)) {
          expect(text).not.toMatch(new RegExp(`[:=] ?${short.replace(/[+/]/g, '\\$&')}(?![\\w-])`));
          expect(text).not.toContain(encodeURIComponent(short) === short ? '\u0000' : encodeURIComponent(short));
        }
      }
    } finally {
      echo.closeAllConnections();
      await new Promise((resolve) => echo.close(resolve));
    }
  });

  it('a short key inside a longer word is left alone (it is not the key there)', () => {
    const secrets = new Secrets();
    secrets.add('ab');
    expect(secrets.text('about tab ab, (ab) ab-c')).toBe('about tab [REDACTED], ([REDACTED]) ab-c');
  });
});

describe('Secrets', () => {
  const secrets = new Secrets();
  secrets.add(KEY);

  it('headers(): a header named "__proto__" is an own field, not the prototype; credentials and echoes redacted', () => {
    const headers = new Headers([
      ['__proto__', 'polluted'],
      ['authorization', `Bearer ${KEY}`],
      ['x-echo', `got ${KEY}`],
      ['x-plain', 'ok'],
    ]);
    const out = secrets.headers(headers);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(out, '__proto__')?.value).toBe('polluted');
    expect(out).toMatchObject({ authorization: '[REDACTED]', 'x-echo': 'got [REDACTED]', 'x-plain': 'ok' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('removes a prefix of a key at the end of a text, with or without an ellipsis, from 4 characters on', () => {
    for (const kept of [4, 5, 12, KEY.length - 1]) {
      for (const mark of ['', '…', '...', '"', ' …']) {
        const out = secrets.text(`message: ${KEY.slice(0, kept)}${mark}`);
        expect(out).toBe(`message: [REDACTED]${mark}`);
      }
    }
    expect(secrets.text(`message: ${KEY.slice(0, 3)}`)).toBe(`message: ${KEY.slice(0, 3)}`);
  });

  it('removes a suffix of a key at the start of a text', () => {
    for (const kept of [4, 9, KEY.length - 1]) {
      expect(secrets.text(`${KEY.slice(-kept)} was rejected`)).toBe('[REDACTED] was rejected');
      expect(secrets.text(`…${KEY.slice(-kept)} was rejected`)).toBe('…[REDACTED] was rejected');
    }
  });

  it('removes pieces of the URL-encoded spelling too', () => {
    const odd = new Secrets();
    const key = 'ab+cd/ef=gh!ij';
    odd.add(key);
    expect(odd.text(`?k=${encodeURIComponent(key).slice(0, 9)}`)).toBe('?k=[REDACTED]');
  });

  it('cut: redacts first, then cuts, so a key split by the cut is already gone', () => {
    const text = `${'a'.repeat(190)} ${KEY} tail`;
    for (const max of [195, 200, 230, 240, 1000]) {
      const out = secrets.cut(text, max);
      expect(out.length).toBeLessThanOrEqual(max);
      expectNoKeyIn([out]);
      expect(out).not.toContain(KEY.slice(0, 4));
    }
    expect(secrets.cut('short', 100)).toBe('short');
  });

  it('redactError(): bounded, never throws, even on revoked Proxies and a million fields', () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    const wide = Object.assign(new Error(KEY), { many: Array.from({ length: 1_000_000 }, (_, i) => ({ i, key: KEY })) });
    const start = performance.now();
    for (const value of [proxy, wide, Object.assign(new Error('x'), { proxy })]) {
      let copy: unknown;
      expect(() => {
        copy = redactError(secrets, value);
      }).not.toThrow();
      expectNoKey(copy);
    }
    expect(performance.now() - start).toBeLessThan(5000);
  });
});
