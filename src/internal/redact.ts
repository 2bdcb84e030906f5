/** What replaces a secret wherever it would have appeared. */
export const REDACTED = '[REDACTED]';

/** Headers that carry credentials; their values are never kept. */
const CREDENTIAL_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'api-key',
  'x-auth-token',
]);

/**
 * Every known key value, in the spellings it can take on the wire (raw, URL-encoded,
 * form-encoded). Bounded so a long-running process that rotates often keeps only
 * the recent ones.
 */
export class Secrets {
  private readonly keys: string[] = [];
  private values: string[] = [];

  add(key: string | undefined): void {
    if (!key || key.length < 4 || this.keys.includes(key)) return;
    this.keys.push(key);
    if (this.keys.length > 16) this.keys.shift(); // Oldest first out.
    const spellings = this.keys
      .flatMap((k) => [k, k.trim()])
      .flatMap((k) => [k, encodeURIComponent(k), new URLSearchParams({ k }).toString().slice(2)]);
    // Longest first, so a longer spelling is never half-replaced by a shorter one.
    this.values = [...new Set(spellings)].filter((spelling) => spelling.length >= 4).sort((a, b) => b.length - a.length);
  }

  /** `text` with every known key replaced by `[REDACTED]`. */
  text(text: string): string {
    let out = text;
    for (const secret of this.values) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    return out;
  }

  /** A deep copy of a JSON-like value with every string (and object key) redacted. */
  value(value: unknown, depth = 0): unknown {
    if (typeof value === 'string') return this.text(value);
    if (value === null || typeof value !== 'object' || depth > 32) return depth > 32 ? '[…]' : value;
    if (Array.isArray(value)) return value.map((item) => this.value(item, depth + 1));
    // fromEntries defines own properties: a server's "__proto__" field stays data, never a prototype.
    return Object.fromEntries(Object.entries(value).map(([field, item]) => [this.text(field), this.value(item, depth + 1)]));
  }

  /** True when `text` holds any known key. */
  has(text: string): boolean {
    return this.values.some((secret) => text.includes(secret));
  }

  /**
   * `error` itself when it carries no key; else a key-free copy (same name, redacted message,
   * stack, own fields and cause). Used for every `cause` keyguard attaches: a fetch error or a
   * hook's error may quote the URL or the key.
   */
  error(error: unknown, depth = 0): unknown {
    if (typeof error === 'string') return this.text(error);
    if (typeof error !== 'object' || error === null || depth > 4) return error;
    if (!(error instanceof Error)) return this.has(safeJson(error)) ? this.value(error) : error;
    const fields = Object.getOwnPropertyNames(error).filter((name) => name !== 'stack' && name !== 'message' && name !== 'cause');
    const cause = error.cause === undefined ? undefined : this.error(error.cause, depth + 1);
    const leaks =
      this.has(error.message) ||
      this.has(error.stack ?? '') ||
      cause !== error.cause ||
      fields.some((name) => this.has(safeJson((error as unknown as Record<string, unknown>)[name])));
    if (!leaks) return error;
    const copy = new Error(this.text(error.message), cause === undefined ? undefined : { cause });
    copy.name = error.name;
    copy.stack = this.text(error.stack ?? '');
    for (const name of fields) {
      if (name !== 'name')
        (copy as unknown as Record<string, unknown>)[name] = this.value((error as unknown as Record<string, unknown>)[name]);
    }
    return copy;
  }

  /** Response headers as a plain object, credential headers and echoed keys redacted. */
  headers(headers: Headers, extraCredentialHeader?: string): Record<string, string> {
    const out: Record<string, string> = {};
    headers.forEach((value, name) => {
      const credential = CREDENTIAL_HEADERS.has(name) || name === extraCredentialHeader?.toLowerCase();
      out[name] = credential ? REDACTED : this.text(value);
    });
    return out;
  }
}

function safeJson(value: unknown): string {
  try {
    return typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
  } catch {
    return String(value);
  }
}
