// The decision: is this answer "the key this request carried is no good", and why. What words
// mean is in vocabulary.ts, how a body is read in body.ts, how WWW-Authenticate is parsed in
// challenge.ts; this file only weighs what they found.

import { type KeyErrorEvidence, noteEvidence } from '../keys/hints.js';
import type { KeyErrorReason } from '../types.js';
import { describe, readBody } from './body.js';
import { headerValue, parseChallenges, type TokenChallenge, tokenChallenge } from './challenge.js';
import {
  ALTERNATIVES,
  CAMEL_SUBJECT,
  CUES,
  type Cue,
  KEY_RESOURCE,
  KEY_SUBJECT,
  NOT_THE_KEY,
  OTHER_TOKEN,
  PATH_PATTERN,
  PROXY_PAGE,
  STATUS_PHRASE,
  STRONG,
  TOKEN_PART_SUBJECT,
  URL_PATTERN,
} from './vocabulary.js';

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
  try {
    return classify(response);
  } catch {
    return null;
  }
}

/**
 * The API's own code and most specific message in an answer, whatever its envelope: a
 * `WWW-Authenticate` `error_description` (when `headers` are given), then the body's own text,
 * never a bare status phrase while something says more. Never throws.
 */
export function describeErrorBody(body: unknown, headers?: HeadersInit): { code?: string; message?: string } {
  try {
    return describe(readBody(body), challengeOf(headers));
  } catch {
    return {};
  }
}

function challengeOf(headers: unknown): TokenChallenge | undefined {
  return tokenChallenge(parseChallenges(headerValue(headers, 'www-authenticate')));
}

function classify(response: ErrorResponse): KeyErrorClassification | null {
  const status = Number(response.status);
  if (status === 429 || status >= 500) return null;
  const challenge = challengeOf(response.headers);
  const error = challenge?.error?.toLowerCase();
  if (error === 'insufficient_scope') return null;
  const body = readBody(response.body);
  // A 2xx is an error only when its envelope says so (`{"ok":false,…}`, `status: "REQUEST_DENIED"`).
  if (status >= 200 && status < 300 && !body.failed) return null;

  const invalidToken = error === 'invalid_token';
  // A 401, or an invalid_token challenge, already says the answer is about the credential.
  const authContext = status === 401 || invalidToken;
  const texts = [...body.texts, ...(challenge?.description ? [challenge.description] : [])];
  const statements = texts.filter((t) => !STATUS_PHRASE.test(t.trim())).map((t) => judge(t, authContext));
  let aboutKey = statements.filter((s) => s.aboutKey);
  // A key that "was not found" at a 404 (or 410) is a key *resource* an API-key management
  // endpoint could not find, not the credential: a server that cannot find the credential answers 401/403.
  if ((status === 404 || status === 410) && !invalidToken) aboutKey = aboutKey.filter((s) => !s.resource);

  const result = (reason: KeyErrorReason, seen: KeyErrorEvidence): KeyErrorClassification => {
    const { code, message } = describe(body, challenge);
    const verdict = { reason, ...(code === undefined ? {} : { code }), ...(message === undefined ? {} : { message }) };
    return noteEvidence(verdict, seen);
  };

  // Any status: a statement says what is wrong with the key.
  if (aboutKey.some((s) => s.cues.some((c) => c !== 'generic'))) return result(...reasonOf(aboutKey));
  // RFC 6750 §3.1: invalid_token is "expired, revoked, malformed, or invalid for other reasons".
  if (invalidToken) return result('unknown', { kind: 'invalid-token' });
  // invalid_request from the token layer: the credential was not presented in a form the server accepts.
  if (error === 'invalid_request' && (status === 400 || status === 401) && !statements.some((s) => s.notTheKey)) {
    return result('malformed', { kind: 'stated' });
  }
  // Otherwise only a 401 is a key error, and only when nothing says it is about something else.
  if (status !== 401 || statements.some((s) => s.notTheKey)) return null;
  // RFC 6750 §3.1: a challenge without an error code answers a request that carried no credentials —
  // unless a web server's or proxy's own page sent it (nginx, Apache…), as those do for any rejection.
  if (challenge && !challenge.error) {
    return body.html && body.texts.some((t) => PROXY_PAGE.test(t))
      ? result('unknown', { kind: 'bare-challenge-page' })
      : result('missing', { kind: 'bare-challenge' });
  }
  return result('unknown', { kind: 'status' });
}

interface Statement {
  cues: Cue[];
  aboutKey: boolean;
  notTheKey: boolean;
  ambiguous: boolean;
  /** It names a key as a stored resource, or says one was "not found". */
  resource: boolean;
}

/** What one text says: is it about the key, and what does it say happened to it. */
function judge(raw: string, authContext: boolean): Statement {
  const text = raw.replace(URL_PATTERN, ' ').replace(PATH_PATTERN, ' ');
  const cues = (Object.keys(CUES) as Cue[]).filter((cue) => CUES[cue].test(text));
  const subject = KEY_SUBJECT.test(text) || CAMEL_SUBJECT.test(text) || (authContext && TOKEN_PART_SUBJECT.test(text));
  // "Invalid card token", "Refresh token expired": another kind of token, and nothing names the credential.
  const notTheKey = NOT_THE_KEY.test(text) || (!subject && OTHER_TOKEN.test(text));
  const aboutKey = !notTheKey && cues.length > 0 && subject;
  const strong = cues.some((c) => STRONG.includes(c));
  const said = new Set(cues.map((c) => (c === 'absent' ? 'malformed' : c))); // "not found" is one more way to say invalid
  return {
    cues,
    aboutKey,
    notTheKey,
    ambiguous: aboutKey && strong && said.size > 1 && ALTERNATIVES.test(text),
    resource: KEY_RESOURCE.test(text) || (cues.includes('absent') && !cues.includes('expired') && !cues.includes('revoked')),
  };
}

/** One reason from the statements about the key: a single stated cause wins; alternatives or conflicts are `unknown`. */
function reasonOf(statements: Statement[]): [KeyErrorReason, KeyErrorEvidence] {
  const ambiguous = statements.find((s) => s.ambiguous);
  if (ambiguous) return ['unknown', { kind: 'alternatives', possible: causes(ambiguous.cues) }];
  const strong = new Set(statements.flatMap((s) => s.cues.filter((c) => STRONG.includes(c))));
  if (strong.size === 1) return [[...strong][0] as KeyErrorReason, { kind: 'stated' }];
  if (strong.size > 1) return ['unknown', { kind: 'alternatives', possible: causes([...strong]) }];
  const malformed = statements.some((s) => s.cues.includes('malformed') || s.cues.includes('absent'));
  return malformed ? ['malformed', { kind: 'stated' }] : ['unknown', { kind: 'status' }];
}

/** The causes a statement offers; a bare "failed to authenticate" offers every rejection. */
function causes(cues: Cue[]): KeyErrorReason[] {
  const rejected: KeyErrorReason[] = ['expired', 'revoked', 'malformed'];
  return [...new Set(cues.flatMap((c): KeyErrorReason[] => (c === 'absent' ? ['malformed'] : c === 'generic' ? rejected : [c])))];
}
