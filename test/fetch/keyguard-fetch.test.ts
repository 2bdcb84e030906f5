// keyguardFetch over real HTTP (node:http on 127.0.0.1), called the way SDKs call fetch.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { recallKeyError } from '../../src/fetch/key-error-recall.js';
import { ConfigError, keyguardFetch } from '../../src/index.js';
import { renderings } from '../helpers/renderings.js';

const OLD = 'sk_test_fetch_old_0123456789abcdef';
const NEW = 'sk_test_fetch_new_0123456789abcdef';
const DUMMY = 'set-by-keyguard';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** An API that accepts only the keys in `valid` (Bearer) and echoes the key it got into its 401 body, as some do. */
async function api(valid: Set<string>, route?: (req: IncomingMessage, res: ServerResponse, body: string) => boolean) {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString('latin1');
    });
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const key =
        (req.headers.authorization ?? '').replace(/^Bearer /, '') || (new URL(req.url ?? '/', 'http://x').searchParams.get('key') ?? '');
      if (!valid.has(key)) {
        res.writeHead(401, { 'content-type': 'application/json', 'x-request-id': 'req_401' });
        res.end(
          JSON.stringify({
            error: { message: `Incorrect API key provided: ${key}.`, type: 'invalid_request_error', code: 'invalid_api_key' },
          }),
        );
        return;
      }
      if (route?.(req, res, body)) return;
      res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req_ok', link: '<https://x/?page=2>; rel="next"' });
      res.end(JSON.stringify({ ok: true, method: req.method, body }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

describe('keyguardFetch', () => {
  it('replaces the SDK’s credential: the dummy key never leaves the process', async () => {
    const server = await api(new Set([OLD]));
    const fetch = keyguardFetch({ apiKey: OLD });
    const res = await fetch(`${server.url}/v1/models`, {
      headers: { authorization: `Bearer ${DUMMY}`, 'x-api-key': DUMMY, apikey: DUMMY },
    });
    expect(res.status).toBe(200);
    expect(server.seen[0]?.headers.authorization).toBe(`Bearer ${OLD}`);
    expect(JSON.stringify(server.seen)).not.toContain(DUMMY);
  });

  it('runs one refresh for 20 concurrent calls with a rejected key, and all 20 succeed', async () => {
    const server = await api(new Set([NEW]));
    const onKeyInvalid = vi.fn(async (_error: unknown) => NEW);
    const fetch = keyguardFetch({ apiKey: OLD, onKeyInvalid });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => fetch(`${server.url}/v1/items/${i}`, { method: 'POST', body: `{"i":${i}}` })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(onKeyInvalid).toHaveBeenCalledTimes(1);
    expect(onKeyInvalid.mock.calls[0]?.[0]).toMatchObject({
      name: 'InvalidApiKeyError',
      reason: 'malformed',
      status: 401,
      code: 'invalid_api_key',
    });
    const bodies = await Promise.all(results.map((r) => r.json() as Promise<{ body: string }>));
    expect(bodies.map((b) => b.body).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `{"i":${i}}`).sort());
  });

  it('hands a 2xx answer over untouched: the same Response, unread, headers intact', async () => {
    const server = await api(new Set([OLD]));
    let inner: Response | undefined;
    const fetch = keyguardFetch({
      apiKey: OLD,
      fetch: async (input, init) => {
        inner = await globalThis.fetch(input, init);
        return inner;
      },
    });
    const res = await fetch(`${server.url}/v1/list`);
    expect(res).toBe(inner);
    expect(res.bodyUsed).toBe(false);
    expect(res.headers.get('link')).toBe('<https://x/?page=2>; rel="next"');
    expect(res.headers.get('x-request-id')).toBe('req_ok');
  });

  it('streams a 2xx body: the first event arrives before the server ends the stream', async () => {
    let finish: (() => void) | undefined;
    const server = await api(new Set([OLD]), (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: first\n\n');
      finish = () => res.end('data: [DONE]\n\n');
      return true;
    });
    const res = await keyguardFetch({ apiKey: OLD })(`${server.url}/v1/stream`);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe('data: first\n\n');
    expect(finish).toBeTypeOf('function');
    finish?.();
    let rest = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      rest += new TextDecoder().decode(value);
    }
    expect(rest).toBe('data: [DONE]\n\n');
  });

  it('keeps binary bytes intact', async () => {
    const bytes = Buffer.from(Array.from({ length: 1024 }, (_, i) => (i * 37) % 256));
    const server = await api(new Set([OLD]), (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(bytes);
      return true;
    });
    const res = await keyguardFetch({ apiKey: OLD })(`${server.url}/v1/file`);
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('when no new key comes, resolves with the server’s answer, the key redacted and marked not to retry', async () => {
    const server = await api(new Set());
    const onKeyInvalid = vi.fn(() => undefined);
    const fetch = keyguardFetch({ apiKey: OLD, onKeyInvalid });
    const res = await fetch(`${server.url}/v1/models`);
    expect(res.status).toBe(401);
    expect(res.headers.get('x-should-retry')).toBe('false');
    expect(res.headers.get('x-request-id')).toBe('req_401');
    const text = await res.text();
    expect(text).not.toContain(OLD);
    expect(JSON.parse(text)).toMatchObject({ error: { code: 'invalid_api_key' } });
    const error = recallKeyError(res.headers.get('x-keyguard-key-error') as string);
    expect(error).toMatchObject({ name: 'InvalidApiKeyError', reason: 'malformed', requestId: 'req_401' });
    expect(onKeyInvalid).toHaveBeenCalledTimes(1);
    for (const rendering of renderings(error)) expect(rendering).not.toContain(OLD);
  });

  it('a 204 or 304 that the classifyKeyError option calls a key error reaches the SDK as that answer, without a body', async () => {
    for (const status of [204, 304]) {
      const server = await api(new Set([OLD]), (_req, res) => {
        res.writeHead(status, { 'x-request-id': 'req_empty' });
        res.end();
        return true;
      });
      const fetch = keyguardFetch({ apiKey: OLD, classifyKeyError: (answer) => (answer.status === status ? 'revoked' : undefined) });
      const res = await fetch(`${server.url}/v1/models`);
      expect(res.status).toBe(status);
      expect(res.body).toBeNull();
      expect(res.headers.get('x-should-retry')).toBe('false');
      expect(recallKeyError(res.headers.get('x-keyguard-key-error') as string)).toMatchObject({ reason: 'revoked', status });
    }
  });

  it('answers a key caught before sending with a synthetic 401 JSON and sends nothing', async () => {
    const server = await api(new Set([OLD]));
    const fetch = keyguardFetch({ apiKey: `"${OLD}"` });
    const res = await fetch(`${server.url}/v1/models`);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { type: 'invalid_api_key', reason: 'malformed', code: 'quoted' } });
    expect(server.seen).toEqual([]);
  });

  it('with baseUrl, leaves other requests untouched and sends them no key', async () => {
    const server = await api(new Set([OLD]));
    const other = await api(new Set(['their-own-token']));
    const fetch = keyguardFetch({ apiKey: OLD, baseUrl: `${server.url}/v1` });
    expect((await fetch(`${other.url}/v1/x`, { headers: { authorization: 'Bearer their-own-token' } })).status).toBe(200);
    expect(other.seen[0]?.headers.authorization).toBe('Bearer their-own-token');
    // /v10 is not under /v1.
    await fetch(`${server.url}/v10/x`);
    expect(server.seen[0]?.headers.authorization).toBeUndefined();
    await fetch(`${server.url}/v1/x`);
    expect(server.seen[1]?.headers.authorization).toBe(`Bearer ${OLD}`);
  });

  it('sends the key in several placements', async () => {
    const server = await api(new Set([OLD]));
    const fetch = keyguardFetch({ apiKey: OLD, auth: [{ type: 'header', name: 'apikey' }, { type: 'bearer' }] });
    await fetch(`${server.url}/rest/v1/todos`, { headers: { apikey: DUMMY, authorization: `Bearer ${DUMMY}` } });
    expect(server.seen[0]?.headers.apikey).toBe(OLD);
    expect(server.seen[0]?.headers.authorization).toBe(`Bearer ${OLD}`);
  });

  it('takes a Request as input (ky) and replays its body after a refresh', async () => {
    const server = await api(new Set([NEW]));
    const fetch = keyguardFetch({ apiKey: OLD, onKeyInvalid: () => NEW });
    const res = await fetch(
      new Request(`${server.url}/v1/items`, { method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' } }),
    );
    expect(res.status).toBe(200);
    expect(server.seen.map((s) => s.body)).toEqual(['{"a":1}', '{"a":1}']);
  });

  it('replays FormData, URLSearchParams, Blob and bytes', async () => {
    const server = await api(new Set([NEW]));
    const fetch = keyguardFetch({ apiKey: OLD, onKeyInvalid: () => NEW });
    const form = new FormData();
    form.append('file', new Blob(['hello']), 'a.txt');
    const bodies: BodyInit[] = [form, new URLSearchParams({ q: 'x' }), new Blob(['blob']), new Uint8Array([1, 2, 3])];
    for (const body of bodies) expect((await fetch(`${server.url}/v1/upload`, { method: 'POST', body })).status).toBe(200);
    const posts = server.seen.filter((s) => s.headers.authorization === `Bearer ${NEW}`);
    expect(posts[0]?.body).toContain('hello');
    expect(posts[1]?.body).toBe('q=x');
  });

  it('replays a stream body buffered under the limit; a longer one is sent once, but the key is still replaced', async () => {
    const server = await api(new Set([NEW]));
    const onKeyInvalid = vi.fn(() => NEW);
    const fetch = keyguardFetch({ apiKey: OLD, onKeyInvalid, maxReplayBodyBytes: 8 });
    const stream = (text: string) =>
      new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(text));
          controller.close();
        },
      });
    const small = await fetch(`${server.url}/v1/a`, { method: 'POST', body: stream('short'), duplex: 'half' } as RequestInit);
    expect(small.status).toBe(200);
    const fetch2 = keyguardFetch({ apiKey: OLD, onKeyInvalid, maxReplayBodyBytes: 8 });
    const large = await fetch2(`${server.url}/v1/b`, { method: 'POST', body: stream('a much longer body'), duplex: 'half' } as RequestInit);
    expect(large.status).toBe(401);
    expect(onKeyInvalid).toHaveBeenCalledTimes(2);
    expect(server.seen.at(-1)?.body).toBe('a much longer body');
    expect((await fetch2(`${server.url}/v1/c`)).status).toBe(200); // The key was replaced for the next call.
  });

  it('an abort stops only that call’s wait for a shared refresh', async () => {
    const server = await api(new Set([NEW]));
    let release: (() => void) | undefined;
    const onKeyInvalid = vi.fn(() => new Promise<string>((resolve) => (release = () => resolve(NEW))));
    const fetch = keyguardFetch({ apiKey: OLD, onKeyInvalid });
    const controller = new AbortController();
    const aborted = fetch(`${server.url}/v1/a`, { signal: controller.signal });
    const waiting = fetch(`${server.url}/v1/b`);
    await vi.waitFor(() => expect(release).toBeTypeOf('function'));
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ name: 'AbortError' });
    release?.();
    expect((await waiting).status).toBe(200);
    expect(onKeyInvalid).toHaveBeenCalledTimes(1);
  });

  it('hands a redirect to another origin back unfollowed, and the other origin sees nothing', async () => {
    const other = await api(new Set([OLD]));
    const server = await api(new Set([OLD]), (req, res) => {
      res.writeHead(302, { location: `${other.url}${req.url}` });
      res.end();
      return true;
    });
    const res = await keyguardFetch({ apiKey: OLD, auth: { type: 'query', name: 'key' } })(`${server.url}/v1/x`);
    expect(res.status).toBe(302);
    expect(other.seen).toEqual([]);
  });

  it('lets transport errors reach the caller as the inner fetch raised them, without the key', async () => {
    const fetch = keyguardFetch({ apiKey: OLD, auth: { type: 'query', name: 'key' } });
    const error = await fetch('http://127.0.0.1:9/v1/x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    for (const rendering of renderings(error)) expect(rendering).not.toContain(OLD);
  });

  it('rejects bad options with a ConfigError naming them', () => {
    expect(() => keyguardFetch({ baseUrl: 'not a url' })).toThrow(ConfigError);
    expect(() => keyguardFetch({ auth: [] })).toThrow(/auth/);
    expect(() => keyguardFetch({ maxKeyRefreshes: -1 })).toThrow(/maxKeyRefreshes/);
    expect(() => keyguardFetch({ onKeyInvalid: 'x' as never })).toThrow(/onKeyInvalid/);
    expect(String(keyguardFetch({ apiKey: OLD }))).not.toContain(OLD);
  });
});
