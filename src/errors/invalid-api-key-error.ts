import type { KeyErrorReason } from '../types.js';
import { BRAND, brand, KeyguardError } from './keyguard-error.js';

/** The raw answer behind a server-side key rejection, with credentials redacted. */
export interface RedactedResponse {
  /** HTTP status (not necessarily 401: some APIs reject keys with 400, 403 or even 200). */
  status: number;
  /** Response headers, with credentials redacted. */
  headers: Record<string, string>;
  /** The parsed JSON body (or text), capped in size and with the key redacted. */
  body: unknown;
}

/** What an {@link InvalidApiKeyError} is built from. Every field must already be key-free. */
export interface InvalidApiKeyErrorInit {
  /** Why the key was rejected. */
  reason: KeyErrorReason;
  /** `'server'` when the API rejected the key, `'client'` when the client-side checks caught it before sending. */
  source: 'server' | 'client';
  /** Becomes the error's `message`; must not contain the key. */
  message: string;
  /** What to do next, in one or two sentences. */
  hint: string;
  /** HTTP status; leave out when `source` is `'client'`. */
  status?: number | undefined;
  /** The API's own error code, or the lint problem's code. */
  code?: string | undefined;
  /** A fingerprint of the key used, as {@link keyHint} makes it. */
  keyHint?: string | undefined;
  /** From `x-request-id`, `request-id` or a similar response header. */
  requestId?: string | undefined;
  /** The raw answer, already redacted; leave out for client-side checks. */
  response?: RedactedResponse | undefined;
  /** The request's method, when a request was being made. */
  method?: string | undefined;
  /** The request's URL (key redacted), when a request was being made. */
  url?: string | undefined;
  /** Becomes the error's `cause`, e.g. what the key provider or `onKeyInvalid` threw. */
  cause?: unknown;
}

/**
 * The key was rejected — by the API (`source: 'server'`) or before sending by the
 * client-side checks (`source: 'client'`). `reason` says why, `hint` what to do.
 * The key itself never appears; `keyHint` is a short fingerprint such as `sk_…9f3a`.
 *
 * @example
 * ```ts
 * try { await client.get('/me'); }
 * catch (e) { if (isInvalidApiKeyError(e)) console.error(e.reason, e.hint, e.keyHint); }
 * ```
 */
export class InvalidApiKeyError extends KeyguardError {
  /** Pinned (a getter: not enumerable, not writable) so a bundler that renames the class (esbuild: `_InvalidApiKeyError`) keeps its name. */
  static override get name(): string {
    return 'InvalidApiKeyError';
  }
  /** Always `'InvalidApiKeyError'`. */
  override name = 'InvalidApiKeyError';
  /** Why the key was rejected. */
  readonly reason: KeyErrorReason;
  /** Rejected by the API, or caught before sending. */
  readonly source: 'server' | 'client';
  /** HTTP status; `undefined` when `source` is `'client'`. */
  readonly status: number | undefined;
  /** The API's own error code, when it sent one (or the lint problem's code). */
  readonly code: string | undefined;
  /** What to do next, in one or two sentences. */
  readonly hint: string;
  /** A fingerprint of the key used: at most 4 leading and 4 trailing characters. */
  readonly keyHint: string | undefined;
  /** From `x-request-id`, `request-id` or a similar response header. */
  readonly requestId: string | undefined;
  /** The raw answer (headers and body redacted); `undefined` for client-side checks. */
  readonly response: RedactedResponse | undefined;
  /** The request's method, when a request was being made. */
  readonly method: string | undefined;
  /** The request's URL (key redacted), when a request was being made. */
  readonly url: string | undefined;

  constructor(init: InvalidApiKeyErrorInit) {
    super(init.message, { cause: init.cause });
    brand(this, BRAND.invalidKey);
    this.reason = init.reason;
    this.source = init.source;
    this.status = init.status;
    this.code = init.code;
    this.hint = init.hint;
    this.keyHint = init.keyHint;
    this.requestId = init.requestId;
    this.response = init.response;
    this.method = init.method;
    this.url = init.url;
  }

  /** A copy with `cause` set: what the hook or provider threw while replacing the key. */
  withCause(cause: unknown): InvalidApiKeyError {
    const copy = new InvalidApiKeyError({ ...this, message: this.message, cause });
    if (this.attempts !== undefined) copy.attempts = this.attempts;
    return copy;
  }
}
