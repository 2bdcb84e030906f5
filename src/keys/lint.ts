// The public face of the key checks. The checks themselves are in lint-rules.ts, which the request
// pipeline loads lazily with the error path: a file that is both on the entry's static import graph and
// in a lazy chunk would be loaded up front by some bundlers (esbuild), so the pipeline never imports this one.
import { type KeyLintMode, type KeyLintResult, lintKey } from './lint-rules.js';

export type { KeyLintMode, KeyLintResult, KeyProblem } from './lint-rules.js';

/**
 * Checks a key before it is sent: missing, placeholders, quotes, a `Bearer ` prefix,
 * inner whitespace, characters a header cannot carry, surrounding whitespace.
 * Under `'off'` nothing is checked: the key is sent as given.
 *
 * @example
 * ```ts
 * lintApiKey('"sk_live_abc"');
 * // { ok: false, problems: [{ code: 'quoted', message: 'The key is wrapped in quotes — remove them from your .env file.', fixed: false }] }
 * lintApiKey(' sk_live_abc\n'); // { ok: true, key: 'sk_live_abc', problems: [{ code: 'surrounding-whitespace', fixed: true, … }] }
 * ```
 */
export function lintApiKey(key: unknown, mode: KeyLintMode = 'fix'): KeyLintResult {
  return lintKey(key, mode);
}
