import type { ErrorResponse } from '../classify/classify.js';
import { apiErrorFor } from '../errors/from-response.js';
import { InvalidApiKeyError } from '../errors/invalid-api-key-error.js';
import { ResponseValidationError } from '../errors/response-validation-error.js';
import { isJsonContentType, parseLoose } from '../internal/body.js';
import { messageOf } from '../internal/message.js';
import { isTransient, parseRetryAfter } from '../internal/retry.js';
import { validate } from '../internal/schema.js';
import { keyHint } from '../keys/fingerprint.js';
import { withKeysUrl } from '../providers/hooks.js';
import { KEY_ERROR_REASONS, type KeyErrorReason } from '../types.js';
import { KeyNotSendable, sendAttempt } from './attempt.js';
import type { PipelineContext } from './context.js';
import type { KeyVerdict } from './key-errors.js';
import type { Outcome } from './key-flow.js';
import { type ErrorPath, loadErrorPath } from './load-error-path.js';
import type { PreparedRequest } from './prepare.js';
import { requestIdOf } from './request-id.js';

/** Counts the attempts of one client request, retries and replays included. */
export interface AttemptCounter {
  attempts: number;
}

/** One client attempt, start to end: send it, then turn the answer into an {@link Outcome}. */
export async function attemptOutcome(
  ctx: PipelineContext,
  request: PreparedRequest,
  key: string | undefined,
  counter: AttemptCounter,
): Promise<Outcome<unknown>> {
  let exchange: Awaited<ReturnType<typeof sendAttempt>>;
  try {
    counter.attempts += 1;
    exchange = await sendAttempt(ctx, request, key, counter.attempts);
  } catch (error) {
    if (error instanceof KeyNotSendable) return { kind: 'key-error', error: await unsendableKey(ctx, key as string, request.signal) };
    return { kind: isTransient(error, request.policy) ? 'transient' : 'final', error };
  }
  const { response, text, safeUrl } = exchange;
  ctx.logger.debug?.(`keyguard: ${request.method} ${safeUrl} -> ${response.status}`);
  notify(ctx, request, response, safeUrl, counter.attempts);
  const readAsText = !response.ok || request.responseType === 'json' || request.responseType === 'text';
  let parsed: unknown;
  if (response.ok && request.responseType === 'json' && isJsonContentType(response.headers.get('content-type')) && text.trim() !== '') {
    try {
      parsed = JSON.parse(text);
    } catch {
      return { kind: 'final', error: new ResponseValidationError(request.method, safeUrl, [{ message: 'the body is not valid JSON' }]) };
    }
  } else if (readAsText) {
    parsed = parseLoose(text);
  }
  const pending = keyErrorOfResponse(
    ctx,
    { status: response.status, headers: response.headers, body: parsed },
    key,
    request.method,
    safeUrl,
    request.signal,
  );
  // Awaited only when the classifier has to decide: a 2xx costs no extra microtask. (It rejects only with
  // the caller's abort, which the retries' settle makes a final outcome, as every other throw.)
  const keyError = pending && (await pending);
  if (keyError || !response.ok) {
    // A body handed over unread is dropped: it is not what the request resolves to.
    exchange.stream?.cancel().catch(() => {});
    if (request.responseType === 'response' && response.ok) response.body?.cancel().catch(() => {});
  }
  if (keyError) return { kind: 'key-error', error: keyError };
  if (!response.ok) {
    const error = await apiErrorOf(ctx, response, parsed, request, safeUrl);
    return { kind: isTransient(error, request.policy) ? 'transient' : 'final', error };
  }
  switch (request.responseType) {
    case 'text':
      return { kind: 'value', value: text };
    case 'arrayBuffer':
      return { kind: 'value', value: (exchange.bytes as Uint8Array<ArrayBuffer>).buffer };
    case 'blob':
      return {
        kind: 'value',
        value: new Blob([exchange.bytes as Uint8Array<ArrayBuffer>], { type: response.headers.get('content-type') ?? '' }),
      };
    case 'stream':
      return streamOutcome(request, response, exchange.stream as ReadableStream<Uint8Array>, safeUrl);
    case 'response':
      return { kind: 'value', value: response };
  }
  // A 204 or an empty body is `undefined`, with or without a schema.
  if (!request.schema || parsed === undefined) return { kind: 'value', value: parsed };
  const result = await validate(request.schema, parsed);
  if (!result.issues) return { kind: 'value', value: result.value };
  // An issue may quote the value, and the server may have echoed the key into it.
  const issues = result.issues.map((issue) => ({
    message: ctx.secrets.text(String(issue.message)),
    path: issue.path?.map((segment) => {
      const name = typeof segment === 'object' && segment !== null ? segment.key : segment;
      return typeof name === 'string' ? ctx.secrets.text(name) : name;
    }),
  }));
  return { kind: 'final', error: new ResponseValidationError(request.method, safeUrl, issues) };
}

function streamOutcome(
  request: PreparedRequest,
  response: Response,
  stream: ReadableStream<Uint8Array>,
  safeUrl: string,
): Outcome<unknown> {
  if (!request.eventStream) return { kind: 'value', value: stream };
  const type = response.headers.get('content-type') ?? '';
  if (/^text\/event-stream\b/i.test(type)) return { kind: 'value', value: { stream, url: safeUrl } };
  stream.cancel().catch(() => {});
  const got = type ? `got ${type.slice(0, 100)}` : 'no content-type';
  return {
    kind: 'final',
    error: new ResponseValidationError(request.method, safeUrl, [
      { message: `the answer is not an event stream (text/event-stream; ${got})` },
    ]),
  };
}

/** Shows the client's and the request's `onResponse` each answer; a callback that throws is logged, never fatal. */
function notify(ctx: PipelineContext, request: PreparedRequest, response: Response, url: string, attempt: number): void {
  if (request.onResponse.length === 0) return;
  const info = {
    method: request.method,
    url,
    status: response.status,
    headers: ctx.secrets.headers(response.headers),
    requestId: requestIdOf(response.headers, ctx),
    attempt,
  };
  for (const callback of request.onResponse) {
    try {
      const result: unknown = callback(info);
      if (isThenable(result)) result.then(undefined, () => {});
    } catch (error) {
      ctx.logger.warn?.(`keyguard: an onResponse callback threw (${messageOf(error)}).`);
    }
  }
}

/**
 * The typed key error for an answer, or undefined when the answer is not a key error. Shared by both faces.
 * Undefined at once when that is decided without the built-in classifier (a 2xx the user's classifier did
 * not flag, or its `null`); otherwise a promise: the classifier is loaded on first use (load-error-path.ts).
 */
export function keyErrorOfResponse(
  ctx: PipelineContext,
  response: ErrorResponse & { headers: Headers },
  key: string | undefined,
  method: string,
  safeUrl: string,
  signal: AbortSignal | undefined,
): Promise<InvalidApiKeyError | undefined> | undefined {
  const userVerdict = userClassification(ctx, response);
  if (userVerdict === null) return undefined;
  if (!userVerdict && response.status >= 200 && response.status < 300) return undefined;
  return loadErrorPath(ctx.logger, signal).then((path) => {
    const verdict = classifyResponse(path, userVerdict, response);
    if (!verdict) return undefined;
    const described = path.serverKeyError(ctx.secrets, verdict, response);
    return new InvalidApiKeyError({
      ...described,
      hint: withKeysUrl(described.hint, ctx.preset),
      keyHint: key === undefined ? undefined : keyHint(key),
      requestId: requestIdOf(response.headers, ctx),
      method,
      url: safeUrl,
    });
  });
}

async function apiErrorOf(ctx: PipelineContext, response: Response, parsed: unknown, request: PreparedRequest, safeUrl: string) {
  const { secrets } = ctx;
  const { method } = request;
  const path = request.url.pathname;
  const { describeErrorBody, redactValue } = await loadErrorPath(ctx.logger, request.signal);
  const described = describeErrorBody(parsed, response.headers);
  return apiErrorFor({
    status: response.status,
    code: described.code === undefined ? undefined : secrets.text(described.code),
    message: secrets.text(`${method} ${path} failed with ${response.status}${described.message ? `: ${described.message}` : '.'}`),
    body: redactValue(secrets, parsed),
    headers: ctx.secrets.headers(response.headers),
    requestId: requestIdOf(response.headers, ctx),
    method,
    url: safeUrl,
    retryAfterMs: parseRetryAfter(response.headers),
  });
}

/** The user's classifier (every response): a reason, `null` for "not a key error", or undefined for "no opinion". */
function userClassification(ctx: PipelineContext, response: ErrorResponse & { headers: Headers }): KeyErrorReason | null | undefined {
  let verdict: KeyErrorReason | null | undefined;
  if (ctx.classifyKeyError) {
    try {
      const answer: unknown = ctx.classifyKeyError(response);
      if (isThenable(answer)) {
        // Any thenable, also a promise from another realm: never an unhandled rejection, whatever it does.
        answer.then(undefined, () => {});
        ctx.logger.warn?.('keyguard: the classifyKeyError option must answer synchronously; its promise was ignored.');
      }
      verdict = answer === null || KEY_ERROR_REASONS.includes(answer as KeyErrorReason) ? (answer as KeyErrorReason | null) : undefined;
    } catch (error) {
      ctx.logger.warn?.(`keyguard: the classifyKeyError option threw (${messageOf(error)}); using the built-in classifier.`);
    }
  }
  return verdict;
}

/** After the user's classifier (`verdict`, not `null`), the built-in one: the reason, and the API's code and message. */
function classifyResponse(
  { classifyAnswer, describeErrorBody }: ErrorPath,
  verdict: KeyErrorReason | undefined,
  response: ErrorResponse & { headers: Headers },
): KeyVerdict | undefined {
  const builtIn = classifyAnswer(response);
  const found = verdict ?? builtIn?.reason;
  if (!found) return undefined;
  // Only a reason keyguard documents reaches an error (whatever a classifier, or a server's own code, made of it).
  const reason = KEY_ERROR_REASONS.includes(found) ? found : 'unknown';
  return { reason, description: builtIn ?? describeErrorBody(response.body, response.headers) };
}

function isThenable(value: unknown): value is { then: (a: unknown, b: (e: unknown) => void) => unknown } {
  try {
    return (
      (typeof value === 'object' || typeof value === 'function') &&
      value !== null &&
      typeof (value as { then?: unknown }).then === 'function'
    );
  } catch {
    return false;
  }
}

/** A key a header cannot carry, caught at sending (only reachable with keyLint: 'off'): a client-side key error. */
export async function unsendableKey(ctx: PipelineContext, key: string, signal: AbortSignal | undefined): Promise<InvalidApiKeyError> {
  const described = (await loadErrorPath(ctx.logger, signal)).unsendableKey();
  return new InvalidApiKeyError({ ...described, keyHint: keyHint(key) });
}
