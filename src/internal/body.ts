/** Error bodies are kept up to this size; the rest is dropped unread. */
export const ERROR_BODY_LIMIT = 1024 * 1024;

/** Thrown by {@link readText} in `'fail'` mode when a body passes its limit. */
export class BodyOverflow extends Error {
  override name = 'BodyOverflow';
}

/**
 * Reads at most `limit` bytes of a body as text and cancels the rest, so a huge or endless body cannot
 * hang or exhaust memory: past the limit the text is cut (`'cut'`) or the read fails with
 * {@link BodyOverflow} (`'fail'`). With `signal`, an abort (even one before the first read) cancels the
 * body and rejects: for bodies that do not follow the signal themselves, such as a custom fetch's.
 */
export async function readText(
  response: Response,
  limit: number,
  signal: AbortSignal | undefined,
  overflow: 'cut' | 'fail' = 'cut',
): Promise<string> {
  if (!response.body) return '';
  // The platform's fetch holds a body to its content-length, so such a body needs no counting.
  if (!signal && Number(response.headers.get('content-length') ?? Number.NaN) <= limit) return response.text();
  const reader = response.body.getReader();
  const onAbort = () => reader.cancel().catch(() => {});
  signal?.addEventListener('abort', onAbort, { once: true });
  const decoder = new TextDecoder();
  let text = '';
  let bytes = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      signal?.throwIfAborted();
      if (done) return text + decoder.decode();
      if (bytes + value.byteLength > limit) {
        if (overflow === 'fail') throw new BodyOverflow();
        return text + decoder.decode(value.subarray(0, limit - bytes));
      }
      bytes += value.byteLength;
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    reader.cancel().catch(() => {});
  }
}

/** The body's announced length when it is past `limit`: such a body is refused before a byte is read. */
export function announcedOverLimit(response: Response, limit: number): boolean {
  const length = Number(response.headers.get('content-length'));
  return Number.isFinite(length) && length > limit;
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

/** Like {@link readText} in `'fail'` mode, for bytes: at most `limit` of them, {@link BodyOverflow} past it. */
export async function readBytes(response: Response, limit: number, signal: AbortSignal | undefined): Promise<Uint8Array<ArrayBuffer>> {
  if (!response.body) return new Uint8Array(0);
  if (!signal && Number(response.headers.get('content-length') ?? Number.NaN) <= limit) return new Uint8Array(await response.arrayBuffer());
  const reader = response.body.getReader();
  const onAbort = () => reader.cancel().catch(() => {});
  signal?.addEventListener('abort', onAbort, { once: true });
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      signal?.throwIfAborted();
      if (done) break;
      size += value.byteLength;
      if (size > limit) throw new BodyOverflow();
      chunks.push(value);
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    reader.cancel().catch(() => {});
  }
  return concatBytes(chunks, size);
}

/** The chunks, in order, as one array of `size` bytes. */
export function concatBytes(chunks: readonly Uint8Array[], size: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
