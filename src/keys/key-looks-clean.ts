// The check every request runs on its key before sending: is it plainly clean? Most keys are, and then
// nothing more is needed. A key this does not vouch for gets the full checks and their messages
// (lint-rules.ts), which the pipeline loads with the error path. This check only has to be sure, not
// precise: a real key that merely begins like a placeholder costs that one load, and is then sent.

/** Printable ASCII and nothing else: no whitespace, no character a header cannot carry. */
const PRINTABLE_ASCII = /^[\x21-\x7e]+$/;
const QUOTES = `'"\``;
/**
 * How every placeholder of the full checks begins (`YOUR_API_KEY`, `<api-key>`, `[key]`, `{{key}}`,
 * `${API_KEY}`, `$API_KEY`, `changeme`, `paste-key-here`, …), and the texts `undefined` and `null`.
 */
const PLACEHOLDER_START =
  /^(?:your|insert|paste|enter|put|change|replace|placeholder|api|secret|token|todo|dummy|example|undefined|null|[<[{$])/i;
/** How a masked example key ends in printable ASCII (`sk-xxxx`, `sk-****`, `sk-...`). */
const MASKED_END = /[xX*.]$/;

/**
 * True when the full checks would find nothing wrong with `key`: printable ASCII only, not ending in a
 * quote, not beginning like a placeholder, not ending like a masked example. False means "not sure",
 * never "wrong": such a key gets the full checks of lint-rules.ts.
 */
export function keyLooksClean(key: unknown): key is string {
  return (
    headerCanCarry(key) &&
    // A key in quotes ends with one (an opening quote alone is not a problem).
    !QUOTES.includes(key[key.length - 1] as string) &&
    !PLACEHOLDER_START.test(key) &&
    !MASKED_END.test(key)
  );
}

/** True for a non-empty string of printable ASCII: what an HTTP header can carry as it is. */
export function headerCanCarry(key: unknown): key is string {
  return typeof key === 'string' && PRINTABLE_ASCII.test(key);
}
