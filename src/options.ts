import * as z from 'zod/mini';
import type { ErrorResponse } from './classify/classify.js';
import { ConfigError } from './errors/config-error.js';
import type { InvalidApiKeyError } from './errors/invalid-api-key-error.js';
import type { KeyShare } from './keys/key-share.js';
import type { KeyLintMode } from './keys/lint.js';
import type { KeyErrorReason } from './types.js';

/** A key with an optional expiry. A grant close to `expiresAt` is refreshed through the provider before use. */
export interface KeyGrant {
  /** The API key itself. */
  key: string;
  /** When the key stops working: a `Date` or epoch milliseconds. */
  expiresAt?: Date | number;
}

/** What a provider or `onKeyInvalid` may return: a key, a grant, or nothing ("no replacement"). */
export type KeySupply = string | KeyGrant;

/** Why the provider is being asked for a key. */
export type KeyProviderReason = 'initial' | 'expiring' | 'rotated' | KeyErrorReason;

/**
 * Supplies the key lazily. Called once for any number of concurrent requests: first
 * with `'initial'`, with `'expiring'` when a grant is about to expire, with the
 * rejection's reason when the API rejects the key and there is no `onKeyInvalid`, and with
 * `'rotated'` when another member of the client's `keyShare` rotated the key.
 * `signal` aborts when the refresh times out (after `timeoutMs`).
 */
export type KeyProvider = (context: { reason: KeyProviderReason; signal: AbortSignal }) => KeySupply | Promise<KeySupply>;

/** Called once per rejected key. Return a new key to replay the failed requests; return nothing to give up. */
export type OnKeyInvalid = (error: InvalidApiKeyError) => KeySupply | undefined | void | Promise<KeySupply | undefined | void>;

/** Where the key travels. */
export type AuthPlacement =
  | {
      /** Sent as `Authorization: Bearer <key>`. */
      type: 'bearer';
    }
  | {
      /** Sent as is in the header `name`. */
      type: 'header';
      /** The header's name, e.g. `x-api-key`. */
      name: string;
    }
  | {
      /** Sent in the query parameter `name` (keyguard redacts it from error URLs and logs). */
      type: 'query';
      /** The query parameter's name, e.g. `api_key`. */
      name: string;
    };

/** The subset of `console` keyguard logs to. It never receives a key in clear. */
export interface Logger {
  /** Per-request detail: each attempt and its status, retries and their delay, key replays. */
  debug?: (...args: unknown[]) => void;
  /** Informational lines; keyguard sends none at present, the method is accepted so `console` fits. */
  info?: (...args: unknown[]) => void;
  /** Problems keyguard worked around: a trimmed key (once per key value), a failed early refresh, a `classifyKeyError` option that threw or returned a promise. */
  warn?: (...args: unknown[]) => void;
  /** Error lines; keyguard sends none at present (failures reject the request instead), the method is accepted so `console` fits. */
  error?: (...args: unknown[]) => void;
}

/** How transient failures are retried. Each list replaces its default. */
export interface RetryOptions {
  /** Retries after the first attempt. @default 2 */
  retries?: number;
  /** The first backoff delay, before jitter. @default 500 */
  minDelayMs?: number;
  /** The longest backoff delay (server-directed delays are capped by `maxRetryAfterMs`). @default 8000 */
  maxDelayMs?: number;
  /** The longest `Retry-After` honoured; a longer one throws at once with `retryAfterMs` set. @default 60000 */
  maxRetryAfterMs?: number;
  /** Statuses that are retried. @default [408, 409, 429, 500, 502, 503, 504] */
  statuses?: number[];
  /** Methods retried without an idempotency key. @default ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'] */
  methods?: string[];
}

/** A user's classifier: a reason for a key error, `null` for "not a key error", `undefined` to fall through to the built-in one. */
export type KeyErrorClassifier = (response: ErrorResponse) => KeyErrorReason | null | undefined;

/** Options of {@link createClient}. Only `baseUrl` is required. */
export interface ClientOptions {
  /** Absolute http(s) URL that prefixes every request path, e.g. `https://api.example.com/v1`. */
  baseUrl: string;
  /** The key, a grant with an expiry, or a provider callback. */
  apiKey?: string | KeyGrant | KeyProvider | undefined;
  /** Where the key travels. @default { type: 'bearer' } */
  auth?: AuthPlacement;
  /** Called once per rejected key; a returned key replays every request that failed with the old one. */
  onKeyInvalid?: OnKeyInvalid;
  /** How many times one request may be replayed with a new key. @default 1 */
  maxKeyRefreshes?: number;
  /** A grant this close to its `expiresAt` is refreshed through the provider before use. @default 30000 */
  refreshBeforeExpiryMs?: number;
  /** Retries of transient failures: a count, `false` for none, or the full policy. @default 2 */
  retry?: number | false | RetryOptions;
  /** Per attempt, in milliseconds. Also bounds a key refresh. @default 60000 */
  timeoutMs?: number;
  /** Sent with every request. */
  headers?: Record<string, string>;
  /** A custom fetch. @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Consulted first for every response, 2xx included. */
  classifyKeyError?: KeyErrorClassifier;
  /** Client-side key checks. @default 'fix' */
  keyLint?: KeyLintMode;
  /** Receives debug/info/warn/error lines, never a key in clear. @default silent */
  logger?: Logger;
  // #region keyShare option
  /**
   * Shares key rotations with other processes, machines or tabs: when the key is rejected, one member
   * of the group runs its hook and the others receive the result (`redisKeyShare`, `broadcastKeyShare`).
   * Unless the share carries keys (`shareKey: true`), `apiKey` must be a provider. Checked by the key state.
   */
  keyShare?: KeyShare;
  // #endregion
}

/** The fully resolved retry policy. */
export type RetryPolicy = Required<RetryOptions>;

/** Options after validation, with every default filled in. */
export interface ResolvedOptions {
  baseUrl: string;
  apiKey: string | KeyGrant | KeyProvider | undefined;
  auth: AuthPlacement;
  onKeyInvalid: OnKeyInvalid | undefined;
  maxKeyRefreshes: number;
  refreshBeforeExpiryMs: number;
  retry: RetryPolicy;
  timeoutMs: number;
  headers: Record<string, string>;
  fetch: typeof fetch | undefined;
  classifyKeyError: KeyErrorClassifier | undefined;
  keyLint: KeyLintMode;
  logger: Logger;
  // #region keyShare option
  keyShare: KeyShare | undefined;
  // #endregion
}

export const DEFAULT_RETRY: RetryPolicy = {
  retries: 2,
  minDelayMs: 500,
  maxDelayMs: 8000,
  maxRetryAfterMs: 60_000,
  statuses: [408, 409, 429, 500, 502, 503, 504],
  methods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'],
};

// Few schema kinds on purpose: each zod/mini kind adds to the browser bundle (see docs/size.md).
const count = (what: string) => z.custom<number>((v) => Number.isInteger(v) && (v as number) >= 0, { error: `must be ${what}` });
const milliseconds = (what = 'a non-negative number of milliseconds', positive = false) =>
  z.custom<number>((v) => typeof v === 'number' && (positive ? v > 0 : v >= 0) && v <= 2_147_483_647, { error: `must be ${what}` });
const where = <T>(test: (value: unknown) => boolean, error: string) => z.custom<T>(test, { error });
const fn = <T>() => where<T>((value) => typeof value === 'function', 'must be a function');
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;
const isHttpUrl = (value: unknown) => {
  try {
    const url = new URL(value as string);
    // A query or fragment in baseUrl would end up in the middle of every path.
    return typeof value === 'string' && /^https?:$/.test(url.protocol) && !url.search && !url.hash && !value.includes('?');
  } catch {
    return false;
  }
};
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const isGrant = (value: unknown) =>
  isObject(value) &&
  typeof value.key === 'string' &&
  (value.expiresAt === undefined || value.expiresAt instanceof Date || typeof value.expiresAt === 'number');

const retrySchema = z.object({
  retries: z.optional(count('a whole number >= 0')),
  minDelayMs: z.optional(milliseconds()),
  maxDelayMs: z.optional(milliseconds()),
  maxRetryAfterMs: z.optional(milliseconds()),
  statuses: z.optional(
    where<number[]>(
      (v) => Array.isArray(v) && v.every((s) => Number.isInteger(s) && s >= 100 && s <= 599),
      'must be a list of HTTP statuses',
    ),
  ),
  methods: z.optional(where<string[]>((v) => Array.isArray(v) && v.every((m) => typeof m === 'string'), 'must be a list of HTTP methods')),
});
const retryOption = where<number | false | RetryOptions | undefined>(
  (v) => v === undefined || v === false || (Number.isInteger(v) && (v as number) >= 0) || isObject(v),
  'must be a number of retries, false, or { retries, minDelayMs, maxDelayMs, maxRetryAfterMs, statuses, methods }',
);

const optionsSchema = z.object({
  baseUrl: where<string>(isHttpUrl, 'must be an absolute http(s) URL without a query string, e.g. "https://api.example.com/v1"'),
  apiKey: z.optional(
    where<string | KeyGrant | KeyProvider>(
      (v) => typeof v === 'string' || typeof v === 'function' || isGrant(v),
      'must be a string, a { key, expiresAt } grant, or a function',
    ),
  ),
  auth: z.optional(
    z.discriminatedUnion(
      'type',
      [
        z.object({ type: z.literal('bearer') }),
        z.object({
          type: z.literal('header'),
          name: where<string>((v) => typeof v === 'string' && HEADER_NAME.test(v), 'must be a valid header name'),
        }),
        z.object({ type: z.literal('query'), name: where<string>((v) => typeof v === 'string' && v !== '', 'must be a non-empty string') }),
      ],
      { error: "must be { type: 'bearer' }, { type: 'header', name } or { type: 'query', name }" },
    ),
  ),
  onKeyInvalid: z.optional(fn<OnKeyInvalid>()),
  maxKeyRefreshes: z.optional(count('a whole number >= 0')),
  refreshBeforeExpiryMs: z.optional(milliseconds()),
  retry: z.optional(retryOption),
  timeoutMs: z.optional(milliseconds('a positive number of milliseconds', true)),
  // Names and values are checked by checkHeaders, which names the bad header.
  headers: z.optional(where<Record<string, string>>(isObject, 'must be an object of header names to strings')),
  fetch: z.optional(fn<typeof fetch>()),
  classifyKeyError: z.optional(fn<KeyErrorClassifier>()),
  keyLint: z.optional(where<KeyLintMode>((v) => v === 'fix' || v === 'strict' || v === 'off', "must be 'fix', 'strict' or 'off'")),
  logger: z.optional(
    where<Logger>(
      (v) => isObject(v) && ['debug', 'info', 'warn', 'error'].every((level) => v[level] === undefined || typeof v[level] === 'function'),
      'must be an object whose debug/info/warn/error are functions',
    ),
  ),
});

/** Throws a {@link ConfigError} naming the first bad field. Never echoes a value (it may be a key). */
function parseOrThrow<T>(schema: z.ZodMiniType<T>, value: unknown, prefix = ''): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = [prefix, ...(issue?.path ?? []).map(String)].filter(Boolean).join('.');
  throw new ConfigError(path || 'options', issue?.message ?? 'is invalid');
}

/** Throws a {@link ConfigError} naming the first header whose name or value HTTP cannot carry (never echoing the value). */
export function checkHeaders(headers: Record<string, unknown>, option = 'headers'): void {
  for (const [name, value] of Object.entries(headers)) {
    if (!HEADER_NAME.test(name)) throw new ConfigError(`${option}.${name}`, 'is not a valid header name');
    // Latin-1 without line breaks: what fetch accepts in a header value.
    if (typeof value !== 'string' || !/^[\t\x20-\x7e\x80-\xff]*$/.test(value)) {
      throw new ConfigError(`${option}.${name}`, 'must be a string without line breaks or characters outside Latin-1');
    }
  }
}

/** Validates `createClient` options once and fills in every default. */
export function resolveOptions(options: ClientOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) throw new ConfigError('options', 'must be an object with at least baseUrl');
  try {
    return readOptions(options);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    // A getter or a Proxy trap on the options threw (or a Proxy was revoked): still a typed error.
    throw new ConfigError('options', 'could not be read (a getter or Proxy on them threw)', { cause: error });
  }
}

function readOptions(options: ClientOptions): ResolvedOptions {
  const parsed = parseOrThrow(optionsSchema, options);
  if (parsed.headers) checkHeaders(parsed.headers);
  return {
    baseUrl: parsed.baseUrl.replace(/\/+$/, ''),
    apiKey: options.apiKey,
    auth: parsed.auth ?? { type: 'bearer' },
    onKeyInvalid: options.onKeyInvalid,
    maxKeyRefreshes: parsed.maxKeyRefreshes ?? 1,
    refreshBeforeExpiryMs: parsed.refreshBeforeExpiryMs ?? 30_000,
    retry: resolveRetry(DEFAULT_RETRY, parsed.retry),
    timeoutMs: parsed.timeoutMs ?? 60_000,
    headers: { ...parsed.headers },
    fetch: options.fetch,
    classifyKeyError: options.classifyKeyError,
    keyLint: parsed.keyLint ?? 'fix',
    logger: options.logger ?? {},
    // #region keyShare option (checked against apiKey by KeyState)
    keyShare: options.keyShare,
    // #endregion
  };
}

/** Merges a client's or request's `retry` option over a base policy. Validates it first. */
export function resolveRetry(base: RetryPolicy, retry: unknown, option = 'retry'): RetryPolicy {
  const value = parseOrThrow(retryOption, retry, option);
  if (value === undefined) return base;
  if (value === false) return { ...base, retries: 0 };
  if (typeof value === 'number') return { ...base, retries: value };
  const merged = { ...base };
  for (const [field, item] of Object.entries(parseOrThrow(retrySchema, value, option)))
    if (item !== undefined) Object.assign(merged, { [field]: item });
  merged.methods = merged.methods.map((m) => m.toUpperCase());
  return merged;
}

/** Validates a per-request number option such as `timeoutMs`. */
export function checkTimeout(value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  return parseOrThrow(milliseconds('a positive number of milliseconds', true), value, 'timeoutMs');
}

/** Turns what a provider or hook returned into a grant with epoch-ms expiry, or undefined for "no key". */
export function toGrant(supply: unknown, option: string): { key: string; expiresAt?: number } | undefined {
  if (supply === undefined || supply === null) return undefined;
  const parsed = parseOrThrow(
    where<string | KeyGrant>((v) => typeof v === 'string' || isGrant(v), 'must be a string or a { key, expiresAt } grant'),
    supply,
    option,
  );
  if (typeof parsed === 'string') return { key: parsed };
  if (parsed.expiresAt === undefined) return { key: parsed.key };
  return { key: parsed.key, expiresAt: parsed.expiresAt instanceof Date ? parsed.expiresAt.getTime() : parsed.expiresAt };
}
