import type { Logger } from '../options.js';
import type * as ErrorPathModule from './error-path.js';

/** The classifier and hints (error-path.ts), as the pipeline's error path uses them. */
export type ErrorPath = typeof ErrorPathModule;

let loading: Promise<ErrorPath> | undefined;

/**
 * What a failure gets when the chunk cannot be loaded (a deploy replaced it, the network failed, a realm
 * that cannot import): a 401 is a key error of unknown reason, as the classifier's own last rule has it, so
 * the key is still replaced; nothing else is read from the answer.
 */
const WITHOUT_CLASSIFIER: ErrorPath = {
  classifyAnswer: (response) => (Number(response.status) === 401 ? { reason: 'unknown' } : null),
  describeErrorBody: () => ({}),
  hintFor: () =>
    'The API rejected the key (its classifier could not be loaded to say why): check it, or return a new one from onKeyInvalid.',
};

/**
 * Loads error-path.ts once per process or page, on the first answer that needs it; later calls get the
 * same promise. A 2xx answer never calls this, so a success costs no import and no extra await. A load
 * that fails gives that one failure {@link WITHOUT_CLASSIFIER}, and the next failure tries again.
 */
export function loadErrorPath(logger?: Logger): Promise<ErrorPath> {
  const path = load();
  if (!logger?.warn) return path;
  return path.then((loaded) => {
    if (loaded === WITHOUT_CLASSIFIER)
      logger.warn?.('keyguard: the classifier could not be loaded; this failed answer was judged by its status alone.');
    return loaded;
  });
}

function load(): Promise<ErrorPath> {
  if (!loading) {
    // Inside `then`, so that an import that throws at once rejects like one that fails later.
    const promise: Promise<ErrorPath> = Promise.resolve()
      .then(() => import('./error-path.js'))
      .catch(() => {
        if (loading === promise) loading = undefined;
        return WITHOUT_CLASSIFIER;
      });
    loading = promise;
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
