// Error classes: brands that only real keyguard errors carry, and names that stay pinned.
import { inspect } from 'node:util';
import { afterEach, expect, it } from 'vitest';
import {
  ApiError,
  ConfigError,
  createClient,
  InvalidApiKeyError,
  isApiError,
  isKeyguardError,
  KeyguardError,
  RateLimitError,
  TimeoutError,
} from '../src/index.js';
import { local } from './helpers/local-server.js';

const KEY = 'sk_live_review_outer_0000000000abcd';
const VAULT_KEY = 'vault_token_review_0000000000wxyz';
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

it('a redacted copy of a keyguard error (a cause that carried the key) is not branded as one: the guards agree with instanceof', async () => {
  // A vault, itself called through keyguard, answers 500 and echoes the key it holds.
  const vault = await local((_req, res) => {
    res.writeHead(500, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: 'vault sealed', key: KEY }));
  });
  closers.push(vault.close);
  const api = await local((_req, res) => {
    res.writeHead(401, { 'content-type': 'application/json' });
    res.end('{"error":{"code":"invalid_api_key","message":"Incorrect API key provided."}}');
  });
  closers.push(api.close);
  const vaultClient = createClient({ baseUrl: vault.url, apiKey: VAULT_KEY, retry: { limit: 0 } } as never);
  const client = createClient({ baseUrl: api.url, apiKey: KEY, onKeyInvalid: () => vaultClient.get('/rotate') as Promise<string> });
  const error = await client.get('/x').catch((thrown: unknown) => thrown);
  const cause = (error as { cause?: unknown }).cause;
  expect(JSON.stringify((cause as { body?: unknown }).body)).not.toContain(KEY); // redacted: a copy
  expect({ isKeyguardError: isKeyguardError(cause), isApiError: isApiError(cause) }).toEqual({
    isKeyguardError: cause instanceof KeyguardError,
    isApiError: cause instanceof ApiError,
  });
  // What a guard promises: a KeyguardError, with its methods.
  if (isKeyguardError(cause)) expect(typeof cause.toJSON).toBe('function');
});

const classes = { KeyguardError, ApiError, RateLimitError, ConfigError, TimeoutError, InvalidApiKeyError };

it('the classes pin their names as before: non-enumerable and read-only, so inspect/Object.keys/spread show nothing', () => {
  for (const [name, cls] of Object.entries(classes)) {
    expect(cls.name).toBe(name);
    const descriptor = Object.getOwnPropertyDescriptor(cls, 'name');
    // Not enumerable, and it cannot be assigned: no setter (an accessor) or not writable (a value).
    expect({ name, enumerable: descriptor?.enumerable, assignable: Boolean(descriptor?.set ?? descriptor?.writable) }).toEqual({
      name,
      enumerable: false,
      assignable: false,
    });
    expect(() => {
      (cls as { name: string }).name = 'Oops';
    }).toThrow(TypeError);
    expect(cls.name).toBe(name);
    expect(Object.keys(cls)).toEqual([]);
    expect(inspect(cls)).not.toContain('{');
  }
});
