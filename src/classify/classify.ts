import type { KeyErrorReason } from '../types.js';

/** A response as the classifier sees it: `body` is parsed JSON or the raw text. */
export interface ErrorResponse {
  /** HTTP status code. Any status is classified, 2xx included. */
  status: number;
  /** Response headers, in any form `Headers` accepts; a `WWW-Authenticate` challenge is read from them. */
  headers?: HeadersInit | undefined;
  /** The parsed JSON value, or the raw text; only the first 64 KiB of text is read. */
  body: unknown;
}

/** The classifier's verdict on a key error. */
export interface KeyErrorClassification {
  /** Why the key was rejected. */
  reason: KeyErrorReason;
  /** The API's own error code, when it sent one. */
  code?: string;
  /** The API's most specific human-readable text, when it sent one. */
  message?: string;
}

/** The classifier reads at most this much of a body. */
const CLASSIFY_BODY_LIMIT = 64 * 1024;

// ---------------------------------------------------------------------------
// Limits: every walk is bounded, so no body (huge, deep, cyclic, hostile) is slow.
// ---------------------------------------------------------------------------
const MAX_DEPTH = 6;
const MAX_KEYS = 50; // per object
const MAX_ITEMS = 10; // per array
const MAX_NODES = 200; // objects and arrays visited
const MAX_STRINGS = 100; // texts kept
const STRING_LIMIT = 2000; // characters kept of one text
const TEXT_BODY_LIMIT = 4096; // characters of a plain-text / HTML body read as one statement
const HEADER_LIMIT = 4096;

// ---------------------------------------------------------------------------
// Vocabulary: the one place that decides what words mean.
// ---------------------------------------------------------------------------

/**
 * The statement is about the key: an API key, token or credentials. A bare "key" counts only
 * as "the/your/this/invalid key", never as a field name ("Unrecognized key: \"color\"", "Invalid key 'id'").
 */
const KEY_SUBJECT =
  /api[\s_-]?key|apikey|(?:access|secret|subscription|auth)[\s_-]?key|(?<![a-z])(?:the|your|this|that|provided|an?|invalid|incorrect|wrong|bad) key(?![a-z])(?!\s*(?:\(s\)|:|['"`]))|(?<!(?:page|next|continuation|pagination|cursor|sync|registration|device|push|csrf|xsrf|upload|verification|reset)[\s_-]?)token(?![a-z])|(?<![a-z])jwt(?![a-z])|credential|authenticat|unauthori[sz]ed|invalid_auth|not_authed|bearer|authori[sz]ation header|account[\s_](?:inactive|deactivated|disabled|suspended)/i;

/** The statement is about something else: permissions, scopes, restrictions, quota, rate limits, billing. */
const NOT_THE_KEY =
  /no such [\w ]{1,30}: ?['"`]|permission|scope|not allowed|forbidden to|access to (?:this|the) resource|resource not accessible|insufficient[\s_]|restricted|referr?er|(?<![a-z])ip(?![a-z])|from location|service[\s_]blocked|are blocked|quota|rate[\s_-]?limit|too many requests|too quickly|context length|billing|credit|plan does not|upgrade your plan|payment/i;

type Cue = 'expired' | 'revoked' | 'missing' | 'malformed' | 'generic';

/** What a statement says happened to the key. `generic` is a rejection that gives no reason. */
const CUES: Record<Cue, RegExp> = {
  expired: /expir(?:ed|y|ation)/i,
  revoked: /revoked|disabled|deactivated|inactive|suspended|deleted|blocked|banned|(?:black|block)-?listed/i,
  missing:
    /missing|not (?:been )?(?:provided|set|sent|supplied)|(?<![a-z])no (?:api[\s_-]?|auth(?:entication)? |access )?(?:key|token|credentials?|authentication|authorization)(?![a-z])|(?:key|token|credentials|header) (?:is |are |was )?required|must (?:provide|include|supply)|not_authed|did not provide|didn't provide|without (?:an? |any )?(?:api[\s_-]?key|key|token|credentials|authentication)|please use (?:an? |your )?api[\s_-]?key|requires? authentication|authentication is required|(?:credentials|authentication|authorization header) (?:were |was )?not found/i,
  malformed:
    /invalid|incorrect|malformed|not valid|isn't valid|unrecogni[sz]ed|unknown (?:api[\s_-]?)?(?:key|token)|wrong|bad (?:api[\s_-]?)?(?:key|token|credential)|not found|does not exist|doesn't exist|no such|(?:could not|couldn't|cannot|can't|unable to|failed to) (?:validate|verify|decode|parse)|deprecated|not supported|unsupported|(?:remove|drop) the \S{1,20} prefix|use an? (?:api[\s_-]?key|key|token) as/i,
  generic:
    /(?:failed to|could not|couldn't|unable to|cannot) authenticate|authentication (?:failed|error)|not authenticated|unauthenticated|unauthori[sz]ed|not authori[sz]ed|access denied|forbidden|no longer valid|rejected/i,
};
const STRONG: readonly Cue[] = ['expired', 'revoked', 'missing'];

/** "invalid or expired", "missing/invalid": the API itself does not know which. */
const ALTERNATIVES = /(?<![a-z])or(?![a-z])|\w\/\w/i;
const URL = /\bhttps?:\/\/[^\s"'<>)]*/gi;

/** Fields that carry an error's machine code, most specific first. */
const CODE_FIELDS = ['code', 'error_code', 'errorCode', '__type', 'category', 'reason', 'type', 'status', 'error', 'id'];
/** Fields that carry human text, most specific first. */
const MESSAGE_FIELDS = [
  'message',
  'detail',
  'error_description',
  'description',
  'userMessage',
  'user_message',
  'developerMessage',
  'developer_message',
  'msg',
  'errors',
  'error',
  'title',
];
/** A string under a field whose name looks like this is read as a statement about the error. */
const KNOWN_FIELDS = [...new Set([...CODE_FIELDS, ...MESSAGE_FIELDS])];
const TEXT_FIELD = /message|msg|detail|description|error|title|reason|code|type|category|^status$|^id$/i;
const TOKEN = /^[\w.:-]{1,100}$/;
const GENERIC_CODE = /^(?:error|errors|fail|failed|failure|false|true|null|undefined)$/i;

// ---------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------

/**
 * Decides whether a response means "this key is no good", and why. Understands flat
 * and nested JSON envelopes, `errors[]`, RFC 9457 problem details, RFC 6750
 * `WWW-Authenticate` challenges, plain text, HTML and empty bodies. Never throws;
 * reads at most 64 KiB of a body.
 *
 * The rule: a statement in the response must name the key (key, token, credentials,
 * authentication) together with what is wrong with it (expired, revoked, missing,
 * invalid…). A bare 401 is a key error whose reason is `unknown`; any other status
 * needs such a statement. 429 and 5xx never are; permission, scope, restriction,
 * quota and rate-limit statements are not.
 *
 * @returns the reason (with the API's code and message when present), or `null`
 * when the response is not a key error.
 *
 * @example
 * ```ts
 * classifyKeyError({ status: 401, body: { error: { code: 'api_key_expired', message: 'Key expired' } } });
 * // { reason: 'expired', code: 'api_key_expired', message: 'Key expired' }
 * classifyKeyError({ status: 200, body: { ok: false, error: 'invalid_auth' } }); // { reason: 'malformed', code: 'invalid_auth' }
 * ```
 */
export function classifyKeyError(response: ErrorResponse): KeyErrorClassification | null {
  try {
    return classify(response);
  } catch {
    return null;
  }
}

/** The API's own code and most specific message in a body, whatever its envelope. Never throws. */
export function describeErrorBody(body: unknown): { code?: string; message?: string } {
  try {
    return describe(readBody(body));
  } catch {
    return {};
  }
}

// ---------------------------------------------------------------------------
// The decision
// ---------------------------------------------------------------------------

function classify(response: ErrorResponse): KeyErrorClassification | null {
  const status = Number(response.status);
  if (status === 429 || status >= 500) return null;
  const challenge = bearerChallenge(headerValue(response.headers, 'www-authenticate'));
  if (challenge?.error === 'insufficient_scope') return null;
  const body = readBody(response.body);
  // A 2xx is an error only when its envelope says so (`{"ok":false,…}`).
  if (status >= 200 && status < 300 && !body.failed) return null;

  const statements = [...body.texts, ...(challenge?.description ? [challenge.description] : [])].map(judge);
  const aboutKey = statements.filter((s) => s.aboutKey);

  const result = (reason: KeyErrorReason): KeyErrorClassification => {
    const { code = challenge?.error, message = challenge?.description } = describe(body);
    return { reason, ...(code === undefined ? {} : { code }), ...(message === undefined ? {} : { message }) };
  };

  // Any status: a statement says what is wrong with the key; RFC 6750 `invalid_token` says it is wrong.
  if (aboutKey.some((s) => s.cues.some((c) => c !== 'generic')) || challenge?.error === 'invalid_token') {
    return result(reasonOf(aboutKey));
  }
  // Otherwise only a 401 is a key error, and only when nothing says it is about something else.
  if (status !== 401 || statements.some((s) => s.notTheKey)) return null;
  // RFC 6750 §3.1: a bare challenge (no error code) answers a request without credentials.
  if (challenge && !challenge.error && body.empty) return result('missing');
  return result('unknown');
}

interface Statement {
  cues: Cue[];
  aboutKey: boolean;
  notTheKey: boolean;
  ambiguous: boolean;
}

/** What one text says: is it about the key, and what does it say happened to it. */
function judge(raw: string): Statement {
  const text = raw.replace(URL, ' ');
  const cues = (Object.keys(CUES) as Cue[]).filter((cue) => CUES[cue].test(text));
  const notTheKey = NOT_THE_KEY.test(text);
  const aboutKey = !notTheKey && cues.length > 0 && KEY_SUBJECT.test(text);
  const strong = cues.some((c) => STRONG.includes(c));
  return { cues, aboutKey, notTheKey, ambiguous: aboutKey && strong && cues.length > 1 && ALTERNATIVES.test(text) };
}

/** One reason from the statements about the key: a single stated cause wins; alternatives or conflicts are `unknown`. */
function reasonOf(statements: Statement[]): KeyErrorReason {
  if (statements.some((s) => s.ambiguous)) return 'unknown';
  const strong = new Set(statements.flatMap((s) => s.cues.filter((c) => STRONG.includes(c))));
  if (strong.size === 1) return [...strong][0] as KeyErrorReason;
  if (strong.size > 1) return 'unknown';
  return statements.some((s) => s.cues.includes('malformed')) ? 'malformed' : 'unknown';
}

// ---------------------------------------------------------------------------
// Reading the body
// ---------------------------------------------------------------------------

interface Candidate {
  value: string;
  rank: number; // field priority
  depth: number;
}

interface Body {
  /** Every text that may say something about the error. */
  texts: string[];
  codes: Candidate[];
  messages: Candidate[];
  /** The body is empty. */
  empty: boolean;
  /** A JSON envelope says the call failed (`ok: false`, `success: false`, `status: "error"`, an `error` field). */
  failed: boolean;
}

/** The body as texts, codes and messages: JSON text is parsed (first 64 KiB), HTML reduced to its text. */
function readBody(raw: unknown): Body {
  const body: Body = { texts: [], codes: [], messages: [], empty: false, failed: false };
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
  const html = /<(?:!doctype|html|head|body|title|h1|p|div|center)\b/i.test(trimmed);
  const plain = (html ? htmlToText(trimmed) : trimmed).slice(0, TEXT_BODY_LIMIT);
  if (plain) body.texts.push(plain);
  const headline = html ? (htmlHeadline(trimmed) ?? plain.slice(0, 200)) : plain.slice(0, STRING_LIMIT);
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

function htmlHeadline(html: string): string | undefined {
  const match = /<title[^<>]*>([^<]{1,500})<\/title>/i.exec(html) ?? /<h1[^<>]*>([^<]{1,500})<\/h1>/i.exec(html);
  const text = match?.[1] ? decodeEntities(match[1].replace(/\s+/g, ' ').trim()) : '';
  return text || undefined;
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
  const value = typeof item === 'number' ? String(item) : item.trim().slice(0, STRING_LIMIT);
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
    const { ok, success, status, error, errors } = root as Record<string, unknown>;
    const present = (value: unknown) =>
      value !== undefined && value !== null && value !== false && value !== '' && !(Array.isArray(value) && value.length === 0);
    return (
      ok === false ||
      success === false ||
      (typeof status === 'string' && /^(?:error|fail|failed|failure)$/i.test(status)) ||
      present(error) ||
      present(errors)
    );
  }, false);
}

/** The most specific code (a key-related one first) and message (a sentence over a short title). */
function describe(body: Body): { code?: string; message?: string } {
  const order = (a: Candidate, b: Candidate) => a.depth - b.depth || a.rank - b.rank;
  const codes = [...body.codes].sort(order);
  const messages = [...body.messages].sort(order);
  const code = (codes.find((c) => /key|token|auth|credential/i.test(c.value)) ?? codes[0])?.value;
  const message = (messages.find((m) => m.value.split(/\s+/).length >= 4) ?? messages[0])?.value;
  return { ...(code === undefined ? {} : { code }), ...(message === undefined ? {} : { message }) };
}

// ---------------------------------------------------------------------------
// Headers
// ---------------------------------------------------------------------------

/** One header's value from any `HeadersInit` (Headers, pairs or a record), without throwing on odd input. */
function headerValue(headers: unknown, name: string): string | undefined {
  if (!isObject(headers)) return undefined;
  const found = safe((): unknown => {
    const h = headers as { get?: unknown };
    if (typeof h.get === 'function') return (h.get as (n: string) => unknown).call(headers, name);
    if (Array.isArray(headers)) {
      return headers.slice(0, 100).find((pair) => Array.isArray(pair) && String(pair[0]).toLowerCase() === name)?.[1];
    }
    const key = Object.keys(headers)
      .slice(0, 100)
      .find((k) => k.toLowerCase() === name);
    return key === undefined ? undefined : (headers as Record<string, unknown>)[key];
  }, undefined);
  if (typeof found === 'string') return found.slice(0, HEADER_LIMIT);
  if (Array.isArray(found)) return safe(() => found.slice(0, 10).map(String).join(', ').slice(0, HEADER_LIMIT), undefined);
  return undefined;
}

/** The `error` and `error_description` of an RFC 6750 Bearer challenge, when there is one. */
function bearerChallenge(value: string | undefined): { error?: string; description?: string } | undefined {
  const start = value?.search(/(?:^|,)\s*bearer(?![\w-])/i) ?? -1;
  if (!value || start < 0) return undefined;
  const params: Record<string, string> = {};
  for (const match of value.slice(start).matchAll(/(?<![\w-])([\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,"]*))/g)) {
    const key = (match[1] as string).toLowerCase();
    if (!(key in params)) params[key] = match[2] === undefined ? (match[3] ?? '') : match[2].replace(/\\(.)/g, '$1');
  }
  return {
    ...(params.error ? { error: params.error } : {}),
    ...(params.error_description ? { description: params.error_description } : {}),
  };
}

// ---------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------

function isObject(value: unknown): value is object {
  return (typeof value === 'object' && value !== null) || typeof value === 'function';
}

/** Runs a read that a getter or Proxy may make throw. */
function safe<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback;
  }
}
