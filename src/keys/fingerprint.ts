/**
 * A fingerprint of a key that is safe to log, e.g. `sk_l…9f3a`: at most 4 leading and
 * 4 trailing characters, together never more than a third of the key. Keys of 12 or
 * more characters always end with their last 4.
 */
export function keyHint(key: string): string {
  const budget = Math.floor(key.length / 3);
  const tail = Math.min(4, budget);
  const head = Math.min(4, budget - tail);
  return `${key.slice(0, head)}…${tail > 0 ? key.slice(-tail) : ''}`;
}
