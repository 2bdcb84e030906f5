import { HttpResponse, http } from 'msw';
import { describe, expect, it, vi } from 'vitest';
import {
  ApiError,
  BadRequestError,
  ConflictError,
  ConnectionError,
  createClient,
  InvalidApiKeyError,
  isApiError,
  isInvalidApiKeyError,
  isKeyguardError,
  KeyguardError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  ServerError,
  TimeoutError,
} from '../src/index.js';
import { BASE, useMsw } from './helpers/msw.js';

const server = useMsw();
const KEY = 'sk_test_abcdefghijklmnop1234';
const noRetry = { baseUrl: BASE, apiKey: KEY, retry: false as const };

describe('each status becomes its error class', () => {
  const table: Array<[number, unknown, new (...args: never[]) => Error, string]> = [
    [400, { error: { message: 'name is required', code: 'validation_failed' } }, BadRequestError, 'BadRequestError'],
    [422, { detail: 'price must be >= 0' }, BadRequestError, 'BadRequestError'],
    [403, { message: 'Resource not accessible by integration' }, PermissionDeniedError, 'PermissionDeniedError'],
    [404, { error: 'not_found' }, NotFoundError, 'NotFoundError'],
    [409, { error: { message: 'Item already exists' } }, ConflictError, 'ConflictError'],
    [429, { error: { message: 'Rate limit reached', type: 'rate_limit_error' } }, RateLimitError, 'RateLimitError'],
    [500, 'upstream exploded', ServerError, 'ServerError'],
    [503, '', ServerError, 'ServerError'],
    [418, { message: "I'm a teapot" }, ApiError, 'ApiError'],
  ];
  it.each(table)('%i → %s', async (status, body, Class, name) => {
    server.use(
      http.get(`${BASE}/x`, () =>
        typeof body === 'string'
          ? new HttpResponse(body, { status, headers: { 'x-request-id': 'req_42' } })
          : HttpResponse.json(body as Record<string, unknown>, { status, headers: { 'x-request-id': 'req_42' } }),
      ),
    );
    const error = await createClient(noRetry)
      .get('/x')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Class);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toBeInstanceOf(KeyguardError);
    expect(error).toMatchObject({ name, status, method: 'GET', url: `${BASE}/x`, requestId: 'req_42', attempts: 1 });
    expect(isApiError(error)).toBe(true);
    expect(isInvalidApiKeyError(error)).toBe(false);
  });

  it('puts the API code and message on ApiError', async () => {
    server.use(
      http.get(`${BASE}/x`, () =>
        HttpResponse.json({ error: { message: 'name is required', code: 'validation_failed' } }, { status: 400 }),
      ),
    );
    const error = (await createClient(noRetry)
      .get('/x')
      .catch((e: unknown) => e)) as ApiError;
    expect(error.code).toBe('validation_failed');
    expect(error.message).toBe('GET /v1/x failed with 400: name is required');
    expect(error.body).toEqual({ error: { message: 'name is required', code: 'validation_failed' } });
  });

  it('401 → InvalidApiKeyError with every field', async () => {
    server.use(
      http.get(`${BASE}/x`, () =>
        HttpResponse.json(
          { error: { type: 'authentication_error', code: 'api_key_revoked', message: 'This API key has been revoked.' } },
          { status: 401, headers: { 'request-id': 'req_7' } },
        ),
      ),
    );
    const error = (await createClient(noRetry)
      .get('/x')
      .catch((e: unknown) => e)) as InvalidApiKeyError;
    expect(error).toBeInstanceOf(InvalidApiKeyError);
    expect(error).toMatchObject({
      name: 'InvalidApiKeyError',
      reason: 'revoked',
      source: 'server',
      status: 401,
      code: 'api_key_revoked',
      message: 'This API key has been revoked.',
      keyHint: 'sk_t…1234',
      requestId: 'req_7',
      response: { status: 401, body: { error: { code: 'api_key_revoked' } } },
    });
    expect(error.hint).toMatch(/revoked/);
    expect(isInvalidApiKeyError(error)).toBe(true);
    expect(isKeyguardError(error)).toBe(true);
    expect(isApiError(error)).toBe(false);
  });

  it('a 403 whose body says the key is invalid is a key error; a 400 Google API_KEY_INVALID too', async () => {
    server.use(
      http.get(`${BASE}/forbidden`, () => HttpResponse.json({ message: 'Invalid API key' }, { status: 403 })),
      http.get(`${BASE}/google`, () =>
        HttpResponse.json(
          {
            error: {
              code: 400,
              message: 'API key not valid. Please pass a valid API key.',
              status: 'INVALID_ARGUMENT',
              details: [{ reason: 'API_KEY_INVALID' }],
            },
          },
          { status: 400 },
        ),
      ),
    );
    const client = createClient(noRetry);
    await expect(client.get('/forbidden')).rejects.toMatchObject({ name: 'InvalidApiKeyError', status: 403, reason: 'malformed' });
    await expect(client.get('/google')).rejects.toMatchObject({ name: 'InvalidApiKeyError', status: 400, code: 'API_KEY_INVALID' });
  });

  it('no response → ConnectionError with the platform error as cause', async () => {
    server.use(http.get(`${BASE}/x`, () => HttpResponse.error()));
    const error = await createClient(noRetry)
      .get('/x')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).cause).toBeInstanceOf(TypeError);
  });

  it('an attempt past timeoutMs → TimeoutError', async () => {
    server.use(http.get(`${BASE}/x`, () => new Promise(() => {})));
    const error = await createClient({ ...noRetry, timeoutMs: 30 })
      .get('/x')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ timeoutMs: 30, message: `GET ${BASE}/x timed out after 30 ms.` });
  });

  it('reads at most 1 MiB of an error body, however large', async () => {
    const huge = 'x'.repeat(8 * 1024 * 1024);
    server.use(http.get(`${BASE}/x`, () => new HttpResponse(huge, { status: 500 })));
    const error = (await createClient(noRetry)
      .get('/x')
      .catch((e: unknown) => e)) as ServerError;
    expect(error).toBeInstanceOf(ServerError);
    expect((error.body as string).length).toBe(1024 * 1024);
  });
});

describe('the user classifier', () => {
  it('is consulted first for every response, 2xx included', async () => {
    server.use(http.get(`${BASE}/slack`, () => HttpResponse.json({ ok: false, error: 'token_revoked' })));
    const classifyKeyError = vi.fn(({ body }: { body: unknown }) =>
      (body as { ok?: boolean }).ok === false ? ('revoked' as const) : undefined,
    );
    const error = await createClient({ ...noRetry, classifyKeyError })
      .get('/slack')
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'InvalidApiKeyError', reason: 'revoked', status: 200, code: 'token_revoked' });
    expect(classifyKeyError).toHaveBeenCalledWith(expect.objectContaining({ status: 200, body: { ok: false, error: 'token_revoked' } }));
  });

  it('null turns a 401 into a plain ApiError; undefined falls through to the built-in classifier', async () => {
    server.use(http.get(`${BASE}/x`, () => HttpResponse.json({ error: 'invalid_api_key' }, { status: 401 })));
    const notKey = await createClient({ ...noRetry, classifyKeyError: () => null })
      .get('/x')
      .catch((e: unknown) => e);
    expect(notKey).toBeInstanceOf(ApiError);
    expect((notKey as ApiError).name).toBe('ApiError');
    const fallThrough = await createClient({ ...noRetry, classifyKeyError: () => undefined })
      .get('/x')
      .catch((e: unknown) => e);
    expect(fallThrough).toBeInstanceOf(InvalidApiKeyError);
  });

  it('a classifier that throws falls back to the built-in one and warns', async () => {
    server.use(http.get(`${BASE}/x`, () => HttpResponse.json({ error: 'invalid_api_key' }, { status: 401 })));
    const warn = vi.fn();
    const client = createClient({
      ...noRetry,
      logger: { warn },
      classifyKeyError: () => {
        throw new Error('oops');
      },
    });
    await expect(client.get('/x')).rejects.toBeInstanceOf(InvalidApiKeyError);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/classifyKeyError option threw \(oops\)/));
  });
});

describe('type guards across two copies of the package', () => {
  it('recognise errors from a separately loaded copy', async () => {
    vi.resetModules();
    const specifier = '../src/index.js?copy'; // A query string makes the loader evaluate the module a second time.
    const copy = (await import(/* @vite-ignore */ specifier)) as typeof import('../src/index.js');
    expect(copy.InvalidApiKeyError).not.toBe(InvalidApiKeyError);
    const foreign = new copy.InvalidApiKeyError({ reason: 'expired', source: 'client', message: 'm', hint: 'h' });
    const foreignApi = new copy.NotFoundError({ status: 404, message: 'm', body: null, headers: {}, method: 'GET', url: 'u' });
    expect(foreign instanceof InvalidApiKeyError).toBe(false);
    expect(isInvalidApiKeyError(foreign)).toBe(true);
    expect(isKeyguardError(foreign)).toBe(true);
    expect(isApiError(foreign)).toBe(false);
    expect(isApiError(foreignApi)).toBe(true);
    expect(copy.isInvalidApiKeyError(new InvalidApiKeyError({ reason: 'expired', source: 'client', message: 'm', hint: 'h' }))).toBe(true);
    expect(isKeyguardError(new Error('x'))).toBe(false);
    expect(isKeyguardError(null)).toBe(false);
    expect(isApiError({ status: 404 })).toBe(false);
  });
});
