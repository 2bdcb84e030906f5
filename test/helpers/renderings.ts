import { inspect } from 'node:util';

/**
 * Every way a user may print, serialise or inspect a value (an error above all): `String`, message,
 * stack, `JSON.stringify` (which must not throw), `util.inspect` with hidden fields and getters (at any
 * depth, and at depth 10 as `console.log` users set it), `structuredClone` where it succeeds, the fields an
 * error carries (`response`, `headers`, `body`, every own property, Symbol-keyed ones too), and the same
 * for every error it holds: its `cause` chain, an `AggregateError`'s `errors`, an error in any own field.
 * A leak test checks that the key is in none of them.
 */
export function renderings(value: unknown): string[] {
  const out: string[] = [];
  const seen = new Set<object>();
  const queue: unknown[] = [value];
  // Bounded: at most 256 nested values are rendered (a cause chain of depth 50 with a few fields each).
  while (queue.length > 0 && seen.size < 256) {
    const item = queue.shift();
    if (item === null || (typeof item !== 'object' && typeof item !== 'function')) {
      out.push(String(item));
      continue;
    }
    if (seen.has(item)) continue;
    seen.add(item);
    out.push(...renderOne(item));
    for (const nested of nestedValues(item)) if (typeof nested === 'object' && nested !== null) queue.push(nested);
  }
  return out;
}

function renderOne(value: object): string[] {
  const error = value as Error & { response?: unknown; headers?: unknown; body?: unknown };
  const fields = Object.fromEntries(
    safe(() => Reflect.ownKeys(error), [] as PropertyKey[]).map((name) => [String(name), safe(() => Reflect.get(error, name), '<threw>')]),
  );
  return [
    safe(() => String(error), 'String() threw'),
    safe(() => String(error.message), ''),
    safe(() => String(error.stack), ''),
    safeJson(error),
    inspect(error, { showHidden: true, depth: null, getters: true }),
    inspect(error, { showHidden: true, depth: 10 }),
    cloned(error),
    safeJson(safe(() => error.response, undefined)),
    safeJson(safe(() => error.headers, undefined)),
    safeJson(safe(() => error.body, undefined)),
    safeJson(fields),
  ];
}

/** What else a value holds that is worth rendering on its own: `cause`, `errors`, and every own field's object. */
function nestedValues(value: object): unknown[] {
  const out: unknown[] = [];
  const cause = safe(() => (value as { cause?: unknown }).cause, undefined);
  if (cause !== undefined) out.push(cause);
  const errors = safe(() => (value as { errors?: unknown }).errors, undefined);
  if (Array.isArray(errors)) out.push(...errors.slice(0, 50));
  for (const key of safe(() => Reflect.ownKeys(value), [] as PropertyKey[]).slice(0, 50)) {
    const field = safe(() => Reflect.get(value, key), undefined);
    if (field instanceof Error) out.push(field);
  }
  return out;
}

/** `util.inspect` of a `structuredClone`, or a note when the value cannot be cloned (a function, a Request). */
function cloned(value: object): string {
  try {
    return inspect(structuredClone(value), { showHidden: true, depth: null });
  } catch (thrown) {
    return `uncloneable: ${safe(() => (thrown as Error).name, 'error')}`;
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch (thrown) {
    return `unserialisable: ${safe(() => String(thrown), 'error')}`;
  }
}

function safe<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback;
  }
}
