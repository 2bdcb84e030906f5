// Edges of the request pipeline found by review after the success path was made faster: the first
// attempt runs outside p-retry, and the abort signal reaches fetch without going through ky.
// Every test uses a custom `fetch`, so each one sees exactly what keyguard hands to fetch.
import { describe, expect, it, vi } from 'vitest';
import { createClient, type StandardSchemaV1, TimeoutError } from '../src/index.js';

const KEY = 'sk_live_goodkey_0123456789';
const OLD_KEY = 'sk_live_oldkey_0123456789';
const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a request whose signal is already aborted', () => {
  it('rejects with the reason and starts nothing: no fetch, no onKeyInvalid, no key provider', async () => {
    const hook = vi.fn(async () => KEY);
    const provider = vi.fn(async () => KEY);
    const fetch = vi.fn(async () => json({}));
    const reason = new Error('cancelled');
    const withHook = createClient({ baseUrl: 'https://api.test', apiKey: 'YOUR_API_KEY', onKeyInvalid: hook, fetch });
    const withProvider = createClient({ baseUrl: 'https://api.test', apiKey: provider, fetch });
    await expect(withHook.get('/a', { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    await expect(withProvider.get('/a', { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    await sleep(10);
    expect(hook).not.toHaveBeenCalled();
    expect(provider).not.toHaveBeenCalled();
    expect(fetch).not.toHaveBeenCalled();
  });
});

describe('an abort while the first attempt validates its response', () => {
  it('wins over the response, as it does on a retried attempt', async () => {
    const slowSchema: StandardSchemaV1<unknown> = {
      '~standard': {
        version: 1,
        vendor: 'test',
        validate: async (value) => {
          await sleep(60);
          return { value };
        },
      },
    };
    const client = createClient({ baseUrl: 'https://api.test', apiKey: KEY, fetch: async () => json({ a: 1 }) });
    const controller = new AbortController();
    const reason = new Error('cancelled');
    setTimeout(() => controller.abort(reason), 20);
    await expect(client.get('/a', { signal: controller.signal, schema: slowSchema })).rejects.toBe(reason);
  });
});

describe('a custom fetch', () => {
  it('that reads only its input Request still sees the abort on timeout (and so does init.signal)', async () => {
    let input: Request | undefined;
    let init: RequestInit | undefined;
    const client = createClient({
      baseUrl: 'https://api.test',
      apiKey: KEY,
      retry: false,
      timeoutMs: 50,
      fetch: (request, options) => {
        input = request as Request;
        init = options;
        return new Promise<Response>(() => {}); // never answers
      },
    });
    await expect(client.get('/a')).rejects.toBeInstanceOf(TimeoutError);
    expect(input?.signal.aborted).toBe(true);
    expect(init?.signal?.aborted).toBe(true);
  });

  /** A client whose fetch ignores the signal and answers a 1 KiB-per-pull 2xx body after `answerAfterMs`; `pulls()` counts the reads. */
  function ignoringFetch(timeoutMs: number, answerAfterMs: number, chunks: number) {
    let pulls = 0;
    const client = createClient({
      baseUrl: 'https://api.test',
      apiKey: KEY,
      retry: false,
      timeoutMs,
      fetch: async () => {
        await sleep(answerAfterMs);
        const body = new ReadableStream({
          async pull(controller) {
            pulls += 1;
            await sleep(1);
            if (pulls > chunks) controller.close();
            else controller.enqueue(new Uint8Array(1024));
          },
        });
        return new Response(body, { status: 200, headers: { 'content-type': 'application/json' } });
      },
    });
    return { client, pulls: () => pulls };
  }

  it('that answers after the timeout: its body is dropped unread, not read in the background', async () => {
    const { client, pulls } = ignoringFetch(30, 80, 2000); // a 2 MB body, 50 ms too late
    await expect(client.get('/a')).rejects.toBeInstanceOf(TimeoutError);
    await sleep(150);
    expect(pulls()).toBeLessThanOrEqual(2); // the stream's first pull(s) at most, never the whole body
  });

  it('that sends an endless 2xx body in time: the request times out and the body stops being read', async () => {
    const { client, pulls } = ignoringFetch(50, 0, Number.POSITIVE_INFINITY);
    await expect(client.get('/a')).rejects.toBeInstanceOf(TimeoutError);
    const atTimeout = pulls();
    await sleep(100);
    expect(pulls() - atTimeout).toBeLessThanOrEqual(2); // not one pull per millisecond any more
  });
});

describe('a retry after the key was cleared (keyLint: off)', () => {
  it.each([
    ['bearer', { type: 'bearer' } as const],
    ['query', { type: 'query', name: 'key' } as const],
    ['header', { type: 'header', name: 'x-api-key' } as const],
  ])('%s: sends no key at all, never the previous attempt’s', async (_, auth) => {
    const sent: string[] = [];
    let calls = 0;
    const client = createClient({
      baseUrl: 'https://api.test',
      apiKey: OLD_KEY,
      keyLint: 'off',
      auth,
      retry: { retries: 1, minDelayMs: 1 },
      fetch: async (input, init) => {
        const request = new Request(input as Request, init);
        sent.push(`${request.url} ${JSON.stringify([...request.headers])}`);
        calls += 1;
        if (calls === 1) {
          client.setApiKey(undefined as unknown as string); // what JavaScript callers can do
          return json({}, 503);
        }
        return json({ ok: true });
      },
    });
    await client.get('/a');
    expect(sent).toHaveLength(2);
    expect(sent[0]).toContain(OLD_KEY);
    expect(sent[1]).not.toContain(OLD_KEY);
  });
});

describe('logging', () => {
  it('a transient failure that is not retried (POST without idempotencyKey) is still logged as a failed attempt', async () => {
    const lines: string[] = [];
    const client = createClient({
      baseUrl: 'https://api.test',
      apiKey: KEY,
      logger: { debug: (line) => void lines.push(String(line)) },
      fetch: async () => {
        throw new TypeError('fetch failed');
      },
    });
    const error = (await client.post('/a', { body: { x: 1 } }).catch((e: unknown) => e)) as { name: string; attempts: number };
    expect(error.name).toBe('ConnectionError');
    expect(error.attempts).toBe(1);
    expect(lines.filter((line) => line.startsWith('keyguard: attempt 1 failed:'))).toHaveLength(1);
  });
});
