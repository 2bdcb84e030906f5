// The two places the client consults a preset: the key check before sending, and the hint.
// Kept apart from the presets so the main entry carries only these few lines.
import type { KeyLintMode, KeyLintResult, KeyProblem } from '../keys/lint.js';
import type { PresetContext } from '../options.js';

/** Adds the preset's key check to a lint result: a key of another provider, mode or kind fails. */
export function withPresetCheck(result: KeyLintResult, preset: PresetContext | undefined, mode: KeyLintMode): KeyLintResult {
  const problem = result.ok && result.key !== undefined && mode !== 'off' && preset?.keyCheck?.(result.key, preset);
  return problem ? { ok: false, problems: [...result.problems, { ...problem, fixed: false } as KeyProblem] } : result;
}

/** The hint, rewritten by the preset's `keysHint` to name its key page (unchanged without a preset). */
export function withKeysUrl(hint: string, preset: PresetContext | undefined): string {
  return preset?.keysHint ? preset.keysHint(hint, preset) : hint;
}
