import { KeyguardError } from './keyguard-error.js';

/** An attempt ran past `timeoutMs`. Retried for idempotent requests. */
export class TimeoutError extends KeyguardError {
  override name = 'TimeoutError';

  constructor(
    readonly method: string,
    readonly url: string,
    readonly timeoutMs: number,
  ) {
    super(`${method} ${url} timed out after ${timeoutMs} ms.`);
  }
}
