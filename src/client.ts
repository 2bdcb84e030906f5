import { createPipeline } from './core/context.js';
import { runRequest } from './core/request.js';
import { type EventData, readEvents, type ServerSentEvent, type SseOptions } from './core/sse.js';
import { ConfigError } from './errors/config-error.js';
import { validate } from './internal/schema.js';
import { type ClientOptions, type KeyGrant, type RetryOptions, resolveOptions } from './options.js';
import type { StandardSchemaV1 } from './standard-schema.js';

/** HTTP methods a client sends. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';

/** Query parameters; `undefined` and `null` are left out, arrays repeat the name. */
export type Query = Record<string, string | number | boolean | null | undefined | ReadonlyArray<string | number | boolean>>;

/**
 * What a successful body becomes: `'json'` (parsed, validated by `schema`), `'text'` (never parsed),
 * `'arrayBuffer'`, `'blob'`, `'stream'` (a `ReadableStream<Uint8Array>`, bounded by `idleTimeoutMs`),
 * or `'response'` (the platform `Response`, body unread).
 */
export type ResponseType = 'json' | 'text' | 'arrayBuffer' | 'blob' | 'stream' | 'response';

/** What a request resolves to for a `responseType` (and, for `'json'`, its schema). */
export type ResultOf<S, T> = T extends 'text'
  ? string
  : T extends 'arrayBuffer'
    ? ArrayBuffer
    : T extends 'blob'
      ? Blob
      : T extends 'stream'
        ? ReadableStream<Uint8Array>
        : T extends 'response'
          ? Response
          : ResponseOf<S>;

/** What every response of a client is shown to `onResponse`: status and headers, the key redacted. */
export interface ResponseInfo {
  /** The request's method. */
  method: string;
  /** The request's URL, with a key in the query string redacted. */
  url: string;
  /** HTTP status. */
  status: number;
  /** Response headers, credentials redacted. */
  headers: Record<string, string>;
  /** From `x-request-id`, `request-id` or a similar header. */
  requestId: string | undefined;
  /** Which attempt of the request this answered, from 1 (retries and key replays count). */
  attempt: number;
}

/** Options of one request. */
export interface RequestOptions<S extends StandardSchemaV1 | undefined = undefined, T extends ResponseType | undefined = undefined> {
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
  /** The largest successful body read into memory; past it the request rejects with `ResponseTooLargeError`. Overrides the client's. */
  maxBodyBytes?: number;
  /** What the body becomes. Key errors and `ApiError`s are thrown before any of them resolves. @default 'json' */
  responseType?: T;
  /** For `'stream'`: the longest wait between two chunks, in milliseconds. @default the timeoutMs in force */
  idleTimeoutMs?: number;
  /** Sees each response of this request (status, redacted headers, request id), before its body is read; after the client's `onResponse`. */
  onResponse?: (info: ResponseInfo) => void;
  /** Data for the client's `hooks`, as ky's `context`: they find it as `options.context`. @default {} */
  context?: Record<string, unknown>;
}

/** What a request resolves to: the schema's output type, or `unknown` without a schema. */
export type ResponseOf<S> = S extends StandardSchemaV1 ? StandardSchemaV1.InferOutput<S> : unknown;

/** `request()`'s argument: request options plus the method and path. */
export type FullRequest<
  S extends StandardSchemaV1 | undefined = undefined,
  T extends ResponseType | undefined = undefined,
> = RequestOptions<S, T> & {
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
  Pick<
    RequestOptions,
    'headers' | 'signal' | 'timeoutMs' | 'idempotencyKey' | 'retry' | 'idleTimeoutMs' | 'maxBodyBytes' | 'onResponse' | 'context'
  >;

/** What {@link Client.endpoint} takes: the route and its schemas. */
export interface EndpointDefinition<P extends string, R, PS, QS, BS, T extends ResponseType | undefined = undefined> {
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
  /** What the body becomes; the result type follows it. @default 'json' */
  responseType?: T;
}

/** A typed function for one endpoint. */
export type Endpoint<P extends string, R, PS, QS, BS, T extends ResponseType | undefined = undefined> =
  // biome-ignore lint/complexity/noBannedTypes: `{} extends X` asks "are all of X's fields optional?", so the argument may be left out.
  {} extends EndpointInput<P, PS, QS, BS>
    ? (input?: EndpointInput<P, PS, QS, BS>) => Promise<ResultOf<R, T>>
    : (input: EndpointInput<P, PS, QS, BS>) => Promise<ResultOf<R, T>>;

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
  get<S extends StandardSchemaV1 | undefined = undefined, T extends ResponseType | undefined = undefined>(
    path: string,
    options?: RequestOptions<S, T>,
  ): Promise<ResultOf<S, T>>;
  /**
   * Sends a POST request; `options.body` is serialised as JSON. Retried on transient failures only
   * when an `idempotencyKey` is given.
   *
   * @example
   * ```ts
   * const key = await client.post('/keys', { body: { name: 'ci' }, schema: Key, idempotencyKey: crypto.randomUUID() });
   * ```
   */
  post<S extends StandardSchemaV1 | undefined = undefined, T extends ResponseType | undefined = undefined>(
    path: string,
    options?: RequestOptions<S, T>,
  ): Promise<ResultOf<S, T>>;
  /** Sends a PUT request; `options.body` is serialised as JSON. PUT is idempotent, so transient failures are retried. */
  put<S extends StandardSchemaV1 | undefined = undefined, T extends ResponseType | undefined = undefined>(
    path: string,
    options?: RequestOptions<S, T>,
  ): Promise<ResultOf<S, T>>;
  /** Sends a PATCH request; `options.body` is serialised as JSON. Retried on transient failures only when an `idempotencyKey` is given. */
  patch<S extends StandardSchemaV1 | undefined = undefined, T extends ResponseType | undefined = undefined>(
    path: string,
    options?: RequestOptions<S, T>,
  ): Promise<ResultOf<S, T>>;
  /** Sends a DELETE request. DELETE is idempotent, so transient failures are retried. */
  delete<S extends StandardSchemaV1 | undefined = undefined, T extends ResponseType | undefined = undefined>(
    path: string,
    options?: RequestOptions<S, T>,
  ): Promise<ResultOf<S, T>>;
  /**
   * Sends a request with any method; otherwise like {@link Client.get}.
   *
   * @example
   * ```ts
   * const page = await client.request({ method: 'GET', path: '/users', query: { limit: 10 }, schema: UserPage });
   * ```
   */
  request<S extends StandardSchemaV1 | undefined = undefined, T extends ResponseType | undefined = undefined>(
    options: FullRequest<S, T>,
  ): Promise<ResultOf<S, T>>;
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
    const T extends ResponseType | undefined = undefined,
  >(definition: EndpointDefinition<P, R, PS, QS, BS, T>): Endpoint<P, R, PS, QS, BS, T>;
  /**
   * Opens a server-sent event stream and returns its events as an async iterable (synchronously: the
   * request starts with the first `next()`). Key errors before the stream starts go through the key
   * flow like any request; breaking out of the loop or aborting `signal` closes the connection. With
   * `schema`, each event's `data` is JSON-parsed and validated.
   *
   * @example
   * ```ts
   * for await (const event of client.sse('/chat/completions', { method: 'POST', body: { stream: true } })) {
   *   if (event.data === '[DONE]') break;
   *   process.stdout.write(JSON.parse(event.data).choices[0].delta.content ?? '');
   * }
   * ```
   */
  sse<S extends StandardSchemaV1 | undefined = undefined>(
    path: string,
    options?: SseOptions<S>,
  ): AsyncIterable<ServerSentEvent<EventData<S>>>;
  /** Replaces the key at runtime. */
  setApiKey(key: string | KeyGrant): void;
}

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
  const ctx = createPipeline({ ...config, refreshTimeoutMs: config.timeoutMs });
  const { keys } = ctx;
  const auth = config.auth.map((placement) => placement.type).join('+');
  const run = <S extends StandardSchemaV1 | undefined, T extends ResponseType | undefined>(request: FullRequest<S, T>) =>
    runRequest(ctx, config, request) as Promise<ResultOf<S, T>>;
  const verb =
    (method: HttpMethod) =>
    <S extends StandardSchemaV1 | undefined = undefined, T extends ResponseType | undefined = undefined>(
      path: string,
      requestOptions?: RequestOptions<S, T>,
    ) =>
      run<S, T>({ ...requestOptions, method, path });

  const client: Client = {
    get: verb('GET'),
    post: verb('POST'),
    put: verb('PUT'),
    patch: verb('PATCH'),
    delete: verb('DELETE'),
    request: run,
    endpoint: (definition) => makeEndpoint(definition, run) as never,
    sse: (path, sseOptions) => ({
      [Symbol.asyncIterator]: () =>
        readEvents(
          ctx,
          (method, rest) =>
            runRequest(ctx, config, { ...rest, method: method as HttpMethod, path, responseType: 'stream' }, true) as Promise<{
              stream: ReadableStream<Uint8Array>;
              url: string;
            }>,
          sseOptions,
        ),
    }),
    setApiKey: (key) => keys.set(key),
  };
  // What console.log / util.inspect / JSON.stringify show: where it points, never the key.
  Object.defineProperty(client, 'toJSON', { value: () => ({ baseUrl: config.baseUrl, auth }) });
  Object.defineProperty(client, Symbol.for('nodejs.util.inspect.custom'), {
    value: () => `KeyguardClient { baseUrl: '${config.baseUrl}', auth: '${auth}' }`,
  });
  return client;
}

/** Builds an endpoint function: fills `{name}` params (URL-encoded) and validates inputs against their schemas. */
function makeEndpoint(
  definition: EndpointDefinition<string, unknown, unknown, unknown, unknown, ResponseType | undefined>,
  run: (request: FullRequest<StandardSchemaV1 | undefined, ResponseType | undefined>) => Promise<unknown>,
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
    const { headers, signal, timeoutMs, idempotencyKey, retry, idleTimeoutMs, maxBodyBytes, onResponse, context } = input as RequestOptions;
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
      idleTimeoutMs,
      maxBodyBytes,
      onResponse,
      context,
      responseType: definition.responseType,
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
