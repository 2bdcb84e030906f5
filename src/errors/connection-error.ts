import { KeyguardError } from './keyguard-error.js';

/**
 * No response arrived: DNS failure, connection refused or reset. `cause` is the
 * platform's error (with any key redacted); the message names its code, e.g.
 * `ECONNREFUSED 127.0.0.1:9` or `ENOTFOUND api.example.test`. Retried for idempotent requests.
 */
export class ConnectionError extends KeyguardError {
  /** Pinned (a getter: not enumerable, not writable) so a bundler that renames the class (esbuild: `_ConnectionError`) keeps its name. */
  static override get name(): string {
    return 'ConnectionError';
  }
  /** Always `'ConnectionError'`. */
  override name = 'ConnectionError';

  constructor(
    /** The request's method, e.g. `GET`. */
    readonly method: string,
    /** The request's URL, with a key in the query string redacted. */
    readonly url: string,
    options: { cause?: unknown },
  ) {
    super(`${method} ${url} failed: no response from the server (${describeCause(options.cause)}).`, options);
  }
}

const CODE = /^[A-Z][A-Z0-9_]{1,39}$/;
const PLACE = /^[\w.:%[\]-]{1,255}$/;

/**
 * The system error code and where it happened, from a fetch error's cause chain: undici's
 * `TypeError: fetch failed` carries `cause: { code: 'ECONNREFUSED', address, port }` (an
 * `AggregateError` when several addresses were tried; DNS errors carry `hostname`). Only text that
 * looks like a code, a host or an address is used, and nothing here may throw.
 */
function describeCause(cause: unknown): string {
  try {
    let error = cause;
    for (let depth = 0; depth < 4 && typeof error === 'object' && error !== null; depth++) {
      const { code } = error as { code?: unknown };
      if (typeof code === 'string' && CODE.test(code)) return [code, where(error) ?? where(firstOf(error))].filter(Boolean).join(' ');
      error = (error as { cause?: unknown }).cause;
    }
  } catch {
    // A hostile cause (a throwing getter or Proxy) gets the generic text.
  }
  return 'connection refused, reset or DNS failure';
}

function firstOf(error: object): unknown {
  const { errors } = error as { errors?: unknown };
  return Array.isArray(errors) ? errors[0] : undefined;
}

function where(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { address, port, hostname } = error as { address?: unknown; port?: unknown; hostname?: unknown };
  if (typeof address === 'string' && PLACE.test(address)) {
    const host = address.includes(':') ? `[${address}]` : address;
    return Number.isInteger(port) ? `${host}:${port}` : host;
  }
  return typeof hostname === 'string' && PLACE.test(hostname) ? hostname : undefined;
}
