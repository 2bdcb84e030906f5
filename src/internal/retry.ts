import { isApiError } from '../errors/guards.js';
import { ConnectionError } from '../errors/connection-error.js';
import { TimeoutError } from '../errors/timeout-error.js';
import type { RetryPolicy } from '../options.js';

/** The server's requested wait from `retry-after-ms`, or `Retry-After` in seconds or as an HTTP date. */
export function parseRetryAfter(headers: Headers, now = Date.now()): number | undefined {
  const ms = Number.parseFloat(headers.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return Math.ceil(ms);
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+(?:\.\d+)?$/.test(value)) return Math.ceil(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
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
