// Reading a body: JSON (parsed or as text), plain text and HTML become the texts the decision
// judges, plus the candidates for the API's code and message. Every walk is bounded, so no body
// (huge, deep, cyclic, hostile) is slow, and nothing here throws.

import { cut, isObject, safe } from './safe.js';
import { CODE_FIELDS, FAILED_STATUS, MESSAGE_FIELDS, STATUS_PHRASE, TEXT_FIELD } from './vocabulary.js';

/** The classifier reads at most this much of a body. */
export const CLASSIFY_BODY_LIMIT = 64 * 1024;

const MAX_DEPTH = 6;
const MAX_KEYS = 50; // per object
const MAX_ITEMS = 10; // per array
const MAX_NODES = 200; // objects and arrays visited
const MAX_STRINGS = 100; // texts kept
const STRING_LIMIT = 2000; // characters kept of one text
const TEXT_BODY_LIMIT = 4096; // characters of a plain-text / HTML body read as one statement
const HEADLINE_LIMIT = 200; // characters of an HTML headline kept as the message

const KNOWN_FIELDS = [...new Set([...CODE_FIELDS, ...MESSAGE_FIELDS])];
const TOKEN = /^[\w.:-]{1,100}$/;
const GENERIC_CODE = /^(?:error|errors|fail|failed|failure|false|true|null|undefined)$/i;

interface Candidate {
  value: string;
  rank: number; // field priority
  depth: number;
}

export interface Body {
  /** Every text that may say something about the error. */
  texts: string[];
  codes: Candidate[];
  messages: Candidate[];
  /** The body is empty. */
  empty: boolean;
  /** The body is an HTML page (a web server's or framework's error page). */
  html: boolean;
  /** A JSON envelope says the call failed (`ok: false`, `success: false`, `status: "error"`, an `error` field). */
  failed: boolean;
}

/** The body as texts, codes and messages: JSON text is parsed (first 64 KiB), HTML reduced to its text. */
export function readBody(raw: unknown): Body {
  const body: Body = { texts: [], codes: [], messages: [], empty: false, html: false, failed: false };
  if (raw === undefined || raw === null) {
    body.empty = true;
    return body;
  }
  if (typeof raw !== 'string') {
    walk(raw, body);
    return body;
  }
  const text = raw.length > CLASSIFY_BODY_LIMIT ? raw.slice(0, CLASSIFY_BODY_LIMIT) : raw;
  const trimmed = text.trim();
  if (!trimmed) {
    body.empty = true;
    return body;
  }
  if (/^[[{"]/.test(trimmed)) {
    try {
      walk(JSON.parse(trimmed), body);
      return body;
    } catch {
      // Not JSON after all (or cut at the limit): read it as text.
    }
  }
  body.html = /<(?:!doctype|html|head|body|title|h1|p|div|center|pre)\b/i.test(trimmed);
  const plain = (body.html ? htmlToText(trimmed) : trimmed).slice(0, TEXT_BODY_LIMIT);
  if (plain) body.texts.push(plain);
  const headline = body.html ? (htmlHeadline(trimmed) ?? cut(plain, HEADLINE_LIMIT)) : cut(plain, STRING_LIMIT);
  if (headline) body.messages.push({ value: headline, rank: 0, depth: 0 });
  return body;
}

function htmlToText(html: string): string {
  return decodeEntities(
    html
      .replace(/<(script|style)\b[\s\S]*?(?:<\/\1\s*>|$)/gi, ' ')
      .replace(/<[^<>]*>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim(),
  );
}

/**
 * The page's most specific headline: its `<title>`, `<h1>`, `<h2>`, the first line of a `<pre>`
 * (Express's and Koa's default error pages put the error there) or a `<p>` — never a bare
 * status phrase such as `Error` or `401 Unauthorized` while a more specific one exists.
 */
function htmlHeadline(html: string): string | undefined {
  const candidates: string[] = [];
  for (const tag of ['title', 'h1', 'h2', 'pre', 'p']) {
    // Up to the next tag (a `<pre>`'s `<br>` ends its first line): linear, whatever the page.
    const match = new RegExp(`<${tag}(?:\\s[^<>]*)?>([^<]{1,2000})`, 'i').exec(html);
    const text = match?.[1] ? decodeEntities(match[1].replace(/\s+/g, ' ').trim()) : '';
    if (text) candidates.push(cut(text, HEADLINE_LIMIT));
  }
  return candidates.find((c) => !STATUS_PHRASE.test(c)) ?? candidates[0];
}

function decodeEntities(text: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', '#39': "'" };
  return text.replace(/&(amp|lt|gt|quot|apos|nbsp|#39);/g, (_, name: string) => named[name] ?? '');
}

/** Walks a JSON-like value breadth-first, shallow fields first, within the limits; hostile objects cannot make it throw. */
function walk(root: unknown, body: Body): void {
  if (typeof root === 'string') {
    addText(body, root, 'message', 0);
    return;
  }
  if (!isObject(root)) return;
  body.failed = saysFailure(root);
  const seen = new Set<object>();
  let queue: { value: object; field: string }[] = [{ value: root, field: '' }];
  for (let depth = 0; depth <= MAX_DEPTH && queue.length > 0; depth += 1) {
    const next: { value: object; field: string }[] = [];
    for (const { value, field } of queue) {
      if (seen.has(value) || seen.size >= MAX_NODES) continue;
      seen.add(value);
      for (const [key, item] of entries(value, field)) {
        if (typeof item === 'string' || typeof item === 'number') addText(body, item, key, depth);
        else if (isObject(item)) next.push({ value: item, field: key });
      }
    }
    queue = next;
  }
}

/** The first entries of an object (or array, whose items take the array's field name). */
function entries(value: object, field: string): [string, unknown][] {
  const out: [string, unknown][] = [];
  if (safe(() => Array.isArray(value), false)) {
    const length = safe(() => Number((value as unknown[]).length) || 0, 0);
    for (let i = 0; i < Math.min(length, MAX_ITEMS); i += 1) out.push([field, safe(() => (value as unknown[])[i], undefined)]);
    return out;
  }
  // Known fields first, in priority order, then the rest: the most specific code and message are always read.
  const known = KNOWN_FIELDS.filter((k) => safe(() => Object.hasOwn(value, k), false));
  const keys = safe(() => Object.keys(value), [] as string[]);
  for (const key of [...new Set([...known, ...keys.slice(0, MAX_KEYS)])].slice(0, MAX_KEYS)) {
    out.push([key, safe(() => (value as Record<string, unknown>)[key], undefined)]);
  }
  return out;
}

function addText(body: Body, item: string | number, field: string, depth: number): void {
  if (body.texts.length >= MAX_STRINGS) return;
  const value = typeof item === 'number' ? String(item) : cut(item.trim(), STRING_LIMIT);
  if (!value) return;
  const codeRank = CODE_FIELDS.indexOf(field);
  const messageRank = MESSAGE_FIELDS.indexOf(field);
  if (codeRank >= 0 && isCode(value, field, typeof item === 'number')) body.codes.push({ value, rank: codeRank, depth });
  else if (messageRank >= 0 && typeof item === 'string' && !isMachineToken(value)) body.messages.push({ value, rank: messageRank, depth });
  if (typeof item === 'string' && TEXT_FIELD.test(field)) body.texts.push(value);
}

function isCode(value: string, field: string, numeric: boolean): boolean {
  if (!TOKEN.test(value) || GENERIC_CODE.test(value)) return false;
  if (field === 'status') return !numeric && !/^\d+$/.test(value); // an HTTP status is not the API's code
  if (field === 'error') return isMachineToken(value);
  if (field === 'id') return /^[a-z]+(?:_[a-z]+)*$/.test(value); // "unauthorized", not a request id
  if (field === 'type') return !numeric;
  return true;
}

/** `invalid_api_key`, `API_KEY_INVALID`, `Rest.API.Unauthorized` — not words meant for a person. */
function isMachineToken(value: string): boolean {
  return TOKEN.test(value) && /[_.:\d]|^[A-Z-]+$|[a-z][A-Z]/.test(value);
}

function saysFailure(root: object): boolean {
  return safe(() => {
    const { ok, success, status, stat, result, error, errors } = root as Record<string, unknown>;
    const present = (value: unknown) =>
      value !== undefined && value !== null && value !== false && value !== '' && !(Array.isArray(value) && value.length === 0);
    const failedStatus = (value: unknown) => typeof value === 'string' && value.length <= 100 && FAILED_STATUS.test(value);
    return (
      ok === false ||
      success === false ||
      failedStatus(status) ||
      failedStatus(stat) ||
      failedStatus(result) ||
      present(error) ||
      present(errors)
    );
  }, false);
}

/**
 * The most specific code (a key-related one first) and message: the challenge's
 * `error_description`, then a sentence from the body over a short title, then an HTML headline —
 * and a bare status phrase (`Unauthorized`, `Error`) only when nothing else says more.
 */
export function describe(body: Body, challenge?: { error?: string; description?: string }): { code?: string; message?: string } {
  const order = (a: Candidate, b: Candidate) => a.depth - b.depth || a.rank - b.rank;
  const codes = [...body.codes].sort(order);
  const fromChallenge = challenge?.error && TOKEN.test(challenge.error) ? challenge.error : undefined; // `invalid_token`, not "Bad token"
  const code = (codes.find((c) => /key|token|auth|credential/i.test(c.value)) ?? codes[0])?.value ?? fromChallenge;
  const texts = [
    ...(challenge?.description ? [cut(challenge.description, STRING_LIMIT)] : []),
    ...(() => {
      const messages = [...body.messages].sort(order).map((m) => m.value);
      const sentence = messages.find((m) => m.split(/\s+/).length >= 4);
      return sentence === undefined ? messages : [sentence, ...messages];
    })(),
  ];
  const message = texts.find((t) => !STATUS_PHRASE.test(t)) ?? texts[0];
  return { ...(code === undefined ? {} : { code }), ...(message === undefined ? {} : { message }) };
}
