import { createPipeline, type PipelineContext } from '../core/context.js';
import { KeySession, type Outcome } from '../core/key-flow.js';
import { loadErrorPath, redactCause } from '../core/load-error-path.js';
import { keyErrorOfResponse, unsendableKey } from '../core/outcome.js';
import { placeKey, removeCredentials } from '../core/place-key.js';
import { MAX_REDIRECTS, redirectStep } from '../core/redirects.js';
import { parseLoose, readText } from '../internal/body.js';
import { inScope, type KeyguardFetchOptions, type ResolvedFetchOptions, resolveFetchOptions } from './fetch-options.js';
import { keepBody, type ReplayBody } from './replay-body.js';

/** Statuses whose Response may not have a body (the Response constructor throws). */
const NO_BODY = new Set([204, 205, 304]);

/** What is classified of a non-2xx answer (a clone of it: the SDK still gets the whole body). */
const CLASSIFY_LIMIT = 64 * 1024;

/** One SDK call as keyguardFetch sends it: read once from the SDK's `(input, init)`. */
interface Call {
  url: URL;
  method: string;
  headers: Headers;
  body: ReplayBody;
  signal: AbortSignal | undefined;
  redirect: RequestRedirect;
  /** Everything else the SDK passed (credentials, keepalive, a dispatcher…), handed on as it is. */
  rest: RequestInit;
}

/**
 * keyguard's key flow as a `fetch` any SDK accepts: the SDK's own credential is replaced by the real key,
 * a key error runs one refresh for every request in flight and replays them, a key caught before sending
 * gets a synthetic 401 and sends nothing, and a 2xx answer reaches the SDK untouched and unread.
 *
 * @example
 * ```ts
 * const fetch = keyguardFetch({ apiKey: process.env.OPENAI_API_KEY, onKeyInvalid: () => vault.rotate(), baseUrl: 'https://api.openai.com/v1' });
 * const openai = new OpenAI({ apiKey: 'set-by-keyguard', fetch });
 * ```
 */
export function keyguardFetch(options: KeyguardFetchOptions = {}): typeof fetch {
  const config = resolveFetchOptions(options);
  const ctx = createPipeline(config);
  const { keys, logger } = ctx;
  const inner = (input: RequestInfo | URL, init?: RequestInit) => (config.fetch ?? globalThis.fetch)(input, init);

  const guarded = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = urlOf(input);
    // Not this API's request: untouched, and no key.
    if (!url || !inScope(config.scopes, url)) return inner(input, init);
    const call = await readCall(config, url, input, init);
    const session = new KeySession(keys, config.maxKeyRefreshes, call.body.replayable, call.signal, logger);
    const outcome = await session.run(true, (key) => sendWithKey(ctx, inner, call, key));
    if (outcome.kind === 'value') return outcome.value;
    if (outcome.kind === 'key-error') return (await loadErrorPath(logger, call.signal)).keyErrorAnswer(outcome.error, outcome.answer);
    throw outcome.error;
  };
  // What console.log / util.inspect / JSON.stringify show of the function: never the key.
  Object.defineProperty(guarded, 'toJSON', { value: () => ({ keyguardFetch: true }) });
  Object.defineProperty(guarded, Symbol.for('nodejs.util.inspect.custom'), { value: () => '[Function: keyguardFetch]' });
  return guarded as typeof fetch;
}

function urlOf(input: RequestInfo | URL): URL | undefined {
  const href = typeof input === 'string' ? input : input instanceof URL ? input.href : (input as Request)?.url;
  try {
    return new URL(href, (globalThis as { location?: { href: string } }).location?.href);
  } catch {
    return undefined; // Not a URL keyguard can read: the inner fetch decides.
  }
}

async function readCall(config: ResolvedFetchOptions, url: URL, input: RequestInfo | URL, init: RequestInit | undefined): Promise<Call> {
  const request = typeof input === 'object' && !(input instanceof URL) ? (input as Request) : undefined;
  const { method, headers: initHeaders, body, signal, redirect, ...rest } = init ?? {};
  // A copy, never the SDK's own Headers: the credential is removed from it and the key placed in it.
  const headers = new Headers(request ? request.headers : initHeaders);
  if (request && initHeaders !== undefined) {
    new Headers(initHeaders).forEach((value, name) => {
      headers.set(name, value);
    });
  }
  // The SDK's own credential (its dummy key) never leaves the process.
  removeCredentials(config.auth, url, headers);
  const payload = body !== undefined ? body : (request?.body ?? undefined);
  return {
    url,
    method: (method ?? request?.method ?? 'GET').toUpperCase(),
    headers,
    body: await keepBody(payload, config.maxReplayBodyBytes),
    signal: signal ?? request?.signal ?? undefined,
    redirect: redirect ?? request?.redirect ?? 'follow',
    rest,
  };
}

/** One attempt: place the key, send, follow same-origin redirects, and read a non-2xx answer's clone. */
async function sendWithKey(
  ctx: PipelineContext,
  inner: (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>,
  call: Call,
  key: string | undefined,
): Promise<Outcome<Response>> {
  // The call's own URL and headers (keyguard's copies): each attempt's key overwrites the one before, in
  // every placement; a redirect hop gets fresh copies below.
  let { url, headers, method } = call;
  let body = call.body.body;
  try {
    if (key !== undefined) placeKey(ctx.auth, url, headers, key);
    else removeCredentials(ctx.auth, url, headers);
  } catch {
    return { kind: 'key-error', error: await unsendableKey(ctx, key as string, call.signal) };
  }
  for (let hop = 0; ; hop++) {
    let response: Response;
    try {
      response = await inner(url.href, {
        ...call.rest,
        method,
        headers,
        body,
        signal: call.signal,
        // keyguard follows redirects itself, so the key never reaches another origin.
        redirect: call.redirect === 'follow' ? 'manual' : call.redirect,
        ...(call.body.streaming && body ? { duplex: 'half' } : {}),
      } as RequestInit);
    } catch (error) {
      // Transport errors and aborts reach the SDK as the inner fetch raised them, the key redacted.
      return { kind: 'final', error: call.signal?.aborted ? call.signal.reason : redactCause(ctx.secrets, error) };
    }
    const step = call.redirect === 'follow' ? redirectStep(response, url, method) : ({ kind: 'none' } as const);
    if (step.kind === 'follow' && hop < MAX_REDIRECTS) {
      response.body?.cancel().catch(() => {});
      url = new URL(step.url);
      headers = new Headers(headers);
      removeCredentials(ctx.auth, url, headers);
      if (key !== undefined) placeKey(ctx.auth, url, headers, key);
      method = step.method;
      if (step.dropBody) {
        body = undefined;
        headers.delete('content-type');
      }
      continue;
    }
    // A redirect elsewhere is handed back unfollowed (the key went only to this origin).
    if (step.kind !== 'none') return { kind: 'value', value: response };
    return classify(ctx, response, key, method, url, call.signal);
  }
}

async function classify(
  ctx: PipelineContext,
  response: Response,
  key: string | undefined,
  method: string,
  url: URL,
  signal: AbortSignal | undefined,
): Promise<Outcome<Response>> {
  // A 2xx answer is handed over unread, unless the user's classifier must see it.
  if (response.ok && !ctx.classifyKeyError) return { kind: 'value', value: response };
  let text = '';
  try {
    text = await readText(response.clone(), CLASSIFY_LIMIT, undefined, 'cut');
  } catch {
    // An unreadable body: the status decides.
  }
  const safeUrl = ctx.secrets.text(url.href);
  const error = await keyErrorOfResponse(
    ctx,
    { status: response.status, headers: response.headers, body: parseLoose(text) },
    key,
    method,
    safeUrl,
    signal,
  );
  if (!error) return { kind: 'value', value: response };
  response.body?.cancel().catch(() => {});
  return {
    kind: 'key-error',
    error,
    answer: (await loadErrorPath(ctx.logger, signal)).redactedAnswer(ctx, response, NO_BODY.has(response.status) ? null : text),
  };
}
