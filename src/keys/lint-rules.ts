// Every key check and its message. The request pipeline loads this file with the error path
// (src/core/error-path.ts) when a key is not plainly clean (key-looks-clean.ts); the public lintApiKey
// (lint.ts) imports it statically.

/** One thing wrong with a key. `fixed` is true when `'fix'` mode repaired it. */
export interface KeyProblem {
  /**
   * Which check failed: `missing` (no key, not a string, empty, or the text `undefined`/`null`),
   * `placeholder` (copied from an example), `quoted`, `bearer-prefix`, `inner-whitespace`
   * (a space or line break inside the key), `invalid-character` (outside printable ASCII), or
   * `surrounding-whitespace` (the only one `'fix'` repairs). With a preset from `keyguard/providers`, the
   * client also reports `wrong-provider`, `wrong-mode` and `wrong-kind` (never from `lintApiKey` itself).
   */
  code:
    | 'missing'
    | 'placeholder'
    | 'quoted'
    | 'bearer-prefix'
    | 'inner-whitespace'
    | 'invalid-character'
    | 'surrounding-whitespace'
    // With a provider preset (keyguard/providers): another provider's key, the other mode (live/test), the wrong kind.
    | 'wrong-provider'
    | 'wrong-mode'
    | 'wrong-kind';
  /** One sentence naming the problem and the fix; never contains the key. */
  message: string;
  /** True when `'fix'` mode repaired the problem (trimmed surrounding whitespace); such a problem does not make `ok` false. */
  fixed: boolean;
}

/** The result of {@link lintApiKey}. */
export interface KeyLintResult {
  /** True when the key can be sent in this mode. */
  ok: boolean;
  /** The key to send (trimmed under `'fix'`); absent when `ok` is false, or when `'off'` was given no key. */
  key?: string;
  /** Every problem found, repaired ones included; empty for a clean key and always empty under `'off'`. */
  problems: KeyProblem[];
}

/**
 * How strict the client-side key checks are: `'fix'` trims surrounding whitespace and
 * rejects the rest, `'strict'` rejects every problem, `'off'` checks nothing.
 */
export type KeyLintMode = 'fix' | 'strict' | 'off';

/** Keys copied from an example: `YOUR_API_KEY`, `<api-key>`, `xxxxxxxx`, `changeme`, `sk-...`, `your-api-key-here`, `${API_KEY}`. */
const PLACEHOLDER =
  /^(?:your[-_ ]?(?:[a-z0-9]+[-_ ]){0,3}?(?:key|token|secret)(?:[-_ ]?here)?|(?:insert|paste|enter|put)[-_ ].*|<[^<>]*>|\[[^[\]]*\]|\{\{[^{}]*\}\}|\$\{[^{}]*\}|\$[A-Z_]+|change[-_]?me|replace[-_]?me|placeholder|api[-_]?key|secret|token|todo|dummy|example)$/i;
/** What may come before a masked run (`sk-`, `sk_live_`): up to three short words, each ending in `-` or `_`. */
const MASK_PREFIX = /^(?:[a-z]{2,8}[-_]){0,3}$/i;
const BEARER = /^bearer\s+/i;
const NEWLINE = /[\r\n\u2028\u2029]/;
const NOT_PRINTABLE_ASCII = /[^\x21-\x7e\s]/u;

/** The checks behind `lintApiKey` (lint.ts), with a sentence for each problem. */
export function lintKey(key: unknown, mode: KeyLintMode = 'fix'): KeyLintResult {
  if (mode === 'off') return typeof key === 'string' ? { ok: true, key, problems: [] } : { ok: true, problems: [] };

  const missing = missingProblem(key);
  if (missing || typeof key !== 'string') return { ok: false, problems: [missing ?? problem('missing', 'No API key is set.')] };

  const problems: KeyProblem[] = [];
  // Only ASCII whitespace is trimmed: a BOM or a non-breaking space at the edge is a character
  // outside printable ASCII, reported below, not silently removed.
  const trimmed = trimAsciiWhitespace(key);
  if (trimmed !== key) {
    problems.push(
      mode === 'fix'
        ? problem(
            'surrounding-whitespace',
            'The key had leading or trailing whitespace or a newline; it was trimmed — remove it where the key is stored (often a trailing newline in a .env file or secret).',
            true,
          )
        : problem('surrounding-whitespace', 'The key has leading or trailing whitespace or a newline — remove it where the key is stored.'),
    );
  }

  // Unwrap what surrounds the key, so each problem is reported once, by its own name.
  let core = trimmed;
  const quote = quoteOf(core);
  if (quote) {
    problems.push(problem('quoted', 'The key is wrapped in quotes — remove them from your .env file.'));
    core = core.slice(1, -1).trim();
  }
  if (BEARER.test(core)) {
    problems.push(problem('bearer-prefix', 'The key starts with "Bearer " — set only the key; keyguard adds the "Bearer " prefix itself.'));
    core = core.replace(BEARER, '');
  }
  if (PLACEHOLDER.test(core) || isMasked(core)) {
    problems.push(
      problem('placeholder', 'The key is a placeholder from an example, not a real key — paste the key from your provider dashboard.'),
    );
  } else if (NEWLINE.test(core)) {
    problems.push(
      problem(
        'inner-whitespace',
        'The key contains a line break inside it — it was probably pasted across lines; copy it again as one line.',
      ),
    );
  } else if (/\s/.test(core)) {
    problems.push(problem('inner-whitespace', 'The key contains a space inside it — copy it again without spaces.'));
  }
  const odd = NOT_PRINTABLE_ASCII.exec(core)?.[0];
  if (odd !== undefined) problems.push(problem('invalid-character', invalidCharacterMessage(odd)));

  const ok = problems.every((p) => p.fixed);
  return ok ? { ok, key: trimmed, problems } : { ok, problems };
}

/**
 * A masked example key: `xxxxxxxx`, `sk-****`, `sk_live_...`, `sk-…` — an optional short prefix, then only
 * `x` (4 or more), `*` (4 or more), `.` (3 or more) or one `…`. Found by a scan from the end, not a regex
 * whose greedy run would cost time per character on a long input.
 */
function isMasked(key: string): boolean {
  const last = key[key.length - 1];
  if (last === undefined) return false;
  let start = key.length - 1;
  const same = (char: string | undefined) => char === last || (last.toLowerCase() === 'x' && char?.toLowerCase() === 'x');
  while (start > 0 && same(key[start - 1])) start -= 1;
  const run = key.length - start;
  const masked = last.toLowerCase() === 'x' ? run >= 4 : last === '*' ? run >= 4 : last === '.' ? run >= 3 : last === '…' && run === 1;
  // The prefix is at most three words of at most nine characters: never test a long one.
  return masked && start <= 27 && MASK_PREFIX.test(key.slice(0, start));
}

const ASCII_WHITESPACE = new Set(['\t', '\n', '\v', '\f', '\r', ' ']);

/**
 * `text` without leading and trailing ASCII whitespace, in linear time. (A `/\s+$/` regex is
 * quadratic: from every position of an inner run of spaces it scans to the run's end and fails.)
 */
function trimAsciiWhitespace(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && ASCII_WHITESPACE.has(text[start] as string)) start += 1;
  while (end > start && ASCII_WHITESPACE.has(text[end - 1] as string)) end -= 1;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

function missingProblem(key: unknown): KeyProblem | undefined {
  if (key === undefined || key === null) {
    return problem('missing', `No API key is set (the key is ${String(key)}) — check that the environment variable is loaded.`);
  }
  if (typeof key !== 'string') {
    return problem('missing', `The API key must be a string, not ${kindOf(key)} — pass the key itself.`);
  }
  if (key.trim() === '') {
    return problem('missing', 'The API key is an empty string — check that the environment variable is set and loaded.');
  }
  if (/^(?:undefined|null)$/i.test(key.trim())) {
    return problem(
      'missing',
      'The API key is the text "undefined" or "null" — a missing environment variable was turned into a string; check that it is set.',
    );
  }
  return undefined;
}

/** "an array", "a number", …; never throws, even on a revoked Proxy. */
function kindOf(value: unknown): string {
  let array = false;
  try {
    array = Array.isArray(value);
  } catch {
    // A revoked Proxy: it is an object.
  }
  const kind = array ? 'array' : typeof value;
  return `${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind}`;
}

/** The quote character when the key is wrapped in matching quotes: ' " ` or typographic ‘ ’ “ ”. */
function quoteOf(key: string): string | undefined {
  if (key.length < 2) return undefined;
  const first = key[0] as string;
  const last = key[key.length - 1] as string;
  if (`'"\``.includes(first) && first === last) return first;
  if ('‘’“”'.includes(first) && '‘’“”'.includes(last)) return first;
  return undefined;
}

function invalidCharacterMessage(char: string): string {
  const point = `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
  const kind = /[\u200b-\u200f\u2060-\u2064\ufeff\u00ad]/.test(char)
    ? 'an invisible zero-width character'
    : /[\u2018-\u201f\u2032\u2033]/.test(char)
      ? 'a typographic ("smart") quote'
      : /[\u2010-\u2015\u2212]/.test(char)
        ? 'a typographic dash'
        : // biome-ignore lint/suspicious/noControlCharactersInRegex: naming control characters is the point here.
          /[\x00-\x1f\x7f-\x9f]/.test(char)
          ? 'a control character'
          : 'a non-ASCII character such as an accented letter or an emoji';
  return `The key contains ${kind} (${point}), which an HTTP header cannot carry — copy the key again as plain text.`;
}

function problem(code: KeyProblem['code'], message: string, fixed = false): KeyProblem {
  return { code, message, fixed };
}
