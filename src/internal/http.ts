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

/**
 * Sends one attempt. ky's own retry, timeout and HTTP-error throwing are off:
 * p-retry owns retries, the pipeline owns timeouts, and every status comes back as a Response.
 */
export function send(init: SendInit): Promise<Response> {
  return ky(init.url, {
    method: init.method,
    headers: init.headers,
    body: init.body,
    signal: init.signal,
    retry: 0,
    timeout: false,
    throwHttpErrors: false,
    ...(init.fetch ? { fetch: init.fetch } : {}),
  });
}
