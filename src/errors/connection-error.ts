import { KeyguardError, pinName } from './keyguard-error.js';

/**
 * No response arrived: DNS failure, connection refused or reset. `cause` is the
 * platform's error. Retried for idempotent requests.
 */
export class ConnectionError extends KeyguardError {
  /** Always `'ConnectionError'`. */
  override name = 'ConnectionError';

  constructor(
    /** The request's method, e.g. `GET`. */
    readonly method: string,
    /** The request's URL, with a key in the query string redacted. */
    readonly url: string,
    options: { cause?: unknown },
  ) {
    super(`${method} ${url} failed: no response from the server (connection refused, reset or DNS failure).`, options);
  }
}

pinName(ConnectionError, 'ConnectionError');
