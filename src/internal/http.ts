import ky, { type Hooks } from 'ky';
import { messageOf } from './message.js';

/** One HTTP exchange as the pipeline needs it. The only file that imports ky. */
export interface SendInit {
  url: URL;
  method: string;
  headers: Headers;
  body: BodyInit | undefined;
  signal: AbortSignal;
  fetch: typeof fetch | undefined;
  redirect: RequestRedirect;
  /** ky hooks for this send (the client's hooks, with the key placed after them). */
  hooks?: Hooks | undefined;
  /** ky's `context`, for the hooks. */
  context?: Record<string, unknown> | undefined;
}

/** The request could not be sent as asked, by the caller's doing (a bad input, a `fetch` option that returns no Response): not a network failure. */
export class RequestSetupError extends Error {
  override name = 'RequestSetupError';

  constructor(
    /** The option at fault, for the ConfigError this becomes. */
    readonly option: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The key has characters a header cannot carry; nothing was sent. */
export class KeyNotSendable extends Error {
  override name = 'KeyNotSendable';
}

/**
 * Sends one attempt. ky's own retry, timeout and HTTP-error throwing are off:
 * p-retry owns retries, the pipeline owns timeouts, and every status comes back as a Response.
 */
export async function send(init: SendInit): Promise<Response> {
  let fetched = false;
  const fetchImpl = init.fetch ?? globalThis.fetch;
  try {
    return await ky(init.url, {
      method: init.method,
      headers: init.headers,
      body: init.body,
      redirect: init.redirect,
      retry: 0,
      timeout: false,
      throwHttpErrors: false,
      ...(init.hooks ? { hooks: init.hooks } : {}),
      ...(init.context ? { context: init.context } : {}),
      // The signal goes to fetch itself. Through ky it would be joined to ky's own with
      // AbortSignal.any (~30 µs per request on Node 20), so only a custom fetch gets it that way
      // too: it may read nothing but its input Request, which then carries the signal.
      ...(init.fetch ? { signal: init.signal } : {}),
      fetch: async (input, options) => {
        fetched = true;
        // The signal and the redirect mode hold even for a Request a beforeRequest hook built itself.
        const response: unknown = await fetchImpl(input, { ...options, signal: init.signal, redirect: init.redirect });
        if (!isResponse(response)) throw new RequestSetupError('fetch', 'must return a promise of a Response');
        return response;
      },
    });
  } catch (error) {
    if (fetched || error instanceof RequestSetupError || error instanceof KeyNotSendable) throw error;
    throw new RequestSetupError('request', `could not be built: ${messageOf(error)}`, { cause: error });
  }
}

/** Duck-typed, so a Response from another realm (a test environment, a polyfill) is accepted too. */
function isResponse(value: unknown): value is Response {
  const response = value as Response | null;
  return (
    typeof response === 'object' &&
    response !== null &&
    typeof response.status === 'number' &&
    typeof response.headers?.get === 'function' &&
    typeof response.text === 'function'
  );
}
