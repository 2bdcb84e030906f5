import { type HttpHandler, HttpResponse, http } from 'msw';
import type { AuthPlacement } from '../options.js';
import { type KeyErrorFormat, keyErrorResponse, type SimulatedKeyErrorReason } from './formats.js';

/** Options of {@link keyErrorHandler} and the `*KeyHandler` shorthands. */
export interface KeyErrorHandlerOptions {
  /** msw path pattern, e.g. `https://api.example.com/v1/*`. @default '*' (every request) */
  url?: string;
  /** Only requests with this method (case-insensitive). @default every method */
  method?: string;
  /** @default 'envelope' */
  format?: KeyErrorFormat;
  /** Sent as `x-request-id`. @default none */
  requestId?: string;
}

/** Where {@link rejectKeys} looks for the key: the client's own `auth` option type, so a test can pass the same value to both. */
export type KeyAuthLocation = AuthPlacement;

/** Options of {@link rejectKeys}. */
export interface RejectKeysOptions extends KeyErrorHandlerOptions {
  /** Keys to let through; read on every request, so a mutated array or a getter tracks rotation. */
  validKeys: readonly string[] | (() => readonly string[]);
  /** How other keys are rejected; a request without a key always gets `missing`. @default 'expired' */
  reason?: SimulatedKeyErrorReason;
  /** @default `Authorization: Bearer`, `x-api-key` or `?api_key=`, whichever is present */
  auth?: KeyAuthLocation;
}

/** An msw handler that rejects matching requests' key for `reason`, the way a real API would. */
export function keyErrorHandler(reason: SimulatedKeyErrorReason, opts: KeyErrorHandlerOptions = {}): HttpHandler {
  return http.all(opts.url ?? '*', ({ request }) => {
    if (!methodMatches(request, opts.method)) return undefined;
    return toResponse(reason, opts);
  });
}

/** {@link keyErrorHandler} for an expired key. */
export const expiredKeyHandler = (opts?: KeyErrorHandlerOptions): HttpHandler => keyErrorHandler('expired', opts);
/** {@link keyErrorHandler} for a revoked key. */
export const revokedKeyHandler = (opts?: KeyErrorHandlerOptions): HttpHandler => keyErrorHandler('revoked', opts);
/** {@link keyErrorHandler} for a key the API does not know. */
export const malformedKeyHandler = (opts?: KeyErrorHandlerOptions): HttpHandler => keyErrorHandler('malformed', opts);
/** {@link keyErrorHandler} for a request sent without a key. */
export const missingKeyHandler = (opts?: KeyErrorHandlerOptions): HttpHandler => keyErrorHandler('missing', opts);

/**
 * An msw handler that lets requests carrying one of `validKeys` fall through to the next
 * handler and rejects every other key. Put it in front of your data handlers
 * (`server.use(rejectKeys(…))` prepends) to test key rotation.
 */
export function rejectKeys(opts: RejectKeysOptions): HttpHandler {
  return http.all(opts.url ?? '*', ({ request }) => {
    if (!methodMatches(request, opts.method)) return undefined;
    const key = presentedKey(request, opts.auth);
    if (key === undefined) return toResponse('missing', opts);
    const valid = typeof opts.validKeys === 'function' ? opts.validKeys() : opts.validKeys;
    return valid.includes(key) ? undefined : toResponse(opts.reason ?? 'expired', opts);
  });
}

function methodMatches(request: Request, method: string | undefined): boolean {
  return method === undefined || request.method === method.toUpperCase();
}

function toResponse(reason: SimulatedKeyErrorReason, opts: KeyErrorHandlerOptions): HttpResponse<string> {
  const wire = keyErrorResponse(reason, opts.format ?? 'envelope', { requestId: opts.requestId });
  return new HttpResponse(wire.body || null, { status: wire.status, headers: wire.headers });
}

function presentedKey(request: Request, auth: KeyAuthLocation | undefined): string | undefined {
  const bearer = () => /^Bearer\s+(.*)$/i.exec(request.headers.get('authorization') ?? '')?.[1];
  const query = (name: string) => new URL(request.url).searchParams.get(name);
  const value =
    auth === undefined
      ? (bearer() ?? request.headers.get('x-api-key') ?? query('api_key'))
      : auth.type === 'bearer'
        ? bearer()
        : auth.type === 'header'
          ? request.headers.get(auth.name)
          : query(auth.name);
  return value || undefined;
}
