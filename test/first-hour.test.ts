// What a new user meets first: key hints in logs, connection failures that say what happened,
// and a schema library other than zod. Over real HTTP on 127.0.0.1 where a network is involved.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { ConnectionError, createClient, InvalidApiKeyError, keyHint, ResponseValidationError } from '../src/index.js';
import { renderings } from './helpers/renderings.js';

const KEY = 'sk_live_0123456789abcdef668';

async function listen(handle: Parameters<typeof createServer>[1] & object) {
  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** A port on 127.0.0.1 that nothing listens on: bound by the OS, then closed. */
async function closedPort(): Promise<number> {
  const { port, close } = await listen(() => {});
  await close();
  return port;
}

describe('keyHint', () => {
  it('never contains whitespace or invisible characters, whatever surrounds or splits the key', () => {
    for (const key of [`${KEY}\n`, ` ${KEY}\t`, `\u200b${KEY}\u200b`, `sk_l ive_0123\r\n456789abcdef668`, `\n\n\n\n${KEY}`]) {
      const hint = keyHint(key);
      expect(hint).not.toMatch(/[\s\p{C}]/u);
      expect(hint).toBe('sk_l…f668');
    }
  });

  it('is safe for every length: a key shorter than 4 characters shows none of its characters', () => {
    expect(keyHint('')).toBe('…');
    for (const key of ['a', 'ab', 'abc', ' ab ', 'x\ny']) expect(keyHint(key)).toBe('…');
    for (let length = 0; length <= 40; length++) {
      const key = 'abcdefghijklmnopqrstuvwxyz0123456789ABCD'.slice(0, length);
      const shown = keyHint(key).replace('…', '').length;
      expect(shown).toBeLessThanOrEqual(Math.floor(length / 3));
      if (length >= 12) expect(keyHint(key).endsWith(key.slice(-4))).toBe(true);
    }
  });

  it("under keyLint: 'strict' the error's keyHint is the key's hint without its line break", async () => {
    const error = await createClient({ baseUrl: 'http://127.0.0.1:9/v1', apiKey: `${KEY}\n`, keyLint: 'strict' })
      .get('/me')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidApiKeyError);
    expect((error as InvalidApiKeyError).keyHint).toBe('sk_l…f668');
  });
});

describe('ConnectionError names its cause', () => {
  it('ECONNREFUSED with the address, over real HTTP against a closed port, the key redacted', async () => {
    const port = await closedPort();
    const client = createClient({
      baseUrl: `http://127.0.0.1:${port}/v1`,
      apiKey: KEY,
      auth: { type: 'query', name: 'api_key' },
      retry: 0,
    });
    const error = await client.get('/things').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toBe(
      `GET http://127.0.0.1:${port}/v1/things?api_key=[REDACTED] failed: no response from the server (ECONNREFUSED 127.0.0.1:${port}).`,
    );
    for (const text of renderings(error)) expect(text).not.toContain(KEY);
  });

  it('ENOTFOUND with the host name, as undici reports a DNS failure', async () => {
    const dnsFailure = Object.assign(new Error('getaddrinfo ENOTFOUND api.example.test'), {
      code: 'ENOTFOUND',
      syscall: 'getaddrinfo',
      hostname: 'api.example.test',
    });
    const client = createClient({
      baseUrl: 'https://api.example.test/v1',
      apiKey: KEY,
      retry: 0,
      fetch: async () => {
        throw new TypeError('fetch failed', { cause: dnsFailure });
      },
    });
    const error = await client.get('/x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toMatch(/\(ENOTFOUND api\.example\.test\)\.$/);
  });

  it('falls back to the generic text for a cause without a code, or one that throws when read', async () => {
    for (const thrown of [new TypeError('Failed to fetch'), { code: 'not a code <script>' }, { code: 'ECONNRESET', address: 'a b\n' }]) {
      const client = createClient({
        baseUrl: 'https://api.example.test/v1',
        apiKey: KEY,
        retry: 0,
        fetch: async () => {
          throw thrown;
        },
      });
      const error = await client.get('/x').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConnectionError);
      const expected = 'code' in thrown && thrown.code === 'ECONNRESET' ? '(ECONNRESET)' : '(connection refused, reset or DNS failure)';
      expect((error as Error).message.endsWith(`${expected}.`)).toBe(true);
    }
    const hostile = new Proxy(new Error('x'), {
      get() {
        throw new Error('hostile');
      },
    });
    expect(new ConnectionError('GET', 'https://api.example.test/x', { cause: hostile }).message).toMatch(
      /\(connection refused, reset or DNS failure\)\.$/,
    );
  });
});

describe('any Standard Schema: valibot', () => {
  const User = v.object({ id: v.number(), name: v.pipe(v.string(), v.minLength(1)) });

  it('validates and types a response through createClient', async () => {
    const server = await listen((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(_req.url === '/v1/users/1' ? '{"id":1,"name":"Ada","extra":true}' : '{"id":"2","name":""}');
    });
    try {
      const client = createClient({ baseUrl: `http://127.0.0.1:${server.port}/v1`, apiKey: KEY });
      const user = await client.get('/users/1', { schema: User });
      expect(user).toEqual({ id: 1, name: 'Ada' }); // valibot's output: unknown keys dropped
      const name: string = user.name;
      expect(name).toBe('Ada');
      const error = await client.get('/users/2', { schema: User }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ResponseValidationError);
      expect((error as ResponseValidationError).issues.map((issue) => issue.path)).toEqual([['id'], ['name']]);
    } finally {
      await server.close();
    }
  });
});
