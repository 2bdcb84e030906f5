import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyKeyError, type ErrorResponse } from '../src/index.js';

const REASONS = ['expired', 'revoked', 'malformed', 'missing', 'unknown'];
const RUNS = { numRuns: 500 };

/** Words the classifier reacts to, so the generated bodies reach its rules, not only its fallbacks. */
const word = fc.constantFrom('invalid', 'expired', 'revoked', 'missing', 'API key', 'token', 'or', 'scope', 'Bearer', 'unauthorized', '');
const phrase = fc.array(fc.oneof(word, fc.string()), { maxLength: 6 }).map((parts) => parts.join(' '));
const status = fc.oneof(fc.constantFrom(200, 400, 401, 403, 404, 429, 500, 503), fc.integer({ min: -1, max: 1000 }));
const headerValue = fc.oneof(
  fc.string(),
  fc
    .tuple(fc.constantFrom('error', 'error_description', 'realm', 'scope'), phrase)
    .map(([k, v]) => `Bearer ${k}="${v.replace(/"/g, '\\"')}"`),
);
const headers = fc.oneof(
  fc.constant(undefined),
  fc.dictionary(fc.oneof(fc.constant('www-authenticate'), fc.string()), headerValue, { maxKeys: 4 }),
  fc.array(fc.tuple(fc.oneof(fc.constant('WWW-Authenticate'), fc.string()), headerValue), { maxLength: 3 }),
);
const envelope = fc.record(
  {
    ok: fc.boolean(),
    error: fc.oneof(phrase, fc.record({ message: phrase, code: fc.string(), type: phrase }, { requiredKeys: [] })),
    errors: fc.array(fc.oneof(phrase, fc.record({ message: phrase })), { maxLength: 3 }),
    message: phrase,
    detail: phrase,
    code: fc.oneof(fc.string(), fc.integer()),
    status: fc.oneof(fc.string(), fc.integer()),
  },
  { requiredKeys: [] },
);

/** Objects that fight back: getters and Proxy traps that throw, `__proto__` keys, deep nesting, huge arrays. Built inside the property: fast-check itself probes generated values, which a hostile Proxy would break. */
const throwing = (name: string) => () => {
  throw new Error(name);
};
const makers: (() => unknown)[] = [
  () =>
    new Proxy(
      {},
      { get: throwing('get'), ownKeys: throwing('ownKeys'), has: throwing('has'), getOwnPropertyDescriptor: throwing('descriptor') },
    ),
  () => new Proxy([], { get: throwing('get'), getPrototypeOf: throwing('proto') }),
  () => Object.defineProperty({ message: 'Invalid API key' }, 'error', { enumerable: true, get: throwing('getter') }),
  () => ({ status: { valueOf: throwing('valueOf'), toString: throwing('toString') }, message: { toString: throwing('toString') } }),
  () => JSON.parse('{"__proto__":{"message":"Invalid API key"},"constructor":{"prototype":{"error":"expired"}}}') as unknown,
  () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    return { error: proxy, errors: proxy };
  },
];
class Lazy {
  constructor(readonly make: () => unknown) {}
}
/** The value to hand to the classifier: hostile ones are built now. */
const real = (value: unknown): unknown => (value instanceof Lazy ? value.make() : value);
const hostile = fc.oneof(
  fc.integer({ min: 0, max: makers.length - 1 }).map((i) => new Lazy(makers[i] as () => unknown)),
  fc.integer({ min: 1, max: 5000 }).map((depth) => {
    let value: unknown = { message: 'API key expired' };
    for (let i = 0; i < depth; i += 1) value = i % 2 ? { error: value } : [value];
    return value;
  }),
  fc.integer({ min: 1000, max: 200_000 }).map((length) => ({ errors: new Array(length).fill({ message: 'invalid token' }) })),
);

const body = fc.oneof(
  fc.jsonValue(),
  fc.string(),
  fc.json(),
  envelope,
  envelope.map((e) => JSON.stringify(e)),
  hostile,
);

const validResult = (result: ReturnType<typeof classifyKeyError>) =>
  result === null ||
  (REASONS.includes(result.reason) &&
    (result.code === undefined || typeof result.code === 'string') &&
    (result.message === undefined || typeof result.message === 'string'));

describe('classifyKeyError: properties', () => {
  it('never throws and returns null or a valid reason, for any JSON value', () => {
    fc.assert(
      fc.property(status, headers, fc.jsonValue(), (s, h, b) =>
        validResult(classifyKeyError({ status: s, headers: h as HeadersInit, body: b })),
      ),
      RUNS,
    );
  });

  it('never throws and returns null or a valid reason, for any string', () => {
    fc.assert(
      fc.property(status, headers, fc.string({ maxLength: 500 }), (s, h, b) =>
        validResult(classifyKeyError({ status: s, headers: h as HeadersInit, body: b })),
      ),
      RUNS,
    );
  });

  it('never throws on hostile bodies, headers and responses', () => {
    fc.assert(
      fc.property(status, fc.oneof(headers, hostile), body, (s, h, b) => {
        const response = { status: s, headers: real(h) as HeadersInit, body: real(b) };
        let result: ReturnType<typeof classifyKeyError> = null;
        expect(() => {
          result = classifyKeyError(response);
        }).not.toThrow();
        return validResult(result);
      }),
      { numRuns: 200 },
    );
    expect(classifyKeyError(undefined as unknown as ErrorResponse)).toBeNull();
    expect(classifyKeyError(null as unknown as ErrorResponse)).toBeNull();
    const response = new Proxy({} as ErrorResponse, {
      get: () => {
        throw new Error('response');
      },
    });
    expect(classifyKeyError(response)).toBeNull();
  });

  it('429 and 5xx are never key errors', () => {
    const notKey = fc.oneof(fc.constant(429), fc.integer({ min: 500, max: 599 }));
    fc.assert(
      fc.property(notKey, headers, body, (s, h, b) => classifyKeyError({ status: s, headers: h as HeadersInit, body: real(b) }) === null),
      RUNS,
    );
    expect(classifyKeyError({ status: 429, body: { error: { message: 'Invalid API key', code: 'invalid_api_key' } } })).toBeNull();
  });

  it('is deterministic', () => {
    fc.assert(
      fc.property(status, headers, fc.oneof(fc.jsonValue(), fc.string(), envelope), (s, h, b) => {
        const response = { status: s, headers: h as HeadersInit, body: b };
        expect(classifyKeyError(response)).toEqual(classifyKeyError(response));
      }),
      RUNS,
    );
  });

  it('reads a JSON body the same as its text', () => {
    fc.assert(
      fc.property(status, envelope, (s, e) => {
        expect(classifyKeyError({ status: s, body: JSON.stringify(e) })).toEqual(classifyKeyError({ status: s, body: e }));
      }),
      RUNS,
    );
  });
});
