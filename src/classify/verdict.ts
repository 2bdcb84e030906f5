// The decision: is this answer "the key this request carried is no good", and why. What words
// mean is in vocabulary.ts, how a body is read in body.ts, how WWW-Authenticate is parsed in
// challenge.ts; this file only weighs what they found. The public face is classify.ts; the request
// pipeline loads this file lazily (src/core/error-path.ts), so it must not import classify.ts's values.

import { type KeyErrorEvidence, noteEvidence } from '../keys/hints.js';
import type { KeyErrorReason } from '../types.js';
import { describe, readBody } from './body.js';
import { headerValue, parseChallenges, type TokenChallenge, tokenChallenge } from './challenge.js';
import type { ErrorResponse, KeyErrorClassification } from './classify.js';
import {
  ALTERNATIVES,
  CAMEL_SUBJECT,
  CODE_REASONS,
  CUES,
  type Cue,
  KEY_RESOURCE,
  KEY_SUBJECT,
  NOT_THE_KEY,
  OTHER_TOKEN,
  PATH_PATTERN,
  PROXY_PAGE,
  READ_VERBS_OR,
  STATUS_PHRASE,
  STRONG,
  TOKEN_PART_SUBJECT,
  URL_PATTERN,
} from './vocabulary.js';

/** The verdict on an answer, or null; never throws. What {@link classifyKeyError} (classify.ts) documents. */
export function classifyAnswer(response: ErrorResponse): KeyErrorClassification | null {
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
  // A 401 whose machine code names the cause (its text does not), unless a text says it is about something else.
  const coded =
    status === 401 && !statements.some((s) => s.notTheKey) ? CODE_REASONS.get(String(describe(body, challenge).code)) : undefined;
  if (coded) return result(coded, { kind: 'stated' });
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
    ambiguous: aboutKey && strong && said.size > 1 && ALTERNATIVES.test(text.replace(READ_VERBS_OR, ' ')),
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
