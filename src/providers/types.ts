import type { AuthPlacement, KeyErrorClassifier } from '../options.js';

/** What a key is for: a server-side secret, a browser-safe publishable key, a token, … */
export type KeyKind = 'secret' | 'restricted' | 'publishable' | 'token' | 'admin';

/** Live (production) or test (sandbox) keys, for APIs that have both. */
export type KeyMode = 'live' | 'test';

/** One known shape of a provider's keys. */
export interface KeyFormat {
  /** A short name, e.g. `'secret key (live mode)'`. */
  label: string;
  /** How the key starts, e.g. `'sk_live_'`. Formats without a prefix are matched by `pattern` alone. */
  prefix?: string;
  /** The whole key must match this, when given (checked after the prefix). */
  pattern?: RegExp;
  /** What the key is for. */
  kind: KeyKind;
  /** Live or test, for APIs that have both. */
  mode?: KeyMode;
  /**
   * `false` when the API behind the preset does not take this kind of key (e.g. a Stripe
   * publishable key on the server API): such a key is refused unless `keyKind` allows it.
   * @default true
   */
  accepted?: boolean;
  /** Why `accepted` is false, in one sentence; shown in the hint. */
  note?: string;
}

/** A cheap request that proves a key works. */
export interface Probe {
  /** The HTTP method of the probe. */
  method: 'GET' | 'POST' | 'HEAD';
  /** Relative to the preset's `baseUrl`. */
  path: string;
}

/**
 * A well-known API: spread it into `createClient` or `keyguardFetch`
 * (`createClient({ ...providers.openai, apiKey })`).
 */
export interface ProviderPreset {
  /** The provider's name, e.g. `'OpenAI'`. */
  name: string;
  /** Absolute https URL of the API. */
  baseUrl: string;
  /** Where the key travels; a list when the API wants it twice. */
  auth: AuthPlacement | readonly AuthPlacement[];
  /** The key shapes the provider documents (empty when it documents none). */
  keyFormats: readonly KeyFormat[];
  /** The page where the provider's keys are created and managed. */
  keysUrl: string;
  /** A cheap request that proves a key works (used by `keyguard doctor`). */
  probe: Probe;
  /** The conventional environment variable for the key. */
  envVar: string;
  /** Headers the API needs on every request (e.g. Anthropic's `anthropic-version`). */
  headers?: Record<string, string>;
  /** For APIs that answer key errors with a 2xx envelope (Slack's `{"ok":false,"error":"invalid_auth"}`). */
  classifyKeyError?: KeyErrorClassifier;
}

/** The key checks a preset adds: which formats are known, which mode and kind the app requires. */
export interface KeyFormatOptions {
  /** The preset's name, used in messages. */
  name?: string;
  /** The preset's key formats. */
  keyFormats?: readonly KeyFormat[];
  /** Refuse keys of the other mode (e.g. a Stripe test key where live is required). */
  keyMode?: KeyMode;
  /** Only these kinds of key may be sent (e.g. `'secret'`: refuse a publishable key). */
  keyKind?: KeyKind | readonly KeyKind[];
  /** Where keys are managed, named in the hint. */
  keysUrl?: string;
}
