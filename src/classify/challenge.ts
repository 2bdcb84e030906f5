// `WWW-Authenticate` (RFC 9110 §11.6.1): one or more challenges, each an auth-scheme followed by
// a token68 or a comma-separated list of auth-params (`name=token` or `name="quoted string"`).
// RFC 6750 §3 (Bearer) and RFC 9449 §7.1 (DPoP) put `error`, `error_description`, `error_uri`
// and `scope` in those params.

import { isObject, safe } from './safe.js';

const HEADER_LIMIT = 4096;
const MAX_CHALLENGES = 20;
const TCHAR = /[!#$%&'*+.^_`|~\w-]/;

export interface Challenge {
  /** The auth-scheme, lower-cased (`bearer`, `dpop`, `basic`…). */
  scheme: string;
  /** The auth-params, names lower-cased; the first of a repeated name wins. */
  params: Record<string, string>;
}

/** What the token challenge says, read by RFC 6750 §3.1. */
export interface TokenChallenge {
  scheme: string;
  /** `invalid_token`, `invalid_request`, `insufficient_scope`, or another code, as sent; absent on a bare challenge. */
  error?: string;
  description?: string;
}

/** One header's value from any `HeadersInit` (Headers, pairs or a record), without throwing on odd input. */
export function headerValue(headers: unknown, name: string): string | undefined {
  if (!isObject(headers)) return undefined;
  const found = safe((): unknown => {
    const h = headers as { get?: unknown };
    if (typeof h.get === 'function') return (h.get as (n: string) => unknown).call(headers, name);
    if (Array.isArray(headers)) {
      const values = headers
        .slice(0, 100)
        .filter((pair) => Array.isArray(pair) && String(pair[0]).toLowerCase() === name)
        .map((pair) => String(pair[1]));
      return values.length > 0 ? values : undefined;
    }
    const key = Object.keys(headers)
      .slice(0, 100)
      .find((k) => k.toLowerCase() === name);
    return key === undefined ? undefined : (headers as Record<string, unknown>)[key];
  }, undefined);
  if (typeof found === 'string') return found.slice(0, HEADER_LIMIT);
  if (Array.isArray(found)) return safe(() => found.slice(0, 10).map(String).join(', ').slice(0, HEADER_LIMIT), undefined);
  return undefined;
}

/** Every challenge in a `WWW-Authenticate` value, in order. Linear in the value's length, which is capped. */
export function parseChallenges(raw: string | undefined): Challenge[] {
  if (!raw) return [];
  const value = raw.slice(0, HEADER_LIMIT);
  const challenges: Challenge[] = [];
  let current: Challenge | undefined;
  let afterComma = true; // a new challenge may start here
  let i = 0;
  const skip = (pattern: RegExp) => {
    while (i < value.length && pattern.test(value[i] as string)) i += 1;
  };
  while (i < value.length && challenges.length <= MAX_CHALLENGES) {
    skip(/[\s]/);
    if (value[i] === ',') {
      i += 1;
      afterComma = true;
      continue;
    }
    const start = i;
    skip(TCHAR);
    if (i === start) {
      i += 1; // a character no rule expects: step over it
      continue;
    }
    const name = value.slice(start, i);
    const beforeEquals = i;
    skip(/[ \t]/);
    if (value[i] === '=' && value[i + 1] !== '=' && current) {
      // auth-param: name = token / quoted-string
      i += 1;
      skip(/[ \t]/);
      let param = '';
      if (value[i] === '"') {
        i += 1;
        while (i < value.length && value[i] !== '"') {
          if (value[i] === '\\' && i + 1 < value.length) i += 1;
          param += value[i];
          i += 1;
        }
        i += 1;
      } else {
        const valueStart = i;
        skip(TCHAR);
        param = value.slice(valueStart, i);
      }
      const key = name.toLowerCase();
      if (!(key in current.params)) current.params[key] = param;
      afterComma = false;
      continue;
    }
    i = beforeEquals;
    if (current && !afterComma) {
      // token68 after the scheme (`Negotiate abc==`): part of the current challenge
      skip(/[=]/);
      continue;
    }
    current = { scheme: name.toLowerCase(), params: {} };
    challenges.push(current);
    afterComma = false;
  }
  return challenges;
}

/**
 * The challenge that speaks about the bearer credential: among `Bearer` and `DPoP` challenges,
 * the first that carries an `error`, else the first one. Other schemes never count.
 */
export function tokenChallenge(challenges: Challenge[]): TokenChallenge | undefined {
  const tokens = challenges.filter((c) => c.scheme === 'bearer' || c.scheme === 'dpop');
  const chosen = tokens.find((c) => c.params.error) ?? tokens[0];
  if (!chosen) return undefined;
  const { error, error_description: description } = chosen.params;
  return {
    scheme: chosen.scheme,
    ...(error ? { error } : {}),
    ...(description ? { description } : {}),
  };
}
