import type { InvalidApiKeyError } from '../errors/invalid-api-key-error.js';

/** The response header keyguardFetch puts on an answer it hands back for a key error. */
export const KEY_ERROR_HEADER = 'x-keyguard-key-error';
const LIMIT = 256;
const SLOT = Symbol.for('keyguard.keyErrors');

/** Shared by every copy of keyguard in the process (ESM and CJS side by side), through one global slot. */
function registry(): Map<string, InvalidApiKeyError> {
  const holder = globalThis as { [SLOT]?: Map<string, InvalidApiKeyError> };
  holder[SLOT] ??= new Map();
  return holder[SLOT];
}

/** Keeps `error` for {@link recallKeyError} and returns its token, which holds nothing of the key. Bounded: the oldest go first. */
export function rememberKeyError(error: InvalidApiKeyError): string {
  const map = registry();
  const token = `kg_${Math.random().toString(36).slice(2, 12)}${Date.now().toString(36)}`;
  map.set(token, error);
  if (map.size > LIMIT) map.delete(map.keys().next().value as string);
  return token;
}

/** The error remembered under `token`, if it is still kept. */
export function recallKeyError(token: string): InvalidApiKeyError | undefined {
  return registry().get(token);
}
