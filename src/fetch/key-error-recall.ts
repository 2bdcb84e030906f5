// The reading side of the key error registry (key-error-registry.ts), for keyErrorOf. Apart from the
// writing side, which keyguardFetch loads with its error path: only this side checks what it finds.
import { isInvalidApiKeyError } from '../errors/guards.js';
import type { InvalidApiKeyError } from '../errors/invalid-api-key-error.js';
import { registry, TOKEN } from './key-error-registry.js';

/**
 * The key error registered under `token` (a header value: surrounding spaces and a
 * comma-joined list of tokens are accepted), or `undefined` when there is none (any more).
 */
export function recallKeyError(token: unknown): InvalidApiKeyError | undefined {
  if (typeof token !== 'string' || token.length > 1024) return undefined;
  const { entries } = registry();
  for (const part of token.split(',', 8)) {
    const candidate = part.trim();
    if (!TOKEN.test(candidate)) continue;
    const error = entries.get(candidate);
    if (isInvalidApiKeyError(error)) return error;
  }
  return undefined;
}
