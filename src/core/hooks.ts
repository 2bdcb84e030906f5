import type { AfterResponseHook, BeforeRequestHook, Hooks as KyHooks } from 'ky';
import type { KeyguardError } from '../errors/keyguard-error.js';
import { RequestSetupError } from '../internal/http.js';
import { messageOf } from '../internal/message.js';

export type { AfterResponseHook, BeforeRequestHook };

/** What a {@link BeforeRetryHook} sees: the request as built (no key, no body), the failure, and which retry comes next (1 for the first). */
export interface BeforeRetryState {
  /** The request as built: method, URL and headers, without the key or the body. */
  request: Request;
  /** The transient failure being retried (a `ServerError`, a `RateLimitError`, a `ConnectionError`, …). */
  error: KeyguardError;
  /** Which retry comes next: 1 for the first. */
  retryCount: number;
}

/** Runs before a transient failure is retried, once its delay has passed: for logging and tracing. Throwing stops the retries. */
export type BeforeRetryHook = (state: BeforeRetryState) => void | Promise<void>;

/**
 * ky's request hooks, run by ky for every request keyguard sends: each attempt, retry, key replay and
 * same-origin redirect hop. `beforeRequest` and `afterResponse` take ky's own hook functions. The
 * key is placed after the `beforeRequest` hooks and is never in what a hook sees.
 */
export interface ClientHooks {
  /**
   * Before a request is sent, without its key: add headers, sign, trace. As in ky, a returned
   * `Request` is sent instead (later hooks are skipped; it must stay on the same origin) and a
   * returned `Response` is the answer, without sending.
   */
  beforeRequest?: readonly BeforeRequestHook[];
  /** After a response arrives, before keyguard reads it: log, measure, or return another Response. */
  afterResponse?: readonly AfterResponseHook[];
  /** Before each retry of a transient failure (see {@link BeforeRetryHook}). */
  beforeRetry?: readonly BeforeRetryHook[];
}

/** The hooks as the client keeps them: copied once, every list present. */
export interface ResolvedHooks {
  beforeRequest: BeforeRequestHook[];
  afterResponse: AfterResponseHook[];
  beforeRetry: BeforeRetryHook[];
}

/**
 * How one request's key gets into a request: `place` puts it on a URL and headers (throwing when it
 * cannot be carried), `strip` takes its query placements off a URL again.
 */
export interface KeyPlacement {
  place(url: URL, headers: Headers): void;
  strip(url: URL): void;
}

/**
 * ky hooks for one send: the user's `beforeRequest` hooks, then the key placed on a copy of what they
 * leave (refused if they moved the request to another origin); the user's `afterResponse` hooks see
 * that request again, which never held the key, and a response whose URL does not carry it.
 * `retryCount` counts keyguard's attempts, which ky does not see.
 */
export function kyHooksFor(hooks: ResolvedHooks, origin: string, key: KeyPlacement | undefined, retryCount: number): KyHooks {
  let sent: Request | undefined;
  return {
    beforeRequest: [
      async (request, options) => {
        let current: Request = request;
        for (const [index, hook] of hooks.beforeRequest.entries()) {
          const result = await guarded(`hooks.beforeRequest[${index}]`, () => hook(current as typeof request, options, { retryCount }));
          if (result instanceof globalThis.Response) return result;
          if (result instanceof globalThis.Request) {
            current = result;
            break;
          }
        }
        if (new URL(current.url).origin !== origin) {
          throw new RequestSetupError(
            'hooks.beforeRequest',
            'returned a request for another origin; keyguard sends the key only to baseUrl',
          );
        }
        sent = current;
        return key ? withKey(current, key) : current;
      },
    ],
    afterResponse: hooks.afterResponse.map((hook, index) => async (request, options, response) => {
      if (key) hideKeyIn(response, key);
      const result = await guarded(`hooks.afterResponse[${index}]`, () =>
        hook((sent ?? request) as typeof request, options, response, { retryCount }),
      );
      if (result !== undefined && !(result instanceof globalThis.Response)) {
        throw new RequestSetupError(
          `hooks.afterResponse[${index}]`,
          'must return a Response or nothing (keyguard retries by its retry option, not ky.retry())',
        );
      }
      return result;
    }),
  };
}

/**
 * A new request with the key placed: the hooks' own request is never written to, so a reference a
 * hook keeps (a tracing span, a queued log line) never holds the key. A key in the query needs the
 * body read once into memory; otherwise the body is handed over unread.
 */
async function withKey(request: Request, key: KeyPlacement): Promise<Request> {
  const url = new URL(request.url);
  const headers = new Headers(request.headers);
  key.place(url, headers);
  if (url.href === request.url) return new Request(request, { headers });
  const body = request.body === null ? undefined : await request.arrayBuffer();
  return new Request(url, { method: request.method, headers, body, signal: request.signal, redirect: request.redirect });
}

/** The response's URL (the one fetched) without the key's query placements, for the hooks that see it. */
function hideKeyIn(response: Response, key: KeyPlacement): void {
  if (!response.url) return;
  const url = new URL(response.url);
  key.strip(url);
  if (url.href !== response.url) Object.defineProperty(response, 'url', { value: url.href, configurable: true });
}

/** Runs one user hook; what it throws becomes a typed setup failure naming the hook (the error as its cause). */
async function guarded<T>(option: string, run: () => T | Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw new RequestSetupError(option, `threw: ${messageOf(error)}`, { cause: error });
  }
}
