import type { InvalidApiKeyError } from '../errors/invalid-api-key-error.js';

/**
 * The response header that carries a registered key error's token. `keyguardFetch` sets it on
 * every answer it hands an SDK for a key error, so `keyErrorOf` finds the very error the hook saw
 * in whatever the SDK throws.
 */
export const KEY_ERROR_HEADER = 'x-keyguard-key-error';

/** How many key errors are kept; the oldest goes first. */
export const KEY_ERROR_REGISTRY_SIZE = 256;

const SLOT = Symbol.for('keyguard.keyErrors');
/** What a token looks like: a version and 128 random bits in hex. */
export const TOKEN = /^kg1\.[0-9a-f]{32}$/;

/** The shape kept on `globalThis`: every copy of keyguard (ESM and CJS side by side) uses the same one. */
interface Registry {
  readonly version: 1;
  readonly entries: Map<string, InvalidApiKeyError>;
}

function isRegistry(value: unknown): value is Registry {
  return typeof value === 'object' && value !== null && (value as Registry).version === 1 && (value as Registry).entries instanceof Map;
}

let own: Registry | undefined;

/** The registry every copy of keyguard in this realm shares (created by the first one). */
export function registry(): Registry {
  const global = globalThis as Record<symbol, unknown>;
  const found = global[SLOT];
  if (isRegistry(found)) return found;
  own ??= { version: 1, entries: new Map() };
  try {
    Object.defineProperty(global, SLOT, { value: own, configurable: true, enumerable: false, writable: false });
  } catch {
    // A frozen globalThis: this copy keeps its own registry.
  }
  return own;
}

/** 128 random bits: a token says nothing about the key, and cannot be guessed to fish out another error. */
function newToken(): string {
  const bytes = new Uint8Array(16);
  if (typeof globalThis.crypto?.getRandomValues === 'function') globalThis.crypto.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return `kg1.${hex}`;
}

/**
 * Keeps `error` for `recallKeyError` (key-error-recall.ts) and returns its token, for the
 * `x-keyguard-key-error` header. Only the last {@link KEY_ERROR_REGISTRY_SIZE} are kept.
 * The same error registered twice gets two tokens; both recall it.
 */
export function rememberKeyError(error: InvalidApiKeyError): string {
  const { entries } = registry();
  const token = newToken();
  entries.set(token, error);
  while (entries.size > KEY_ERROR_REGISTRY_SIZE) {
    const oldest = entries.keys().next().value;
    if (oldest === undefined) break;
    entries.delete(oldest);
  }
  return token;
}
