// Small helpers the classifier uses to read hostile input without throwing.

export function isObject(value: unknown): value is object {
  return (typeof value === 'object' && value !== null) || typeof value === 'function';
}

/** Runs a read that a getter or Proxy may make throw. */
export function safe<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback;
  }
}

/** The first `limit` characters of `text`; a longer text is cut one character earlier and ends with `…`. */
export function cut(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const end = /[\uD800-\uDBFF]/.test(text[limit - 2] ?? '') ? limit - 2 : limit - 1; // never half a surrogate pair
  return `${text.slice(0, end)}…`;
}
