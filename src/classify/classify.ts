// The classifier's public face: its types and classifyKeyError. The decision itself is in
// verdict.ts. classifyKeyError is a function of its own here, not a re-export, so that a bundler
// (esbuild) does not reach verdict.ts through this file when an app never calls it: the request
// pipeline loads verdict.ts lazily (src/core/error-path.ts), on its first failed answer.
import type { KeyErrorReason } from '../types.js';
import { classifyAnswer } from './verdict.js';

export { describeErrorBody } from './verdict.js';

/** A response as the classifier sees it: `body` is parsed JSON or the raw text. */
export interface ErrorResponse {
  /** HTTP status code. Any status is classified, 2xx included. */
  status: number;
  /** Response headers, in any form `Headers` accepts; a `WWW-Authenticate` challenge is read from them. */
  headers?: HeadersInit | undefined;
  /** The parsed JSON value, or the raw text; only the first 64 KiB of text is read. */
  body: unknown;
}

/** The classifier's verdict on a key error. */
export interface KeyErrorClassification {
  /** Why the key was rejected. */
  reason: KeyErrorReason;
  /** The API's own error code, when it sent one. */
  code?: string;
  /** The API's most specific human-readable text, when it sent one. */
  message?: string;
}

/**
 * Decides whether a response means "this key is no good", and why. Understands flat
 * and nested JSON envelopes, `errors[]`, RFC 9457 problem details, RFC 6750 / RFC 9449
 * `WWW-Authenticate` challenges (several in one header), the wording of the common JWT
 * and auth middlewares, plain text, HTML and empty bodies. Never throws; reads at most
 * 64 KiB of a body.
 *
 * The rule: a statement in the response must name the credential the request carried
 * (key, token, credentials, authentication — not a card, captcha or refresh token)
 * together with what is wrong with it (expired, revoked, missing, invalid…). A bare 401
 * is a key error whose reason is `unknown`; any other status needs such a statement or an
 * `invalid_token` challenge. 429 and 5xx never are; permission, scope, restriction, quota
 * and rate-limit statements are not, and neither is a 404 saying a key *resource* was not found.
 *
 * @returns the reason (with the API's code and message when present), or `null`
 * when the response is not a key error.
 *
 * @example
 * ```ts
 * classifyKeyError({ status: 401, body: { error: { code: 'api_key_expired', message: 'Key expired' } } });
 * // { reason: 'expired', code: 'api_key_expired', message: 'Key expired' }
 * classifyKeyError({ status: 200, body: { ok: false, error: 'invalid_auth' } }); // { reason: 'malformed', code: 'invalid_auth' }
 * ```
 */
export function classifyKeyError(response: ErrorResponse): KeyErrorClassification | null {
  return classifyAnswer(response);
}
