/** One thing wrong with a key. `fixed` is true when `'fix'` mode repaired it. */
export interface KeyProblem {
  code:
    | 'missing'
    | 'placeholder'
    | 'quoted'
    | 'bearer-prefix'
    | 'inner-whitespace'
    | 'invalid-character'
    | 'surrounding-whitespace';
  /** One sentence naming the problem and the fix; never contains the key. */
  message: string;
  fixed: boolean;
}

/** The result of {@link lintApiKey}. */
export interface KeyLintResult {
  /** True when the key can be sent in this mode. */
  ok: boolean;
  /** The key to send (trimmed under `'fix'`); absent when `ok` is false. */
  key?: string;
  problems: KeyProblem[];
}

/** How strict the client-side key checks are. */
export type KeyLintMode = 'fix' | 'strict' | 'off';

const PLACEHOLDER =
  /^(?:your[-_ ]?(?:api[-_ ]?)?(?:key|token|secret)(?:[-_ ]?here)?|<[^<>]*>|\{\{[^{}]*\}\}|\$\{[^{}]*\}|x{4,}|\*{4,}|changeme|change[-_]me|replace[-_]?me|placeholder|api[-_]?key|insert[-_ ].*|[a-z]{2,4}[-_]\.{3,}|\.{3,})$/i;
const QUOTES = /^(['"`]).*\1$/s;
const BEARER = /^bearer\s+/i;

/**
 * Checks a key before it is sent: missing, placeholders, quotes, a `Bearer ` prefix,
 * inner whitespace, characters a header cannot carry, surrounding whitespace.
 *
 * @example
 * ```ts
 * lintApiKey('"sk_live_abc"');
 * // { ok: false, problems: [{ code: 'quoted', message: 'The key is wrapped in quotes — remove them from your .env file.', fixed: false }] }
 * lintApiKey(' sk_live_abc\n'); // { ok: true, key: 'sk_live_abc', problems: [{ code: 'surrounding-whitespace', fixed: true, … }] }
 * ```
 */
export function lintApiKey(key: unknown, mode: KeyLintMode = 'fix'): KeyLintResult {
  if (typeof key !== 'string' || key.trim() === '' || /^(undefined|null)$/i.test(key.trim())) {
    const what = typeof key === 'string' && key.trim() !== '' ? `the string "${key.trim()}"` : 'empty';
    return {
      ok: false,
      problems: [
        {
          code: 'missing',
          message: `No API key is set (the key is ${typeof key === 'string' ? what : String(key)}) — check that the environment variable is loaded.`,
          fixed: false,
        },
      ],
    };
  }
  if (mode === 'off') return { ok: true, key, problems: [] };

  const problems: KeyProblem[] = [];
  const trimmed = key.trim();
  if (trimmed !== key) {
    problems.push({
      code: 'surrounding-whitespace',
      message:
        mode === 'fix'
          ? 'The key had leading or trailing whitespace or a newline; it was trimmed — remove it from where the key is stored.'
          : 'The key has leading or trailing whitespace or a newline — remove it from where the key is stored.',
      fixed: mode === 'fix',
    });
  }
  if (QUOTES.test(trimmed)) {
    problems.push({ code: 'quoted', message: 'The key is wrapped in quotes — remove them from your .env file.', fixed: false });
  } else if (BEARER.test(trimmed)) {
    problems.push({
      code: 'bearer-prefix',
      message: 'The key starts with "Bearer " — set only the key; keyguard adds the "Bearer " prefix itself.',
      fixed: false,
    });
  } else if (PLACEHOLDER.test(trimmed)) {
    problems.push({
      code: 'placeholder',
      message: 'The key is a placeholder from an example, not a real key — paste the key from your provider dashboard.',
      fixed: false,
    });
  } else if (/\s/.test(trimmed)) {
    problems.push({
      code: 'inner-whitespace',
      message: 'The key contains a space or line break inside it — it was probably pasted across lines; copy it again.',
      fixed: false,
    });
  }
  if (/[^\x21-\x7e\s]/.test(trimmed)) {
    problems.push({
      code: 'invalid-character',
      message:
        'The key contains a character outside printable ASCII (for example a smart quote, an accented letter or an invisible character) that a header cannot carry — copy it again as plain text.',
      fixed: false,
    });
  }
  const ok = problems.every((p) => p.fixed);
  return ok ? { ok, key: trimmed, problems } : { ok, problems };
}
