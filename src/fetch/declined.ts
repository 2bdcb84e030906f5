// What keyguardFetch hands an SDK for a key error no new key fixed: the server's answer redacted, or a
// synthetic 401 for a key caught before sending, marked for keyErrorOf and for the SDK's retry logic.
// Only a key error needs it, so it is part of the error path (src/core/error-path.ts).
import type { PipelineContext } from '../core/context.js';
import type { InvalidApiKeyError } from '../errors/invalid-api-key-error.js';
import { KEY_ERROR_HEADER, rememberKeyError } from './key-error-registry.js';

/** The server's answer to a key error as the SDK will get it: body and headers redacted (`text` null for a status that has no body). */
export function redactedAnswer(ctx: PipelineContext, response: Response, text: string | null): Response {
  const headers = new Headers(ctx.secrets.headers(response.headers));
  // The body is re-encoded as text: its old length and encoding no longer hold.
  for (const name of ['content-length', 'content-encoding', 'transfer-encoding']) headers.delete(name);
  const answer = new Response(text === null ? null : ctx.secrets.text(text), {
    status: response.status,
    statusText: response.statusText,
    headers,
  });
  if (response.url) Object.defineProperty(answer, 'url', { value: ctx.secrets.text(response.url) });
  return answer;
}

/** What the SDK receives when no new key came: the server's redacted answer, or a synthetic 401 for a key caught before sending. */
export function keyErrorAnswer(error: InvalidApiKeyError, answer: Response | undefined): Response {
  if (answer) return marked(answer, error);
  const body = {
    error: { message: error.message, type: 'invalid_api_key', code: error.code ?? error.reason, reason: error.reason, hint: error.hint },
  };
  return marked(new Response(JSON.stringify(body), { status: 401, headers: { 'content-type': 'application/json' } }), error);
}

/**
 * Marks an answer with the error behind it (for keyErrorOf) and tells SDKs that honour it not to retry:
 * a key error is never fixed by sending the same key again.
 */
function marked(response: Response, error: InvalidApiKeyError): Response {
  response.headers.set(KEY_ERROR_HEADER, rememberKeyError(error));
  response.headers.set('x-should-retry', 'false');
  response.headers.set('stripe-should-retry', 'false');
  return response;
}
