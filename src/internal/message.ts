/** What was thrown, as text, whatever it is: a value with no string form or a throwing `message` getter gives a placeholder. */
export function messageOf(thrown: unknown): string {
  try {
    return thrown instanceof Error ? String(thrown.message) : String(thrown);
  } catch {
    return '[a value that cannot be shown]';
  }
}
