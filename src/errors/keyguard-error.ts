/**
 * Brands live on prototypes under `Symbol.for` keys, so two copies of keyguard
 * (an ESM and a CJS one loaded side by side) still recognise each other's errors.
 */
export const BRAND = {
  keyguard: Symbol.for('keyguard.error'),
  api: Symbol.for('keyguard.error.api'),
  invalidKey: Symbol.for('keyguard.error.invalidApiKey'),
} as const;

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
  /** `'KeyguardError'` here; every subclass sets its own class name, e.g. `'InvalidApiKeyError'`. */
  override name = 'KeyguardError';
  /** How many times the request was sent in all, retries and key replays included (set when a request fails). */
  attempts?: number;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
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
Object.defineProperty(KeyguardError.prototype, BRAND.keyguard, { value: true });

function describeCause(cause: unknown): unknown {
  if (cause instanceof Error) return { name: cause.name, message: cause.message };
  return typeof cause === 'object' ? '[object]' : String(cause);
}

/**
 * Pins a class's `name` (what `util.inspect`, `console.log` and `constructor.name` show): a
 * bundler may rename a class that refers to itself (esbuild emits `_InvalidApiKeyError`).
 */
export function pinName(cls: abstract new (...args: never[]) => unknown, name: string): void {
  Object.defineProperty(cls, 'name', { value: name, configurable: true });
}

pinName(KeyguardError, 'KeyguardError');
