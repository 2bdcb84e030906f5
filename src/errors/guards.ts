import type { ApiError } from './api-error.js';
import type { InvalidApiKeyError } from './invalid-api-key-error.js';
import { BRAND, type KeyguardError } from './keyguard-error.js';

/** Never throws: a revoked Proxy, or one whose traps throw, is simply not a keyguard error. */
function hasBrand(value: unknown, brand: symbol): boolean {
  if (typeof value !== 'object' || value === null) return false;
  try {
    return (value as Record<symbol, unknown>)[brand] === true;
  } catch {
    return false;
  }
}

/** True for every error keyguard throws, from any copy of the package. */
export function isKeyguardError(value: unknown): value is KeyguardError {
  return hasBrand(value, BRAND.keyguard);
}

/** True for {@link ApiError} and its subclasses, from any copy of the package. */
export function isApiError(value: unknown): value is ApiError {
  return hasBrand(value, BRAND.api);
}

/** True for {@link InvalidApiKeyError}, from any copy of the package. */
export function isInvalidApiKeyError(value: unknown): value is InvalidApiKeyError {
  return hasBrand(value, BRAND.invalidKey);
}
