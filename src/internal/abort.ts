/** `promise`, but rejecting with `signal.reason` as soon as the signal aborts. */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** Waits `ms`, or rejects with `signal.reason` at once when it aborts. Leaves no timer behind. */
export function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const wait = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return abortable(wait, signal).finally(() => clearTimeout(timer));
}

/**
 * `run`, given a signal that aborts after `ms` (its reason `onTimeout()`) or when `signal` aborts (its
 * reason); rejects with that reason at once, even when `run` ignores the signal. Leaves no timer behind.
 * `unref`: the timer never keeps a process alive (for work that belongs to no request).
 */
export async function withTimeout<T>(
  run: (signal: AbortSignal) => T | Promise<T>,
  ms: number,
  onTimeout: () => unknown,
  options: { signal?: AbortSignal | undefined; unref?: boolean } = {},
): Promise<T> {
  const { signal } = options;
  signal?.throwIfAborted();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(onTimeout()), ms);
  if (options.unref) (timer as { unref?: () => void }).unref?.();
  const onAbort = () => controller.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await abortable(
      Promise.resolve().then(() => run(controller.signal)),
      controller.signal,
    );
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}
