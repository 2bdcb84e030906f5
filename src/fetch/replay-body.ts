import { concatBytes } from '../internal/body.js';

/** A request body as keyguardFetch keeps it: one that can be sent again, or one that can be sent only once. */
export interface ReplayBody {
  body: BodyInit | null | undefined;
  replayable: boolean;
  /** True when the body is a stream: fetch then needs `duplex: 'half'`. */
  streaming: boolean;
}

/**
 * Strings, bytes, `Blob`, `FormData` and `URLSearchParams` can be sent again as they are. A stream is
 * read up to `limit` bytes: when it ends by then, its bytes are kept and can be replayed; a longer one
 * is sent once, its first chunks put back in front of the rest.
 */
export async function keepBody(body: BodyInit | null | undefined, limit: number): Promise<ReplayBody> {
  if (body === null || body === undefined || !isStream(body)) {
    // Anything else fetch takes (a string, bytes, Blob, FormData, URLSearchParams) is read afresh per send.
    return { body, replayable: !isAsyncIterable(body), streaming: false };
  }
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return { body: concatBytes(chunks, size), replayable: true, streaming: false };
    const chunk = typeof value === 'string' ? new TextEncoder().encode(value) : (value as Uint8Array);
    chunks.push(chunk);
    size += chunk.byteLength;
    if (size > limit) break;
  }
  const rest = new ReadableStream<Uint8Array>({
    pull: async (controller) => {
      const head = chunks.shift();
      if (head) return controller.enqueue(head);
      const { done, value } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value as Uint8Array);
    },
    cancel: (reason) => reader.cancel(reason),
  });
  return { body: rest, replayable: false, streaming: true };
}

function isStream(body: unknown): body is ReadableStream {
  return typeof ReadableStream !== 'undefined' && body instanceof ReadableStream;
}

/** Node's fetch also takes async iterables (a Node stream); they can be read only once. */
function isAsyncIterable(body: unknown): boolean {
  return typeof body === 'object' && body !== null && typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';
}
