import { ConnectionError } from '../errors/connection-error.js';
import { isApiError } from '../errors/guards.js';
import { TimeoutError } from '../errors/timeout-error.js';
import type { RetryPolicy } from '../options.js';

/** IMF-fixdate (`Wed, 01 Jan 2025 00:00:10 GMT`) and the obsolete RFC 850 form (`Wednesday, 01-Jan-25 00:00:10 GMT`). */
const HTTP_DATE = /^[a-z]{3,9}, \d{1,2}[ -][a-z]{3}[ -]\d{2,4} \d{2}:\d{2}:\d{2} gmt$/i;
/** The obsolete asctime form (`Wed Jan  1 00:00:10 2025`), which is GMT but carries no zone. */
const ASCTIME_DATE = /^[a-z]{3} [a-z]{3} +\d{1,2} \d{2}:\d{2}:\d{2} \d{4}$/i;

/**
 * The server's requested wait from `retry-after-ms`, or `Retry-After` in seconds or as an HTTP date.
 * Anything else is ignored (`Date.parse` alone would read `-5` or `soon 2030` as dates).
 */
export function parseRetryAfter(headers: Headers, now = Date.now()): number | undefined {
  const ms = headers.get('retry-after-ms')?.trim();
  if (ms && /^\d+(?:\.\d+)?$/.test(ms)) return waitOf(ms, 1);
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+(?:\.\d+)?$/.test(value)) return waitOf(value, 1000);
  let date = Number.NaN;
  if (HTTP_DATE.test(value)) date = Date.parse(value);
  else if (ASCTIME_DATE.test(value)) date = Date.parse(`${value} GMT`);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The longest wait a server can ask for; a longer one (400 digits, which `Number` reads as `Infinity`) is this. */
export const MAX_RETRY_AFTER_MS = Number.MAX_SAFE_INTEGER;

/**
 * A decimal number of seconds (`unit` 1000) or milliseconds (`unit` 1) as whole milliseconds: rounded up, so
 * any positive wait is at least 1 ms, and capped at {@link MAX_RETRY_AFTER_MS}, so it is always finite.
 */
function waitOf(digits: string, unit: number): number {
  const ms = Math.ceil(Number(digits) * unit);
  if (!(ms <= MAX_RETRY_AFTER_MS)) return MAX_RETRY_AFTER_MS; // Infinity, or past the safe integers.
  return ms === 0 && /[1-9]/.test(digits) ? 1 : ms;
}

/** True for the failures a retry can fix: no response, a timeout, or a listed status. */
export function isTransient(error: unknown, policy: RetryPolicy): boolean {
  if (error instanceof ConnectionError || error instanceof TimeoutError) return true;
  return isApiError(error) && policy.statuses.includes(error.status);
}

/** Exponential backoff with jitter: about `minDelayMs` first, doubling, capped at `maxDelayMs`. */
export function backoffDelay(retriesSoFar: number, policy: RetryPolicy, random = Math.random): number {
  const base = Math.min(policy.maxDelayMs, policy.minDelayMs * 2 ** retriesSoFar);
  return Math.round(base * (0.75 + random() * 0.25));
}

/** Whether the method may be retried: idempotent by the policy, or POST/PATCH with an idempotency key. */
export function isRetryableMethod(method: string, policy: RetryPolicy, idempotencyKey: string | undefined): boolean {
  return policy.methods.includes(method) || (idempotencyKey !== undefined && (method === 'POST' || method === 'PATCH'));
}
