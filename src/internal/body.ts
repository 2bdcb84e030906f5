/** Error bodies are kept up to this size; the rest is dropped unread. */
export const ERROR_BODY_LIMIT = 1024 * 1024;

/**
 * Reads at most `limit` bytes of a body as text and cancels the rest, so a huge or endless body cannot
 * hang or exhaust memory. With `signal`, an abort (even one before the first read) cancels the body
 * and rejects: for bodies that do not follow the signal themselves, such as a custom fetch's.
 */
export async function readText(response: Response, limit = Number.POSITIVE_INFINITY, signal?: AbortSignal): Promise<string> {
  if (!response.body) return '';
  if (limit === Number.POSITIVE_INFINITY && !signal) return response.text();
  const reader = response.body.getReader();
  const onAbort = () => reader.cancel().catch(() => {});
  signal?.addEventListener('abort', onAbort, { once: true });
  const decoder = new TextDecoder();
  let text = '';
  let bytes = 0;
  try {
    while (bytes < limit) {
      const { done, value } = await reader.read();
      signal?.throwIfAborted();
      if (done) return text + decoder.decode();
      const take = value.subarray(0, limit - bytes);
      bytes += take.byteLength;
      text += decoder.decode(take, { stream: true });
    }
    return text + decoder.decode();
  } finally {
    signal?.removeEventListener('abort', onAbort);
    reader.cancel().catch(() => {});
  }
}

/** Parses JSON text into a value; text that is not JSON stays text, and an empty body is `undefined`. */
export function parseLoose(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** True when the content type says the body is JSON (`application/json`, `application/problem+json`, …). */
export function isJsonContentType(contentType: string | null): boolean {
  return contentType !== null && /[/+]json\b/i.test(contentType);
}
