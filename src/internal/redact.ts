/** What replaces a secret wherever it would have appeared. */
export const REDACTED = '[REDACTED]';

/** Headers that carry credentials; their values are never kept, whatever they hold. */
const CREDENTIAL_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'api-key',
  'apikey',
  'x-apikey',
  'x-auth-token',
  'x-access-token',
  'x-api-token',
  'x-goog-api-key',
  'ocp-apim-subscription-key',
  'private-token',
]);

/** How many keys are remembered: the current one and the ones it replaced, newest last. */
const MAX_KEYS = 16;
/** A key (spelling) this long or longer is redacted wherever it appears in text. */
const SUBSTRING_MIN = 4;
/**
 * A piece of a key left at a cut is removed when it is this long or longer: a trailing prefix of a key
 * (before an optional `…`/`...`) or a leading suffix. Shorter pieces reveal no more than `keyHint` does.
 */
const FRAGMENT_MIN = 4;
/** Characters a cut text may end (or start) with after the key's piece: an ellipsis, quotes, brackets, a full stop. */
const CUT_MARKS = ' \t\n\r.…"\'`)]}>([{<,;:\uFFFD';
const MAX_CUT_MARKS = 8;
/** Characters that make up a word around a short key: a short key counts only as a whole token. */
const TOKEN_CHAR = 'A-Za-z0-9_-';
/**
 * Every known key, in the spellings it can take on the wire (raw, trimmed, URL-encoded, form-encoded), and
 * the redaction of text, headers, values and errors. Bounded: the last {@link MAX_KEYS} keys are kept.
 *
 * - A spelling of 4 or more characters is replaced wherever it appears; a shorter one (a key of 1–3
 *   characters) only as a whole token, between characters other than letters, digits, `_` and `-`.
 * - At the end of a text a prefix of a key (4 or more characters, then optionally `…`, `...`, quotes or
 *   brackets) is replaced too, and at its start a suffix: what a cut left of a key.
 * - Credential headers are replaced by name, whatever their value.
 */
export class Secrets {
  private readonly keys: string[] = [];
  /** Spellings of 4 or more characters, longest first, so a longer one is never half-replaced by a shorter one. */
  private long: string[] = [];
  /** Spellings shorter than 4 characters, as one whole-token pattern. */
  private short: RegExp | undefined;
  /** Spellings of at least `FRAGMENT_MIN + 1` characters: those a cut can leave a piece of. */
  private cuttable: string[] = [];
  private readonly credentialHeaders: Set<string>;

  /** @param credentialHeaders headers that carry the key (the `header` auth placements' names), redacted by name. */
  constructor(credentialHeaders: readonly string[] = []) {
    this.credentialHeaders = new Set(CREDENTIAL_HEADERS);
    for (const name of credentialHeaders) this.credentialHeaders.add(name.toLowerCase());
  }

  add(key: string | undefined): void {
    if (typeof key !== 'string' || key.length === 0 || this.keys.includes(key)) return;
    this.keys.push(key);
    if (this.keys.length > MAX_KEYS) this.keys.shift(); // Oldest first out.
    const spellings = [
      ...new Set(
        this.keys
          .flatMap((k) => [k, k.trim()])
          .flatMap((k) => [k, encodeURIComponent(k), new URLSearchParams({ k }).toString().slice(2)])
          .filter((spelling) => spelling.length > 0),
      ),
    ].sort((a, b) => b.length - a.length);
    this.long = spellings.filter((s) => s.length >= SUBSTRING_MIN);
    const short = spellings.filter((s) => s.length < SUBSTRING_MIN).map(escapeRegExp);
    this.short = short.length ? new RegExp(`(?<![${TOKEN_CHAR}])(?:${short.join('|')})(?![${TOKEN_CHAR}])`, 'g') : undefined;
    this.cuttable = spellings.filter((s) => s.length > FRAGMENT_MIN);
  }

  /** `text` with every known key, and a piece of one at either end, replaced by `[REDACTED]`. */
  text(text: string): string {
    if (typeof text !== 'string' || text.length === 0) return text;
    let out = text;
    for (const secret of this.long) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    if (this.short) out = out.replace(this.short, REDACTED);
    return this.cuttable.length ? this.ends(out) : out;
  }

  /**
   * Redacts `text`, then keeps at most `max` characters: the way to shorten text that may hold a key.
   * (Cut first and a key straddling the cut would no longer match in full.)
   */
  cut(text: string, max: number): string {
    const redacted = this.text(text);
    if (redacted.length <= max) return redacted;
    let end = Math.max(0, Math.floor(max));
    const code = redacted.charCodeAt(end - 1);
    if (code >= 0xd800 && code <= 0xdbff) end -= 1; // Never split a surrogate pair.
    return redacted.slice(0, end);
  }

  /** True when `text` holds any known key, or a piece of one at either end. */
  has(text: string): boolean {
    return typeof text === 'string' && this.text(text) !== text;
  }

  /** Headers as a plain object: credential headers by name, and echoed keys, redacted. */
  headers(headers: Headers, extraCredentialHeader?: string): Record<string, string> {
    const extra = extraCredentialHeader?.toLowerCase();
    const out: Record<string, string> = {};
    headers.forEach((value, name) => {
      const shown = this.isCredentialHeader(name) || name === extra ? REDACTED : this.text(value);
      // defineProperty only where it matters (it is slow): a header named "__proto__" stays data.
      if (name === '__proto__') Object.defineProperty(out, name, { value: shown, enumerable: true, writable: true, configurable: true });
      else out[name] = shown;
    });
    return out;
  }

  /** True for a header that carries a credential (by its lower-cased name): its value is never shown. */
  isCredentialHeader(name: string): boolean {
    return this.credentialHeaders.has(name);
  }

  // -------------------------------------------------------------------------
  // Internals
  // -------------------------------------------------------------------------

  /** Replaces a key's prefix at the end of `text` and its suffix at the start, if 4 or more characters are left. */
  private ends(text: string): string {
    let out = text;
    // The end: skip up to a few cut marks (`…`, `...`, a quote), then look for the longest prefix of a spelling.
    let end = out.length;
    while (end > 0 && out.length - end < MAX_CUT_MARKS && CUT_MARKS.includes(out[end - 1] as string)) end -= 1;
    const trailing = this.longestPiece(out, end, true);
    if (trailing > 0) out = `${out.slice(0, end - trailing)}${REDACTED}${out.slice(end)}`;
    // The start: the same, mirrored.
    let start = 0;
    while (start < out.length && start < MAX_CUT_MARKS && CUT_MARKS.includes(out[start] as string)) start += 1;
    const leading = this.longestPiece(out, start, false);
    if (leading > 0) out = `${out.slice(0, start)}${REDACTED}${out.slice(start + leading)}`;
    return out;
  }

  /**
   * The length of the longest piece of a spelling (at least FRAGMENT_MIN, shorter than the spelling) that
   * ends at `at` as its prefix (`prefix` true) or starts at `at` as its suffix; 0 when there is none.
   * Linear in the spellings' lengths: only positions holding the spelling's first (or last) character are tried.
   */
  private longestPiece(text: string, at: number, prefix: boolean): number {
    let best = 0;
    for (const secret of this.cuttable) {
      const most = Math.min(secret.length - 1, prefix ? at : text.length - at);
      if (most < FRAGMENT_MIN || most <= best) continue;
      if (prefix) {
        const window = text.slice(at - most, at);
        for (
          let i = window.indexOf(secret[0] as string);
          i >= 0 && window.length - i >= FRAGMENT_MIN;
          i = window.indexOf(secret[0] as string, i + 1)
        ) {
          const piece = window.length - i;
          if (piece <= best) break;
          if (secret.startsWith(window.slice(i))) {
            best = piece;
            break;
          }
        }
      } else {
        const window = text.slice(at, at + most);
        const last = secret[secret.length - 1] as string;
        for (let i = window.lastIndexOf(last); i + 1 >= FRAGMENT_MIN; i = window.lastIndexOf(last, i - 1)) {
          const piece = i + 1;
          if (piece <= best) break;
          if (secret.endsWith(window.slice(0, piece))) {
            best = piece;
            break;
          }
          if (i === 0) break;
        }
      }
    }
    return best;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}
