import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { recallKeyError } from '../../src/fetch/key-error-recall.js';
import { KEY_ERROR_HEADER, KEY_ERROR_REGISTRY_SIZE, registry, rememberKeyError } from '../../src/fetch/key-error-registry.js';
import { ApiError, type InvalidApiKeyError, isInvalidApiKeyError, keyErrorOf } from '../../src/index.js';
import { hookError } from './sdk-cases.js';

const OPENAI_BODY = {
  error: { message: 'Incorrect API key provided: sk-abc***xyz.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' },
};

describe('keyErrorOf: keyguard errors', () => {
  it('returns an InvalidApiKeyError itself', () => {
    const error = hookError();
    expect(keyErrorOf(error)).toBe(error);
  });

  it('finds one in a cause chain, and stops after a bounded number of links', () => {
    const error = hookError();
    const wrapped = new Error('outer', { cause: new Error('middle', { cause: error }) });
    expect(keyErrorOf(wrapped)).toBe(error);
    let deep: unknown = error;
    for (let i = 0; i < 50; i++) deep = new Error(`level ${i}`, { cause: deep });
    expect(keyErrorOf(deep)).toBeUndefined();
  });

  it('recognises an InvalidApiKeyError of another copy of keyguard by its brand', () => {
    const foreign = Object.create(
      Object.defineProperty({}, Symbol.for('keyguard.error.invalidApiKey'), { value: true }),
    ) as InvalidApiKeyError;
    expect(keyErrorOf(foreign)).toBe(foreign);
  });

  it('keyguard errors that are not key errors give undefined', () => {
    const api = new ApiError({ status: 401, message: 'nope', body: OPENAI_BODY, headers: {}, method: 'GET', url: 'http://127.0.0.1/' });
    expect(keyErrorOf(api)).toBeUndefined();
  });

  it('anything else gives undefined', () => {
    for (const value of [undefined, null, 0, 'Invalid API key', Symbol('x'), new Error('Invalid API key'), {}, [], () => 1]) {
      expect(keyErrorOf(value)).toBeUndefined();
    }
  });
});

describe('keyErrorOf: SDK error shapes', () => {
  it('Stainless (openai, anthropic): status, Headers, error', () => {
    const error = Object.assign(new Error('401 Incorrect API key'), {
      status: 401,
      headers: new Headers({ 'x-request-id': 'req_1' }),
      error: OPENAI_BODY.error,
    });
    expect(keyErrorOf(error)).toMatchObject({ reason: 'malformed', code: 'invalid_api_key', requestId: 'req_1', status: 401 });
  });

  it('Stainless with a text body: the text is read from the message', () => {
    const error = Object.assign(new Error('401 Your API key has expired'), { status: 401, headers: new Headers(), error: undefined });
    expect(keyErrorOf(error)?.reason).toBe('expired');
  });

  it('Stripe: statusCode, raw, plain headers', () => {
    const raw = {
      message: 'Expired API Key provided: sk_live_***',
      code: 'api_key_expired',
      type: 'invalid_request_error',
      headers: { 'request-id': 'req_s' },
      statusCode: 401,
    };
    const error = Object.assign(new Error(raw.message), { type: 'StripeAuthenticationError', raw, statusCode: 401, headers: raw.headers });
    expect(keyErrorOf(error)).toMatchObject({ reason: 'expired', code: 'api_key_expired', requestId: 'req_s' });
  });

  it('octokit / axios: response.status, response.headers, response.data', () => {
    const error = {
      status: 401,
      response: { status: 401, headers: { 'x-github-request-id': 'GH1' }, data: { message: 'Bad credentials' } },
    };
    expect(keyErrorOf(error)).toMatchObject({ reason: 'malformed', requestId: 'GH1' });
  });

  it('supabase results and PostgREST / GoTrue errors', () => {
    expect(
      keyErrorOf({ data: null, error: { message: 'JWT expired', code: 'PGRST303' }, status: 401, statusText: 'Unauthorized' })?.reason,
    ).toBe('expired');
    expect(keyErrorOf({ data: [], error: null, status: 200 })).toBeUndefined();
    expect(keyErrorOf(Object.assign(new Error('JWT expired'), { code: 'PGRST301', details: null, hint: null }))?.reason).toBe('expired');
    expect(
      keyErrorOf(Object.assign(new Error('Invalid API key'), { status: 401, code: 'invalid_api_key', __isAuthError: true }))?.reason,
    ).toBe('malformed');
  });

  it('gives the same hint the client gives for the same answer: causes offered as alternatives are listed', () => {
    const error = Object.assign(new Error('401 Invalid or expired API key'), {
      status: 401,
      headers: new Headers(),
      error: { message: 'Invalid or expired API key' },
    });
    const found = keyErrorOf(error);
    expect(found?.reason).toBe('unknown');
    expect(found?.hint).toMatch(/more than one possible cause/);
  });

  it('a 401 with nothing to read is a key error of unknown reason; a 404 is not', () => {
    expect(keyErrorOf({ response: { status: 401, headers: {} } })?.reason).toBe('unknown');
    expect(keyErrorOf({ response: { status: 404, headers: {} } })).toBeUndefined();
  });

  it('drops credential headers and redacts the key it can learn from the request options, copying no request', () => {
    const key = 'sk-live-echoed-0123456789abcdef';
    const error = {
      config: { headers: { Authorization: `Bearer ${key}` }, data: 'secret payload' },
      response: {
        status: 401,
        headers: { 'set-cookie': 'session=abc', authorization: `Bearer ${key}`, 'x-echo': key },
        data: { error: { message: `Incorrect API key provided: ${key}`, code: 'invalid_api_key' } },
      },
    };
    const keyError = keyErrorOf(error);
    expect(keyError?.reason).toBe('malformed');
    const text = JSON.stringify(keyError);
    expect(text).not.toContain(key);
    expect(text).not.toContain('session=abc');
    expect(text).not.toContain('secret payload');
    expect(keyError?.response?.headers['set-cookie']).toBe('[REDACTED]');
    expect(keyError?.response?.headers['x-echo']).toBe('[REDACTED]');
  });

  it('decodes bytes and parses JSON text bodies', () => {
    const bytes = new TextEncoder().encode(JSON.stringify(OPENAI_BODY));
    expect(keyErrorOf({ response: { status: 401, headers: {}, data: bytes.buffer } })?.code).toBe('invalid_api_key');
    expect(keyErrorOf({ response: { status: 401, headers: {}, data: JSON.stringify(OPENAI_BODY) } })?.code).toBe('invalid_api_key');
  });
});

describe('key-error registry and the x-keyguard-key-error header', () => {
  it('recalls the same object for its token; tokens are random and say nothing of the key', () => {
    const error = hookError();
    const token = rememberKeyError(error);
    expect(token).toMatch(/^kg1\.[0-9a-f]{32}$/);
    expect(recallKeyError(token)).toBe(error);
    expect(recallKeyError(` ${token} `)).toBe(error);
    expect(rememberKeyError(error)).not.toBe(token);
    expect(recallKeyError('kg1.00000000000000000000000000000000')).toBeUndefined();
    for (const junk of [undefined, 42, '', 'x'.repeat(5000), {}]) expect(recallKeyError(junk)).toBeUndefined();
  });

  it('keeps only the last entries', () => {
    const first = rememberKeyError(hookError());
    const tokens = Array.from({ length: KEY_ERROR_REGISTRY_SIZE }, () => rememberKeyError(hookError()));
    expect(recallKeyError(first)).toBeUndefined();
    expect(recallKeyError(tokens[0])).toBeDefined();
    expect(recallKeyError(tokens.at(-1))).toBeDefined();
  });

  it('lives on globalThis under Symbol.for, so two copies of keyguard share it', () => {
    const slot = (globalThis as Record<symbol, unknown>)[Symbol.for('keyguard.keyErrors')] as { entries: Map<string, unknown> };
    const error = hookError();
    const token = 'kg1.0123456789abcdef0123456789abcdef';
    slot.entries.set(token, error); // what another copy's rememberKeyError does
    expect(recallKeyError(token)).toBe(error);
    slot.entries.delete(token);
  });

  const shapes: [string, (token: string) => unknown][] = [
    ['openai/anthropic (Headers)', (t) => ({ status: 401, error: {}, headers: new Headers({ [KEY_ERROR_HEADER]: t }) })],
    ['stripe (raw.headers object)', (t) => ({ statusCode: 401, raw: { headers: { [KEY_ERROR_HEADER]: t } } })],
    [
      'octokit (response.headers object)',
      (t) => ({ status: 401, response: { status: 401, headers: { [KEY_ERROR_HEADER]: t }, data: {} } }),
    ],
    ['axios (AxiosHeaders-like: get + iterator)', (t) => ({ response: { status: 401, headers: axiosLike({ [KEY_ERROR_HEADER]: t }) } })],
    ['ky / ofetch (Response)', (t) => ({ response: new Response(null, { status: 401, headers: { [KEY_ERROR_HEADER]: t } }) })],
    ['a Map with other capitalisation', (t) => ({ response: { status: 401, headers: new Map([['X-Keyguard-Key-Error', t]]) } })],
    [
      'a header array (several values)',
      (t) => ({ response: { status: 401, headers: { [KEY_ERROR_HEADER]: ['kg1.ffffffffffffffffffffffffffffffff', t] } } }),
    ],
    [
      'wrapped in a cause',
      (t) => new Error('wrapper', { cause: { status: 401, error: {}, headers: new Headers({ [KEY_ERROR_HEADER]: t }) } }),
    ],
  ];
  it.each(shapes)('finds the token in %s', (_name, shape) => {
    const error = hookError('revoked');
    // A 2xx-looking body that would classify as nothing: only the token can say it is a key error.
    expect(keyErrorOf(shape(rememberKeyError(error)))).toBe(error);
  });
});

function axiosLike(values: Record<string, string>) {
  const headers: Record<string | symbol, unknown> = { ...values };
  Object.defineProperties(headers, {
    get: { value: (name: string) => values[name.toLowerCase()] },
    [Symbol.iterator]: { value: () => Object.entries(values)[Symbol.iterator]() },
  });
  return headers;
}

describe('keyErrorOf never throws', () => {
  const hostile = () => {
    const trap = () => {
      throw new Error('trap');
    };
    return new Proxy({}, { get: trap, has: trap, ownKeys: trap, getPrototypeOf: trap, getOwnPropertyDescriptor: trap });
  };

  it('on Proxies whose every trap throws, throwing getters and cycles', () => {
    expect(keyErrorOf(hostile())).toBeUndefined();
    expect(keyErrorOf({ response: hostile() })).toBeUndefined();
    expect(keyErrorOf({ response: { status: 401, headers: hostile(), data: hostile() } })?.reason).toBe('unknown');
    const getters = Object.defineProperty({}, 'response', {
      get() {
        throw new Error('getter');
      },
    });
    expect(keyErrorOf(getters)).toBeUndefined();
    const cyclic: Record<string, unknown> = { status: 401, headers: {} };
    cyclic.error = cyclic;
    cyclic.cause = cyclic;
    expect(() => keyErrorOf(cyclic)).not.toThrow();
    const body: Record<string, unknown> = { message: 'Invalid API key' };
    body.self = body;
    body.list = [body, body];
    expect(keyErrorOf({ response: { status: 401, headers: {}, data: body } })?.reason).toBe('malformed');
  });

  it('on a huge, wide and deep body (bounded)', () => {
    let deep: unknown = { message: 'Invalid API key' };
    for (let i = 0; i < 10_000; i++) deep = { next: deep };
    const wide = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, 'x']));
    const started = performance.now();
    expect(() => keyErrorOf({ response: { status: 401, headers: {}, data: deep } })).not.toThrow();
    expect(keyErrorOf({ response: { status: 401, headers: {}, data: wide } })?.reason).toBe('unknown');
    expect(keyErrorOf({ response: { status: 401, headers: {}, data: 'Invalid API key '.repeat(1_000_000) } })).toBeDefined();
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('property: any value, any SDK-like shape around it: no throw, undefined or an InvalidApiKeyError', () => {
    const anyValue = fc.anything({ withBigInt: true, withMap: true, withSet: true, withTypedArray: true, withNullPrototype: true });
    const shape = fc.oneof(
      anyValue,
      fc.record({ status: fc.oneof(fc.integer({ min: 0, max: 700 }), anyValue), headers: anyValue, error: anyValue }),
      fc.record({ statusCode: fc.integer({ min: 100, max: 599 }), raw: anyValue, headers: anyValue }),
      fc.record({ response: fc.record({ status: fc.integer({ min: 100, max: 599 }), headers: anyValue, data: anyValue }) }),
      fc.record({ code: fc.constantFrom('PGRST301', 'PGRST303', 'x'), message: fc.string() }),
      anyValue.map((cause) => new Error('wrapper', { cause })),
    );
    fc.assert(
      fc.property(shape, (value) => {
        const result = keyErrorOf(value);
        return result === undefined || isInvalidApiKeyError(result);
      }),
      { numRuns: 500 },
    );
  });

  it('property: key-like header values in a shape never come out in the error', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^sk-(?:live|test)_[0-9a-f]{20,40}$/),
        fc.constantFrom('Authorization', 'x-api-key', 'apikey'),
        (key, header) => {
          const value = header === 'Authorization' ? `Bearer ${key}` : key;
          const error = {
            config: { headers: { [header]: value } },
            response: { status: 401, headers: { [header.toLowerCase()]: value }, data: { message: `invalid api key ${key}` } },
          };
          const keyError = keyErrorOf(error);
          return keyError !== undefined && !JSON.stringify(keyError).includes(key) && !String(keyError).includes(key);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('two copies of keyguard', () => {
  it('a second instance of the registry module (as a CJS copy beside the ESM one would be) shares the entries', async () => {
    const second = (await import(
      /* @vite-ignore */ `../../src/fetch/key-error-registry.ts?copy=${Date.now()}`
    )) as typeof import('../../src/fetch/key-error-registry.js');
    expect(second.rememberKeyError).not.toBe(rememberKeyError);
    const error = hookError('malformed');
    expect(recallKeyError(second.rememberKeyError(error))).toBe(error);
    // Either copy finds the other's entries: there is one registry, on globalThis.
    expect(second.registry().entries).toBe(registry().entries);
  });
});
