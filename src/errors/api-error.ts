import { BRAND, brand, KeyguardError } from './keyguard-error.js';

/** What an {@link ApiError} knows about the failed exchange. Headers, body and URL are already redacted. */
export interface ApiErrorInit {
  /** HTTP status of the response. */
  status: number;
  /** The API's own error code, when it sent one. */
  code?: string | undefined;
  /** Becomes the error's `message`; must not contain the key. */
  message: string;
  /** The parsed JSON body (or text), capped in size and with the key redacted. */
  body: unknown;
  /** Response headers, with credentials redacted. */
  headers: Record<string, string>;
  /** From `x-request-id`, `request-id` or a similar header. */
  requestId?: string | undefined;
  /** The request's method, e.g. `GET`. */
  method: string;
  /** The request's URL, with a key in the query string redacted. */
  url: string;
  /** The server's requested wait, from `Retry-After` (seconds or HTTP date) or `retry-after-ms`. */
  retryAfterMs?: number | undefined;
}

/**
 * The server answered with a non-2xx status that is not a key error.
 * Subclasses exist for the statuses callers usually branch on.
 *
 * @example
 * ```ts
 * catch (e) { if (isApiError(e) && e.status === 404) return null; throw e; }
 * ```
 */
export class ApiError extends KeyguardError {
  /** Pinned (a getter: not enumerable, not writable) so a bundler that renames the class (esbuild: `_ApiError`) keeps its name. */
  static override get name(): string {
    return 'ApiError';
  }
  /** Always `'ApiError'`. */
  override name = 'ApiError';
  /** HTTP status. */
  readonly status: number;
  /** The API's own error code, when it sent one. */
  readonly code: string | undefined;
  /** The parsed JSON body (or text), capped in size and with the key redacted. */
  readonly body: unknown;
  /** Response headers, with credentials redacted. */
  readonly headers: Record<string, string>;
  /** From `x-request-id`, `request-id` or a similar header. */
  readonly requestId: string | undefined;
  /** The request's method. */
  readonly method: string;
  /** The request's URL, with a key in the query string redacted. */
  readonly url: string;
  /** The server's requested wait before a retry, when it sent `Retry-After` or `retry-after-ms`. */
  readonly retryAfterMs: number | undefined;

  constructor(init: ApiErrorInit) {
    super(init.message);
    brand(this, BRAND.api);
    this.status = init.status;
    this.code = init.code;
    this.body = init.body;
    this.headers = init.headers;
    this.requestId = init.requestId;
    this.method = init.method;
    this.url = init.url;
    this.retryAfterMs = init.retryAfterMs;
  }
}

/** 400 or 422: the request itself was wrong. Fix it; retrying will not help. */
export class BadRequestError extends ApiError {
  /** Pinned (a getter: not enumerable, not writable) so a bundler that renames the class (esbuild: `_BadRequestError`) keeps its name. */
  static override get name(): string {
    return 'BadRequestError';
  }
  /** Always `'BadRequestError'`. */
  override name = 'BadRequestError';
}

/** 403 that is not about the key itself: the key lacks a permission or scope. */
export class PermissionDeniedError extends ApiError {
  /** Pinned (a getter: not enumerable, not writable) so a bundler that renames the class (esbuild: `_PermissionDeniedError`) keeps its name. */
  static override get name(): string {
    return 'PermissionDeniedError';
  }
  /** Always `'PermissionDeniedError'`. */
  override name = 'PermissionDeniedError';
}

/** 404. */
export class NotFoundError extends ApiError {
  /** Pinned (a getter: not enumerable, not writable) so a bundler that renames the class (esbuild: `_NotFoundError`) keeps its name. */
  static override get name(): string {
    return 'NotFoundError';
  }
  /** Always `'NotFoundError'`. */
  override name = 'NotFoundError';
}

/** 409. Retried for idempotent requests. */
export class ConflictError extends ApiError {
  /** Pinned (a getter: not enumerable, not writable) so a bundler that renames the class (esbuild: `_ConflictError`) keeps its name. */
  static override get name(): string {
    return 'ConflictError';
  }
  /** Always `'ConflictError'`. */
  override name = 'ConflictError';
}

/** 429. `retryAfterMs` is the server's requested wait, when it sent one. */
export class RateLimitError extends ApiError {
  /** Pinned (a getter: not enumerable, not writable) so a bundler that renames the class (esbuild: `_RateLimitError`) keeps its name. */
  static override get name(): string {
    return 'RateLimitError';
  }
  /** Always `'RateLimitError'`. */
  override name = 'RateLimitError';
}

/** 5xx. Retried for idempotent requests. */
export class ServerError extends ApiError {
  /** Pinned (a getter: not enumerable, not writable) so a bundler that renames the class (esbuild: `_ServerError`) keeps its name. */
  static override get name(): string {
    return 'ServerError';
  }
  /** Always `'ServerError'`. */
  override name = 'ServerError';
}
