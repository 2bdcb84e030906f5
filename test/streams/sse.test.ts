import { afterEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import { z } from 'zod';
import { ConnectionError, createClient, ResponseValidationError, type ServerSentEvent } from '../../src/index.js';
import { drip, startApi, type TestApi } from './server.js';

const KEY = 'sk_test_sse_key_0123456789abcdef';
const NEW = 'sk_test_sse_new_0123456789abcdef';

let api: TestApi;
afterEach(async () => {
  await api?.close();
});

const sse = (res: import('node:http').ServerResponse) => res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' });

async function collect<T>(events: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const event of events) out.push(event);
  return out;
}

describe('client.sse', () => {
  it('parses by the event-stream rules: multi-line data, comments, CRLF/CR/LF, BOM, id, event, retry', async () => {
    api = await startApi(new Set([KEY]), {
      '/events': (_req, res) => {
        sse(res);
        res.end(
          '\uFEFF: a comment\n' +
            'data: line one\ndata: line two\n\n' +
            'event: update\r\nid: 7\r\ndata: crlf\r\n\r\n' +
            'retry: 2500\rdata: cr\r\r' +
            'data: {"x":1}\n\n' +
            'data: never ended',
        );
      },
    });
    const client = createClient({ baseUrl: api.url, apiKey: KEY });
    const events = await collect(client.sse('/events'));
    expectTypeOf(events).toEqualTypeOf<ServerSentEvent<string>[]>();
    expect(events).toEqual([
      { event: 'message', data: 'line one\nline two' },
      { event: 'update', data: 'crlf', id: '7' },
      { event: 'message', data: 'cr', id: '7', retry: 2500 },
      { event: 'message', data: '{"x":1}', id: '7' },
    ]);
  });

  it('hands the first event to the app before the server ends the stream', async () => {
    let end: (() => void) | undefined;
    api = await startApi(new Set([KEY]), {
      '/chat': (_req, res) => {
        sse(res);
        res.write('data: {"delta":"Hel"}\n\n');
        end = () => res.end('data: {"delta":"lo"}\n\ndata: [DONE]\n\n');
      },
    });
    const client = createClient({ baseUrl: api.url, apiKey: KEY });
    const iterator = client.sse('/chat', { method: 'POST', body: { stream: true } })[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toEqual({ event: 'message', data: '{"delta":"Hel"}' });
    expect(end).toBeTypeOf('function');
    end?.();
    expect((await iterator.next()).value).toMatchObject({ data: '{"delta":"lo"}' });
    expect((await iterator.next()).value).toMatchObject({ data: '[DONE]' });
    expect((await iterator.next()).done).toBe(true);
    expect(api.seen[0]).toMatchObject({ method: 'POST', body: '{"stream":true}' });
  });

  it("with request hooks, still hands the first event over before the stream ends; the hooks see the stream's response", async () => {
    let end: (() => void) | undefined;
    let trace: unknown;
    api = await startApi(new Set([KEY]), {
      '/chat': (req, res) => {
        trace = req.headers['x-trace'];
        sse(res);
        res.write('data: first\n\n');
        end = () => res.end('data: last\n\n');
      },
    });
    const seen: string[] = [];
    const client = createClient({
      baseUrl: api.url,
      apiKey: KEY,
      hooks: {
        beforeRequest: [(request) => request.headers.set('x-trace', 't-1')],
        afterResponse: [(_request, _options, response) => void seen.push(response.headers.get('content-type') ?? '')],
      },
    });
    const iterator = client.sse('/chat')[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toEqual({ event: 'message', data: 'first' });
    end?.();
    expect((await iterator.next()).value).toEqual({ event: 'message', data: 'last' });
    expect((await iterator.next()).done).toBe(true);
    expect(seen).toEqual(['text/event-stream; charset=utf-8']);
    expect(trace).toBe('t-1');
  });

  it('validates each event with a schema, ends at [DONE], and types the data', async () => {
    api = await startApi(new Set([KEY]), {
      '/chat': (_req, res) => {
        sse(res);
        res.end('data: {"delta":"a"}\n\ndata: {"delta":"b"}\n\ndata: [DONE]\n\n');
      },
      '/bad': (_req, res) => {
        sse(res);
        res.end('data: {"delta":"a"}\n\ndata: {"delta":5}\n\n');
      },
      '/not-json': (_req, res) => {
        sse(res);
        res.end('data: hello\n\n');
      },
    });
    const client = createClient({ baseUrl: api.url, apiKey: KEY });
    const Delta = z.object({ delta: z.string() });
    const events = await collect(client.sse('/chat', { schema: Delta }));
    expectTypeOf(events[0]!.data).toEqualTypeOf<{ delta: string }>();
    expect(events.map((e) => e.data)).toEqual([{ delta: 'a' }, { delta: 'b' }]);
    const seen: unknown[] = [];
    const error = await (async () => {
      for await (const event of client.sse('/bad', { schema: Delta })) seen.push(event.data);
    })().catch((e: unknown) => e);
    expect(seen).toEqual([{ delta: 'a' }]);
    expect(error).toBeInstanceOf(ResponseValidationError);
    await expect(collect(client.sse('/not-json', { schema: Delta }))).rejects.toThrow(/not valid JSON/);
  });

  it('rejects an answer that is not text/event-stream', async () => {
    api = await startApi(new Set([KEY]), {
      '/json': (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"a":1}');
      },
    });
    const client = createClient({ baseUrl: api.url, apiKey: KEY });
    await expect(collect(client.sse('/json'))).rejects.toThrow(/not an event stream/);
  });

  it('a 401 before the stream runs the hook once and replays the stream with the new key', async () => {
    api = await startApi(new Set([NEW]), {
      '/events': (_req, res) => {
        sse(res);
        res.end('data: one\n\n');
      },
    });
    const onKeyInvalid = vi.fn(() => NEW);
    const client = createClient({ baseUrl: api.url, apiKey: KEY, onKeyInvalid });
    const all = await Promise.all([collect(client.sse('/events')), collect(client.sse('/events'))]);
    expect(all).toEqual([[{ event: 'message', data: 'one' }], [{ event: 'message', data: 'one' }]]);
    expect(onKeyInvalid).toHaveBeenCalledTimes(1);
    expect(api.seen.map((s) => s.key)).toEqual([KEY, KEY, NEW, NEW]);
  });

  it('breaking out of the loop closes the server’s socket within a second', async () => {
    api = await startApi(new Set([KEY]), {
      '/endless': (_req, res) => {
        sse(res);
        drip(
          res,
          Array.from({ length: 200 }, (_, i) => `data: ${i}\n\n`),
          20,
        );
      },
    });
    const client = createClient({ baseUrl: api.url, apiKey: KEY });
    for await (const event of client.sse('/endless')) if (event.data === '2') break;
    // Node 24's fetch may open a spare connection too: what counts is that none is left open.
    await vi.waitFor(() => expect(api.openSockets()).toBe(0), { timeout: 1000 });
    expect(api.closedSockets()).toBeGreaterThanOrEqual(1);
  });

  it('aborting the signal ends the loop with the abort reason and closes the socket', async () => {
    api = await startApi(new Set([KEY]), {
      '/endless': (_req, res) => {
        sse(res);
        drip(
          res,
          Array.from({ length: 200 }, (_, i) => `data: ${i}\n\n`),
          20,
        );
      },
    });
    const client = createClient({ baseUrl: api.url, apiKey: KEY });
    const controller = new AbortController();
    const reason = new Error('user left');
    const error = await (async () => {
      for await (const event of client.sse('/endless', { signal: controller.signal })) if (event.data === '1') controller.abort(reason);
    })().catch((e: unknown) => e);
    expect(error).toBe(reason);
    await vi.waitFor(() => expect(api.openSockets()).toBe(0), { timeout: 1000 });
    expect(api.closedSockets()).toBeGreaterThanOrEqual(1);
  });

  it('a stream cut mid-way ends the loop with a ConnectionError', async () => {
    api = await startApi(new Set([KEY]), {
      '/cut': (req, res) => {
        sse(res);
        res.write('data: one\n\n');
        setTimeout(() => req.socket.destroy(), 20);
      },
    });
    const client = createClient({ baseUrl: api.url, apiKey: KEY });
    const seen: string[] = [];
    const error = await (async () => {
      for await (const event of client.sse('/cut')) seen.push(event.data);
    })().catch((e: unknown) => e);
    expect(seen).toEqual(['one']);
    expect(error).toBeInstanceOf(ConnectionError);
  });
});
