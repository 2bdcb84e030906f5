import { inspect } from 'node:util';

/**
 * Every way a user may print, serialise or inspect a value (an error above all): `String`, message,
 * stack, `JSON.stringify` (which must not throw), `util.inspect` with hidden fields and getters, the
 * fields an error carries (`response`, `headers`, `body`, every own property), and the same for its
 * `cause` chain. A leak test checks that the key is in none of them.
 */
export function renderings(value: unknown, depth = 0): string[] {
  if (value === null || typeof value !== 'object') return [String(value)];
  const error = value as Error & { response?: unknown; headers?: unknown; body?: unknown };
  const fields = Object.fromEntries(
    Object.getOwnPropertyNames(error).map((name) => [name, (error as unknown as Record<string, unknown>)[name]]),
  );
  const out = [
    String(error),
    String(error.message),
    String(error.stack),
    safeJson(error),
    inspect(error, { showHidden: true, depth: null, getters: true }),
    safeJson(error.response),
    safeJson(error.headers),
    safeJson(error.body),
    safeJson(fields),
  ];
  if (error.cause !== undefined && depth < 8) out.push(...renderings(error.cause, depth + 1));
  return out;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch (thrown) {
    return `unserialisable: ${String(thrown)}`;
  }
}
