import pRetry, { AbortError as StopRetrying } from 'p-retry';
import { classifyKeyError, describeErrorBody, type ErrorResponse } from './classify/classify.js';
import type { ApiError } from './errors/api-error.js';
import { ConfigError } from './errors/config-error.js';
import { ConnectionError } from './errors/connection-error.js';
import { apiErrorFor } from './errors/from-response.js';
import { isApiError, isKeyguardError } from './errors/guards.js';
import { InvalidApiKeyError } from './errors/invalid-api-key-error.js';
import { ResponseValidationError } from './errors/response-validation-error.js';
import { TimeoutError } from './errors/timeout-error.js';
import { abortable, sleep } from './internal/abort.js';
import { ERROR_BODY_LIMIT, isJsonContentType, parseLoose, readText } from './internal/body.js';
import { RequestSetupError, send } from './internal/http.js';
import { Secrets } from './internal/redact.js';
import { backoffDelay, isRetryableMethod, isTransient, parseRetryAfter } from './internal/retry.js';
import { validate } from './internal/schema.js';
import { keyHint } from './keys/fingerprint.js';
import { hintFor } from './keys/hints.js';
import { KeyState, type Lease } from './keys/key-state.js';
import {
  type ClientOptions,
  checkHeaders,
  checkTimeout,
  type KeyGrant,
  type Logger,
  type ResolvedOptions,
  type RetryOptions,
  resolveOptions,
  resolveRetry,
} from './options.js';
import type { StandardSchemaV1 } from './standard-schema.js';
import { KEY_ERROR_REASONS, type KeyErrorReason } from './types.js';

/** HTTP methods a client sends. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';

/** Query parameters; `undefined` and `null` are left out, arrays repeat the name. */
export type Query = Record<string, string | number | boolean | null | undefined | ReadonlyArray<string | number | boolean>>;

/** Options of one request. */
export interface RequestOptions<S extends StandardSchemaV1 | undefined = undefined> {
  /** Query parameters. */
  query?: Query;
  /** Serialised as JSON (a `Blob`, `FormData`, `URLSearchParams`, `ArrayBuffer` or typed array is sent as is; a `ReadableStream` is sent once and never replayed). */
  body?: unknown;
  /** Sent with this request, over the client's `headers`. */
  headers?: Record<string, string>;
  /** Any Standard Schema (a zod 4 schema, say): the response is validated and typed by it. */
  schema?: S;
  /** Aborts the request at once, also while it waits for a key refresh or a retry delay. */
  signal?: AbortSignal;
  /** Per attempt; overrides the client's. */
  timeoutMs?: number;
  /** Sent as `Idempotency-Key` (the same value on every attempt); lets POST and PATCH be retried. */
  idempotencyKey?: string;
  /** Overrides the client's retry policy for this request. */
  retry?: number | false | RetryOptions;
  /** `false` for an endpoint that takes no key: nothing is linted or sent. */
  auth?: false;
}

/** What a request resolves to: the schema's output type, or `unknown` without a schema. */
export type ResponseOf<S> = S extends StandardSchemaV1 ? StandardSchemaV1.InferOutput<S> : unknown;

/** `request()`'s argument: request options plus the method and path. */
export type FullRequest<S extends StandardSchemaV1 | undefined = undefined> = RequestOptions<S> & {
  /** The HTTP method, upper- or lower-case. */
  method: HttpMethod | Lowercase<HttpMethod>;
  /** Relative to the client's `baseUrl`, e.g. `/users/42`; an absolute URL, or `..` segments that leave `baseUrl`, reject with {@link ConfigError}. */
  path: string;
};

type PathParamNames<P extends string> = P extends `${string}{${infer Name}}${infer Rest}` ? Name | PathParamNames<Rest> : never;
type Input<S> = S extends StandardSchemaV1 ? StandardSchemaV1.InferInput<S> : never;

/** The argument of an endpoint function: typed `params`, `query` and `body`, plus per-call options. */
export type EndpointInput<P extends string, PS, QS, BS> = (PS extends StandardSchemaV1
  ? {
      /** Path parameters, validated by the definition's `params` schema; each value is URL-encoded into its `{name}` placeholder. */
      params: Input<PS>;
    }
  : [PathParamNames<P>] extends [never]
    ? {
        /** Not used: the path has no `{name}` placeholders. */
        params?: undefined;
      }
    : {
        /** A value for every `{name}` placeholder in the path; each is URL-encoded. */
        params: Record<PathParamNames<P>, string | number>;
      }) &
  (QS extends StandardSchemaV1
    ? {
        /** Query parameters, validated by the definition's `query` schema. */
        query: Input<QS>;
      }
    : {
        /** Query parameters; `undefined` and `null` are left out, arrays repeat the name. */
        query?: Query;
      }) &
  (BS extends StandardSchemaV1
    ? {
        /** The request body, validated by the definition's `body` schema; the schema's output is sent as JSON. */
        body: Input<BS>;
      }
    : {
        /** The request body, serialised as JSON (binary bodies and streams are sent as is). */
        body?: unknown;
      }) &
  Pick<RequestOptions, 'headers' | 'signal' | 'timeoutMs' | 'idempotencyKey' | 'retry'>;

/** What {@link Client.endpoint} takes: the route and its schemas. */
export interface EndpointDefinition<P extends string, R, PS, QS, BS> {
  /** The HTTP method, upper- or lower-case. */
  method: HttpMethod | Lowercase<HttpMethod>;
  /** The path, with `{name}` placeholders for URL-encoded params, e.g. `/users/{id}`. */
  path: P;
  /** Validates `params` before sending. */
  params?: PS;
  /** Validates `query` before sending. */
  query?: QS;
  /** Validates `body` before sending. */
  body?: BS;
  /** Validates and types the response. */
  response?: R;
  /** `false` for an endpoint that takes no key. */
  auth?: false;
}

/** A typed function for one endpoint. */
export type Endpoint<P extends string, R, PS, QS, BS> =
  // biome-ignore lint/complexity/noBannedTypes: `{} extends X` asks "are all of X's fields optional?", so the argument may be left out.
  {} extends EndpointInput<P, PS, QS, BS>
    ? (input?: EndpointInput<P, PS, QS, BS>) => Promise<ResponseOf<R>>
    : (input: EndpointInput<P, PS, QS, BS>) => Promise<ResponseOf<R>>;

/** A keyguard client. It holds the key in a closure: printing or serialising it never shows the key. */
export interface Client {
  /**
   * Sends a GET request to `path` (relative to `baseUrl`). Resolves to the `schema`'s output type,
   * `unknown` without a schema, or `undefined` for a 204 or an empty body.
   *
   * @example
   * ```ts
   * const user = await client.get('/users/42', { schema: User, query: { expand: 'team' } });
   * ```
   */
  get<S extends StandardSchemaV1 | undefined = undefined>(path: string, options?: RequestOptions<S>): Promise<ResponseOf<S>>;
  /**
   * Sends a POST request; `options.body` is serialised as JSON. Retried on transient failures only
   * when an `idempotencyKey` is given.
   *
   * @example
   * ```ts
   * const key = await client.post('/keys', { body: { name: 'ci' }, schema: Key, idempotencyKey: crypto.randomUUID() });
   * ```
   */
  post<S extends StandardSchemaV1 | undefined = undefined>(path: string, options?: RequestOptions<S>): Promise<ResponseOf<S>>;
  /** Sends a PUT request; `options.body` is serialised as JSON. PUT is idempotent, so transient failures are retried. */
  put<S extends StandardSchemaV1 | undefined = undefined>(path: string, options?: RequestOptions<S>): Promise<ResponseOf<S>>;
  /** Sends a PATCH request; `options.body` is serialised as JSON. Retried on transient failures only when an `idempotencyKey` is given. */
  patch<S extends StandardSchemaV1 | undefined = undefined>(path: string, options?: RequestOptions<S>): Promise<ResponseOf<S>>;
  /** Sends a DELETE request. DELETE is idempotent, so transient failures are retried. */
  delete<S extends StandardSchemaV1 | undefined = undefined>(path: string, options?: RequestOptions<S>): Promise<ResponseOf<S>>;
  /**
   * Sends a request with any method; otherwise like {@link Client.get}.
   *
   * @example
   * ```ts
   * const page = await client.request({ method: 'GET', path: '/users', query: { limit: 10 }, schema: UserPage });
   * ```
   */
  request<S extends StandardSchemaV1 | undefined = undefined>(options: FullRequest<S>): Promise<ResponseOf<S>>;
  /**
   * Returns a typed function for one endpoint: `params` must name every `{placeholder}` in the
   * path, and the result is typed by `response`.
   *
   * @example
   * ```ts
   * const getUser = client.endpoint({ method: 'GET', path: '/users/{id}', response: User });
   * const user = await getUser({ params: { id: '42' } });
   * ```
   */
  endpoint<
    const P extends string,
    R extends StandardSchemaV1 | undefined = undefined,
    PS extends StandardSchemaV1 | undefined = undefined,
    QS extends StandardSchemaV1 | undefined = undefined,
    BS extends StandardSchemaV1 | undefined = undefined,
  >(definition: EndpointDefinition<P, R, PS, QS, BS>): Endpoint<P, R, PS, QS, BS>;
  /** Replaces the key at runtime. */
  setApiKey(key: string | KeyGrant): void;
}

const REQUEST_ID_HEADERS = [
  'x-request-id',
  'request-id',
  'x-amzn-requestid',
  'x-amz-request-id',
  'x-correlation-id',
  'x-github-request-id',
  'cf-ray',
];
/** Wrapped in p-retry's AbortError by an attempt whose error is final (kept aside in `finalError`); an Error, so no stack is formatted per stop. */
const STOP = new Error('keyguard: stop');
const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

const DEFAULT_MESSAGES: Record<KeyErrorReason, string> = {
  expired: 'The API key has expired.',
  revoked: 'The API key has been revoked or disabled.',
  malformed: 'The API does not recognise this API key.',
  missing: 'The API received no API key.',
  unknown: 'The API rejected the API key.',
};

/**
 * Creates a client. Options are validated once; a bad one throws {@link ConfigError}.
 *
 * @example
 * ```ts
 * const client = createClient({
 *   baseUrl: 'https://api.example.com/v1',
 *   apiKey: process.env.EXAMPLE_API_KEY,
 *   onKeyInvalid: async (error) => vault.rotate(error.reason),
 * });
 * const me = await client.get('/me', { schema: User });
 * ```
 */
export function createClient(options: ClientOptions): Client {
  const config = resolveOptions(options);
  const secrets = new Secrets();
  const logger = redactingLogger(config.logger, secrets);
  const keys = new KeyState({
    apiKey: config.apiKey,
    onKeyInvalid: config.onKeyInvalid,
    refreshBeforeExpiryMs: config.refreshBeforeExpiryMs,
    refreshTimeoutMs: config.timeoutMs,
    keyLint: config.keyLint,
    logger,
    secrets,
    keyShare: config.keyShare,
  });
  const run = <S extends StandardSchemaV1 | undefined>(request: FullRequest<S>) =>
    execute(config, keys, secrets, logger, request) as Promise<ResponseOf<S>>;
  const verb =
    (method: HttpMethod) =>
    <S extends StandardSchemaV1 | undefined = undefined>(path: string, requestOptions?: RequestOptions<S>) =>
      run<S>({ ...requestOptions, method, path });

  const client: Client = {
    get: verb('GET'),
    post: verb('POST'),
    put: verb('PUT'),
    patch: verb('PATCH'),
    delete: verb('DELETE'),
    request: run,
    endpoint: (definition) => makeEndpoint(definition, run) as never,
    setApiKey: (key) => keys.set(key),
  };
  // What console.log / util.inspect / JSON.stringify show: where it points, never the key.
  Object.defineProperty(client, 'toJSON', { value: () => ({ baseUrl: config.baseUrl, auth: config.auth.type }) });
  Object.defineProperty(client, Symbol.for('nodejs.util.inspect.custom'), {
    value: () => `KeyguardClient { baseUrl: '${config.baseUrl}', auth: '${config.auth.type}' }`,
  });
  return client;
}

/** One request, start to finish: key, send, classify, replay on a key error, retry transient failures. */
async function execute(
  config: ResolvedOptions,
  keys: KeyState,
  secrets: Secrets,
  logger: Logger,
  request: FullRequest<StandardSchemaV1 | undefined>,
): Promise<unknown> {
  if (typeof request !== 'object' || request === null) throw new ConfigError('request', 'must be an object with method and path');
  const method = String(request.method ?? '').toUpperCase();
  if (!METHODS.has(method)) throw new ConfigError('method', `must be one of ${[...METHODS].join(', ')}`);
  const url = buildUrl(config.baseUrl, request.path, request.query);
  if ((method === 'GET' || method === 'HEAD') && request.body !== undefined)
    throw new ConfigError('body', `is not allowed on a ${method} request`);
  const policy = request.retry === undefined ? config.retry : resolveRetry(config.retry, request.retry);
  const timeoutMs = checkTimeout(request.timeoutMs, config.timeoutMs);
  const body = encodeBody(request.body);
  const headers = buildHeaders(config.headers, request.headers, body.contentType, request.idempotencyKey);
  const { signal, schema } = request;
  const useKey = request.auth !== false;
  const canRetry = body.replayable && isRetryableMethod(method, policy, request.idempotencyKey);

  // A header that carries the key is redacted by name, whatever its value.
  const redactedHeaders = (headers: Headers) => secrets.headers(headers, config.auth.type === 'header' ? config.auth.name : undefined);

  let attempts = 0;
  let replays = 0;
  let refreshedExpiring = false;
  let finalError: { error: unknown } | undefined;
  const stop = (error: unknown) => {
    finalError = { error };
    return new StopRetrying(STOP);
  };

  const attempt = async (): Promise<unknown> => {
    // Bounded: every pass either returns, throws, or uses one of maxKeyRefreshes replays.
    for (;;) {
      let lease: Lease | undefined;
      try {
        lease = useKey ? await keys.acquire(signal, !refreshedExpiring) : undefined;
      } catch (error) {
        throw stop(error);
      }
      refreshedExpiring = true;
      let keyError = lease?.rejection;
      if (!keyError) {
        attempts += 1;
        const outcome = await sendOnce(lease?.key);
        if (outcome.ok) return outcome.value;
        keyError = outcome.keyError;
      }
      if (!lease || replays >= config.maxKeyRefreshes || !body.replayable) throw stop(keyError);
      replays += 1;
      try {
        await keys.replace(lease, keyError, signal);
      } catch (error) {
        throw stop(error);
      }
      logger.debug?.(`keyguard: replaying ${method} ${secrets.text(url.href)} with the new key.`);
    }
  };

  const sendOnce = async (key: string | undefined): Promise<{ ok: true; value: unknown } | { ok: false; keyError: InvalidApiKeyError }> => {
    // Each attempt starts from the request as built: a key placed by an earlier attempt never lingers.
    const attemptUrl = new URL(url);
    const attemptHeaders = new Headers(headers);
    if (key !== undefined) {
      try {
        placeKey(config, attemptUrl, attemptHeaders, key);
      } catch {
        // Only reachable with keyLint: 'off' — a key a header cannot carry is still a typed key error.
        return { ok: false, keyError: unsendableKey(key) };
      }
    }
    const safeUrl = secrets.text(attemptUrl.href);
    logger.debug?.(`keyguard: ${method} ${safeUrl} (attempt ${attempts})`);

    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const onAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    let response: Response;
    let text: string;
    try {
      if (signal?.aborted) throw signal.reason;
      // abortable: the timeout and the user's abort hold even when a custom fetch ignores the signal.
      ({ response, text } = await abortable(
        (async () => {
          const response = await send({
            url: attemptUrl,
            method,
            headers: attemptHeaders,
            body: body.payload,
            signal: controller.signal,
            fetch: config.fetch,
            redirect: config.auth.type === 'header' ? 'manual' : 'follow',
          });
          try {
            const limit = response.ok ? Number.POSITIVE_INFINITY : ERROR_BODY_LIMIT;
            // The platform's fetch stops its own body on abort; readText stops a custom fetch's, also
            // one whose answer arrives after the abort.
            return { response, text: await readText(response, limit, config.fetch ? controller.signal : undefined) };
          } catch (error) {
            // A 2xx without its whole body has no answer to give; for any other status, a body that
            // cannot be read (cut off, wrongly encoded) counts as empty, so the status still decides.
            if (response.ok || controller.signal.aborted) throw error;
            return { response, text: '' };
          }
        })(),
        controller.signal,
      ));
    } catch (error) {
      if (signal?.aborted) throw stop(signal.reason);
      if (timedOut) throw new TimeoutError(method, safeUrl, timeoutMs);
      if (error instanceof RequestSetupError) throw stop(new ConfigError(error.option, secrets.text(error.message)));
      throw new ConnectionError(method, safeUrl, { cause: secrets.error(error) });
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
    logger.debug?.(`keyguard: ${method} ${safeUrl} -> ${response.status}`);
    if (response.type === 'opaqueredirect' || (config.auth.type === 'header' && isRedirect(response.status))) {
      throw stop(redirectError(response, method, url.pathname, safeUrl, redactedHeaders(response.headers)));
    }

    const contentType = response.headers.get('content-type');
    let parsed: unknown;
    if (response.ok && isJsonContentType(contentType) && text.trim() !== '') {
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new ResponseValidationError(method, safeUrl, [{ message: 'the body is not valid JSON' }]);
      }
    } else {
      parsed = parseLoose(text);
    }

    const reason = classifyResponse(config, { status: response.status, headers: response.headers, body: parsed }, logger);
    if (reason) {
      const described = reason.description;
      return {
        ok: false,
        keyError: new InvalidApiKeyError({
          reason: reason.reason,
          source: 'server',
          status: response.status,
          code: described.code === undefined ? undefined : secrets.text(described.code),
          message: secrets.text(described.message ?? DEFAULT_MESSAGES[reason.reason]),
          hint: hintFor(reason.reason),
          keyHint: key === undefined ? undefined : keyHint(key),
          requestId: requestIdOf(response.headers, secrets),
          response: { status: response.status, headers: redactedHeaders(response.headers), body: secrets.value(parsed) },
          method,
          url: safeUrl,
        }),
      };
    }
    if (!response.ok) {
      const described = describeErrorBody(parsed);
      throw apiErrorFor({
        status: response.status,
        code: described.code === undefined ? undefined : secrets.text(described.code),
        message: secrets.text(
          `${method} ${url.pathname} failed with ${response.status}${described.message ? `: ${described.message}` : '.'}`,
        ),
        body: secrets.value(parsed),
        headers: redactedHeaders(response.headers),
        requestId: requestIdOf(response.headers, secrets),
        method,
        url: safeUrl,
        retryAfterMs: parseRetryAfter(response.headers),
      });
    }
    // A 204 or an empty body is `undefined`, with or without a schema (SPEC §3).
    if (!schema || parsed === undefined) return { ok: true, value: parsed };
    const result = await validate(schema, parsed);
    if (!result.issues) return { ok: true, value: result.value };
    // An issue may quote the value, and the server may have echoed the key into it.
    const issues = result.issues.map((issue) => ({
      message: secrets.text(String(issue.message)),
      path: issue.path?.map((segment) => {
        const key = typeof segment === 'object' && segment !== null ? segment.key : segment;
        return typeof key === 'string' ? secrets.text(key) : key;
      }),
    }));
    throw new ResponseValidationError(method, safeUrl, issues);
  };

  const logFailed = (error: unknown, attemptNumber: number) => {
    if (isTransient(error, policy)) logger.debug?.(`keyguard: attempt ${attemptNumber} failed: ${(error as Error).message}`);
  };
  const fail = (error: unknown): never => {
    if (signal?.aborted) throw signal.reason;
    const final = finalError ? finalError.error : error;
    if (isKeyguardError(final) && final.attempts === undefined) final.attempts = attempts;
    throw final;
  };

  // The first attempt runs outside p-retry: nearly every request succeeds at once, and p-retry's
  // setup costs more than the rest of keyguard's success path. Only a failure that may be retried
  // hands over to p-retry, as its attempt 1; any other is final at once.
  signal?.throwIfAborted(); // Before anything starts: no key is loaded or refreshed for a cancelled request.
  let firstFailure: unknown;
  try {
    const value = await attempt();
    signal?.throwIfAborted(); // An abort while the response was being validated still wins, as on a retry.
    return value;
  } catch (error) {
    firstFailure = error;
  }
  if (finalError || !canRetry || !isTransient(firstFailure, policy)) {
    if (!finalError) logFailed(firstFailure, 1);
    return fail(firstFailure);
  }
  try {
    return await pRetry((attemptNumber) => (attemptNumber === 1 ? Promise.reject(firstFailure) : attempt()), {
      retries: canRetry ? policy.retries : 0,
      minTimeout: 0, // The delay is ours (backoff or Retry-After), slept in shouldRetry.
      ...(signal ? { signal } : {}),
      onFailedAttempt: ({ error, attemptNumber }) => logFailed(error, attemptNumber),
      shouldRetry: async ({ error, retriesConsumed }) => {
        if (!isTransient(error, policy) || signal?.aborted) return false;
        const retryAfterMs = isApiError(error) ? error.retryAfterMs : undefined;
        if (retryAfterMs !== undefined && retryAfterMs > policy.maxRetryAfterMs) return false;
        const delay = retryAfterMs ?? backoffDelay(retriesConsumed, policy);
        logger.debug?.(`keyguard: retrying ${method} ${secrets.text(url.href)} in ${delay} ms.`);
        await sleep(delay, signal);
        return true;
      },
    });
  } catch (error) {
    return fail(error);
  }
}

/** The user's classifier first (every response), then the built-in one (non-2xx only). */
function classifyResponse(
  config: ResolvedOptions,
  response: ErrorResponse & { headers: Headers },
  logger: Logger,
): { reason: KeyErrorReason; description: { code?: string; message?: string } } | undefined {
  let verdict: KeyErrorReason | null | undefined;
  if (config.classifyKeyError) {
    try {
      const answer: unknown = config.classifyKeyError(response);
      if (answer instanceof Promise) {
        answer.catch(() => {}); // Never an unhandled rejection, whatever the promise does.
        logger.warn?.('keyguard: the classifyKeyError option must answer synchronously; its promise was ignored.');
      }
      verdict = answer === null || KEY_ERROR_REASONS.includes(answer as KeyErrorReason) ? (answer as KeyErrorReason | null) : undefined;
    } catch (error) {
      logger.warn?.(`keyguard: the classifyKeyError option threw (${(error as Error)?.message}); using the built-in classifier.`);
    }
  }
  if (verdict === null) return undefined;
  const ok = response.status >= 200 && response.status < 300;
  const builtIn = ok && !verdict ? null : classifyKeyError(response);
  const reason = verdict ?? builtIn?.reason;
  if (!reason) return undefined;
  return { reason, description: builtIn ?? describeErrorBody(response.body) };
}

function isRedirect(status: number): boolean {
  return status >= 300 && status < 400 && status !== 304;
}

/**
 * With the key in a named header, redirects are not followed: fetch drops only `Authorization`
 * on a redirect to another host, so it would hand a named header to whatever host the server names.
 */
function redirectError(response: Response, method: string, path: string, url: string, headers: Record<string, string>): ApiError {
  let target = '';
  try {
    const location = response.headers.get('location');
    if (location) target = ` to ${new URL(location, url).origin}`;
  } catch {
    // An unparsable Location: say less.
  }
  return apiErrorFor({
    status: response.status,
    message: `${method} ${path} was redirected${target}; keyguard does not follow redirects when the key travels in a named header, because fetch would send that header to the new location. Point baseUrl at the final URL.`,
    body: undefined,
    headers,
    method,
    url,
  });
}

function unsendableKey(key: string): InvalidApiKeyError {
  return new InvalidApiKeyError({
    reason: 'malformed',
    source: 'client',
    code: 'invalid-character',
    message: 'The API key was not sent: it contains characters an HTTP header cannot carry.',
    hint: 'Copy the key again as plain text (no line breaks or invisible characters), or return a corrected key from onKeyInvalid.',
    keyHint: keyHint(key),
  });
}

function placeKey(config: ResolvedOptions, url: URL, headers: Headers, key: string): void {
  const { auth } = config;
  if (auth.type === 'bearer') headers.set('authorization', `Bearer ${key}`);
  else if (auth.type === 'header') headers.set(auth.name, key);
  else url.searchParams.set(auth.name, key);
}

function buildUrl(baseUrl: string, path: unknown, query: Query | undefined): URL {
  if (typeof path !== 'string') throw new ConfigError('path', 'must be a string such as "/users/42"');
  // An absolute URL here would send the key to another host.
  if (/^[a-z][a-z\d+.-]*:/i.test(path) || path.startsWith('//'))
    throw new ConfigError('path', 'must be relative to baseUrl, not an absolute URL');
  const base = new URL(baseUrl);
  const url = new URL(`${baseUrl}/${path.replace(/^\/+/, '')}`);
  // "..", even percent-encoded, is resolved by URL parsing: the request must stay under baseUrl.
  if (url.origin !== base.origin || !`${url.pathname}/`.startsWith(`${base.pathname.replace(/\/+$/, '')}/`)) {
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

/**
 * Encodes the body once, so a retry or a key replay sends the same bytes.
 * A stream can be read only once: it is sent, but never replayed or retried.
 */
function encodeBody(body: unknown): { payload: BodyInit | undefined; contentType?: string; replayable: boolean } {
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

function requestIdOf(headers: Headers, secrets: Secrets): string | undefined {
  for (const name of REQUEST_ID_HEADERS) {
    const value = headers.get(name);
    if (value) return secrets.text(value);
  }
  return undefined;
}

/** Wraps the user's logger so no line can carry a key, whatever the caller passes. */
function redactingLogger(logger: Logger, secrets: Secrets): Logger {
  const wrap = (write: ((...args: unknown[]) => void) | undefined) =>
    write &&
    ((...args: unknown[]) => {
      try {
        write.apply(
          logger,
          args.map((arg) => (typeof arg === 'string' ? secrets.text(arg) : secrets.value(arg))),
        );
      } catch {
        // A broken logger must not break requests.
      }
    });
  return { debug: wrap(logger.debug), info: wrap(logger.info), warn: wrap(logger.warn), error: wrap(logger.error) };
}

/** Builds an endpoint function: fills `{name}` params (URL-encoded) and validates inputs against their schemas. */
function makeEndpoint(
  definition: EndpointDefinition<string, unknown, unknown, unknown, unknown>,
  run: (request: FullRequest<StandardSchemaV1 | undefined>) => Promise<unknown>,
) {
  if (typeof definition !== 'object' || definition === null || typeof definition.path !== 'string') {
    throw new ConfigError('endpoint', 'must be { method, path, params?, query?, body?, response? }');
  }
  return async (input: Record<string, unknown> = {}) => {
    const params = await validateInput(definition.params, input.params, 'params');
    const query = await validateInput(definition.query, input.query, 'query');
    const body = await validateInput(definition.body, input.body, 'body');
    const path = definition.path.replace(/\{([^{}]+)\}/g, (_, name: string) => {
      const value = (params as Record<string, unknown> | undefined)?.[name];
      if (value === undefined || value === null || value === '') throw new ConfigError(`params.${name}`, 'is required by the path');
      // URL parsing resolves "." and ".." (even encoded), which would send the request to another route.
      if (/^(?:\.|%2e){1,2}$/i.test(String(value))) throw new ConfigError(`params.${name}`, 'must not be "." or ".."');
      return encodeURIComponent(String(value));
    });
    const { headers, signal, timeoutMs, idempotencyKey, retry } = input as RequestOptions;
    return run({
      method: definition.method,
      path,
      query: query as Query | undefined,
      body,
      headers,
      signal,
      timeoutMs,
      idempotencyKey,
      retry,
      schema: definition.response as StandardSchemaV1 | undefined,
      ...(definition.auth === false ? { auth: false as const } : {}),
    });
  };
}

async function validateInput(schema: unknown, value: unknown, option: string): Promise<unknown> {
  if (!schema) return value;
  const result = await validate(schema as StandardSchemaV1, value);
  if (!result.issues) return result.value;
  const issue = result.issues[0];
  const path = (issue?.path ?? []).map((p) => String(typeof p === 'object' ? p.key : p));
  throw new ConfigError([option, ...path].join('.'), issue?.message ?? 'is invalid');
}
