/**
 * `keyguard/providers`: presets for well-known APIs. Spread one into `createClient` or
 * `keyguardFetch`: `createClient({ ...providers.openai, apiKey })`. With a preset the client
 * also refuses, before sending, a key of another provider, of the wrong mode or the wrong kind,
 * and its hints name the provider's key page.
 * @packageDocumentation
 */

import { checkKeyFormat } from './check.js';
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
export function checkProviderKey(key: string, options: KeyFormatOptions) {
  return checkKeyFormat(key, options, all);
}

type WithCheck<P> = P & { readonly keyCheck: typeof checkProviderKey };
const withCheck = <P extends ProviderPreset>(preset: P): WithCheck<P> => ({ ...preset, keyCheck: checkProviderKey });

/** The preset names: `'openai' | 'anthropic' | …`. */
export type ProviderName = keyof typeof presets;

/** One preset as exported by `providers`: the preset plus its `keyCheck`. */
export type Provider = WithCheck<ProviderPreset>;

/** Presets for well-known APIs, by name. Every fact has its source next to it in the package source. */
export const providers: { readonly [N in ProviderName]: WithCheck<(typeof presets)[N]> } = Object.freeze(
  Object.fromEntries(Object.entries(presets).map(([name, preset]) => [name, Object.freeze(withCheck(preset))])),
) as never;
