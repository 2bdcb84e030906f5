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

/** Node, Bun and Deno 2 (all have `process.versions.node`): no page waits for the chunk's bytes there. */
function serverRuntime(): boolean {
  return typeof (globalThis as { process?: { versions?: { node?: unknown } } }).process?.versions?.node === 'string';
}

// On a server the import starts as soon as keyguard is imported, so the first failure does not wait for a
// file read (which, for one, a test under fake timers cannot advance). In a browser it waits for that failure.
if (serverRuntime()) loadErrorPath();
