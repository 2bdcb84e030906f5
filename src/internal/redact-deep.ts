// The deep walk behind redaction: a key-free copy of any value (error bodies, what a logger is given) and
// of any error (every cause keyguard attaches). Only failures need it, so the request pipeline loads it with
// the error path (src/core/error-path.ts); redact.ts keeps what every request needs (text, URLs, headers).
import type { Secrets } from './redact.js';

/** redact.ts's REDACTED, spelled here too: importing it would make the two chunks share a third. */
const REDACTED = '[REDACTED]';

/** Objects, arrays, strings and entries one `value` or `error` call visits at most; past it, `[…]`. */
const NODE_BUDGET = 100_000;
/** The same for a response body, which is parsed JSON of at most 1 MiB: large enough never to cut one. */
const BODY_BUDGET = 1_000_000;
/** How deep one call descends (nested fields and causes); deeper, `[…]`. */
const MAX_DEPTH = 128;
/** Binary data (an `ArrayBuffer` or a view of one) is searched for a key up to this many bytes. */
const BINARY_LIMIT = 1024 * 1024;
const TRUNCATED = '[…]';

/** The error classes a redacted copy may keep as its class; any other class becomes the nearest of these. */
const BUILTIN_ERRORS: ReadonlyArray<ErrorConstructor | AggregateErrorConstructor> = [
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
  AggregateError,
  Error,
];

/** One walk over a value: what it may still visit, what it has copied (for cycles), and whether a secret was found. */
interface Walk {
  budget: number;
  seen: Map<object, unknown>;
  /** A secret was found (or something could not be read or was cut off), so the original must not be shown. */
  found: boolean;
  /** False for the first pass of `error`, which only looks (and stops at the first find); true to build the copy. */
  build: boolean;
}

const walkOf = (build: boolean, budget = NODE_BUDGET): Walk => ({ budget, seen: new Map(), found: false, build });

/**
 * The deep redaction of one {@link Secrets}: every string (and field name) in a value redacted by it.
 */
class DeepRedaction {
  constructor(private readonly secrets: Secrets) {}

  /**
   * A deep, key-free copy of any value: strings (and field names) redacted; `Headers` and `Map`s of headers
   * with credential headers replaced; a `Request` or `Response` turned into a plain description (method,
   * status, redacted URL and headers); `URL`, `URLSearchParams`, `Map`, `Set`, errors (with `cause` and
   * `errors`), Symbol-keyed, non-enumerable and getter fields copied redacted. Cycles stay cycles; the walk
   * is bounded ({@link NODE_BUDGET} nodes, depth {@link MAX_DEPTH}) and never throws.
   */
  value(value: unknown): unknown {
    return this.copy(value, walkOf(true, BODY_BUDGET), 0);
  }

  /**
   * `error` itself when nothing in it (message, stack, fields, cause chain, requests, headers…) carries a
   * key or a credential header; else a key-free copy, as {@link value} makes it. Used for every `cause`
   * keyguard attaches: a fetch error (ky's carries the `Request`), a hook's or a provider's error.
   */
  error(error: unknown): unknown {
    if (typeof error === 'string') return this.secrets.text(error);
    if ((typeof error !== 'object' && typeof error !== 'function') || error === null) return error;
    // First only look, which allocates little and stops at the first find: nearly every cause has no key.
    const look = walkOf(false);
    this.copy(error, look, 0);
    return look.found ? this.copy(error, walkOf(true), 0) : error;
  }

  private redactString(text: string, walk: Walk): string {
    const out = this.secrets.text(text);
    if (out !== text) walk.found = true;
    return out;
  }

  /** The walk behind `value` and `error`. Every read of a foreign object is guarded: it never throws. */
  private copy(value: unknown, walk: Walk, depth: number): unknown {
    if (walk.found && !walk.build) return undefined; // Looking only: one find is enough.
    if (typeof value === 'string') return this.redactString(value, walk);
    if (typeof value === 'symbol') return this.symbol(value, walk);
    if (typeof value === 'function') {
      // A function is kept as it is (its source is not shown by inspect), unless its name quotes a key.
      const name = attempt(() => String((value as { name?: unknown }).name ?? ''), '');
      if (this.secrets.has(name)) {
        walk.found = true;
        return `[Function ${this.secrets.text(name)}]`;
      }
      return value;
    }
    if (typeof value !== 'object' || value === null) return value;
    const known = walk.seen.get(value);
    if (known !== undefined || walk.seen.has(value)) return known;
    walk.budget -= 1;
    if (walk.budget < 0 || depth > MAX_DEPTH) {
      walk.found = true; // Not looked at: it must not be shown as it is.
      return TRUNCATED;
    }
    try {
      return this.copyObject(value, walk, depth);
    } catch {
      walk.found = true;
      return '[unreadable]';
    }
  }

  private copyObject(value: object, walk: Walk, depth: number): unknown {
    const next = depth + 1;
    // Parsed JSON, the common case: an object whose prototype is Object.prototype is none of the
    // classes below (it may still claim to be an error by its tag), so it goes straight to its fields.
    if (attempt(() => Object.getPrototypeOf(value), undefined) === Object.prototype && !isError(value))
      return this.plainCopy(value, walk, next);
    const platform = classes();
    if (isInstance(value, platform.Headers)) return this.remember(walk, value, this.headerRecord(value as Headers, walk));
    if (isInstance(value, platform.Request)) {
      const request = value as Request;
      const copy: Record<string, unknown> = {};
      walk.seen.set(value, copy);
      copy.method = this.redactString(String(request.method), walk);
      copy.url = this.url(String(request.url), walk);
      copy.headers = this.headerRecord(request.headers, walk);
      return copy;
    }
    if (isInstance(value, platform.Response)) {
      const response = value as Response;
      const copy: Record<string, unknown> = {};
      walk.seen.set(value, copy);
      copy.status = response.status;
      copy.statusText = this.redactString(String(response.statusText), walk);
      copy.type = response.type;
      copy.url = this.url(String(response.url), walk);
      copy.headers = this.headerRecord(response.headers, walk);
      return copy;
    }
    if (isInstance(value, platform.URL)) return this.remember(walk, value, this.url(String((value as URL).href), walk));
    if (isInstance(value, platform.URLSearchParams)) return this.remember(walk, value, this.redactString(String(value), walk));
    if (isInstance(value, Promise) || isInstance(value, WeakMap) || isInstance(value, WeakSet) || isInstance(value, platform.WeakRef)) {
      // What they hold cannot be read now, and util.inspect shows a settled promise's value.
      walk.found = true;
      return this.remember(walk, value, `[${attempt(() => Object.prototype.toString.call(value).slice(8, -1), 'object')}]`);
    }
    if (ArrayBuffer.isView(value) || isInstance(value, ArrayBuffer)) return this.remember(walk, value, this.binary(value, walk));
    if (isInstance(value, Date)) return this.remember(walk, value, value);
    if (isInstance(value, RegExp)) {
      const source = String(value);
      return this.remember(walk, value, this.secrets.has(source) ? this.redactString(source, walk) : value);
    }
    if (isInstance(value, Map)) {
      const copy = new Map<unknown, unknown>();
      walk.seen.set(value, copy);
      for (const [key, item] of value as Map<unknown, unknown>) {
        if (walk.budget <= 0) {
          walk.found = true;
          copy.set(TRUNCATED, TRUNCATED);
          break;
        }
        walk.budget -= 1;
        const name = typeof key === 'string' ? key.toLowerCase() : undefined;
        const credential = name !== undefined && this.secrets.isCredentialHeader(name) && item !== undefined && item !== '';
        if (credential) walk.found = true;
        copy.set(this.copy(key, walk, next), credential ? REDACTED : this.copy(item, walk, next));
      }
      return copy;
    }
    if (isInstance(value, Set)) {
      const copy = new Set<unknown>();
      walk.seen.set(value, copy);
      for (const item of value as Set<unknown>) {
        if (walk.budget <= 0) {
          walk.found = true;
          copy.add(TRUNCATED);
          break;
        }
        walk.budget -= 1;
        copy.add(this.copy(item, walk, next));
      }
      return copy;
    }
    if (isError(value)) return this.copyError(value as Error, walk, depth);
    if (Array.isArray(value)) {
      const copy: unknown[] = [];
      walk.seen.set(value, copy);
      const length = value.length;
      for (let i = 0; i < length; i += 1) {
        if (walk.budget <= 0) {
          walk.found = true;
          copy.push(TRUNCATED);
          break;
        }
        walk.budget -= 1;
        copy.push(this.copy(read(value, i, walk, this.secrets), walk, next));
      }
      return copy;
    }
    return this.plainCopy(value, walk, next);
  }

  /**
   * Any other object: a plain object with every own field (Symbol-keyed and non-enumerable ones too,
   * getters read once), each redacted. Its class and prototype are not kept: a server's "__proto__"
   * field stays data, and nothing is inherited from a foreign prototype.
   */
  private plainCopy(value: object, walk: Walk, depth: number): Record<PropertyKey, unknown> {
    const copy: Record<PropertyKey, unknown> = {};
    walk.seen.set(value, copy);
    this.copyFields(value, copy, walk, depth, new Set());
    return copy;
  }

  /** An error copy: a native error of the nearest built-in class, with name, message, stack and every own field redacted. */
  private copyError(error: Error, walk: Walk, depth: number): Error {
    // Looking only: a plain object takes the fields (creating an error, with its stack, costs far more).
    const copy = walk.build ? new Error() : ({} as Error);
    if (walk.build) Object.setPrototypeOf(copy, (BUILTIN_ERRORS.find((type) => isInstance(error, type)) ?? Error).prototype);
    walk.seen.set(error, copy);
    const name = attempt(() => String(error.name), 'Error');
    if (this.secrets.has(name)) walk.found = true;
    if (name !== copy.name) Object.defineProperty(copy, 'name', { value: this.secrets.text(name), writable: true, configurable: true });
    // `stack` is set even when the original has none, so a stack of the copy never points here.
    Object.defineProperty(copy, 'stack', { value: '', writable: true, configurable: true });
    this.copyFields(error, copy as unknown as Record<PropertyKey, unknown>, walk, depth + 1, new Set());
    return copy;
  }

  /** Copies every own field of `from` onto `to`, redacted, keeping each one's enumerability; getters are read once. */
  private copyFields(from: object, to: Record<PropertyKey, unknown>, walk: Walk, depth: number, skip: Set<PropertyKey>): void {
    let keys: PropertyKey[];
    try {
      keys = Reflect.ownKeys(from);
    } catch {
      walk.found = true;
      return;
    }
    for (const key of keys) {
      // A copy is not a keyguard error: it never carries one's brand (the guards would vouch for it).
      if (skip.has(key) || isBrand(key)) continue;
      if (walk.budget <= 0) {
        walk.found = true;
        Object.defineProperty(to, TRUNCATED, { value: TRUNCATED, enumerable: true, writable: true, configurable: true });
        return;
      }
      walk.budget -= 1;
      let descriptor: PropertyDescriptor | undefined;
      try {
        descriptor = Reflect.getOwnPropertyDescriptor(from, key);
      } catch {
        walk.found = true;
        continue;
      }
      if (!descriptor) continue;
      const field = typeof key === 'string' ? this.redactString(key, walk) : this.symbol(key as symbol, walk);
      let item: unknown;
      if ('value' in descriptor) item = descriptor.value;
      else if (descriptor.get) {
        try {
          item = descriptor.get.call(from);
        } catch (thrown) {
          // util.inspect shows what a getter threw: keep only that it threw, and look for a key in it.
          const message = attempt(() => String((thrown as { message?: unknown })?.message ?? thrown), '');
          if (this.secrets.has(message)) walk.found = true;
          item = '[getter threw]';
        }
      }
      const copied = this.copy(item, walk, depth);
      try {
        Object.defineProperty(to, field as PropertyKey, {
          value: copied,
          enumerable: descriptor.enumerable ?? false,
          writable: true,
          configurable: true,
        });
      } catch {
        walk.found = true;
      }
    }
  }

  private symbol(value: symbol, walk: Walk): symbol {
    const description = value.description;
    if (description === undefined || !this.secrets.has(description)) return value;
    walk.found = true;
    return Symbol(this.secrets.text(description));
  }

  /** A URL's text with the key, and any `user:password@`, redacted. */
  private url(href: string, walk: Walk): string {
    let out = this.redactString(href, walk);
    const parsed = attempt(() => new URL(out), undefined);
    if (parsed && (parsed.username || parsed.password)) {
      walk.found = true;
      parsed.username = '';
      parsed.password = '';
      out = parsed.href.replace('://', `://${REDACTED}@`);
    }
    return out;
  }

  /** {@link Secrets.headers}, noting in `walk` whether it hid anything (a credential, an echoed key). */
  private headerRecord(headers: Headers, walk: Walk): Record<string, string> {
    const out = this.secrets.headers(headers);
    if (!walk.found) {
      headers.forEach((value, name) => {
        if (value !== '' && out[name] !== value) walk.found = true;
      });
    }
    return out;
  }

  private binary(value: object, walk: Walk): unknown {
    const bytes = ArrayBuffer.isView(value)
      ? new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
      : new Uint8Array(value as ArrayBuffer);
    if (bytes.byteLength > BINARY_LIMIT) {
      walk.found = true;
      return `[${bytes.byteLength} bytes]`;
    }
    const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
    if (!this.secrets.has(text) && !this.secrets.has(latin1(bytes))) return value;
    walk.found = true;
    return `[${bytes.byteLength} bytes, ${REDACTED}]`;
  }

  private remember<T>(walk: Walk, original: object, copy: T): T {
    walk.seen.set(original, copy);
    return copy;
  }
}

/** The platform's fetch classes, read once (Node defines them as lazy getters on globalThis). */
let platform:
  | { Headers: unknown; Request: unknown; Response: unknown; URL: unknown; URLSearchParams: unknown; WeakRef: unknown }
  | undefined;
function classes() {
  platform ??= {
    Headers: globalThis.Headers,
    Request: globalThis.Request,
    Response: globalThis.Response,
    URL: globalThis.URL,
    URLSearchParams: globalThis.URLSearchParams,
    WeakRef: globalThis.WeakRef,
  };
  return platform;
}

/** `instanceof`, guarded: a Proxy may throw from getPrototypeOf, a class may be missing on this platform. */
function isInstance(value: object, type: unknown): boolean {
  if (typeof type !== 'function') return false;
  try {
    return value instanceof (type as new (...args: never[]) => unknown);
  } catch {
    return false;
  }
}

/** A keyguard error's brand (`Symbol.for('keyguard.error…')`, set by its constructor). */
function isBrand(key: PropertyKey): boolean {
  return typeof key === 'symbol' && Symbol.keyFor(key)?.startsWith('keyguard.error') === true;
}

function isError(value: object): boolean {
  if (isInstance(value, Error)) return true;
  // An error from another realm (a vm context, an iframe).
  return attempt(() => Object.prototype.toString.call(value) === '[object Error]', false);
}

function read(array: unknown[], index: number, walk: Walk, secrets: Secrets): unknown {
  try {
    return array[index];
  } catch (thrown) {
    if (secrets.has(attempt(() => String((thrown as { message?: unknown })?.message ?? thrown), ''))) walk.found = true;
    return '[getter threw]';
  }
}

function latin1(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 8192) out += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return out;
}

function attempt<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback;
  }
}

/** A deep, key-free copy of `value` (see {@link DeepRedaction.value}). */
export function redactValue(secrets: Secrets, value: unknown): unknown {
  return new DeepRedaction(secrets).value(value);
}

/** `error` itself when it carries no key, else a key-free copy (see {@link DeepRedaction.error}). */
export function redactError(secrets: Secrets, error: unknown): unknown {
  return new DeepRedaction(secrets).error(error);
}
