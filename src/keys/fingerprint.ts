/**
 * A fingerprint of a key that is safe to log, e.g. `sk_l…9f3a`: at most 4 leading and
 * 4 trailing characters, together never more than a third of the key. Keys of 12 or
 * more characters always end with their last 4. Whitespace and other invisible characters are
 * left out (they are never part of a usable key), and a key shorter than 4 characters gives
 * `…` alone: no character of it.
 */
export function keyHint(key: string): string {
  const chars = Array.from(String(key).replace(/[\s\p{C}]/gu, ''));
  const budget = chars.length < 4 ? 0 : Math.floor(chars.length / 3);
  const tail = Math.min(4, budget);
  const head = Math.min(4, budget - tail);
  return `${chars.slice(0, head).join('')}…${chars.slice(chars.length - tail).join('')}`;
}
