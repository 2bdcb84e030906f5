import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  expiredKeyHandler,
  keyErrorHandler,
  keyErrorResponse,
  malformedKeyHandler,
  missingKeyHandler,
  rejectKeys,
  revokedKeyHandler,
} from '../src/testing/index.js';

const BASE = 'https://api.example.com/v1';
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/** The data handler behind rejectKeys: what a valid key reaches. */
const meHandler = http.get(`${BASE}/me`, () => HttpResponse.json({ ok: true }));

describe('keyErrorResponse', () => {
  it('adds x-request-id only when given', () => {
    expect(keyErrorResponse('expired', 'classic', { requestId: 'req_1' }).headers).toEqual({
      'x-request-id': 'req_1',
      'content-type': 'application/json',
    });
    expect(keyErrorResponse('missing', 'rfc6750')).toEqual({
      status: 401,
      headers: { 'www-authenticate': 'Bearer realm="api-service"' },
      body: '',
    });
  });
});

describe('keyErrorHandler', () => {
  it('answers every request with the envelope format by default', async () => {
    server.use(keyErrorHandler('expired'));
    const res = await fetch(`${BASE}/anything`, { method: 'POST' });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({
      error: { type: 'authentication_error', code: 'api_key_expired', message: 'The API key provided has expired.' },
    });
  });

  it('answers exactly like keyErrorResponse, in the chosen format, with the request id', async () => {
    server.use(keyErrorHandler('revoked', { url: `${BASE}/*`, format: 'problem', requestId: 'req_42' }));
    const res = await fetch(`${BASE}/me`);
    const wire = keyErrorResponse('revoked', 'problem', { requestId: 'req_42' });
    expect(res.status).toBe(wire.status);
    expect(Object.fromEntries(res.headers)).toEqual(wire.headers);
    expect(await res.text()).toBe(wire.body);
  });

  it('sends an empty body and a WWW-Authenticate challenge in the rfc6750 format', async () => {
    server.use(keyErrorHandler('malformed', { format: 'rfc6750' }));
    const res = await fetch(`${BASE}/me`);
    expect(res.headers.get('www-authenticate')).toBe(
      'Bearer realm="api-service", error="invalid_token", error_description="The access token is malformed"',
    );
    expect(await res.text()).toBe('');
  });

  it('only matches the given url and method, and lets the rest fall through', async () => {
    server.use(meHandler, keyErrorHandler('expired', { url: `${BASE}/me`, method: 'post' }));
    expect((await fetch(`${BASE}/me`, { method: 'POST' })).status).toBe(401);
    expect((await fetch(`${BASE}/me`)).status).toBe(200);
  });

  it.each([
    ['expiredKeyHandler', expiredKeyHandler, 'api_key_expired'],
    ['revokedKeyHandler', revokedKeyHandler, 'api_key_revoked'],
    ['malformedKeyHandler', malformedKeyHandler, 'invalid_api_key'],
    ['missingKeyHandler', missingKeyHandler, 'missing_api_key'],
  ])('%s answers with code %s', async (_, handler, code) => {
    server.use(handler({ url: `${BASE}/*` }));
    expect(await (await fetch(`${BASE}/me`)).json()).toMatchObject({ error: { code } });
  });
});

describe('rejectKeys', () => {
  it('lets valid keys through to the next handler and rejects others as expired', async () => {
    server.use(rejectKeys({ url: `${BASE}/*`, validKeys: ['sk_new'] }), meHandler);
    const good = await fetch(`${BASE}/me`, { headers: { authorization: 'Bearer sk_new' } });
    expect(await good.json()).toEqual({ ok: true });
    const old = await fetch(`${BASE}/me`, { headers: { authorization: 'Bearer sk_old' } });
    expect(old.status).toBe(401);
    expect(await old.json()).toMatchObject({ error: { code: 'api_key_expired' } });
  });

  it('answers missing when no key is sent', async () => {
    server.use(rejectKeys({ validKeys: ['sk_new'], format: 'classic' }), meHandler);
    expect(await (await fetch(`${BASE}/me`)).json()).toEqual({ error: 'Invalid API Key', message: 'No API key provided.' });
  });

  it('reads validKeys on every request, so rotation can be scripted', async () => {
    const valid = ['sk_1'];
    server.use(rejectKeys({ validKeys: () => valid, reason: 'revoked' }), meHandler);
    const call = () => fetch(`${BASE}/me`, { headers: { 'x-api-key': 'sk_1' } });
    expect((await call()).status).toBe(200);
    valid.splice(0, 1, 'sk_2');
    expect(await (await call()).json()).toMatchObject({ error: { code: 'api_key_revoked' } });
  });

  it('looks for the key where auth says', async () => {
    server.use(rejectKeys({ validKeys: ['k'], auth: { type: 'query', name: 'key' } }), meHandler);
    expect((await fetch(`${BASE}/me?key=k`)).status).toBe(200);
    // A Bearer token does not count when the key is expected in the query.
    expect(await (await fetch(`${BASE}/me`, { headers: { authorization: 'Bearer k' } })).json()).toMatchObject({
      error: { code: 'missing_api_key' },
    });

    server.resetHandlers(rejectKeys({ validKeys: ['k'], auth: { type: 'header', name: 'X-Key' } }), meHandler);
    expect((await fetch(`${BASE}/me`, { headers: { 'x-key': 'k' } })).status).toBe(200);
  });
});
