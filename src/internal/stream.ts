/** How a guarded stream ends early: what to throw for each cause, and what to release once it is over. */
export interface StreamGuard {
  /** The longest wait for the next chunk, in milliseconds. */
  idleMs: number;
  /** The caller's signal: its abort ends the stream with its reason. */
  signal: AbortSignal | undefined;
  /** The error for a stream idle past `idleMs`. */
  idle: () => unknown;
  /** The error for a stream that broke (a cut connection). */
  broken: (cause: unknown) => unknown;
  /** Called once when the stream ends, however it ends: aborts the exchange behind it. */
  release: () => void;
}

/**
 * A body handed to the caller as a stream: bounded by an idle timeout between chunks (never by its
 * total length), ended by the caller's abort, and with typed errors. Cancelling it (breaking out of a
 * loop over it) closes the connection at once.
 */
export function guardStream(body: ReadableStream<Uint8Array> | null, guard: StreamGuard): ReadableStream<Uint8Array> {
  if (!body) return new ReadableStream({ start: (controller) => controller.close() });
  const reader = body.getReader();
  let released = false;
  let cancelled = false;
  const release = () => {
    if (released) return;
    released = true;
    guard.signal?.removeEventListener('abort', onAbort);
    guard.release();
  };
  let fail: ((error: unknown) => void) | undefined;
  const onAbort = () => fail?.(guard.signal?.reason);
  guard.signal?.addEventListener('abort', onAbort, { once: true });
  return new ReadableStream<Uint8Array>({
    pull: (controller) =>
      new Promise<void>((resolve) => {
        let settled = false;
        let timer: ReturnType<typeof setTimeout> | undefined;
        const finish = (error?: unknown) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          fail = undefined;
          if (error !== undefined) {
            reader.cancel().catch(() => {});
            release();
            controller.error(error);
          }
          resolve();
        };
        fail = finish;
        if (guard.signal?.aborted) return finish(guard.signal.reason);
        timer = setTimeout(() => finish(guard.idle()), guard.idleMs);
        reader.read().then(
          ({ done, value }) => {
            if (settled) return;
            if (cancelled) return finish(); // The caller let go while this read was pending.
            if (done) {
              release();
              controller.close();
            } else controller.enqueue(value);
            finish();
          },
          (error: unknown) => finish(guard.signal?.aborted ? guard.signal.reason : guard.broken(error)),
        );
      }),
    cancel: async (reason) => {
      cancelled = true;
      fail = undefined;
      release();
      await reader.cancel(reason).catch(() => {});
    },
  });
}
