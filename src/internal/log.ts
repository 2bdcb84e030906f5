import type { Logger } from '../options.js';
import { messageOf } from './message.js';
import type { Secrets } from './redact.js';

/** Wraps the user's logger so no line can carry a key, whatever the caller passes. */
export function redactingLogger(logger: Logger, secrets: Secrets): Logger {
  const wrap = (write: ((...args: unknown[]) => void) | undefined) =>
    write &&
    ((...args: unknown[]) => {
      try {
        const result: unknown = write.apply(
          logger,
          // keyguard logs text only; anything else is shown as its text, redacted like the rest.
          args.map((arg) => secrets.text(typeof arg === 'string' ? arg : messageOf(arg))),
        );
        // An async logger whose promise rejects must not become an unhandled rejection.
        if (typeof (result as Promise<unknown> | undefined)?.then === 'function') (result as Promise<unknown>).then(undefined, () => {});
      } catch {
        // A broken logger must not break requests.
      }
    });
  return { debug: wrap(logger.debug), info: wrap(logger.info), warn: wrap(logger.warn), error: wrap(logger.error) };
}
