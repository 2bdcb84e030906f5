import { ConfigError } from '../errors/config-error.js';
import { ConnectionError } from '../errors/connection-error.js';
import { apiErrorFor } from '../errors/from-response.js';
import { ResponseTooLargeError } from '../errors/response-too-large-error.js';
import { TimeoutError } from '../errors/timeout-error.js';
import { abortable } from '../internal/abort.js';
import { announcedOverLimit, BodyOverflow, ERROR_BODY_LIMIT, readBytes, readText } from '../internal/body.js';
import { KeyNotSendable, RequestSetupError, send } from '../internal/http.js';
import { guardStream } from '../internal/stream.js';
import type { PipelineContext } from './context.js';
import { type KeyPlacement, kyHooksFor } from './hooks.js';
import { redactCause } from './load-error-path.js';
import { placeKey, removeCredentials } from './place-key.js';
import type { PreparedRequest } from './prepare.js';
import { MAX_REDIRECTS, redirectStep } from './redirects.js';

export { KeyNotSendable };

/** One answer, its body read as the request asked (capped), and the URL it came from, the key redacted. */
export interface Exchange {
  response: Response;
  /** The body as text: every non-2xx answer, and a 2xx for `'json'` and `'text'`. */
  text: string;
  /** A 2xx body for `'arrayBuffer'` and `'blob'`. */
  bytes?: Uint8Array<ArrayBuffer>;
  /** A 2xx body for `'stream'`, guarded by the idle timeout. */
  stream?: ReadableStream<Uint8Array>;
  safeUrl: string;
}

/**
 * Sends one attempt: places the key, sends, follows same-origin redirects, reads the body, all under
 * the attempt's timeout and the caller's signal. Throws the caller's abort reason, {@link TimeoutError},
 * {@link ConnectionError}, or a final error ({@link ConfigError}, a refused redirect, a body past
 * `maxBodyBytes`).
 */
export async function sendAttempt(
  ctx: PipelineContext,
  request: PreparedRequest,
  key: string | undefined,
  attempt: number,
): Promise<Exchange> {
  const { signal, timeoutMs, method } = request;
  // Each attempt starts from the request as built: a key placed by an earlier attempt never lingers.
  const url = new URL(request.url);
  const headers = new Headers(request.headers);
  const placement = key === undefined ? undefined : keyPlacement(ctx, key);
  // With hooks, the key is placed after them, inside ky (see hooks.ts); without, here.
  if (placement && !request.hooks) placement.place(url, headers);
  let safeUrl = ctx.secrets.text(url.href);
  ctx.logger.debug?.(`keyguard: ${method} ${safeUrl} (attempt ${attempt})`);

  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const onAbort = () => controller.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  // A body handed over unread ('stream', 'response') still ends with the caller's abort.
  let handedOver = false;
  try {
    signal?.throwIfAborted();
    // abortable: the timeout and the user's abort hold even when a custom fetch ignores the signal or
    // a hook never settles (the platform's fetch and its bodies follow the signal themselves).
    return await abortable(
      (async () => {
        let current = { url, method, headers, body: request.body.payload };
        for (let hop = 0; ; hop++) {
          const response = await send({
            ...current,
            signal: controller.signal,
            fetch: ctx.fetch,
            redirect: key === undefined ? 'follow' : 'manual',
            hooks: request.hooks && kyHooksFor(request.hooks, current.url.origin, placement, attempt - 1),
            context: request.context,
          });
          if (hop > 0) safeUrl = ctx.secrets.text(current.url.href);
          const step = key === undefined ? ({ kind: 'none' } as const) : redirectStep(response, current.url, current.method);
          if (step.kind === 'none') {
            if (response.ok && (request.responseType === 'stream' || request.responseType === 'response')) {
              handedOver = true;
              return handOver(ctx, request, response, safeUrl, () => {
                signal?.removeEventListener('abort', onAbort);
                controller.abort();
              });
            }
            return { ...(await readBody(ctx, request, response, safeUrl, controller.signal)), response, safeUrl };
          }
          response.body?.cancel().catch(() => {});
          if (step.kind === 'refuse' || hop >= MAX_REDIRECTS) throw refusedRedirect(ctx, request, response, safeUrl, step);
          // Same origin: the key goes again, placed afresh (a Location that repeats the query keeps no stale key).
          const next = new URL(step.url);
          const nextHeaders = new Headers(current.headers);
          removeCredentials(ctx.auth, next, nextHeaders);
          if (!request.hooks) placement?.place(next, nextHeaders);
          if (step.dropBody) nextHeaders.delete('content-type');
          current = { url: next, method: step.method, headers: nextHeaders, body: step.dropBody ? undefined : current.body };
          ctx.logger.debug?.(`keyguard: ${method} ${safeUrl} redirected on the same origin (${response.status}).`);
        }
      })(),
      ctx.fetch || request.hooks ? controller.signal : undefined,
    );
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    if (timedOut) throw new TimeoutError(method, safeUrl, timeoutMs);
    throw typedFailure(ctx, request, safeUrl, error);
  } finally {
    clearTimeout(timer);
    if (!handedOver) signal?.removeEventListener('abort', onAbort);
  }
}

/** Places the key (a key a header cannot carry, only reachable with keyLint: 'off', throws {@link KeyNotSendable}), and takes it off a URL. */
function keyPlacement(ctx: PipelineContext, key: string): KeyPlacement {
  return {
    place: (url, headers) => {
      try {
        placeKey(ctx.auth, url, headers, key);
      } catch {
        throw new KeyNotSendable();
      }
    },
    strip: (url) => removeCredentials(ctx.auth, url, new Headers()),
  };
}

/** A 2xx body the caller reads: a stream bounded by the idle timeout, or the Response itself (its URL redacted). */
function handOver(ctx: PipelineContext, request: PreparedRequest, response: Response, safeUrl: string, release: () => void): Exchange {
  if (request.responseType === 'response') {
    if (response.url) Object.defineProperty(response, 'url', { value: ctx.secrets.text(response.url) });
    return { response, text: '', safeUrl };
  }
  const stream = guardStream(response.body, {
    idleMs: request.idleTimeoutMs,
    signal: request.signal,
    idle: () => new TimeoutError(request.method, safeUrl, request.idleTimeoutMs, 'idle'),
    broken: (cause) => new ConnectionError(request.method, safeUrl, { cause: redactCause(ctx.secrets, cause) }),
    release,
  });
  return { response, text: '', stream, safeUrl };
}

/** What a failed send becomes. A hostile error (a Proxy whose traps throw) still ends as a typed one. */
function typedFailure(ctx: PipelineContext, request: PreparedRequest, safeUrl: string, error: unknown): unknown {
  try {
    if (error instanceof KeyNotSendable) return error; // Placed by a hook-path send: the outcome makes it a key error.
    if (error instanceof RequestSetupError) {
      const cause = error.cause === undefined ? undefined : redactCause(ctx.secrets, error.cause);
      return new ConfigError(error.option, ctx.secrets.text(error.message), cause === undefined ? undefined : { cause });
    }
    if (error instanceof BodyOverflow) return new ResponseTooLargeError(request.method, safeUrl, request.maxBodyBytes);
    if (isFinal(error)) return error;
    return new ConnectionError(request.method, safeUrl, { cause: redactCause(ctx.secrets, error) });
  } catch {
    return new ConnectionError(request.method, safeUrl, { cause: new Error('the fetch failed with an error that cannot be read') });
  }
}

const finals = new WeakSet<object>();
function isFinal(error: unknown): boolean {
  return typeof error === 'object' && error !== null && finals.has(error);
}

/** A 2xx body up to `maxBodyBytes` (past it: {@link BodyOverflow}), as text or bytes; any other body as text up to 1 MiB, cut beyond. */
async function readBody(
  ctx: PipelineContext,
  request: PreparedRequest,
  response: Response,
  safeUrl: string,
  signal: AbortSignal,
): Promise<{ text: string; bytes?: Uint8Array<ArrayBuffer> }> {
  const custom = ctx.fetch ? signal : undefined;
  if (response.ok) {
    if (announcedOverLimit(response, request.maxBodyBytes)) {
      response.body?.cancel().catch(() => {});
      throw new BodyOverflow();
    }
    if (request.responseType === 'arrayBuffer' || request.responseType === 'blob') {
      return { text: '', bytes: await readBytes(response, request.maxBodyBytes, custom) };
    }
    return { text: await readText(response, request.maxBodyBytes, custom, 'fail') };
  }
  try {
    return { text: await readText(response, ERROR_BODY_LIMIT, custom, 'cut') };
  } catch (error) {
    // A body that cannot be read (cut off, wrongly encoded) counts as empty, so the status still decides.
    if (signal.aborted) throw error;
    ctx.logger.debug?.(`keyguard: the ${response.status} body of ${safeUrl} could not be read.`);
    return { text: '' };
  }
}

function refusedRedirect(
  ctx: PipelineContext,
  request: PreparedRequest,
  response: Response,
  safeUrl: string,
  step: { kind: 'refuse'; origin: string | undefined } | { kind: 'follow' },
) {
  const where =
    step.kind === 'follow'
      ? `more than ${MAX_REDIRECTS} times`
      : step.origin
        ? `to ${ctx.secrets.text(step.origin)}, another origin`
        : 'to a location the browser hides';
  const error = apiErrorFor({
    status: response.status,
    message: `${request.method} ${request.url.pathname} was redirected ${where}; keyguard does not send the key there. Point baseUrl at the final URL.`,
    body: undefined,
    headers: ctx.secrets.headers(response.headers),
    method: request.method,
    url: safeUrl,
  });
  finals.add(error);
  return error;
}
