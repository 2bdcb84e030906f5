import type { KeyErrorReason } from '../types.js';

/**
 * What the answer showed, as far as the hint needs it. Where the answer cannot tell causes
 * apart, the hint names the possibilities in order of likelihood instead of pretending to know.
 */
export type KeyErrorEvidence =
  /** The answer names one cause ("API key expired", `token_revoked`, "No authorization token was found"). */
  | { kind: 'stated' }
  /** The answer offers causes as alternatives ("invalid or expired"): these, most likely first. */
  | { kind: 'alternatives'; possible: readonly KeyErrorReason[] }
  /** A Bearer challenge without an `error`: by RFC 6750 §3.1, the server saw no credentials. */
  | { kind: 'bare-challenge' }
  /** The same challenge under a web server's HTML error page, which such servers send for any rejection. */
  | { kind: 'bare-challenge-page' }
  /** RFC 6750 `invalid_token` (or a DPoP one) with no cause: expired, revoked or malformed. */
  | { kind: 'invalid-token' }
  /** A 401 (or a bare key statement) that says nothing more. */
  | { kind: 'status' };

/** The next step for each reason: one or two sentences, never the key. */
const HINTS: Record<KeyErrorReason, string> = {
  expired: 'The key expired: create a new one in your provider dashboard and update your application, or return it from onKeyInvalid.',
  revoked:
    'The key was revoked or disabled: check its status in your provider dashboard, then create a new key and update your application, or return it from onKeyInvalid.',
  malformed:
    'The API does not recognise this key: verify it for typos and that it belongs to this API and environment (live/test), then update your application, or return the right key from onKeyInvalid.',
  missing:
    'No key reached the API: set apiKey (check that the environment variable is loaded), or return a key from your key provider or onKeyInvalid.',
  unknown:
    'The API rejected the key without saying why: verify the key for typos, check its status in your provider dashboard, and create a new one if needed (or return it from onKeyInvalid).',
};

/** `missing` said by the server: a key may well have been sent, just not where the server reads it. */
const SERVER_SAW_NO_KEY =
  'The server saw no key at all: if apiKey is set, it went in a header or scheme this API does not read (check the auth option: Authorization: Bearer, x-api-key, a query parameter…) or a proxy or redirect dropped it; otherwise set apiKey (is the environment variable loaded?) or return a key from onKeyInvalid.';

/** One possibility, as a clause of an ambiguity hint. */
const POSSIBILITY: Record<KeyErrorReason, string> = {
  expired: 'it expired (create a new one)',
  revoked: 'it was revoked or disabled (check its status in your provider dashboard)',
  malformed: 'it is mistyped or belongs to another API or environment (verify it)',
  missing: 'it did not reach the API (check the header and scheme in the auth option, and any proxy in between)',
  unknown: 'it was rejected for another reason',
};

/** Most likely first: a key that worked and stopped (expired, revoked), then one that never worked, then one that never arrived. */
const LIKELIHOOD: readonly KeyErrorReason[] = ['expired', 'revoked', 'malformed', 'missing', 'unknown'];

const evidence = new WeakMap<object, KeyErrorEvidence>();

/** Attaches what the answer showed to a classification, for {@link hintFor}. */
export function noteEvidence<T extends object>(classification: T, seen: KeyErrorEvidence): T {
  evidence.set(classification, seen);
  return classification;
}

/**
 * What a user should do next for a key rejected with `reason`. Given the classifier's verdict
 * for the same answer, the hint follows what that answer showed (no key seen, alternatives…).
 */
export function hintFor(reason: KeyErrorReason, classification?: object): string {
  const seen = classification ? evidence.get(classification) : undefined;
  const verdict = (classification as { reason?: unknown } | undefined)?.reason;
  if (!seen || verdict !== reason) return HINTS[reason];
  switch (seen.kind) {
    case 'alternatives':
      return alternatives(seen.possible, 'The API says the key is no good and names more than one possible cause');
    case 'invalid-token':
      return alternatives(['expired', 'revoked', 'malformed'], 'The API rejected the token as invalid_token without saying why');
    case 'bare-challenge-page':
      return alternatives(
        ['missing', 'expired', 'revoked', 'malformed'],
        'The server answered as if it saw no key (a Bearer challenge without an error), on an error page that web servers send for any rejection',
      );
    default:
      return reason === 'missing' ? SERVER_SAW_NO_KEY : HINTS[reason];
  }
}

function alternatives(possible: readonly KeyErrorReason[], lead: string): string {
  const ordered = [...new Set(possible)].sort((a, b) => rank(a, possible) - rank(b, possible)).filter((r) => r !== 'unknown');
  if (ordered.length < 2) return HINTS[ordered[0] ?? 'unknown'];
  const clauses = ordered.map((r) => POSSIBILITY[r]);
  return `${lead}; most likely first: ${clauses.slice(0, -1).join('; ')}; or ${clauses.at(-1)}. Then update your application, or return the right key from onKeyInvalid.`;
}

/** A `missing` the caller put first stays first (the answer itself points there); the rest by {@link LIKELIHOOD}. */
function rank(reason: KeyErrorReason, given: readonly KeyErrorReason[]): number {
  if (reason === 'missing' && given[0] === 'missing') return -1;
  return LIKELIHOOD.indexOf(reason);
}
