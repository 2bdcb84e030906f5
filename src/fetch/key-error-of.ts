import { classifyKeyError } from '../classify/classify.js';
import { DEFAULT_MESSAGES } from '../core/key-errors.js';
import { REQUEST_ID_HEADERS } from '../core/request-id.js';
import { isInvalidApiKeyError, isKeyguardError } from '../errors/guards.js';
import { InvalidApiKeyError } from '../errors/invalid-api-key-error.js';
import { parseLoose } from '../internal/body.js';
import { Secrets } from '../internal/redact.js';
import { redactValue } from '../internal/redact-deep.js';
import { hintFor } from '../keys/hints.js';
import type { KeyErrorReason } from '../types.js';
import { recallKeyError } from './key-error-recall.js';
import { KEY_ERROR_HEADER } from './key-error-registry.js';

// ---------------------------------------------------------------------------
// Limits: whatever the app caught (a Proxy, a cycle, a huge body), the walk is bounded.
// ---------------------------------------------------------------------------
const MAX_CAUSES = 8; // links followed in a `cause` chain
const BODY_LIMIT = 64 * 1024; // characters or bytes of a body read
const MAX_DEPTH = 8;
const MAX_KEYS = 50; // per object
const MAX_ITEMS = 50; // per array
const MAX_NODES = 500; // objects and arrays copied
const MAX_HEADERS = 100;
const HEADER_VALUE_LIMIT = 8 * 1024;

/** Request headers whose values are credentials: read only to redact them, never copied. */
const CREDENTIAL_HEADERS = ['authorization', 'proxy-authorization', 'x-api-key', 'api-key', 'apikey', 'x-auth-token'];

/** PostgREST's JWT errors (PGRST300–303) carry no status on the error object: they are 401 answers. */
const POSTGREST_JWT_CODE = /^PGRST30[0-3]$/;

type Bag = Record<PropertyKey, unknown>;

/** What an SDK's error says about the answer behind it. */
interface Answer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/**
 * The {@link InvalidApiKeyError} behind whatever the app caught, or `undefined` when it is not a
 * key error. It understands keyguard's own errors (also at the end of a `cause` chain), the
 * errors of openai, `@anthropic-ai/sdk`, stripe, octokit, axios, ky and ofetch, and supabase-js
 * results (`{ error, status }`), `PostgrestError` and `AuthApiError`. For an answer that went
 * through `keyguardFetch` it returns the very error the hook saw; for any other answer it
 * classifies the status, headers and body the SDK kept. It never throws.
 *
 * @example
 * ```ts
 * import { keyErrorOf } from 'keyguard';
 * try {
 *   await fetch('https://api.example.com/v1/me').then((r) => { if (!r.ok) throw new Error(String(r.status)); });
 * } catch (error) {
 *   const keyError = keyErrorOf(error);
 *   if (keyError) console.error(keyError.reason, keyError.hint);
 * }
 * ```
 */
export function keyErrorOf(error: unknown): InvalidApiKeyError | undefined {
  try {
    const seen = new Set<unknown>();
    let current = error;
    for (let link = 0; link < MAX_CAUSES; link++) {
      if (!isObjectLike(current) || seen.has(current)) return undefined;
      seen.add(current);
      const found = fromOne(current);
      if (found) return found;
      current = read(current, 'cause') ?? read(current, 'originalError');
    }
  } catch {
    // Whatever went wrong reading a hostile value: it is not a key error we can name.
  }
  return undefined;
}

function fromOne(value: Bag): InvalidApiKeyError | undefined {
  if (isInvalidApiKeyError(value)) return value;
  // keyguard's other errors were classified already: they are not key errors.
  if (isKeyguardError(value)) return undefined;

  const response = objectAt(value, 'response');
  const raw = objectAt(value, 'raw');
  const headerSources = [read(value, 'headers'), response && read(response, 'headers'), raw && read(raw, 'headers')];
  for (const headers of headerSources) {
    const recalled = recallKeyError(headerValue(headers, KEY_ERROR_HEADER));
    if (recalled) return recalled;
  }

  const answer = answerOf(value, response, raw, headerSources);
  if (!answer) return undefined;
  const verdict = classifyKeyError(answer);
  if (!verdict) return undefined;
  return buildError(value, answer, verdict);
}

/** The status, headers and body an SDK's error kept, in the shape each SDK keeps them. */
function answerOf(value: Bag, response: Bag | undefined, raw: Bag | undefined, headerSources: unknown[]): Answer | undefined {
  const headers = plainHeaders(headerSources.find((h) => isObjectLike(h)));
  // axios, octokit, ky, ofetch: a `response` with a status.
  const responseStatus = response && statusOf(read(response, 'status'));
  if (response && responseStatus !== undefined) {
    let body: unknown;
    if (has(response, 'data'))
      body = read(response, 'data'); // octokit, axios
    else if (has(value, 'data'))
      body = read(value, 'data'); // ofetch (and ky when it parsed the body)
    else if (has(response, '_data')) body = read(response, '_data'); // ofetch's own field
    return { status: responseStatus, headers, body: copyBody(body) };
  }
  // stripe: `statusCode` and the `raw` error object (its headers a plain object).
  const statusCode = statusOf(read(value, 'statusCode'));
  if (raw && statusCode !== undefined) {
    const error: Bag = {};
    for (const field of ['type', 'code', 'message', 'doc_url', 'param', 'decline_code', 'detail', 'user_message']) {
      const item = read(raw, field);
      if (item !== undefined) error[field] = item;
    }
    return { status: statusCode, headers, body: copyBody({ error }) };
  }
  const status = statusOf(read(value, 'status')) ?? statusCode;
  if (status !== undefined) {
    // openai, @anthropic-ai/sdk (`error` is the parsed body, or its `error` field), supabase-js `{ error, status }`.
    if (has(value, 'error')) {
      const error = read(value, 'error');
      if (error === undefined || error === null) {
        // A body that was not JSON: the SDK put its text in the message, after the status.
        const message = read(value, 'message');
        const text = typeof message === 'string' ? message.replace(/^\d{3} /, '') : undefined;
        return { status, headers, body: text === undefined || /^status code \(no body\)$/.test(text) ? undefined : copyBody(text) };
      }
      if (!isObjectLike(error)) return { status, headers, body: copyBody({ ...ownFields(value), error }) };
      return { status, headers, body: copyBody(has(error, 'error') ? error : { error }) };
    }
    // supabase-js AuthApiError and similar: the fields sit on the error itself.
    return { status, headers, body: copyBody(ownFields(value)) };
  }
  // supabase-js PostgrestError: a code but no status.
  const code = read(value, 'code');
  if (typeof code === 'string' && POSTGREST_JWT_CODE.test(code)) {
    return { status: 401, headers, body: copyBody(ownFields(value)) };
  }
  return undefined;
}

function buildError(value: Bag, answer: Answer, verdict: { reason: KeyErrorReason; code?: string; message?: string }): InvalidApiKeyError {
  const secrets = credentialsOf(value);
  const headers = redactHeaders(answer.headers, secrets);
  let requestId: string | undefined;
  for (const name of REQUEST_ID_HEADERS) {
    if (headers[name]) {
      requestId = headers[name];
      break;
    }
  }
  return new InvalidApiKeyError({
    reason: verdict.reason,
    source: 'server',
    status: answer.status,
    code: verdict.code === undefined ? undefined : secrets.text(verdict.code),
    message: secrets.text(verdict.message ?? DEFAULT_MESSAGES[verdict.reason]),
    hint: hintFor(verdict.reason, verdict), // The classification: its evidence picks the hint (causes offered as alternatives…).
    requestId,
    response: { status: answer.status, headers, body: redactValue(secrets, answer.body) },
  });
}

// ---------------------------------------------------------------------------
// Credentials: the key the SDK sent may sit in its request options (axios `config.headers`,
// ky's `request`, ofetch's `options`); its value is learnt only to redact it, never kept.
// ---------------------------------------------------------------------------
function credentialsOf(value: Bag): Secrets {
  const secrets = new Secrets();
  const config = objectAt(value, 'config');
  const request = objectAt(value, 'request');
  const options = objectAt(value, 'options');
  const response = objectAt(value, 'response');
  const responseConfig = response && objectAt(response, 'config');
  for (const holder of [config, request, options, responseConfig]) {
    if (!holder) continue;
    const headers = read(holder, 'headers');
    for (const name of CREDENTIAL_HEADERS) {
      const credential = headerValue(headers, name);
      if (!credential) continue;
      secrets.add(credential);
      const space = credential.indexOf(' ');
      if (space > 0) secrets.add(credential.slice(space + 1).trim()); // "Bearer <key>", "token <key>"
    }
  }
  return secrets;
}

function redactHeaders(headers: Record<string, string>, secrets: Secrets): Record<string, string> {
  const set = new Headers();
  for (const [name, value] of Object.entries(headers)) {
    try {
      set.append(name, value);
    } catch {
      // A name or value fetch would not accept: leave it out.
    }
  }
  const out = secrets.headers(set, 'apikey');
  for (const name of CREDENTIAL_HEADERS) if (name in out) out[name] = '[REDACTED]';
  return out;
}

// ---------------------------------------------------------------------------
// Headers in every shape an SDK keeps them: `Headers`, `Map`, axios' `AxiosHeaders`, a plain object.
// ---------------------------------------------------------------------------
function headerValue(headers: unknown, name: string): string | undefined {
  if (!isObjectLike(headers)) return undefined;
  const get = read(headers, 'get');
  if (typeof get === 'function') {
    try {
      const found = stringOf(get.call(headers, name));
      if (found !== undefined) return found;
    } catch {
      // A getter that throws: fall back to the entries.
    }
  }
  const entries = headerEntries(headers);
  for (const [key, value] of entries) if (key === name) return value;
  return undefined;
}

function plainHeaders(headers: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of headerEntries(headers)) out[name] = name in out ? `${out[name]}, ${value}` : value;
  return out;
}

/** Lower-cased names and string values, at most {@link MAX_HEADERS} of them. */
function headerEntries(headers: unknown): [string, string][] {
  const out: [string, string][] = [];
  if (!isObjectLike(headers)) return out;
  const push = (name: unknown, value: unknown) => {
    const text = stringOf(value);
    if (typeof name === 'string' && text !== undefined && out.length < MAX_HEADERS) out.push([name.toLowerCase(), text]);
  };
  try {
    const entries = read(headers, 'entries');
    const iterate = read(headers, Symbol.iterator);
    const iterator =
      typeof entries === 'function' ? entries.call(headers) : typeof iterate === 'function' ? iterate.call(headers) : undefined;
    if (isObjectLike(iterator) && typeof read(iterator, 'next') === 'function') {
      for (let i = 0; i < MAX_HEADERS; i++) {
        const step = (iterator.next as () => IteratorResult<unknown>)();
        if (!isObjectLike(step) || step.done) break;
        const entry = step.value;
        if (Array.isArray(entry)) push(entry[0], entry[1]);
      }
      return out;
    }
    for (const name of Object.keys(headers).slice(0, MAX_HEADERS)) push(name, read(headers, name));
  } catch {
    // A hostile headers object: keep what was read.
  }
  return out;
}

function stringOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value.slice(0, HEADER_VALUE_LIMIT);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) {
    const parts = value.slice(0, 20).filter((part): part is string => typeof part === 'string');
    return parts.length ? parts.join(', ').slice(0, HEADER_VALUE_LIMIT) : undefined;
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// Bodies: a bounded, JSON-like copy (text, parsed JSON or decoded bytes); never a live object.
// ---------------------------------------------------------------------------
function copyBody(body: unknown): unknown {
  if (typeof body === 'string') return parseLoose(body.slice(0, BODY_LIMIT));
  const bytes = bytesOf(body);
  if (bytes) return parseLoose(new TextDecoder().decode(bytes.subarray(0, BODY_LIMIT)));
  const budget = { nodes: MAX_NODES };
  return copy(body, 0, budget, new Set());
}

function bytesOf(value: unknown): Uint8Array | undefined {
  try {
    if (value instanceof ArrayBuffer) return new Uint8Array(value);
    if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  } catch {
    // A detached or hostile buffer.
  }
  return undefined;
}

function copy(value: unknown, depth: number, budget: { nodes: number }, path: Set<unknown>): unknown {
  if (typeof value === 'string') return value.slice(0, BODY_LIMIT);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return value;
  if (typeof value === 'bigint') return String(value);
  if (!isObjectLike(value) || typeof value === 'function') return undefined;
  if (depth >= MAX_DEPTH || path.has(value) || budget.nodes <= 0) return undefined;
  budget.nodes--;
  path.add(value);
  try {
    if (Array.isArray(value)) {
      const out: unknown[] = [];
      const length = Math.min(Number(value.length) || 0, MAX_ITEMS);
      for (let i = 0; i < length; i++) out.push(copy(read(value, i), depth + 1, budget, path));
      return out;
    }
    const proto = Object.getPrototypeOf(value);
    const plain = proto === Object.prototype || proto === null || value instanceof Error;
    if (!plain) return undefined; // A stream, a Response, a class instance: not a body.
    const out: Bag = {};
    for (const field of Object.keys(value).slice(0, MAX_KEYS)) {
      const item = copy(read(value, field), depth + 1, budget, path);
      if (item !== undefined) Object.defineProperty(out, field, { value: item, enumerable: true, writable: true, configurable: true });
    }
    return out;
  } catch {
    return undefined;
  } finally {
    path.delete(value);
  }
}

/** An error's own data fields (`message`, `code`, `details`, `hint`, …), for errors that are their own body. */
function ownFields(value: Bag): Bag {
  const out: Bag = {};
  for (const field of ['message', 'msg', 'code', 'error_code', 'details', 'detail', 'hint', 'error_description']) {
    const item = read(value, field);
    if (typeof item === 'string' || typeof item === 'number') out[field] = item;
  }
  return out;
}

// ---------------------------------------------------------------------------
// Safe reads: getters and Proxy traps may throw; a throw reads as "absent".
// ---------------------------------------------------------------------------
function isObjectLike(value: unknown): value is Bag {
  return (typeof value === 'object' && value !== null) || typeof value === 'function';
}

function read(value: unknown, field: PropertyKey): unknown {
  if (!isObjectLike(value)) return undefined;
  try {
    return value[field];
  } catch {
    return undefined;
  }
}

function has(value: unknown, field: PropertyKey): boolean {
  if (!isObjectLike(value)) return false;
  try {
    return field in value;
  } catch {
    return false;
  }
}

function objectAt(value: unknown, field: string): Bag | undefined {
  const found = read(value, field);
  return isObjectLike(found) ? found : undefined;
}

function statusOf(value: unknown): number | undefined {
  const status = typeof value === 'string' && /^\d{3}$/.test(value) ? Number(value) : value;
  return typeof status === 'number' && Number.isInteger(status) && status >= 100 && status <= 599 ? status : undefined;
}
