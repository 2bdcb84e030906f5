import { ConfigError } from '../errors/config-error.js';
import type { KeyErrorReason } from '../types.js';

/** A key and its expiry (epoch ms), as one member hands it to the others when the share carries keys. */
export interface SharedGrant {
  /** The new key. */
  key: string;
  /** When it stops working, in epoch milliseconds. */
  expiresAt?: number;
}

/** One rejected key, handed to {@link KeyShare.rotate}. */
export interface KeyShareRotation {
  /**
   * Names the rejected key in every member alike: a truncated SHA-256 of the key (32 hex digits),
   * never the key. Members whose key was rejected with the same fingerprint share one rotation.
   */
  fingerprint: string;
  /** Why the key was rejected. */
  reason: KeyErrorReason;
  /**
   * This member's replacement: its `onKeyInvalid`, or its provider called with the rejection's reason.
   * Resolves to the new key (undefined: "no replacement"), or rejects with what the hook threw.
   * The share runs it in exactly one member of the group per fingerprint.
   */
  run: () => Promise<SharedGrant | undefined>;
  /** Aborts when the member gives up on this rotation (its refresh timeout). */
  signal: AbortSignal;
}

/**
 * What came of a rotation in this member:
 * - `rotated-here`: `run` ran in this member; `grant` is what it returned. `local` is true when the
 *   share could not be reached and the member rotated on its own (the local single flight).
 * - `received`: another member rotated the key. `grant` is the new key when the share carries keys
 *   (`sharesKey`); otherwise the member re-reads it through its own provider (reason `'rotated'`).
 * - `failed`: another member ran its hook for this key and got no new key (or the hook threw): this
 *   member does not call its own hook; its requests reject with the key error.
 * If `run` threw in this member, `rotate` rejects with what it threw.
 */
export type KeyShareResult =
  | {
      /** This member ran the hook. */
      outcome: 'rotated-here';
      /** What the hook answered (undefined: no replacement). */
      grant: SharedGrant | undefined;
      /** True when it ran without the group (the share was unreachable). */
      local?: boolean;
    }
  | {
      /** Another member rotated; this one receives the result. */
      outcome: 'received';
      /** The new key, when the share carries keys (`shareKey: true`). */
      grant?: SharedGrant;
    }
  | {
      /** The rotation failed in the member that ran it. */
      outcome: 'failed';
    };

/**
 * A group of clients (processes, machines, tabs, workers) that share key rotations: when their key
 * is rejected, exactly one member runs its hook and the others receive the result. keyguard ships
 * `redisKeyShare` (keyguard/redis) and `broadcastKeyShare`; any store with an atomic claim can
 * implement it (a database row, etcd). See docs/fleet.md for the protocol.
 */
export interface KeyShare {
  /** The group's name, for log lines. */
  readonly name: string;
  /** True when a received rotation carries the new key itself; false: members re-read it via their provider. */
  readonly sharesKey: boolean;
  /**
   * Rotates the key `rotation.fingerprint` names, once for the whole group. Must not hang: if the
   * store cannot be reached within a short bound, run `rotation.run` here (`local: true`).
   */
  rotate(rotation: KeyShareRotation): Promise<KeyShareResult>;
}

/** What a member saw, one event per rotation; counted in {@link KeyShareStats}. */
export interface KeyShareEvent {
  /** `rotated-here` (also for a local fallback), `received`, or `failed` (another member got no key). */
  outcome: KeyShareResult['outcome'];
  /** The rejected key's fingerprint (never the key). */
  fingerprint: string;
  /** True when the share was unreachable and the member rotated on its own. */
  local: boolean;
  /** True when this member took over a rotation whose owner's lease ran out. */
  takeover: boolean;
}

/** Counters a share keeps for the app to export (e.g. as metrics). */
export interface KeyShareStats {
  /** Rotations whose hook ran in this member (fallbacks and takeovers included). */
  rotatedHere: number;
  /** Rotations this member received from another member. */
  received: number;
  /** Rotations another member ran that gave no key. */
  failed: number;
  /** Rotations this member ran on its own because the share was unreachable or slow. */
  fallbacks: number;
  /** Rotations this member took over after the owner's lease ran out. */
  takeovers: number;
}

/** Options both built-in shares take. */
export interface KeyShareOptions {
  /** The group's name: members with the same name share rotations. Letters, digits and `._:-`. */
  name: string;
  /** How long a member's claim on a rotation lasts without being renewed; a member that dies is replaced after it. @default 10000 */
  leaseMs?: number;
  /** Carry the new key itself through the share (instead of each member re-reading it via its provider). @default false */
  shareKey?: boolean;
  /** How long a member waits for the share to answer before it rotates on its own. @default 1500 */
  fallbackMs?: number;
  /** How long a finished rotation is remembered, so a member that sees the old key rejected later still receives it. @default 600000 */
  resultTtlMs?: number;
  /** Called once per rotation in this member, after it settled. An exception it throws is ignored. */
  onRotation?: (event: KeyShareEvent) => void;
}

/** The options after checks, defaults filled in. */
export interface ResolvedShareOptions {
  name: string;
  leaseMs: number;
  shareKey: boolean;
  fallbackMs: number;
  resultTtlMs: number;
  onRotation: ((event: KeyShareEvent) => void) | undefined;
}

const NAME = /^[A-Za-z0-9._:-]{1,100}$/;

/** Checks a share factory's options (throwing {@link ConfigError} naming the bad one) and fills in defaults. */
export function resolveShareOptions(options: KeyShareOptions, factory: string): ResolvedShareOptions {
  if (typeof options !== 'object' || options === null) throw new ConfigError(factory, 'must be called with an options object');
  const ms = (field: 'leaseMs' | 'fallbackMs' | 'resultTtlMs', fallback: number, min: number) => {
    const value = options[field];
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > 2_147_483_647)
      throw new ConfigError(field, `must be a number of milliseconds >= ${min}`);
    return Math.round(value);
  };
  if (typeof options.name !== 'string' || !NAME.test(options.name))
    throw new ConfigError('name', 'must be 1 to 100 letters, digits or "._:-" (it names the group in the store)');
  if (options.shareKey !== undefined && typeof options.shareKey !== 'boolean') throw new ConfigError('shareKey', 'must be a boolean');
  if (options.onRotation !== undefined && typeof options.onRotation !== 'function')
    throw new ConfigError('onRotation', 'must be a function');
  const leaseMs = ms('leaseMs', 10_000, 50);
  return {
    name: options.name,
    leaseMs,
    shareKey: options.shareKey ?? false,
    fallbackMs: ms('fallbackMs', 1500, 10),
    resultTtlMs: Math.max(ms('resultTtlMs', 600_000, 1000), leaseMs),
    onRotation: options.onRotation,
  };
}

/** Counts events into `stats` and tells `onRotation`; shared by the built-in shares. */
export function recordRotation(stats: KeyShareStats, options: ResolvedShareOptions, event: KeyShareEvent): void {
  if (event.outcome === 'rotated-here') stats.rotatedHere += 1;
  else if (event.outcome === 'received') stats.received += 1;
  else stats.failed += 1;
  if (event.local) stats.fallbacks += 1;
  if (event.takeover) stats.takeovers += 1;
  try {
    options.onRotation?.(event);
  } catch {
    // A metrics callback must not break a rotation.
  }
}

/** Fresh counters. */
export function emptyStats(): KeyShareStats {
  return { rotatedHere: 0, received: 0, failed: 0, fallbacks: 0, takeovers: 0 };
}

/**
 * The fingerprint of a key, the same in every member: the first 128 bits of SHA-256 over the key,
 * in hex. Undefined where WebCrypto is missing (an insecure browser context): then the member
 * rotates on its own.
 */
export async function keyFingerprint(key: string): Promise<string | undefined> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) return undefined;
  const digest = new Uint8Array(await subtle.digest('SHA-256', new TextEncoder().encode(`keyguard-key-share\0${key}`)));
  return Array.from(digest.subarray(0, 16), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** Checks the `keyShare` option against `apiKey` (throws {@link ConfigError}). */
export function checkKeyShare(share: unknown, apiKey: unknown): KeyShare | undefined {
  if (share === undefined) return undefined;
  const candidate = share as Partial<KeyShare> | null;
  if (typeof candidate !== 'object' || candidate === null || typeof candidate.rotate !== 'function')
    throw new ConfigError('keyShare', 'must be a key share such as redisKeyShare() or broadcastKeyShare()');
  if (!candidate.sharesKey && typeof apiKey !== 'function')
    throw new ConfigError('apiKey', 'must be a provider when keyShare carries no key (or use shareKey: true)');
  return candidate as KeyShare;
}

/** A promise that settles with `promise`, or rejects after `ms` (a late rejection of `promise` is swallowed). */
export function bounded<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  promise.catch(() => {});
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A random member id (not secret). */
export function memberId(): string {
  const bytes = new Uint8Array(8);
  if (globalThis.crypto?.getRandomValues) globalThis.crypto.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i += 1) bytes[i] = Math.floor(Math.random() * 256);
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
