/**
 * `keyguard/providers`: presets for well-known APIs. Spread one into `createClient` or
 * `keyguardFetch`: `createClient({ ...providers.openai, apiKey })`. With a preset the client
 * also refuses, before sending, a key of another provider, of the wrong mode or the wrong kind,
 * and its hints name the provider's key page.
 * @packageDocumentation
 */

import { checkKeyFormat, type KeyFormatProblem, validatePresetFields } from './check.js';
import { anthropic, cloudflare, github, google, groq, huggingface, mistral, openai, sendgrid, slack, stripe, supabase } from './presets.js';
import type { KeyFormatOptions, ProviderPreset } from './types.js';

export type { KeyFormatProblem, KnownFormats } from './check.js';
export { checkKeyFormat } from './check.js';
export type { KeyFormat, KeyFormatOptions, KeyKind, KeyMode, Probe, ProviderPreset } from './types.js';

/** Every preset, in a fixed order (a module namespace would list them alphabetically). */
const presets = { openai, anthropic, stripe, github, google, slack, sendgrid, cloudflare, supabase, mistral, groq, huggingface };
const all: readonly ProviderPreset[] = Object.values(presets);

/**
 * Checks `key` against the preset's formats and every preset's in `keyguard/providers`:
 * what a preset's `keyCheck` does. Pure; `undefined` when the key may be sent.
 */
export const checkProviderKey = Object.assign(
  (key: string, options: KeyFormatOptions): Pick<KeyFormatProblem, 'code' | 'message'> | undefined => {
    const problem = checkKeyFormat(key, options, all);
    return problem && { code: problem.code, message: problem.message };
  },
  {
    /** Checks the preset fields of client options (createClient calls it): `[field, error]` for the first bad one. */
    validate: validatePresetFields,
  },
);

/**
 * Names the preset's key page in a hint: "in your provider dashboard" becomes "at <keysUrl>",
 * "the environment variable" becomes its name; a hint without either gets the page appended.
 * What a preset's `keysHint` does.
 */
export function keysHint(hint: string, preset: { keysUrl?: string | undefined; envVar?: string | undefined }): string {
  const url = preset.keysUrl;
  let out = preset.envVar ? hint.replace('the environment variable', preset.envVar) : hint;
  if (!url || out.includes(url)) return out;
  if (out.includes('in your provider dashboard')) return out.replaceAll('in your provider dashboard', `at ${url}`);
  out = out.replace(/\s*$/, '');
  return `${out}${/[.!?]$/.test(out) ? '' : '.'} Keys are managed at ${url}.`;
}

type WithCheck<P> = P & { readonly keyCheck: typeof checkProviderKey; readonly keysHint: typeof keysHint };
const withCheck = <P extends ProviderPreset>(preset: P): WithCheck<P> => ({ ...preset, keyCheck: checkProviderKey, keysHint });

/** The preset names: `'openai' | 'anthropic' | …`. */
export type ProviderName = keyof typeof presets;

/** One preset as exported by `providers`: the preset plus its `keyCheck`. */
export type Provider = WithCheck<ProviderPreset>;

/** Presets for well-known APIs, by name. Every fact has its source next to it in the package source. */
export const providers: { readonly [N in ProviderName]: WithCheck<(typeof presets)[N]> } = Object.freeze(
  Object.fromEntries(Object.entries(presets).map(([name, preset]) => [name, Object.freeze(withCheck(preset))])),
) as never;
