import type { KeyErrorReason } from '../types.js';

/**
 * How a simulated API words a key rejection on the wire:
 * - `classic`: `401 {"error":"Invalid API Key","message":"…"}`
 * - `vague`: like classic, but every reason except `missing` gets the same ambiguous sentence
 * - `envelope`: `401 {"error":{"type":"authentication_error","code":"…","message":"…"}}`
 * - `rfc6750`: `401` with an empty body and a `WWW-Authenticate: Bearer …` challenge
 * - `problem`: RFC 9457 `application/problem+json`
 */
export type KeyErrorFormat = 'classic' | 'vague' | 'envelope' | 'rfc6750' | 'problem';

/** Every wire format, in the order the docs list them. */
export const KEY_ERROR_FORMATS = ['classic', 'vague', 'envelope', 'rfc6750', 'problem'] as const satisfies readonly KeyErrorFormat[];

/** A reason a server can state; `unknown` only exists on the client side. */
export type SimulatedKeyErrorReason = Exclude<KeyErrorReason, 'unknown'>;

/** A complete HTTP answer, ready to write to a socket or wrap in a `Response`. */
export interface KeyErrorWireResponse {
  /** HTTP status: `401` in every format. */
  status: number;
  /** `content-type` (or `www-authenticate` for `rfc6750`), plus `x-request-id` when a request id was given. */
  headers: Record<string, string>;
  /** Empty for `rfc6750`. */
  body: string;
}

const WORDING: Record<SimulatedKeyErrorReason, { code: string; title: string; message: string; bearer: string }> = {
  expired: {
    code: 'api_key_expired',
    title: 'API key expired',
    message: 'The API key provided has expired.',
    bearer: 'The access token expired',
  },
  revoked: {
    code: 'api_key_revoked',
    title: 'API key revoked',
    message: 'The API key provided has been revoked.',
    bearer: 'The access token has been revoked',
  },
  malformed: {
    code: 'invalid_api_key',
    title: 'Invalid API key',
    message: 'The API key provided is not valid.',
    bearer: 'The access token is malformed',
  },
  missing: {
    code: 'missing_api_key',
    title: 'API key missing',
    message: 'No API key provided.',
    bearer: '',
  },
};

const VAGUE_MESSAGE = 'The API key provided is not valid or has expired.';

/**
 * The exact answer an API gives when it rejects a key for `reason`, in `format`.
 * The one place in keyguard/testing that knows what a key rejection looks like on the wire.
 */
export function keyErrorResponse(
  reason: SimulatedKeyErrorReason,
  format: KeyErrorFormat,
  opts: { requestId?: string } = {},
): KeyErrorWireResponse {
  const w = WORDING[reason];
  const headers: Record<string, string> = {};
  if (opts.requestId !== undefined) headers['x-request-id'] = opts.requestId;
  const json = (body: unknown, contentType = 'application/json'): KeyErrorWireResponse => ({
    status: 401,
    headers: { ...headers, 'content-type': contentType },
    body: JSON.stringify(body),
  });

  switch (format) {
    case 'classic':
      return json({ error: 'Invalid API Key', message: w.message });
    case 'vague':
      return json({ error: 'Invalid API Key', message: reason === 'missing' ? w.message : VAGUE_MESSAGE });
    case 'envelope':
      return json({ error: { type: 'authentication_error', code: w.code, message: w.message } });
    case 'rfc6750': {
      // RFC 6750 §3.1: a request without credentials gets a challenge with no error attribute.
      const challenge =
        reason === 'missing'
          ? 'Bearer realm="api-service"'
          : `Bearer realm="api-service", error="invalid_token", error_description="${w.bearer}"`;
      return { status: 401, headers: { ...headers, 'www-authenticate': challenge }, body: '' };
    }
    case 'problem':
      return json(
        {
          type: `https://api-service.test/problems/${w.code.replaceAll('_', '-')}`,
          title: w.title,
          status: 401,
          detail: w.message,
          code: w.code,
        },
        'application/problem+json',
      );
  }
}
