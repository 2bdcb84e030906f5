import { ConfigError } from '../errors/config-error.js';
import { readGrant } from '../keys/grant.js';
import type { KeyLintMode } from '../keys/lint.js';
import type {
  AuthPlacement,
  ClientOptions,
  KeyErrorClassifier,
  KeyGrant,
  KeyProvider,
  Logger,
  OnKeyInvalid,
  PresetContext,
} from '../options.js';

/** The fields a provider preset (keyguard/providers) spreads in: its key checks and its keys page for hints. */
type PresetFields = Pick<
  ClientOptions,
  'keyShare' | 'name' | 'keyFormats' | 'keysUrl' | 'probe' | 'envVar' | 'keyMode' | 'keyKind' | 'keyCheck' | 'keysHint'
>;

/** Options of {@link keyguardFetch}. Every one is optional; a provider preset spreads in as it is. */
export interface KeyguardFetchOptions extends PresetFields {
  /** The key, a grant with an expiry, or a provider callback. */
  apiKey?: string | KeyGrant | KeyProvider | undefined;
  /** Called once per rejected key; a returned key replays every request that failed with the old one. */
  onKeyInvalid?: OnKeyInvalid;
  /** Where the key travels; a list sends it in each placement (Supabase wants `apikey` and `Authorization`). @default { type: 'bearer' } */
  auth?: AuthPlacement | readonly AuthPlacement[];
  /** Only requests under this URL (or one of these URLs) get the key; others pass through untouched. @default every request */
  baseUrl?: string | readonly string[];
  /** How many times one request may be replayed with a new key. @default 1 */
  maxKeyRefreshes?: number;
  /** A grant this close to its `expiresAt` is refreshed through the provider before use. @default 30000 */
  refreshBeforeExpiryMs?: number;
  /** Bounds one call of the provider or `onKeyInvalid`, in milliseconds. @default 60000 */
  refreshTimeoutMs?: number;
  /** A stream request body up to this size is kept so the request can be replayed; a larger one is sent once. @default 1048576 (1 MiB) */
  maxReplayBodyBytes?: number;
  /** Consulted first for every response, 2xx included (a 2xx body is then read from a clone, at most 64 KiB). */
  classifyKeyError?: KeyErrorClassifier;
  /** Client-side key checks. @default 'fix' */
  keyLint?: KeyLintMode;
  /** Receives debug/info/warn/error lines, never a key in clear. @default silent */
  logger?: Logger;
  /** The fetch that sends the requests. @default globalThis.fetch */
  fetch?: typeof fetch;
}

/** {@link KeyguardFetchOptions} checked, with defaults filled in. */
export interface ResolvedFetchOptions {
  apiKey: string | KeyGrant | KeyProvider | undefined;
  onKeyInvalid: OnKeyInvalid | undefined;
  auth: AuthPlacement[];
  /** Each base as an origin and a path prefix ending in `/`. */
  scopes: Array<{ origin: string; path: string }> | undefined;
  maxKeyRefreshes: number;
  refreshBeforeExpiryMs: number;
  refreshTimeoutMs: number;
  maxReplayBodyBytes: number;
  classifyKeyError: KeyErrorClassifier | undefined;
  keyLint: KeyLintMode;
  logger: Logger;
  fetch: typeof fetch | undefined;
  preset: PresetContext;
  keyShare: ClientOptions['keyShare'];
}

/** What every bad `baseUrl` (or entry of a list of them) is told. */
const ABSOLUTE_URL = 'must be an absolute http(s) URL (or a list of them), e.g. "https://api.example.com/v1"';

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Reads each option once, checks it, and throws a {@link ConfigError} naming the first bad one (never echoing a value). */
export function resolveFetchOptions(options: KeyguardFetchOptions): ResolvedFetchOptions {
  if (typeof options !== 'object' || options === null) throw new ConfigError('options', 'must be an object');
  try {
    const o = { ...options }; // One read of every option: a getter cannot answer differently later.
    return {
      apiKey: check(
        'apiKey',
        o.apiKey,
        (v) => v === undefined || typeof v === 'string' || typeof v === 'function' || readGrant(v) !== undefined,
        'must be a string, a { key, expiresAt } grant, or a function',
      ),
      onKeyInvalid: optionalFunction('onKeyInvalid', o.onKeyInvalid),
      auth: placements(o.auth),
      scopes: scopes(o.baseUrl),
      maxKeyRefreshes: count('maxKeyRefreshes', o.maxKeyRefreshes, 1),
      refreshBeforeExpiryMs: count('refreshBeforeExpiryMs', o.refreshBeforeExpiryMs, 30_000),
      refreshTimeoutMs: positive('refreshTimeoutMs', o.refreshTimeoutMs, 60_000),
      maxReplayBodyBytes: count('maxReplayBodyBytes', o.maxReplayBodyBytes, 1024 * 1024),
      classifyKeyError: optionalFunction('classifyKeyError', o.classifyKeyError),
      keyLint:
        check(
          'keyLint',
          o.keyLint,
          (v) => v === undefined || v === 'fix' || v === 'strict' || v === 'off',
          "must be 'fix', 'strict' or 'off'",
        ) ?? 'fix',
      logger: check('logger', o.logger, isLogger, 'must be an object whose debug/info/warn/error are functions') ?? {},
      fetch: optionalFunction('fetch', o.fetch),
      preset: presetOf(o),
      // Checked with apiKey by the key state (checkKeyShare in key-share.ts).
      keyShare: o.keyShare,
    };
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError('options', 'could not be read (a getter or Proxy on them threw)', { cause: error });
  }
}

function presetOf(o: KeyguardFetchOptions): PresetContext {
  const { name, envVar, keysUrl, keyFormats, keyMode, keyKind, keyCheck, keysHint } = o;
  optionalFunction('keyCheck', keyCheck);
  optionalFunction('keysHint', keysHint);
  // The preset's own fields are checked by the preset (keyguard/providers).
  const bad = keyCheck?.validate?.(o);
  if (bad) throw new ConfigError(bad[0], bad[1]);
  return { name, envVar, keysUrl, keyFormats, keyMode, keyKind, keyCheck, keysHint };
}

function check<T>(option: string, value: T, test: (value: unknown) => boolean, message: string): T {
  if (!test(value)) throw new ConfigError(option, message);
  return value;
}

function optionalFunction<T>(option: string, value: T): T {
  return check(option, value, (v) => v === undefined || typeof v === 'function', 'must be a function');
}

function count(option: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  return check(
    option,
    value as number,
    (v) => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 2_147_483_647,
    'must be a whole number >= 0',
  );
}

function positive(option: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  return check(
    option,
    value as number,
    (v) => typeof v === 'number' && v > 0 && v <= 2_147_483_647,
    'must be a positive number of milliseconds',
  );
}

function isLogger(value: unknown): boolean {
  if (value === undefined) return true;
  if (typeof value !== 'object' || value === null) return false;
  const logger = value as Record<string, unknown>;
  return ['debug', 'info', 'warn', 'error'].every((level) => logger[level] === undefined || typeof logger[level] === 'function');
}

function placements(auth: unknown): AuthPlacement[] {
  if (auth === undefined) return [{ type: 'bearer' }];
  const list = Array.isArray(auth) ? [...auth] : [auth];
  if (list.length === 0) throw new ConfigError('auth', 'must name at least one placement');
  return list.map((placement, i) => {
    const where = Array.isArray(auth) ? `auth.${i}` : 'auth';
    const p = placement as { type?: unknown; name?: unknown } | null;
    if (p?.type === 'bearer') return { type: 'bearer' };
    if (p?.type === 'header' && typeof p.name === 'string' && HEADER_NAME.test(p.name)) return { type: 'header', name: p.name };
    if (p?.type === 'query' && typeof p.name === 'string' && p.name !== '') return { type: 'query', name: p.name };
    throw new ConfigError(where, "must be { type: 'bearer' }, { type: 'header', name } or { type: 'query', name } with a valid name");
  });
}

function scopes(baseUrl: unknown): ResolvedFetchOptions['scopes'] {
  if (baseUrl === undefined) return undefined;
  const list = typeof baseUrl === 'string' ? [baseUrl] : Array.isArray(baseUrl) ? [...baseUrl] : undefined;
  if (!list || list.length === 0) throw new ConfigError('baseUrl', ABSOLUTE_URL);
  return list.map((base, i) => {
    const option = typeof baseUrl === 'string' ? 'baseUrl' : `baseUrl.${i}`;
    let url: URL;
    try {
      url = new URL(base as string);
    } catch {
      throw new ConfigError(option, ABSOLUTE_URL);
    }
    if (typeof base !== 'string' || !/^https?:$/.test(url.protocol)) throw new ConfigError(option, ABSOLUTE_URL);
    if (url.username || url.password) throw new ConfigError(option, 'must not carry a user name or password');
    return { origin: url.origin, path: `${url.pathname.replace(/\/+$/, '')}/` };
  });
}

/** True when `url` is under one of the scopes (segment-wise, so `/v1` does not cover `/v10`). */
export function inScope(scopes: ResolvedFetchOptions['scopes'], url: URL): boolean {
  if (!scopes) return true;
  return scopes.some((scope) => url.origin === scope.origin && `${url.pathname.replace(/\/+$/, '')}/`.startsWith(scope.path));
}
