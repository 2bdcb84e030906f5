/**
 * Brands live on each error under `Symbol.for` keys, so two copies of keyguard (an ESM and a CJS one
 * loaded side by side) still recognise each other's errors. They are set by the constructors, not on the
 * prototypes: a statement beside a class would keep every class in an app's bundle, used or not.
 */
export const BRAND = {
  keyguard: /* @__PURE__ */ Symbol.for('keyguard.error'),
  api: /* @__PURE__ */ Symbol.for('keyguard.error.api'),
  invalidKey: /* @__PURE__ */ Symbol.for('keyguard.error.invalidApiKey'),
} as const;

/** Marks `error` with `key` (one of {@link BRAND}): a hidden field, neither enumerable nor writable. */
export function brand(error: Error, key: symbol): void {
  Object.defineProperty(error, key, { value: true });
}

/**
 * Base class of every error keyguard throws (except the platform's `AbortError`
 * when the caller aborts). Serialises without the key: `toJSON` lists only
 * redacted fields.
 *
 * @example
 * ```ts
 * try { await client.get('/me'); } catch (e) { if (isKeyguardError(e)) console.error(e.name, e.message); }
 * ```
 */
export class KeyguardError extends Error {
  /** Pinned (a getter: not enumerable, not writable) so a bundler that renames the class (esbuild: `_KeyguardError`) keeps its name. */
  static override get name(): string {
    return 'KeyguardError';
  }
  /** `'KeyguardError'` here; every subclass sets its own class name, e.g. `'InvalidApiKeyError'`. */
  override name = 'KeyguardError';
  /** How many times the request was sent in all, retries and key replays included (set when a request fails). */
  attempts?: number;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    brand(this, BRAND.keyguard);
  }

  /** A plain, key-free object: every own enumerable field plus `name` and `message`. */
  toJSON(): Record<string, unknown> {
    const json: Record<string, unknown> = { name: this.name, message: this.message };
    for (const [field, value] of Object.entries(this)) {
      if (field !== 'name' && value !== undefined) json[field] = value;
    }
    if (this.cause !== undefined) json.cause = describeCause(this.cause);
    return json;
  }
}

function describeCause(cause: unknown): unknown {
  if (cause instanceof Error) return { name: cause.name, message: cause.message };
  return typeof cause === 'object' ? '[object]' : String(cause);
}
