import { KeyguardError } from './keyguard-error.js';

/** A successful body was larger than `maxBodyBytes` (or its `content-length` said it would be). Not retried. */
export class ResponseTooLargeError extends KeyguardError {
  /** Pinned (a getter: not enumerable, not writable) so a bundler that renames the class (esbuild: `_ResponseTooLargeError`) keeps its name. */
  static override get name(): string {
    return 'ResponseTooLargeError';
  }
  /** Always `'ResponseTooLargeError'`. */
  override name = 'ResponseTooLargeError';

  constructor(
    /** The request's method, e.g. `GET`. */
    readonly method: string,
    /** The request's URL, with a key in the query string redacted. */
    readonly url: string,
    /** The limit that was passed, in bytes. */
    readonly maxBodyBytes: number,
  ) {
    super(
      `${method} ${url}: the response body is larger than maxBodyBytes (${maxBodyBytes} bytes); reading stopped. Raise maxBodyBytes for this request, or ask for responseType 'stream'.`,
    );
  }
}
