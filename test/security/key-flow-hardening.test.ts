// The key flow attacked as a careless app, an odd callback and a hostile server would.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, createClient, InvalidApiKeyError, ResponseTooLargeError } from '../../src/index.js';

const OLD = 'sk_test_old_key_0123456789abcd';
const NEW = 'sk_test_new_key_0123456789abcd';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** A node:http API on 127.0.0.1 that accepts only the keys in `valid` and records every key it saw. */
async function keyedApi(valid: Set<string>, handle?: (req: IncomingMessage, res: ServerResponse) => boolean) {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    const key = (req.headers.authorization ?? '').replace(/^Bearer /, '');
    seen.push(key);
    if (handle?.(req, res)) return;
    if (!valid.has(key)) {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'api_key_expired', message: 'This API key has expired.' } }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ok: true }));
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

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('setApiKey while the provider is loading', () => {
  it('wins over the provider’s older answer on the first load', async () => {
    const api = await keyedApi(new Set([NEW]));
    const answer = deferred<string>();
    const client = createClient({ baseUrl: api.url, apiKey: () => answer.promise });
    const pending = client.get('/me');
    await new Promise((r) => setTimeout(r, 5));
    client.setApiKey(NEW);
    answer.resolve(OLD);
    await expect(pending).resolves.toEqual({ ok: true });
    expect(api.seen).toEqual([NEW]);
    await expect(client.get('/me')).resolves.toEqual({ ok: true });
    expect(api.seen).toEqual([NEW, NEW]);
  });

  it('wins over the provider’s answer to an early (expiring) refresh', async () => {
    const api = await keyedApi(new Set([OLD, NEW]));
    const answer = deferred<string>();
    let calls = 0;
    const client = createClient({
      baseUrl: api.url,
      // The first grant is near its expiry, so the next request asks for an early refresh.
      apiKey: ({ reason }) => {
        calls += 1;
        return reason === 'initial' ? { key: OLD, expiresAt: Date.now() + 1_000 } : answer.promise;
      },
    });
    await expect(client.get('/me')).resolves.toEqual({ ok: true }); // A grant that arrives near expiry is used as it is.
    const pending = client.get('/me');
    await new Promise((r) => setTimeout(r, 5));
    client.setApiKey(NEW);
    answer.resolve(OLD);
    await expect(pending).resolves.toEqual({ ok: true });
    expect(api.seen).toEqual([OLD, NEW]);
    expect(calls).toBe(2);
  });
});

describe('an early refresh that answers nothing', () => {
  it('keeps the still-valid key instead of failing as missing', async () => {
    const api = await keyedApi(new Set([OLD]));
    const client = createClient({
      baseUrl: api.url,
      apiKey: ({ reason }) => (reason === 'initial' ? { key: OLD, expiresAt: Date.now() + 1_000 } : (undefined as unknown as string)),
    });
    await expect(client.get('/me')).resolves.toEqual({ ok: true });
    await expect(client.get('/me')).resolves.toEqual({ ok: true });
    expect(api.seen).toEqual([OLD, OLD]);
  });
});

describe('a hook that answers the rejected key again', () => {
  it('with whitespace around it, is "no replacement": the rejected key is not sent again', async () => {
    const api = await keyedApi(new Set());
    const onKeyInvalid = vi.fn(() => ` ${OLD}\n`);
    const client = createClient({ baseUrl: api.url, apiKey: OLD, onKeyInvalid });
    await expect(client.get('/me')).rejects.toMatchObject({ name: 'InvalidApiKeyError', reason: 'expired' });
    expect(onKeyInvalid).toHaveBeenCalledTimes(1);
    expect(api.seen).toEqual([OLD]);
  });
});

describe('a refresh storm against an API that rejects every key', () => {
  it('calls the hook at most maxKeyRefreshes times for one burst of 500 requests', { timeout: 30_000 }, async () => {
    const api = await keyedApi(new Set());
    let n = 0;
    const onKeyInvalid = vi.fn(async () => `sk_test_minted_${++n}_0123456789ab`);
    const client = createClient({ baseUrl: api.url, apiKey: OLD, onKeyInvalid, maxKeyRefreshes: 2 });
    const results = await Promise.allSettled(Array.from({ length: 500 }, () => client.get('/me')));
    expect(results.every((r) => r.status === 'rejected' && r.reason instanceof InvalidApiKeyError)).toBe(true);
    expect(onKeyInvalid.mock.calls.length).toBeLessThanOrEqual(2);
    // The next burst may ask again: the bound is per burst, not for the life of the client.
    await expect(client.get('/me')).rejects.toBeInstanceOf(InvalidApiKeyError);
    expect(onKeyInvalid.mock.calls.length).toBeLessThanOrEqual(4);
    expect(onKeyInvalid.mock.calls.length).toBeGreaterThan(2);
  });
});

describe('odd callbacks and options', () => {
  it('rejects a signal that is not an AbortSignal with a ConfigError', async () => {
    const api = await keyedApi(new Set([OLD]));
    const client = createClient({ baseUrl: api.url, apiKey: OLD });
    for (const signal of [{}, 'abort', { aborted: false }, 42]) {
      const error = await client.get('/me', { signal: signal as unknown as AbortSignal }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message).toMatch(/signal/);
    }
    expect(api.seen).toEqual([]);
  });

  it('ignores a classifyKeyError that answers with a promise from another realm, without an unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const api = await keyedApi(new Set([OLD]));
      const warn = vi.fn();
      const client = createClient({
        baseUrl: api.url,
        apiKey: OLD,
        logger: { warn },
        classifyKeyError: () => runInNewContext('Promise.reject(new Error("from another realm"))'),
      });
      await expect(client.get('/me')).resolves.toEqual({ ok: true });
      await new Promise((r) => setTimeout(r, 20));
      expect(unhandled).toEqual([]);
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('must answer synchronously'));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('survives an async logger whose promises reject', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const api = await keyedApi(new Set([NEW]));
      const reject = async () => {
        throw new Error('log sink down');
      };
      const client = createClient({
        baseUrl: api.url,
        apiKey: ` ${OLD}`,
        onKeyInvalid: () => NEW,
        logger: { debug: reject, info: reject, warn: reject, error: reject },
      });
      await expect(client.get('/me')).resolves.toEqual({ ok: true });
      await new Promise((r) => setTimeout(r, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});

describe('a 2xx body is bounded in memory', () => {
  it('an endless body fails with ResponseTooLargeError once maxBodyBytes is passed', async () => {
    let written = 0;
    let closed = false;
    const api = await keyedApi(new Set([OLD]), (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      // Bounded: at most 64 MiB, and it stops as soon as the client goes away.
      const pump = () => {
        while (!closed && written < 64 * 1024 * 1024) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('close', () => {
        closed = true;
      });
      pump();
      return true;
    });
    const client = createClient({ baseUrl: api.url, apiKey: OLD, maxBodyBytes: 1024 * 1024 });
    const error = await client.get('/stream').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect((error as ResponseTooLargeError).maxBodyBytes).toBe(1024 * 1024);
    await vi.waitFor(() => expect(closed).toBe(true));
    expect(written).toBeLessThan(16 * 1024 * 1024);
  });

  it('a content-length past the limit fails at once, per request too', async () => {
    const api = await keyedApi(new Set([OLD]), (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(10 * 1024 * 1024) });
      res.write('{"a":');
      return true;
    });
    const client = createClient({ baseUrl: api.url, apiKey: OLD });
    await expect(client.get('/big', { maxBodyBytes: 1000 })).rejects.toBeInstanceOf(ResponseTooLargeError);
    await expect(client.get('/big', { maxBodyBytes: -1 })).rejects.toBeInstanceOf(ConfigError);
    expect(() => createClient({ baseUrl: api.url, maxBodyBytes: 0 })).toThrow(ConfigError);
  });

  it('a body within the limit is read whole', async () => {
    const api = await keyedApi(new Set([OLD]));
    const client = createClient({ baseUrl: api.url, apiKey: OLD, maxBodyBytes: 12 });
    await expect(client.get('/me')).resolves.toEqual({ ok: true });
  });
});

describe('a custom fetch that rejects with a hostile value', () => {
  it('still ends in a typed ConnectionError, for a Proxy whose every trap throws', async () => {
    const trap = () => {
      throw new Error('trap');
    };
    const hostile = new Proxy({}, { get: trap, has: trap, getPrototypeOf: trap, ownKeys: trap, getOwnPropertyDescriptor: trap });
    const client = createClient({ baseUrl: 'http://127.0.0.1:9', apiKey: OLD, retry: 0, fetch: () => Promise.reject(hostile) });
    const error = await client.get('/me').catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ConnectionError' });
  });
});
