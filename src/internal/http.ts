import ky from 'ky';

/** One HTTP exchange as the pipeline needs it. The only file that imports ky. */
export interface SendInit {
  url: URL;
  method: string;
  headers: Headers;
  body: BodyInit | undefined;
  signal: AbortSignal;
  fetch: typeof fetch | undefined;
}

/** The request could not even be built (fetch was never called): a caller's mistake, not a network failure. */
export class RequestSetupError extends Error {
  override name = 'RequestSetupError';
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
      retry: 0,
      timeout: false,
      throwHttpErrors: false,
      // The signal goes to fetch itself, not through ky: ky would join it to its own with
      // AbortSignal.any, which costs ~30 µs per request on Node 20 and adds nothing here.
      fetch: (input, options) => {
        fetched = true;
        return fetchImpl(input, { ...options, signal: init.signal });
      },
    });
  } catch (error) {
    if (fetched) throw error;
    throw new RequestSetupError(error instanceof Error ? error.message : String(error), { cause: error });
  }
}
