import type { ErrorResponse } from './classify/classify.js';
import type { ResponseInfo } from './client.js';
import type { ClientHooks, ResolvedHooks } from './core/hooks.js';
import { ConfigError } from './errors/config-error.js';
import type { InvalidApiKeyError } from './errors/invalid-api-key-error.js';
import { readGrant } from './keys/grant.js';
import type { KeyShare } from './keys/key-share.js';
import type { KeyLintMode } from './keys/lint.js';
import type { KeyFormat, KeyFormatOptions, KeyKind, KeyMode, Probe } from './providers/types.js';
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
  /** Where the key travels; a list sends it in each place (some APIs want it twice). @default { type: 'bearer' } */
  auth?: AuthPlacement | readonly AuthPlacement[];
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
  /** The largest successful body read into memory, in bytes; past it a request rejects with `ResponseTooLargeError`. @default 67108864 (64 MiB) */
  maxBodyBytes?: number;
  /** For streamed bodies (`responseType: 'stream'`, `client.sse`): the longest wait between two chunks. @default the timeoutMs in force */
  idleTimeoutMs?: number;
  /** Sees every response (status, redacted headers, request id) before its body is read: for request ids, rate-limit headers, tracing. */
  onResponse?: (info: ResponseInfo) => void;
  /** ky's request hooks (`beforeRequest`, `afterResponse`) and `beforeRetry`: for logging, tracing and signing. They never see the key. */
  hooks?: ClientHooks;
  // --- Provider presets (keyguard/providers): the fields a preset spreads in, and the key checks they add ---
  /** The API's name, used in key-check messages (set by a preset). */
  name?: string;
  /** The API's known key formats (set by a preset); checked by `keyCheck`. */
  keyFormats?: readonly KeyFormat[];
  /** The page where the API's keys are managed (set by a preset); hints name it. */
  keysUrl?: string;
  /** A cheap request that proves a key works (set by a preset; used by `keyguard doctor`). */
  probe?: Probe;
  /** The conventional environment variable for the key (set by a preset). */
  envVar?: string;
  /** Refuse keys of the other mode before sending, e.g. `'live'`: a Stripe test key is `malformed`. */
  keyMode?: KeyMode;
  /** Only these kinds of key may be sent, e.g. `'secret'`: a publishable key is `malformed`. */
  keyKind?: KeyKind | readonly KeyKind[];
  /** Checks each key against `keyFormats` before it is sent (set by a preset: it knows every preset's formats). */
  keyCheck?: KeyCheck;
  /** Rewrites a hint to name `keysUrl` and `envVar` (set by a preset). */
  keysHint?: KeysHint;
  // --- end provider presets ---
  // #region keyShare option
  /**
   * Shares key rotations with other processes, machines or tabs: when the key is rejected, one member
   * of the group runs its hook and the others receive the result (`redisKeyShare`, `broadcastKeyShare`).
   * Unless the share carries keys (`shareKey: true`), `apiKey` must be a provider. Checked by the key state.
   */
  keyShare?: KeyShare;
  // #endregion
}

/**
 * A preset's key check: `undefined` when the key may be sent, else the problem (never containing the key).
 * Its `validate` checks the preset fields when the client is created: `[field, what is wrong]` for a bad one.
 */
export type KeyCheck = ((key: string, preset: KeyFormatOptions) => KeyCheckProblem | undefined) & {
  /** Checks the preset fields of the options when the client is created. */
  validate?: (options: object) => [field: string, error: string] | undefined;
};
/** What a {@link KeyCheck} found wrong with a key. */
export interface KeyCheckProblem {
  /** A lint problem code, e.g. `'wrong-provider'`. */
  code: string;
  /** One sentence naming the problem; never the key. */
  message: string;
}
/** A preset's hint rewriter: names the page where keys are managed and the environment variable. */
export type KeysHint = (hint: string, preset: KeyFormatOptions & { envVar?: string | undefined }) => string;

/** What the client knows of a preset (all optional: without a preset nothing changes). */
export type PresetContext = KeyFormatOptions & {
  envVar?: string | undefined;
  keyCheck?: KeyCheck | undefined;
  keysHint?: KeysHint | undefined;
};

/** The fully resolved retry policy. */
export type RetryPolicy = Required<RetryOptions>;

/** Options after validation, with every default filled in. */
export interface ResolvedOptions {
  baseUrl: string;
  /** `baseUrl`'s origin and path (ending in one `/`), parsed once: every request path must stay under them. */
  base: { origin: string; path: string };
  apiKey: string | KeyGrant | KeyProvider | undefined;
  /** Every placement; the first header placement leads (redaction by name follows it). */
  auth: AuthPlacement[];
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
  maxBodyBytes: number;
  idleTimeoutMs: number | undefined;
  onResponse: ((info: ResponseInfo) => void) | undefined;
  /** Undefined when there are none: ky then runs no hooks at all. */
  hooks: ResolvedHooks | undefined;
  /** What the preset's key check needs, and the keys page for hints. */
  preset: PresetContext;
  // #region keyShare option
  keyShare: KeyShare | undefined;
  // #endregion
}

/** The default limit on a successful body read into memory: 64 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;

export const DEFAULT_RETRY: RetryPolicy = {
  retries: 2,
  minDelayMs: 500,
  maxDelayMs: 8000,
  maxRetryAfterMs: 60_000,
  statuses: [408, 409, 429, 500, 502, 503, 504],
  methods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'],
};

// Options are checked by hand, without a schema library: zod/mini would put a second copy of zod
// core into every app that bundles its own zod, and importing it costs Node ~200 ms of cold start
// (docs/size.md has the numbers). Each option is read exactly once into a snapshot, and the
// snapshot is what gets checked and used, so a getter cannot pass the check and hand over
// something else later.

/** Reads and checks one option's value (already read once): returns what the client keeps, or throws a ConfigError naming `path`. */
type Check<T> = (value: unknown, path: string) => T;

const fail = (path: string, problem: string): never => {
  throw new ConfigError(path, problem);
};
const optional =
  <T>(check: Check<T>): Check<T | undefined> =>
  (value, path) =>
    value === undefined ? undefined : check(value, path);
const test =
  <T>(ok: (value: unknown) => boolean, problem: string): Check<T> =>
  (value, path) =>
    ok(value) ? (value as T) : fail(path, problem);

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;
const isCount = (value: unknown) => Number.isInteger(value) && (value as number) >= 0;
const count = test<number>(isCount, 'must be a whole number >= 0');
const milliseconds = (problem = 'a non-negative number of milliseconds', positive = false) =>
  test<number>((v) => typeof v === 'number' && (positive ? v > 0 : v >= 0) && v <= 2_147_483_647, `must be ${problem}`);
const positiveMs = milliseconds('a positive number of milliseconds', true);
const fn = <T>() => test<T>((value) => typeof value === 'function', 'must be a function');
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Checks a `baseUrl`. A query or fragment would end up in the middle of every path; credentials in it would be sent to the server and echoed in errors. Never echoes the value. */
const baseUrl: Check<string> = (value, path) => {
  let url: URL | undefined;
  try {
    if (typeof value === 'string') url = new URL(value);
  } catch {}
  if (typeof value !== 'string' || !url || !/^https?:$/.test(url.protocol)) {
    return fail(path, 'must be an absolute http(s) URL without a query string or fragment, e.g. "https://api.example.com/v1"');
  }
  if (url.username || url.password) {
    return fail(path, 'must not contain a user name or password ("user:pass@"): pass credentials with apiKey, auth or headers');
  }
  // `url.search` and `url.hash` are empty for a bare trailing `?` or `#`, so look at the text too.
  if (value.includes('?') || value.includes('#')) return fail(path, 'must not have a query string ("?") or fragment ("#")');
  return value.replace(/\/+$/, '');
};

const apiKey: Check<string | KeyGrant | KeyProvider> = (value, path) =>
  typeof value === 'string' || typeof value === 'function'
    ? (value as string | KeyProvider)
    : (readGrant(value) ?? fail(path, 'must be a string, a { key, expiresAt } grant, or a function'));

const auth: Check<AuthPlacement> = (value, path) => {
  const type = isObject(value) ? value.type : undefined;
  if (type === 'bearer') return { type };
  if (type === 'header' || type === 'query') {
    const name = (value as Record<string, unknown>).name;
    if (type === 'header' && (typeof name !== 'string' || !HEADER_NAME.test(name))) fail(`${path}.name`, 'must be a valid header name');
    if (typeof name !== 'string' || name === '') fail(`${path}.name`, 'must be a non-empty string');
    return { type, name: name as string };
  }
  return fail(path, "must be { type: 'bearer' }, { type: 'header', name } or { type: 'query', name }");
};

/** One placement or a non-empty list of them; header placements first, so redaction by name follows them. */
const authList: Check<AuthPlacement[]> = (value, path) => {
  if (!Array.isArray(value)) return [auth(value, path)];
  const list = [...value].map((one, i) => auth(one, `${path}.${i}`));
  if (list.length === 0) fail(path, 'must not be an empty list');
  return [...list.filter((a) => a.type === 'header'), ...list.filter((a) => a.type !== 'header')];
};
const text = test<string>((v) => typeof v === 'string', 'must be a string');

const headers: Check<Record<string, string>> = (value, path) => {
  if (!isObject(value)) fail(path, 'must be an object of header names to strings');
  const copy = Object.fromEntries(Object.entries(value as Record<string, unknown>));
  checkHeaders(copy, path);
  return copy as Record<string, string>;
};

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
const logger: Check<Logger> = (value, path) => {
  if (!isObject(value)) return fail(path, 'must be an object whose debug/info/warn/error are functions');
  const copy: Logger = {};
  for (const level of LEVELS) {
    const write = value[level];
    if (write === undefined) continue;
    if (typeof write !== 'function') return fail(path, 'must be an object whose debug/info/warn/error are functions');
    // Called on the logger itself, so a class-based logger keeps its `this`.
    copy[level] = (...args: unknown[]) => Reflect.apply(write, value, args);
  }
  return copy;
};

const retryOption = test<number | false | RetryOptions>(
  (v) => v === false || isCount(v) || isObject(v),
  'must be a number of retries, false, or { retries, minDelayMs, maxDelayMs, maxRetryAfterMs, statuses, methods }',
);

/** Every field of {@link RetryOptions} and its check: a new field that is not listed here does not compile. */
const RETRY_FIELDS = {
  retries: count,
  minDelayMs: milliseconds(),
  maxDelayMs: milliseconds(),
  maxRetryAfterMs: milliseconds(),
  statuses: (value, path) => {
    const list = Array.isArray(value) ? [...value] : undefined;
    return list?.every((s) => Number.isInteger(s) && s >= 100 && s <= 599) ? list : fail(path, 'must be a list of HTTP statuses');
  },
  methods: (value, path) => {
    const list = Array.isArray(value) ? [...value] : undefined;
    return list?.every((m) => typeof m === 'string')
      ? list.map((m: string) => m.toUpperCase())
      : fail(path, 'must be a list of HTTP methods');
  },
} satisfies { [K in keyof RetryOptions]-?: Check<RetryPolicy[K]> };

/**
 * Every option of {@link ClientOptions} and its check. The `satisfies` makes an option that is
 * added to `ClientOptions` without a check here a type error, so no option skips validation.
 */
const HOOK_NAMES = ['beforeRequest', 'afterResponse', 'beforeRetry'] as const;

/** Checks `hooks` and copies each list, so later changes to the caller's arrays change nothing. No hook at all is `undefined`. */
const hooks: Check<ResolvedHooks | undefined> = (value, path) => {
  if (!isObject(value)) return fail(path, `must be an object of hook lists (${HOOK_NAMES.join(', ')})`);
  for (const name of Object.keys(value)) {
    if (!(HOOK_NAMES as readonly string[]).includes(name)) {
      fail(`${path}.${name}`, `is not a keyguard hook (${HOOK_NAMES.join(', ')}); errors are typed, so catch them instead of beforeError`);
    }
  }
  const lists = {} as Record<(typeof HOOK_NAMES)[number], unknown[]>;
  for (const name of HOOK_NAMES) {
    const list = value[name];
    if (list !== undefined && !Array.isArray(list)) fail(`${path}.${name}`, 'must be a list of functions');
    lists[name] = [...((list as unknown[] | undefined) ?? [])];
    lists[name].forEach((hook, index) => {
      if (typeof hook !== 'function') fail(`${path}.${name}[${index}]`, 'must be a function');
    });
  }
  const none = HOOK_NAMES.every((name) => lists[name].length === 0);
  return none ? undefined : (lists as unknown as ResolvedHooks);
};

const CLIENT_OPTIONS = {
  baseUrl,
  apiKey: optional(apiKey),
  auth: optional(authList),
  onKeyInvalid: optional(fn<OnKeyInvalid>()),
  maxKeyRefreshes: optional(count),
  refreshBeforeExpiryMs: optional(milliseconds()),
  retry: optional(retryOption),
  timeoutMs: optional(positiveMs),
  headers: optional(headers),
  fetch: optional(fn<typeof fetch>()),
  classifyKeyError: optional(fn<KeyErrorClassifier>()),
  keyLint: optional(test<KeyLintMode>((v) => v === 'fix' || v === 'strict' || v === 'off', "must be 'fix', 'strict' or 'off'")),
  logger: optional(logger),
  maxBodyBytes: optional(test<number>((v) => typeof v === 'number' && v > 0 && Number.isFinite(v), 'must be a positive number of bytes')),
  idleTimeoutMs: optional(positiveMs),
  onResponse: optional(fn<(info: ResponseInfo) => void>()),
  hooks: optional(hooks),
  // Provider presets: their own fields are checked by the preset's keyCheck.validate (keyguard/providers), keeping this bundle small.
  name: optional(text),
  keyFormats: optional(test<readonly KeyFormat[]>(Array.isArray, 'must be a list of key formats')),
  keysUrl: optional(text),
  probe: optional(test<Probe>(isObject, 'must be { method, path }')),
  envVar: optional(text),
  keyMode: optional(test<KeyMode>((v) => v === 'live' || v === 'test', "must be 'live' or 'test'")),
  keyKind: optional(
    test<KeyKind | readonly KeyKind[]>((v) => typeof v === 'string' || Array.isArray(v), 'must be a key kind or a list of them'),
  ),
  keyCheck: optional(fn<KeyCheck>()),
  keysHint: optional(fn<KeysHint>()),
  // Shape only; whether it fits apiKey is checked by the key state.
  keyShare: optional(
    test<KeyShare>(
      (v) => isObject(v) && typeof v.rotate === 'function',
      'must be a key share such as redisKeyShare() or broadcastKeyShare()',
    ),
  ),
} satisfies { [K in keyof ClientOptions]-?: Check<ClientOptions[K]> };

type Snapshot = { [K in keyof typeof CLIENT_OPTIONS]: ReturnType<(typeof CLIENT_OPTIONS)[K]> };

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

/** Reads every `createClient` option once, checks what was read and fills in every default. */
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
  const source = options as unknown as Record<string, unknown>;
  const o = {} as Record<string, unknown>;
  for (const [name, check] of Object.entries(CLIENT_OPTIONS)) o[name] = (check as Check<unknown>)(source[name], name);
  const snapshot = o as Snapshot;
  return {
    baseUrl: snapshot.baseUrl,
    base: baseOf(snapshot.baseUrl),
    apiKey: snapshot.apiKey,
    auth: snapshot.auth ?? [{ type: 'bearer' }],
    onKeyInvalid: snapshot.onKeyInvalid,
    maxKeyRefreshes: snapshot.maxKeyRefreshes ?? 1,
    refreshBeforeExpiryMs: snapshot.refreshBeforeExpiryMs ?? 30_000,
    retry: mergeRetry(DEFAULT_RETRY, snapshot.retry, 'retry'),
    timeoutMs: snapshot.timeoutMs ?? 60_000,
    headers: snapshot.headers ?? {},
    fetch: snapshot.fetch,
    classifyKeyError: snapshot.classifyKeyError,
    keyLint: snapshot.keyLint ?? 'fix',
    logger: snapshot.logger ?? {},
    maxBodyBytes: snapshot.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    idleTimeoutMs: snapshot.idleTimeoutMs,
    onResponse: snapshot.onResponse,
    hooks: snapshot.hooks,
    preset: presetOf(snapshot, options),
    keyShare: snapshot.keyShare,
  };
}

function baseOf(baseUrl: string): ResolvedOptions['base'] {
  const url = new URL(baseUrl);
  return { origin: url.origin, path: `${url.pathname.replace(/\/+$/, '')}/` };
}

function presetOf(snapshot: Snapshot, options: ClientOptions): PresetContext {
  const { name, envVar, keysUrl, keyFormats, keyMode, keyKind, keyCheck, keysHint } = snapshot;
  const bad = keyCheck?.validate?.(options);
  if (bad) fail(bad[0], bad[1]);
  return { name, envVar, keysUrl, keyFormats, keyMode, keyKind, keyCheck, keysHint };
}

/** Merges a client's or request's `retry` option over a base policy. Validates it first. */
export function resolveRetry(base: RetryPolicy, retry: unknown, option = 'retry'): RetryPolicy {
  return mergeRetry(base, optional(retryOption)(retry, option), option);
}

function mergeRetry(base: RetryPolicy, value: number | false | RetryOptions | undefined, option: string): RetryPolicy {
  if (value === undefined) return base;
  if (value === false) return { ...base, retries: 0 };
  if (typeof value === 'number') return { ...base, retries: value };
  const merged: Record<string, unknown> = { ...base };
  const source = value as Record<string, unknown>;
  for (const [field, check] of Object.entries(RETRY_FIELDS)) {
    const item = source[field];
    if (item !== undefined) merged[field] = (check as Check<unknown>)(item, `${option}.${field}`);
  }
  return merged as unknown as RetryPolicy;
}

/** Validates a per-request number option such as `timeoutMs`. */
export function checkTimeout(value: unknown, fallback: number, option = 'timeoutMs'): number {
  return value === undefined ? fallback : positiveMs(value, option);
}
