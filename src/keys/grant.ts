import { ConfigError } from '../errors/config-error.js';
import type { KeyGrant } from '../options.js';

/** A `{ key, expiresAt }` grant, its two fields read once, or undefined when `value` is not one. */
export function readGrant(value: unknown): KeyGrant | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { key, expiresAt } = value as Record<string, unknown>;
  if (typeof key !== 'string') return undefined;
  if (expiresAt === undefined) return { key };
  return expiresAt instanceof Date || typeof expiresAt === 'number' ? { key, expiresAt } : undefined;
}

/** Turns what a provider or hook returned into a grant with epoch-ms expiry, or undefined for "no key". */
export function toGrant(supply: unknown, option: string): { key: string; expiresAt?: number } | undefined {
  if (supply === undefined || supply === null) return undefined;
  if (typeof supply === 'string') return { key: supply };
  const grant = readGrant(supply);
  if (!grant) throw new ConfigError(option, 'must be a string or a { key, expiresAt } grant');
  if (grant.expiresAt === undefined) return { key: grant.key };
  return { key: grant.key, expiresAt: grant.expiresAt instanceof Date ? grant.expiresAt.getTime() : grant.expiresAt };
}
