import type * as ErrorPathModule from './error-path.js';

/** The classifier and hints (error-path.ts), as the pipeline's error path uses them. */
export type ErrorPath = typeof ErrorPathModule;

let loading: Promise<ErrorPath> | undefined;

/**
 * Loads error-path.ts once per process or page, on the first answer that needs it; later calls get the
 * same promise. A 2xx answer never calls this, so a success costs no import and no extra await. A load
 * that fails (a chunk the network lost) fails that one request and is tried again by the next one.
 */
export function loadErrorPath(): Promise<ErrorPath> {
  if (!loading) {
    const promise = import('./error-path.js');
    loading = promise;
    promise.catch(() => {
      if (loading === promise) loading = undefined;
    });
  }
  return loading;
}
