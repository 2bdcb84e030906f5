// createClient options over real HTTP on 127.0.0.1: each option is read once and the value read is
// the value used; a baseUrl with credentials or a fragment is refused without echoing it.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClientOptions, ConfigError, createClient } from '../src/index.js';
import { renderings } from './helpers/renderings.js';

const KEY = 'sk_test_options_0123456789abcdef';
const seen: IncomingMessage[] = [];
const server = createServer((req, res) => {
  seen.push(req);
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end('{"ok":true}');
});
let base = '';
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** `value` the first time the getter runs, `later` every time after. */
function onceThen<T>(value: T, later: unknown) {
  let reads = 0;
  return {
    get reads() {
      return reads;
    },
    get: () => (reads++ === 0 ? value : later) as T,
  };
}

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('createClient reads each option once', () => {
  it('reads every top-level option exactly once, however often the client is used', async () => {
    const reads = new Map<PropertyKey, number>();
    const target: ClientOptions = { baseUrl: base, apiKey: KEY, timeoutMs: 5_000, headers: { 'x-a': '1' }, retry: 0 };
    const options = new Proxy(target, {
      get(object, name, receiver) {
        reads.set(name, (reads.get(name) ?? 0) + 1);
        return Reflect.get(object, name, receiver);
      },
    });
    const client = createClient(options);
    await client.get('/a');
    await client.post('/b', { body: { n: 1 } });
    expect(reads.size).toBeGreaterThanOrEqual(13); // every option name was looked at …
    for (const [name, count] of reads) expect([name, count]).toEqual([name, 1]); // … once
  });

  it('uses the values that passed the check when getters answer differently later', async () => {
    const baseUrl = onceThen(base, 'ftp://elsewhere.example');
    const key = onceThen(KEY, 42);
    const authName = onceThen('x-api-key', 'bad name\r\n');
    const headerValue = onceThen('yes', 'no\r\nx-injected: 1');
    const timeout = onceThen(5_000, -1);
    const retries = onceThen(0, 'many');
    const debug = onceThen(() => {}, 'not a function');
    const options = {
      get baseUrl() {
        return baseUrl.get();
      },
      get apiKey() {
        return key.get();
      },
      auth: {
        type: 'header',
        get name() {
          return authName.get();
        },
      },
      headers: {
        get 'x-flag'() {
          return headerValue.get();
        },
      },
      get timeoutMs() {
        return timeout.get();
      },
      retry: {
        get retries() {
          return retries.get();
        },
      },
      logger: {
        get debug() {
          return debug.get();
        },
      },
    } as unknown as ClientOptions;
    const client = createClient(options);
    const before = seen.length;
    await expect(client.get('/snapshot')).resolves.toEqual({ ok: true });
    await expect(client.get('/snapshot')).resolves.toEqual({ ok: true });
    const request = seen[before];
    expect(request?.url).toBe('/v1/snapshot');
    expect(request?.headers['x-api-key']).toBe(KEY);
    expect(request?.headers['x-flag']).toBe('yes');
    expect(request?.headers['x-injected']).toBeUndefined();
    for (const getter of [baseUrl, key, authName, headerValue, timeout, retries, debug]) expect(getter.reads).toBe(1);
  });

  it('reads a grant, retry lists and a provider answer once each', async () => {
    const grantKey = onceThen(KEY, undefined);
    const statuses = onceThen([503], 'all');
    const client = createClient({
      baseUrl: base,
      apiKey: {
        get key() {
          return grantKey.get();
        },
      } as { key: string },
      retry: {
        get statuses() {
          return statuses.get();
        },
      } as { statuses: number[] },
    });
    const before = seen.length;
    await client.get('/grant');
    await client.get('/grant');
    expect(seen[before]?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(seen[before + 1]?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(grantKey.reads).toBe(1);
    expect(statuses.reads).toBe(1);
  });

  it('a getter or Proxy trap that throws is a ConfigError naming the options', () => {
    const throwing = {
      baseUrl: base,
      get timeoutMs(): number {
        throw new Error('boom');
      },
    };
    expect(configError(() => createClient(throwing)).option).toBe('options');
    const { proxy, revoke } = Proxy.revocable({ baseUrl: base }, {});
    revoke();
    expect(configError(() => createClient(proxy)).message).toMatch(/could not be read/);
    const trap = new Proxy(
      { baseUrl: base },
      {
        get: () => {
          throw new TypeError('trap');
        },
      },
    );
    expect(configError(() => createClient(trap)).option).toBe('options');
    const nested = {
      baseUrl: base,
      auth: {
        type: 'query',
        get name(): string {
          throw new Error('nested');
        },
      },
    } as ClientOptions;
    expect(configError(() => createClient(nested)).option).toBe('options');
  });
});

describe('baseUrl', () => {
  it.each([
    ['user:pass@', 'http://alice:hunter2-s3cret@127.0.0.1/v1', 'hunter2-s3cret'],
    ['a password alone', 'https://:hunter2-s3cret@api.example.test', 'hunter2-s3cret'],
    ['a user alone', 'https://sk_live_user_as_key_1234@api.example.test/v1', 'sk_live_user_as_key_1234'],
    ['an encoded password', 'https://bob:p%40ss%3Aw0rd-xyz@api.example.test', 'p%40ss%3Aw0rd-xyz'],
  ])('with %s is rejected at createClient, never echoing it (message, stack, cause, log)', (_, baseUrl, secret) => {
    const lines: unknown[] = [];
    const log = (...args: unknown[]) => lines.push(args);
    const error = configError(() => createClient({ baseUrl, apiKey: KEY, logger: { debug: log, info: log, warn: log, error: log } }));
    expect(error.option).toBe('baseUrl');
    expect(error.message).toMatch(/must not contain a user name or password/);
    for (const text of renderings(error)) expect(text).not.toContain(secret);
    expect(JSON.stringify(lines)).not.toContain(secret);
    expect(lines).toEqual([]);
  });

  it.each([
    'https://api.example.test/v1#',
    'https://api.example.test/v1#section',
    'https://api.example.test/#/v1',
    'https://api.example.test/v1?',
    'https://api.example.test/v1?tenant=1',
  ])('%s (a fragment or query) is rejected', (baseUrl) => {
    const error = configError(() => createClient({ baseUrl }));
    expect(error.option).toBe('baseUrl');
    expect(error.message).toMatch(/query string|fragment/);
  });

  it('a trailing slash is still dropped and paths land under the base path', async () => {
    const client = createClient({ baseUrl: `${base}//`, apiKey: KEY });
    const before = seen.length;
    await client.get('/under');
    expect(seen[before]?.url).toBe('/v1/under');
  });
});
