import type { FullRequest, Query, ResponseInfo, ResponseType } from '../client.js';
import { ConfigError } from '../errors/config-error.js';
import { isRetryableMethod } from '../internal/retry.js';
import { checkHeaders, checkTimeout, type ResolvedOptions, type RetryPolicy, resolveRetry } from '../options.js';
import type { StandardSchemaV1 } from '../standard-schema.js';
import type { ResolvedHooks } from './hooks.js';

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);
const RESPONSE_TYPES = new Set<ResponseType>(['json', 'text', 'arrayBuffer', 'blob', 'stream', 'response']);

/** A body encoded once, so a retry or a key replay sends the same bytes. */
export interface EncodedBody {
  payload: BodyInit | undefined;
  contentType?: string;
  /** False for a stream: it can be read only once, so it is sent but never replayed or retried. */
  replayable: boolean;
}

/** One client request with every per-request check done: what the later stages read, never re-validate. */
export interface PreparedRequest {
  method: string;
  /** Under `baseUrl`, with the query; no key yet. */
  url: URL;
  /** Client and request headers, content type and idempotency key; no key yet. */
  headers: Headers;
  body: EncodedBody;
  signal: AbortSignal | undefined;
  schema: StandardSchemaV1 | undefined;
  useKey: boolean;
  policy: RetryPolicy;
  timeoutMs: number;
  maxBodyBytes: number;
  /** What a 2xx body becomes. */
  responseType: ResponseType;
  /** For `'stream'` bodies: the longest wait between two chunks. */
  idleTimeoutMs: number;
  /** For `client.sse`: a 2xx must be `text/event-stream`, and resolves to the stream and its redacted URL. */
  eventStream: boolean;
  /** The client's `onResponse`, then the request's. */
  onResponse: Array<(info: ResponseInfo) => void>;
  /** The client's hooks; undefined without any (ky then runs none). */
  hooks: ResolvedHooks | undefined;
  /** ky's `context` for the hooks. */
  context: Record<string, unknown> | undefined;
  /** Transient failures may be retried: an idempotent method (or an idempotency key) and a replayable body. */
  canRetry: boolean;
}

/** Checks a request's options once and builds what every attempt starts from. Throws {@link ConfigError}. */
export function prepareRequest(
  config: ResolvedOptions,
  request: FullRequest<StandardSchemaV1 | undefined, ResponseType | undefined>,
  eventStream = false,
): PreparedRequest {
  if (typeof request !== 'object' || request === null) throw new ConfigError('request', 'must be an object with method and path');
  const method = String(request.method ?? '').toUpperCase();
  if (!METHODS.has(method)) throw new ConfigError('method', `must be one of ${[...METHODS].join(', ')}`);
  const url = buildUrl(config, request.path, request.query);
  if ((method === 'GET' || method === 'HEAD') && request.body !== undefined)
    throw new ConfigError('body', `is not allowed on a ${method} request`);
  const { signal } = request;
  if (signal !== undefined && !isAbortSignal(signal)) throw new ConfigError('signal', 'must be an AbortSignal');
  const policy = request.retry === undefined ? config.retry : resolveRetry(config.retry, request.retry);
  const timeoutMs = checkTimeout(request.timeoutMs, config.timeoutMs);
  const maxBodyBytes = checkByteLimit(request.maxBodyBytes, config.maxBodyBytes);
  const responseType = request.responseType ?? 'json';
  if (!RESPONSE_TYPES.has(responseType)) throw new ConfigError('responseType', `must be one of ${[...RESPONSE_TYPES].join(', ')}`);
  const idleTimeoutMs = checkTimeout(request.idleTimeoutMs, config.idleTimeoutMs ?? timeoutMs, 'idleTimeoutMs');
  const body = encodeBody(request.body);
  const headers = buildHeaders(config.headers, request.headers, body.contentType, request.idempotencyKey);
  return {
    method,
    url,
    headers,
    body,
    signal,
    schema: request.schema,
    useKey: request.auth !== false,
    policy,
    timeoutMs,
    maxBodyBytes,
    responseType,
    idleTimeoutMs,
    eventStream,
    onResponse: [config.onResponse, checkCallback(request.onResponse)].filter((f) => f !== undefined),
    hooks: config.hooks,
    context: checkContext(request.context),
    canRetry: body.replayable && isRetryableMethod(method, policy, request.idempotencyKey),
  };
}

/** Duck-typed, so a signal from another realm (a test environment, a polyfill) is accepted too. */
export function isAbortSignal(value: unknown): value is AbortSignal {
  const signal = value as AbortSignal | null;
  return (
    typeof signal === 'object' &&
    signal !== null &&
    typeof signal.aborted === 'boolean' &&
    typeof signal.addEventListener === 'function' &&
    typeof signal.removeEventListener === 'function'
  );
}

function checkCallback<F>(value: F | undefined): F | undefined {
  if (value !== undefined && typeof value !== 'function') throw new ConfigError('onResponse', 'must be a function');
  return value;
}

function checkContext(value: unknown): Record<string, unknown> | undefined {
  if (value !== undefined && (typeof value !== 'object' || value === null)) throw new ConfigError('context', 'must be an object');
  return value as Record<string, unknown> | undefined;
}

function checkByteLimit(value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value))
    throw new ConfigError('maxBodyBytes', 'must be a positive number of bytes');
  return value;
}

function buildUrl({ baseUrl, base }: ResolvedOptions, path: unknown, query: Query | undefined): URL {
  if (typeof path !== 'string') throw new ConfigError('path', 'must be a string such as "/users/42"');
  // An absolute URL here would send the key to another host.
  if (/^[a-z][a-z\d+.-]*:/i.test(path) || path.startsWith('//'))
    throw new ConfigError('path', 'must be relative to baseUrl, not an absolute URL');
  const url = new URL(`${baseUrl}/${path.replace(/^\/+/, '')}`);
  // "..", even percent-encoded, is resolved by URL parsing: the request must stay under baseUrl.
  if (url.origin !== base.origin || !`${url.pathname}/`.startsWith(base.path)) {
    throw new ConfigError('path', 'must stay under baseUrl ("." and ".." segments cannot leave it)');
  }
  if (query !== undefined) {
    if (typeof query !== 'object' || query === null) throw new ConfigError('query', 'must be an object of names to values');
    for (const [name, value] of Object.entries(query)) {
      if (value === undefined || value === null) continue;
      for (const item of Array.isArray(value) ? value : [value]) {
        if (!['string', 'number', 'boolean'].includes(typeof item))
          throw new ConfigError(`query.${name}`, 'must be a string, number, boolean or an array of them');
        url.searchParams.append(name, String(item));
      }
    }
  }
  return url;
}

function buildHeaders(
  clientHeaders: Record<string, string>,
  requestHeaders: Record<string, string> | undefined,
  contentType: string | undefined,
  idempotencyKey: string | undefined,
): Headers {
  if (requestHeaders !== undefined) {
    if (typeof requestHeaders !== 'object' || requestHeaders === null)
      throw new ConfigError('headers', 'must be an object of header names to strings');
    checkHeaders(requestHeaders);
  }
  if (idempotencyKey !== undefined) checkHeaders({ 'idempotency-key': idempotencyKey }, 'idempotencyKey');
  const headers = new Headers({ accept: 'application/json' });
  for (const [name, value] of Object.entries({ ...clientHeaders, ...requestHeaders })) headers.set(name, value);
  if (contentType) headers.set('content-type', contentType);
  if (idempotencyKey !== undefined) headers.set('idempotency-key', idempotencyKey);
  return headers;
}

/** Encodes the body once. A stream can be read only once: it is sent, but never replayed or retried. */
function encodeBody(body: unknown): EncodedBody {
  if (body === undefined) return { payload: undefined, replayable: true };
  if (typeof ReadableStream !== 'undefined' && body instanceof ReadableStream) return { payload: body, replayable: false };
  if (
    body instanceof ArrayBuffer ||
    ArrayBuffer.isView(body) ||
    (typeof Blob !== 'undefined' && body instanceof Blob) ||
    (typeof FormData !== 'undefined' && body instanceof FormData) ||
    body instanceof URLSearchParams
  ) {
    return { payload: body as BodyInit, replayable: true };
  }
  let json: string | undefined;
  try {
    json = JSON.stringify(body);
  } catch (error) {
    throw new ConfigError('body', `must be JSON-serialisable (${(error as Error).message})`);
  }
  if (json === undefined) throw new ConfigError('body', 'must be JSON-serialisable (got a function or symbol)');
  return { payload: json, contentType: 'application/json', replayable: true };
}
