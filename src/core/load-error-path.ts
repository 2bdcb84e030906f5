import { withTimeout } from '../internal/abort.js';
import { messageOf } from '../internal/message.js';
import type { Secrets } from '../internal/redact.js';
import { headerCanCarry } from '../keys/key-looks-clean.js';
import type { Logger } from '../options.js';
import type { KeyErrorReason } from '../types.js';
import type * as ErrorPathModule from './error-path.js';
import type { KeyErrorDescription } from './key-errors.js';

/** The classifier, hints, deep redaction and full key checks (error-path.ts), as the pipeline uses them. */
export type ErrorPath = typeof ErrorPathModule;

let loading: Promise<ErrorPath> | undefined;

/** The message and hint of every error built without the chunk. */
const UNLOADED =
  'The API key was rejected; keyguard could not load the part that says why. Check the key, or return a new one from onKeyInvalid.';

/** A key error described without the chunk: the reason, no more. */
function plain(reason: KeyErrorReason): KeyErrorDescription {
  return { reason, source: 'client', message: UNLOADED, hint: UNLOADED };
}

/**
 * What a failure gets when the chunk cannot be loaded (a deploy replaced it, the network failed, a realm
 * that cannot import): a 401 is a key error of unknown reason, as the classifier's own last rule has it, so
 * the key is still replaced; nothing else is read from the answer, and nothing foreign is shown as it is.
 */
const WITHOUT_CLASSIFIER: ErrorPath = {
  classifyAnswer: (response) => (Number(response.status) === 401 ? { reason: 'unknown' } : null),
  describeErrorBody: () => ({}),
  hintFor: () => UNLOADED,
  redactValue: (secrets, value) => (typeof value === 'object' && value !== null ? '[not shown]' : shownAsText(secrets, value)),
  redactError: (secrets, error) => shownAsText(secrets, error),
  // Without the full checks a key is sent when a header can carry it (trimmed under 'fix'); the API judges it.
  lintKey: (key, mode) => {
    const sent = typeof key === 'string' && mode === 'fix' ? key.trim() : key;
    if (headerCanCarry(sent)) return { ok: true, key: sent, problems: [] };
    return { ok: false, problems: [{ code: sent ? 'invalid-character' : 'missing', message: UNLOADED, fixed: false }] };
  },
  serverKeyError: (_secrets, verdict, response) => ({ ...plain(verdict.reason), source: 'server', status: response.status }),
  lintRejection: (lint) => plain(lint.problems[0]?.code === 'missing' ? 'missing' : 'malformed'),
  pastExpiry: () => plain('expired'),
  providerFailed: () => plain('missing'),
  unsendableKey: () => plain('malformed'),
  // keyguardFetch: the status and the redacted text, unmarked for keyErrorOf, still never retried by the SDK.
  redactedAnswer: (ctx, response, text) => new Response(text === null ? null : ctx.secrets.text(text), { status: response.status }),
  keyErrorAnswer: (error, answer) => {
    const response = answer ?? new Response(error.message, { status: 401 });
    for (const name of ['x-should-retry', 'stripe-should-retry']) response.headers.set(name, 'false');
    return response;
  },
};

function shownAsText(secrets: Secrets, value: unknown): unknown {
  if (typeof value === 'string') return secrets.text(value);
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return value;
  return new Error(secrets.text(messageOf(value)));
}

/**
 * `error` as a cause keyguard may attach: itself when it carries no key, else a key-free copy. The deep walk
 * that decides is part of the error path; until that has arrived (the first failure in a page), the cause
 * is its redacted text, so that no failure waits for a chunk to say what went wrong.
 */
export function redactCause(secrets: Secrets, error: unknown): unknown {
  if (!loaded) void load();
  return (loaded ?? WITHOUT_CLASSIFIER).redactError(secrets, error);
}

/** The longest a failure waits for the chunk (a stalled network): past it, that one is handled without it. */
const CHUNK_WAIT_MS = 2000;

/**
 * Loads error-path.ts once per process or page, on the first answer that needs it; later calls get the
 * same module. A 2xx answer never calls this, so a success costs no import and no extra await. A load that
 * fails, or has not arrived within {@link CHUNK_WAIT_MS}, gives that one failure {@link WITHOUT_CLASSIFIER}
 * (the load goes on, and the next failure tries again). `signal` ends the wait with its abort reason.
 */
export function loadErrorPath(logger?: Logger, signal?: AbortSignal): Promise<ErrorPath> {
  const path = loaded ? Promise.resolve(loaded) : bounded(signal);
  if (!logger?.warn) return path;
  return path.then((got) => {
    if (got === WITHOUT_CLASSIFIER)
      logger.warn?.('keyguard: the classifier could not be loaded in time; this failure was handled without it.');
    return got;
  });
}

let loaded: ErrorPath | undefined;

function load(): Promise<ErrorPath> {
  if (!loading) {
    // Inside `then`, so that an import that throws at once rejects like one that fails later.
    const promise: Promise<ErrorPath> = Promise.resolve()
      .then(() => import('./error-path.js'))
      .then(
        (module) => {
          loaded = module;
          return module;
        },
        () => {
          if (loading === promise) loading = undefined;
          return WITHOUT_CLASSIFIER;
        },
      );
    loading = promise;
  }
  return loading;
}

/** The module once it arrives, {@link WITHOUT_CLASSIFIER} after {@link CHUNK_WAIT_MS}, or `signal`'s abort reason. */
function bounded(signal: AbortSignal | undefined): Promise<ErrorPath> {
  // Unref'd: a wait for a chunk never keeps a process alive.
  return withTimeout(load, CHUNK_WAIT_MS, () => WITHOUT_CLASSIFIER, { signal, unref: true }).catch((reason: unknown) => {
    if (reason === WITHOUT_CLASSIFIER) return WITHOUT_CLASSIFIER;
    throw reason;
  });
}

/** Node, Bun and Deno 2 (all have `process.versions.node`): no page waits for the chunk's bytes there. */
function serverRuntime(): boolean {
  return typeof (globalThis as { process?: { versions?: { node?: unknown } } }).process?.versions?.node === 'string';
}

// On a server the import starts as soon as keyguard is imported, so the first failure does not wait for a
// file read (which, for one, a test under fake timers cannot advance). In a browser it waits for that failure.
if (serverRuntime()) loadErrorPath();
