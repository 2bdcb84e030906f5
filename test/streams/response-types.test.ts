import { afterEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import { z } from 'zod';
import { ConnectionError, createClient, TimeoutError } from '../../src/index.js';
import { drip, startApi, type TestApi } from './server.js';

const KEY = 'sk_test_stream_key_0123456789ab';
const NEW = 'sk_test_stream_new_0123456789ab';
const BYTES = Uint8Array.from({ length: 1024 }, (_, i) => (i * 131 + 7) % 256);

let api: TestApi;
afterEach(async () => {
  await api?.close();
});

const routes = {
  '/number': (_req: unknown, res: import('node:http').ServerResponse) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'x-request-id': 'req_text' });
    res.end('12345678901234567890');
  },
  '/json': (_req: unknown, res: import('node:http').ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req_json', 'x-ratelimit-remaining': '41' });
    res.end('{"id":"a"}');
  },
  '/bytes': (_req: unknown, res: import('node:http').ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    res.end(BYTES);
  },
  '/empty': (_req: unknown, res: import('node:http').ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    res.end();
  },
};

describe('responseType', () => {
  it("'json' parses (the default); 'text' never turns a body into a number", async () => {
    api = await startApi(new Set([KEY]), routes);
    const client = createClient({ baseUrl: api.url, apiKey: KEY });
    expect(await client.get('/json')).toEqual({ id: 'a' });
    const text = await client.get('/number', { responseType: 'text' });
    expectTypeOf(text).toEqualTypeOf<string>();
    expect(text).toBe('12345678901234567890');
  });

  it("'arrayBuffer' and 'blob' keep every byte", async () => {
    api = await startApi(new Set([KEY]), routes);
    const client = createClient({ baseUrl: api.url, apiKey: KEY });
    const buffer = await client.get('/bytes', { responseType: 'arrayBuffer' });
    expectTypeOf(buffer).toEqualTypeOf<ArrayBuffer>();
    expect(new Uint8Array(buffer)).toEqual(BYTES);
    const blob = await client.get('/bytes', { responseType: 'blob' });
    expectTypeOf(blob).toEqualTypeOf<Blob>();
    expect(blob.type).toBe('application/octet-stream');
    expect(new Uint8Array(await blob.arrayBuffer())).toEqual(BYTES);
  });

  it("'stream' hands over the body as a ReadableStream", async () => {
    api = await startApi(new Set([KEY]), routes);
    const client = createClient({ baseUrl: api.url, apiKey: KEY });
    const stream = await client.get('/bytes', { responseType: 'stream' });
    expectTypeOf(stream).toEqualTypeOf<ReadableStream<Uint8Array>>();
    expect(new Uint8Array(await new Response(stream).arrayBuffer())).toEqual(BYTES);
  });

  it("'response' hands over the platform Response, body unread, headers reachable", async () => {
    api = await startApi(new Set([KEY]), routes);
    const client = createClient({ baseUrl: api.url, apiKey: KEY });
    const response = await client.get('/json', { responseType: 'response' });
    expectTypeOf(response).toEqualTypeOf<Response>();
    expect(response.bodyUsed).toBe(false);
    expect(response.headers.get('x-ratelimit-remaining')).toBe('41');
    expect(await response.json()).toEqual({ id: 'a' });
  });

  it('an empty body gives undefined, an empty string, or empty bytes', async () => {
    api = await startApi(new Set([KEY]), routes);
    const client = createClient({ baseUrl: api.url, apiKey: KEY });
    expect(await client.get('/empty')).toBeUndefined();
    expect(await client.get('/empty', { responseType: 'text' })).toBe('');
    expect((await client.get('/empty', { responseType: 'arrayBuffer' })).byteLength).toBe(0);
    expect((await client.get('/empty', { responseType: 'blob' })).size).toBe(0);
  });

  it('throws key errors and ApiErrors before any of them resolves, and replays a key error before the body', async () => {
    api = await startApi(new Set([NEW]), routes);
    const onKeyInvalid = vi.fn(() => NEW);
    const client = createClient({ baseUrl: api.url, apiKey: KEY, onKeyInvalid });
    const stream = await client.get('/bytes', { responseType: 'stream' });
    expect(new Uint8Array(await new Response(stream).arrayBuffer())).toEqual(BYTES);
    expect(onKeyInvalid).toHaveBeenCalledTimes(1);
    for (const responseType of ['text', 'arrayBuffer', 'blob', 'stream', 'response'] as const) {
      await expect(client.get('/missing', { responseType })).rejects.toMatchObject({ name: 'NotFoundError', status: 404 });
    }
  });

  it('on endpoint definitions, with the result typed by it', async () => {
    api = await startApi(new Set([KEY]), routes);
    const client = createClient({ baseUrl: api.url, apiKey: KEY });
    const download = client.endpoint({ method: 'GET', path: '/bytes', responseType: 'arrayBuffer' });
    const buffer = await download();
    expectTypeOf(buffer).toEqualTypeOf<ArrayBuffer>();
    expect(buffer.byteLength).toBe(1024);
    const getJson = client.endpoint({ method: 'GET', path: '/json', response: z.object({ id: z.string() }) });
    expectTypeOf(await getJson()).toEqualTypeOf<{ id: string }>();
  });

  it('rejects an unknown responseType with a ConfigError', async () => {
    api = await startApi(new Set([KEY]), routes);
    const client = createClient({ baseUrl: api.url, apiKey: KEY });
    await expect(client.get('/json', { responseType: 'xml' as never })).rejects.toMatchObject({
      name: 'ConfigError',
      option: 'responseType',
    });
  });
});

describe('onResponse: the headers of a success without giving up parsing', () => {
  it('sees the status, the request id and the other headers, never the key', async () => {
    api = await startApi(new Set([KEY]), routes);
    const seen: unknown[] = [];
    const client = createClient({ baseUrl: api.url, apiKey: KEY, onResponse: (info) => seen.push(info) });
    const mine = vi.fn();
    expect(await client.get('/json', { onResponse: mine })).toEqual({ id: 'a' });
    expect(seen).toEqual([expect.objectContaining({ status: 200, requestId: 'req_json', method: 'GET', attempt: 1 })]);
    expect((seen[0] as { headers: Record<string, string> }).headers['x-ratelimit-remaining']).toBe('41');
    expect(mine).toHaveBeenCalledTimes(1);
    expect(JSON.stringify(seen)).not.toContain(KEY);
  });
});

describe('timeouts that fit streams', () => {
  it('a 5-second stream with timeoutMs 300 and a chunk every 100 ms completes', { timeout: 15_000 }, async () => {
    const chunks = Array.from({ length: 50 }, (_, i) => `chunk ${i}\n`);
    api = await startApi(new Set([KEY]), {
      '/slow': (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        drip(res, chunks, 100);
      },
    });
    const client = createClient({ baseUrl: api.url, apiKey: KEY, timeoutMs: 300 });
    const stream = await client.get('/slow', { responseType: 'stream' });
    expect(await new Response(stream).text()).toBe(chunks.join(''));
  });

  it('an idle stream is cut with a TimeoutError once idleTimeoutMs passes without a chunk', async () => {
    api = await startApi(new Set([KEY]), {
      '/stall': (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('first\n'); // …and then nothing.
      },
    });
    const client = createClient({ baseUrl: api.url, apiKey: KEY });
    const stream = await client.get('/stall', { responseType: 'stream', idleTimeoutMs: 100 });
    const reader = stream.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('first\n');
    const error = await reader.read().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ phase: 'idle', timeoutMs: 100 });
    await vi.waitFor(() => expect(api.closedSockets()).toBeGreaterThan(0), { timeout: 1000 });
  });

  it('a stream cut by the server fails with a ConnectionError', async () => {
    api = await startApi(new Set([KEY]), {
      '/cut': (req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('partial');
        setTimeout(() => req.socket.destroy(), 20);
      },
    });
    const client = createClient({ baseUrl: api.url, apiKey: KEY });
    const stream = await client.get('/cut', { responseType: 'stream' });
    await expect(new Response(stream).text()).rejects.toBeInstanceOf(ConnectionError);
  });

  it('timeoutMs still bounds the whole body read into memory', async () => {
    api = await startApi(new Set([KEY]), {
      '/slow-json': (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        drip(res, ['{"a":', '1', '}'], 200);
      },
    });
    const client = createClient({ baseUrl: api.url, apiKey: KEY, timeoutMs: 150, retry: 0 });
    await expect(client.get('/slow-json')).rejects.toBeInstanceOf(TimeoutError);
  });
});
