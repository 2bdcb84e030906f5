import { KeyguardError } from './keyguard-error.js';

/** An attempt ran past `timeoutMs`. Retried for idempotent requests. */
export class TimeoutError extends KeyguardError {
  /** Pinned (a getter: not enumerable, not writable) so a bundler that renames the class (esbuild: `_TimeoutError`) keeps its name. */
  static override get name(): string {
    return 'TimeoutError';
  }
  /** Always `'TimeoutError'`. */
  override name = 'TimeoutError';

  constructor(
    /** The request's method, e.g. `GET`. */
    readonly method: string,
    /** The request's URL, with a key in the query string redacted. */
    readonly url: string,
    /** The limit that was exceeded, in milliseconds. */
    readonly timeoutMs: number,
    /** `'response'`: no answer (or, for bodies read into memory, no whole body) within `timeoutMs`; `'idle'`: a stream sent no chunk for `idleTimeoutMs`. */
    readonly phase: 'response' | 'idle' = 'response',
  ) {
    super(
      phase === 'idle'
        ? `${method} ${url}: the stream sent nothing for ${timeoutMs} ms (idleTimeoutMs).`
        : `${method} ${url} timed out after ${timeoutMs} ms.`,
    );
  }
}
