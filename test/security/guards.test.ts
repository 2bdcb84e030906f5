import { describe, expect, it } from 'vitest';
import { ApiError, InvalidApiKeyError, isApiError, isInvalidApiKeyError, isKeyguardError, KeyguardError } from '../../src/index.js';

const guards = { isKeyguardError, isApiError, isInvalidApiKeyError };

const boom = () => {
  throw new Error('trap');
};

/** Values on which any property read, `in` check or prototype walk throws. */
function hostile(): Array<[string, unknown]> {
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  const revokedFn = Proxy.revocable(() => {}, {});
  revokedFn.revoke();
  const all = { get: boom, has: boom, getPrototypeOf: boom, getOwnPropertyDescriptor: boom, ownKeys: boom };
  const apiError = new ApiError({ status: 500, message: 'x', body: undefined, headers: {}, method: 'GET', url: 'https://a.test/' });
  return [
    ['a revoked Proxy', revoked.proxy],
    ['a revoked function Proxy', revokedFn.proxy],
    ['a Proxy whose get throws', new Proxy({}, { get: boom })],
    ['a Proxy whose has throws', new Proxy({}, { has: boom })],
    ['a Proxy whose getPrototypeOf throws', new Proxy({}, { getPrototypeOf: boom })],
    ['a Proxy whose traps all throw', new Proxy({}, all)],
    ['a Proxy of a real ApiError whose traps all throw', new Proxy(apiError, all)],
    [
      'a Proxy whose get throws a non-Error',
      new Proxy(
        {},
        {
          get: () => {
            throw 42;
          },
        },
      ),
    ],
    ['an object whose prototype is a throwing Proxy', Object.create(new Proxy({}, all))],
    ['an object with a throwing getter under the brand', Object.defineProperty({}, Symbol.for('keyguard.error'), { get: boom })],
  ];
}

describe('type guards never throw', () => {
  it.each(Object.entries(guards))('%s returns false on every hostile value', (_, guard) => {
    for (const [label, value] of hostile()) {
      let result: unknown;
      expect(() => {
        result = guard(value);
      }, label).not.toThrow();
      expect(result, label).toBe(false);
    }
  });

  it('still recognise real errors, and plain values are false', () => {
    const api = new ApiError({ status: 500, message: 'x', body: undefined, headers: {}, method: 'GET', url: 'https://a.test/' });
    const key = new InvalidApiKeyError({ reason: 'expired', source: 'server', message: 'x', hint: 'y' });
    expect([isKeyguardError(api), isApiError(api), isInvalidApiKeyError(api)]).toEqual([true, true, false]);
    expect([isKeyguardError(key), isApiError(key), isInvalidApiKeyError(key)]).toEqual([true, false, true]);
    expect(isKeyguardError(new KeyguardError('x'))).toBe(true);
    for (const value of [null, undefined, 0, 'ApiError', {}, new Error('x'), () => {}]) {
      expect([isKeyguardError(value), isApiError(value), isInvalidApiKeyError(value)]).toEqual([false, false, false]);
    }
  });
});
