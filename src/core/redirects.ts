/** Redirects followed for a request that carries the key, all on its own origin. */
export const MAX_REDIRECTS = 5;

/** What to do with an answer to a request that carries the key and was sent with `redirect: 'manual'`. */
export type RedirectStep =
  | { kind: 'none' }
  /** A redirect on the same origin: send again to `url`, with `method` (303, and 301/302 after a POST, become GET without a body). */
  | { kind: 'follow'; url: URL; method: string; dropBody: boolean }
  /** A redirect keyguard refuses: to another origin (named), or one whose target the platform hides (a browser's opaque redirect). */
  | { kind: 'refuse'; origin: string | undefined };

function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

/**
 * Why keyguard follows redirects itself: fetch drops only `Authorization` on a redirect to another
 * origin, so a named header or a query parameter (which a `Location` built from the request URI
 * repeats) would reach whatever host the server names. The key never leaves the request's origin.
 */
export function redirectStep(response: Response, from: URL, method: string): RedirectStep {
  if (response.type === 'opaqueredirect') return { kind: 'refuse', origin: undefined };
  if (!isRedirect(response.status)) return { kind: 'none' };
  const location = response.headers.get('location');
  if (!location) return { kind: 'none' };
  let url: URL;
  try {
    url = new URL(location, from);
  } catch {
    return { kind: 'none' }; // An unparsable Location: the 3xx is the answer.
  }
  if (url.origin !== from.origin) return { kind: 'refuse', origin: url.protocol.startsWith('http') ? url.origin : url.protocol };
  const toGet = response.status === 303 || ((response.status === 301 || response.status === 302) && method === 'POST');
  return { kind: 'follow', url, method: toGet && method !== 'HEAD' ? 'GET' : method, dropBody: toGet };
}
