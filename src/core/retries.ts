import pRetry, { AbortError as StopRetrying } from 'p-retry';
import { ConfigError } from '../errors/config-error.js';
import { isApiError, isKeyguardError } from '../errors/guards.js';
import type { KeyguardError } from '../errors/keyguard-error.js';
import { sleep, withTimeout } from '../internal/abort.js';
import { messageOf } from '../internal/message.js';
import { backoffDelay } from '../internal/retry.js';
import type { PipelineContext } from './context.js';
import type { Outcome } from './key-flow.js';
import { redactCause } from './load-error-path.js';
import type { AttemptCounter } from './outcome.js';
import type { PreparedRequest } from './prepare.js';

/**
 * Runs `run` (one attempt with its key replays) and retries transient failures with p-retry: backoff with
 * jitter, `Retry-After` up to its cap, only for requests that may be retried. Resolves to the value, or
 * throws the final error with `attempts` set (the caller's abort reason when it aborted).
 */
export async function withRetries<T>(
  ctx: PipelineContext,
  request: PreparedRequest,
  counter: AttemptCounter,
  run: () => Promise<Outcome<T>>,
): Promise<T> {
  const { signal, policy } = request;
  const fail = (error: unknown): never => {
    if (signal?.aborted) throw signal.reason;
    if (isKeyguardError(error) && error.attempts === undefined) error.attempts = counter.attempts;
    throw error;
  };
  const log = (error: unknown, attempt: number) => ctx.logger.debug?.(`keyguard: attempt ${attempt} failed: ${(error as Error).message}`);

  // The first attempt runs outside p-retry: nearly every request succeeds at once, and p-retry's setup
  // costs more than the rest of the success path. Only a failure that may be retried hands over to
  // p-retry, as its attempt 1; any other is final at once.
  signal?.throwIfAborted(); // Before anything starts: no key is loaded or refreshed for a cancelled request.
  const first = await settle(run);
  if (first.kind === 'value') {
    signal?.throwIfAborted(); // An abort while the response was being validated still wins, as on a retry.
    return first.value;
  }
  if (first.kind === 'transient') log(first.error, 1);
  if (first.kind !== 'transient' || !request.canRetry || policy.retries === 0) return fail(first.error);

  try {
    return await pRetry(
      async (attempt) => {
        const outcome = attempt === 1 ? first : await settle(run);
        if (outcome.kind === 'value') return outcome.value;
        if (outcome.kind === 'transient') throw outcome.error;
        throw new StopRetrying(outcome.error as Error); // Final: p-retry rethrows it as it is.
      },
      {
        retries: policy.retries,
        minTimeout: 0, // The delay is ours (backoff or Retry-After), slept in shouldRetry.
        ...(signal ? { signal } : {}),
        onFailedAttempt: ({ error, attemptNumber }) => {
          if (attemptNumber > 1) log(error, attemptNumber);
        },
        shouldRetry: async ({ error, retriesConsumed }) => {
          if (signal?.aborted) return false;
          const retryAfterMs = isApiError(error) ? error.retryAfterMs : undefined;
          if (retryAfterMs !== undefined && retryAfterMs > policy.maxRetryAfterMs) return false;
          const delay = retryAfterMs ?? backoffDelay(retriesConsumed, policy);
          ctx.logger.debug?.(`keyguard: retrying ${request.method} ${ctx.secrets.text(request.url.href)} in ${delay} ms.`);
          await sleep(delay, signal);
          if (request.hooks) await beforeRetry(ctx, request, error as KeyguardError, retriesConsumed + 1);
          return true;
        },
      },
    );
  } catch (error) {
    return fail(error);
  }
}

/** `run`, with a thrown error (the caller's abort, a failed key provider) as a final outcome. */
async function settle<T>(run: () => Promise<Outcome<T>>): Promise<Outcome<T>> {
  try {
    return await run();
  } catch (error) {
    return { kind: 'final', error };
  }
}

/**
 * The client's beforeRetry hooks, in order. One that throws, or does not settle within the request's
 * `timeoutMs`, ends the retries with a {@link ConfigError} naming it; the caller's abort ends the wait at once.
 */
async function beforeRetry(ctx: PipelineContext, request: PreparedRequest, error: KeyguardError, retryCount: number): Promise<void> {
  const hooks = request.hooks?.beforeRetry ?? [];
  if (hooks.length === 0) return;
  // What the hooks see: the request as built, without the key or the body.
  const shown = new Request(request.url, { method: request.method, headers: request.headers });
  for (const [index, hook] of hooks.entries()) {
    const option = `hooks.beforeRetry[${index}]`;
    const late = new ConfigError(option, `did not settle within timeoutMs (${request.timeoutMs} ms)`);
    try {
      await withTimeout(
        () => hook({ request: shown, error, retryCount }),
        request.timeoutMs,
        () => late,
        { signal: request.signal },
      );
    } catch (cause) {
      if (request.signal?.aborted || cause === late) throw cause;
      throw new ConfigError(option, ctx.secrets.text(`threw: ${messageOf(cause)}`), { cause: redactCause(ctx.secrets, cause) });
    }
  }
}
