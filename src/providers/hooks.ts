// The two places the client consults a preset: the key check before sending, and the hint.
// Kept apart from the presets so the main entry carries only these few lines.
import type { KeyLintMode, KeyLintResult } from '../keys/lint.js';
import type { KeyCheck } from '../options.js';
import type { KeyFormatOptions } from './types.js';

/** What the client knows of a preset (all optional: without a preset nothing changes). */
export type PresetContext = KeyFormatOptions & { keyCheck?: KeyCheck | undefined; envVar?: string | undefined };

/** Adds the preset's key check to a lint result: a key of another provider, mode or kind fails. */
export function withPresetCheck(result: KeyLintResult, preset: PresetContext | undefined, mode: KeyLintMode): KeyLintResult {
  if (!result.ok || result.key === undefined || mode === 'off' || !preset?.keyCheck) return result;
  let problem: ReturnType<KeyCheck>;
  try {
    problem = preset.keyCheck(result.key, preset);
  } catch {
    return result; // A broken check must not block every request; the server still judges the key.
  }
  if (!problem) return result;
  const code = problem.code === 'wrong-mode' || problem.code === 'wrong-kind' ? problem.code : 'wrong-provider';
  return { ok: false, problems: [...result.problems, { code, message: problem.message, fixed: false }] };
}

/**
 * Names the preset's key page in a hint: "in your provider dashboard" becomes "at <keysUrl>",
 * "the environment variable" becomes its name; a hint without either gets the page appended.
 */
export function withKeysUrl(hint: string, preset: PresetContext | undefined): string {
  const url = preset?.keysUrl;
  let out = preset?.envVar ? hint.replace('the environment variable', preset.envVar) : hint;
  if (!url || out.includes(url)) return out;
  if (out.includes('in your provider dashboard')) return out.replaceAll('in your provider dashboard', `at ${url}`);
  out = out.replace(/\s*$/, '');
  return `${out}${/[.!?]$/.test(out) ? '' : '.'} Keys are managed at ${url}.`;
}
