import type { AuthPlacement } from '../options.js';

/** Headers in which SDKs put their own credential; keyguardFetch removes them before placing the real key. */
export const SDK_CREDENTIAL_HEADERS = ['authorization', 'x-api-key', 'api-key', 'apikey'];

/** Puts `key` in every placement: `Authorization: Bearer`, a named header, or a query parameter. */
export function placeKey(auth: readonly AuthPlacement[], url: URL, headers: Headers, key: string): void {
  for (const placement of auth) {
    if (placement.type === 'bearer') headers.set('authorization', `Bearer ${key}`);
    else if (placement.type === 'header') headers.set(placement.name, key);
    else url.searchParams.set(placement.name, key);
  }
}

/** Removes every credential a request may already carry (an SDK's dummy key, a key from an earlier hop). */
export function removeCredentials(auth: readonly AuthPlacement[], url: URL, headers: Headers): void {
  for (const name of SDK_CREDENTIAL_HEADERS) headers.delete(name);
  for (const placement of auth) {
    if (placement.type === 'header') headers.delete(placement.name);
    else if (placement.type === 'query') url.searchParams.delete(placement.name);
  }
}
