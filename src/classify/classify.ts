import type { KeyErrorReason } from '../types.js';

/** A response as the classifier sees it: `body` is parsed JSON or the raw text. */
export interface ErrorResponse {
  status: number;
  headers?: HeadersInit | undefined;
  body: unknown;
}

/** The classifier's verdict on a key error. */
export interface KeyErrorClassification {
  reason: KeyErrorReason;
  /** The API's own error code, when it sent one. */
  code?: string;
  /** The API's most specific human-readable text, when it sent one. */
  message?: string;
}

/** The classifier reads at most this much of a body. */
export const CLASSIFY_BODY_LIMIT = 64 * 1024;

/** Fields that carry an error's machine code, most specific first. */
const CODE_FIELDS = ['code', 'error_code', 'errorCode', 'type', 'reason', 'status', 'error'] as const;
/** Fields that carry human text, most specific first. */
const MESSAGE_FIELDS = ['message', 'detail', 'error_description', 'description', 'msg', 'title', 'error'] as const;

/** A key is the subject: the text talks about an API key, token or credentials. */
const KEY_SUBJECT =
  /api[\s_-]?key|apikey|access[\s_-]?key|secret[\s_-]?key|subscription[\s_-]?key|\bkey\b|token|credential|authenticat|unauthori[sz]ed|invalid_auth|not_authed|bearer|signature/i;
/** Not about the key itself: permissions, scopes, quota, rate limits, billing. */
const NOT_THE_KEY =
  /permission|scope|not allowed|forbidden to|access to (?:this|the) resource|resource not accessible|insufficient[\s_](?:privilege|permission|scope|quota)|quota|rate[\s_-]?limit|too many requests|billing|credit|plan does not|upgrade your plan|payment/i;

const EXPIRED = /expired?\b|expir(?:y|ation)|token_expired|key_expired/i;
const REVOKED = /revoked?|disabled|deactivated|inactive|suspended|deleted|blocked|banned|blacklisted|no longer (?:valid|active)|account_inactive/i;
const MISSING =
  /missing|not (?:been )?provided|no (?:api[\s_-]?)?(?:key|token|credentials|authentication)|(?:key|token|credentials|authorization header|authentication token|authentication) (?:is |are )?required|must (?:provide|include|supply)|not_authed|unauthenticated|did not provide|didn't provide|without (?:an? )?(?:api )?key/i;
const MALFORMED =
  /invalid|incorrect|malformed|not valid|isn't valid|unrecogni[sz]ed|unknown (?:api[\s_-]?)?(?:key|token)|wrong|bad (?:api[\s_-]?)?(?:key|token)|bad credentials|not found|does not exist|doesn't exist|could not (?:be )?(?:validate|verif|authenticat)|failed to (?:validate|verify)/i;

/** One reason mentioned only as an alternative ("invalid or expired") does not count as known. */
const ALTERNATIVES = /\bor\b|\//i;

type Fields = { codes: string[]; messages: string[]; ok?: boolean };

/**
 * Decides whether a response means "this key is no good", and why. Understands flat
 * and nested JSON envelopes, `errors[]`, RFC 9457 problem details, RFC 6750
 * `WWW-Authenticate` challenges, plain text, HTML and empty bodies. Never throws;
 * reads at most 64 KiB of a body.
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

function classify(response: ErrorResponse): KeyErrorClassification | null {
  const status = Number(response?.status);
  const fields = collectFields(bodyValue(response?.body));
  const challenge = bearerChallenge(response?.headers);
  const { code, message } = describeFields(fields);
  const text = [...fields.codes, ...fields.messages, challenge?.error ?? '', challenge?.description ?? ''].join(' \n ');

  const result = (reason: KeyErrorReason): KeyErrorClassification => {
    const out: KeyErrorClassification = { reason };
    if (code !== undefined) out.code = code;
    const description = message ?? challenge?.description;
    if (description !== undefined) out.message = description;
    return out;
  };

  if (status === 429 || status >= 500 || NOT_THE_KEY.test(text)) return null;
  if (challenge?.error === 'insufficient_scope' || challenge?.error === 'invalid_request') return null;

  const reason = reasonFrom(text);
  if (challenge?.error === 'invalid_token') return result(reason ?? 'malformed');
  if (status === 401) {
    // RFC 6750 §3.1: a challenge without an error code answers a request that carried no credentials.
    if (challenge && !challenge.error && !reason) return result('missing');
    return result(reason ?? 'unknown');
  }
  // Any other status (2xx envelopes, 400, 403, …) must say outright that the key itself is bad.
  if (status >= 200 && status < 300 && fields.ok !== false && !fields.codes.length) return null;
  if (reason && KEY_SUBJECT.test(text)) return result(reason);
  return null;
}

/** The reason the text gives, or undefined when it gives none (or only as one of several alternatives). */
function reasonFrom(text: string): KeyErrorReason | undefined {
  const strong: KeyErrorReason[] = [];
  if (EXPIRED.test(text)) strong.push('expired');
  if (REVOKED.test(text)) strong.push('revoked');
  if (MISSING.test(text)) strong.push('missing');
  const malformed = MALFORMED.test(text);
  if (strong.length === 1) {
    // "not valid or has expired": the API itself does not know which.
    if (malformed && ALTERNATIVES.test(text) && alternativesMention(text, strong[0] as KeyErrorReason)) return 'unknown';
    return strong[0];
  }
  if (strong.length > 1) return 'unknown';
  return malformed ? 'malformed' : undefined;
}

function alternativesMention(text: string, reason: KeyErrorReason): boolean {
  const pattern = reason === 'expired' ? EXPIRED : reason === 'revoked' ? REVOKED : MISSING;
  return text.split('\n').some((line) => {
    const match = line.match(/(?:invalid|not valid|incorrect)[^.\n]{0,40}\b(?:or|\/)\b[^.\n]{0,40}|[^.\n]{0,40}\b(?:or|\/)\b[^.\n]{0,40}(?:invalid|not valid|incorrect)/i);
    return match !== null && pattern.test(match[0]);
  });
}

/** The body as a value: JSON text is parsed (first 64 KiB), other text stays text. */
function bodyValue(body: unknown): unknown {
  if (typeof body !== 'string') return body;
  const text = body.length > CLASSIFY_BODY_LIMIT ? body.slice(0, CLASSIFY_BODY_LIMIT) : body;
  const trimmed = text.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return JSON.parse(trimmed);
    } catch {
      // Not JSON after all (or cut at the limit): read it as text.
    }
  }
  return htmlToText(text);
}

function htmlToText(text: string): string {
  if (!/<[a-z!/]/i.test(text)) return text;
  const title = text.match(/<title[^>]*>([^<]{0,500})<\/title>/i)?.[1] ?? '';
  const h1 = text.match(/<h1[^>]*>([^<]{0,500})<\/h1>/i)?.[1] ?? '';
  return `${title}\n${h1}`.trim();
}

/** Gathers codes and messages from the usual envelope shapes, bounded in depth and count. */
function collectFields(value: unknown): Fields {
  const fields: Fields = { codes: [], messages: [] };
  if (typeof value === 'string') {
    if (value.trim()) fields.messages.push(value.trim().slice(0, 2000));
    return fields;
  }
  if (value && typeof value === 'object' && !Array.isArray(value) && (value as Record<string, unknown>).ok === false) {
    fields.ok = false;
  }
  visit(value, fields, 0);
  return fields;
}

function visit(value: unknown, fields: Fields, depth: number): void {
  if (depth > 4 || fields.messages.length + fields.codes.length > 40 || value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const item of value.slice(0, 5)) visit(item, fields, depth + 1);
    return;
  }
  const record = value as Record<string, unknown>;
  for (const field of CODE_FIELDS) {
    const item = record[field];
    const isCode = typeof item === 'number' || (typeof item === 'string' && /^[\w.:-]{1,100}$/.test(item));
    if (isCode && !(field === 'status' && typeof item === 'number')) fields.codes.push(String(item));
  }
  for (const field of MESSAGE_FIELDS) {
    const item = record[field];
    if (typeof item === 'string' && item.trim() && !/^[\w.:-]{1,100}$/.test(item)) fields.messages.push(item.trim().slice(0, 2000));
  }
  for (const nested of ['error', 'errors', 'fault', 'details', 'data']) {
    if (typeof record[nested] === 'object') visit(record[nested], fields, depth + 1);
  }
}

/** The API's own code and most specific message in a body, whatever its envelope. Never throws. */
export function describeErrorBody(body: unknown): { code?: string; message?: string } {
  try {
    return describeFields(collectFields(bodyValue(body)));
  } catch {
    return {};
  }
}

function describeFields(fields: Fields): { code?: string; message?: string } {
  const codes = fields.codes.filter((c) => !/^\d{3}$/.test(c));
  // A key-related code says more than a generic one ("API_KEY_INVALID" over "INVALID_ARGUMENT").
  const code = codes.find((c) => /key|token|auth|credential/i.test(c)) ?? codes[0];
  // The most specific message: a sentence over a short title.
  const message = fields.messages.find((m) => m.length > 30) ?? fields.messages[0];
  const out: { code?: string; message?: string } = {};
  if (code !== undefined) out.code = code;
  if (message !== undefined) out.message = message;
  return out;
}

/** The `error` and `error_description` of an RFC 6750 Bearer challenge, when there is one. */
function bearerChallenge(headers: HeadersInit | undefined): { error?: string; description?: string } | undefined {
  if (!headers) return undefined;
  const value = new Headers(headers).get('www-authenticate');
  if (!value || !/^\s*bearer\b/i.test(value)) return undefined;
  const params: Record<string, string> = {};
  for (const match of value.slice(0, 4096).matchAll(/([\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g)) {
    params[(match[1] as string).toLowerCase()] = match[2] ?? match[3] ?? '';
  }
  const out: { error?: string; description?: string } = {};
  if (params.error) out.error = params.error;
  if (params.error_description) out.description = params.error_description;
  return out;
}
