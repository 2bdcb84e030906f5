import axios, { AxiosError } from 'axios';
import ky, { HTTPError } from 'ky';
import { FetchError, ofetch } from 'ofetch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEY_ERROR_HEADER, rememberKeyError } from '../../src/fetch/key-error-registry.js';
import { keyErrorOf } from '../../src/index.js';
import { caught, hookError, keyCases, otherCases } from './sdk-cases.js';
import { binaryPayload, KEY_ERROR_ANSWERS, sameBytes, startVendor, type VendorServer } from './vendors.js';

const GOOD = 'sk-test-good-0123456789abcdef';
const ECHOING = 'sk-test-echoed-0123456789abcdef';

let server: VendorServer;
beforeAll(async () => {
  server = await startVendor('openai', { keys: { [GOOD]: 'ok' } });
});
afterAll(() => server.close());
const bearer = (key = GOOD) => ({ authorization: `Bearer ${key}` });
/** A server that quotes the key it was sent, in full: the worst case for a leak. */
const echoKey = (key: string) => ({
  status: 401,
  headers: { 'content-type': 'application/json' },
  body: { error: { message: `Incorrect API key provided: ${key}.`, type: 'invalid_request_error', code: 'invalid_api_key' } },
});

describe.each([
  ['axios (http adapter)', 'http'],
  ['axios (fetch adapter)', 'fetch'],
] as const)('%s', (_name, adapter) => {
  const get = (path: string, key?: string) => axios.get(`${server.baseUrl}${path}`, { headers: bearer(key), adapter });

  it.each(keyCases('openai'))('%s key: AxiosError, and keyErrorOf gives the reason', async (reason, answer) => {
    server.override = answer;
    const error = await caught(() => get('/models'));
    server.override = undefined;
    expect(error).toBeInstanceOf(AxiosError);
    expect(keyErrorOf(error)).toMatchObject({ reason, status: 401, source: 'server' });
    expect(keyErrorOf(error)?.requestId).toMatch(/^req_openai_\d+$/);
  });

  it.each(otherCases('openai'))('%i is not a key error', async (status, answer) => {
    server.override = answer;
    const error = await caught(() => get('/models'));
    server.override = undefined;
    expect((error as AxiosError).response?.status).toBe(status);
    expect(keyErrorOf(error)).toBeUndefined();
  });

  it('a body read as bytes (responseType arraybuffer) is decoded', async () => {
    server.override = KEY_ERROR_ANSWERS.openai.missing;
    const error = await caught(() => axios.get(`${server.baseUrl}/models`, { responseType: 'arraybuffer', adapter }));
    server.override = undefined;
    expect(keyErrorOf(error)?.reason).toBe('missing');
  });

  it('a key the server echoes is redacted: keyErrorOf learns it from the request config, never copies it', async () => {
    server.override = echoKey(ECHOING);
    const error = await caught(() => get('/models', ECHOING));
    server.override = undefined;
    const keyError = keyErrorOf(error);
    expect(keyError?.reason).toBe('malformed');
    expect(JSON.stringify(keyError)).not.toContain(ECHOING);
    expect(String(keyError)).not.toContain(ECHOING);
    expect(keyError?.message).toContain('[REDACTED]');
  });

  it('an answer that went through keyguardFetch gives back the very error the hook saw (AxiosHeaders)', async () => {
    const registered = hookError();
    server.override = { ...KEY_ERROR_ANSWERS.openai.malformed!, headers: { [KEY_ERROR_HEADER]: rememberKeyError(registered) } };
    const error = await caught(() => get('/models'));
    server.override = undefined;
    expect(keyErrorOf(error)).toBe(registered);
  });

  it('binary bytes arrive intact from the vendor server', async () => {
    const { data } = await axios.get(`${server.baseUrl}/bytes`, { headers: bearer(), responseType: 'arraybuffer', adapter });
    expect(sameBytes(new Uint8Array(data as ArrayBuffer), binaryPayload())).toBe(true);
  });
});

describe('ky', () => {
  const api = (key = GOOD) => ky.create({ prefixUrl: server.baseUrl, headers: bearer(key), retry: 0 });

  it.each(keyCases('openai'))(
    '%s key: HTTPError; status and headers alone (the body is unread) make a key error',
    async (_reason, answer) => {
      server.override = answer;
      const error = await caught(() => api().get('models'));
      server.override = undefined;
      expect(error).toBeInstanceOf(HTTPError);
      // ky 1.x does not read the body of an error: a 401 that says nothing more is a key error of unknown reason.
      expect(keyErrorOf(error)).toMatchObject({ reason: 'unknown', status: 401 });
    },
  );

  it('with the body parsed by a beforeError hook into error.data, keyErrorOf gives the exact reason', async () => {
    server.override = KEY_ERROR_ANSWERS.openai.revoked;
    const error = await caught(() =>
      api()
        .extend({
          hooks: {
            beforeError: [async (e) => Object.assign(e, { data: await e.response.clone().json() })],
          },
        })
        .get('models'),
    );
    server.override = undefined;
    expect(keyErrorOf(error)).toMatchObject({ reason: 'revoked', code: 'account_deactivated' });
  });

  it('a WWW-Authenticate challenge is read from the headers', async () => {
    server.override = {
      status: 401,
      headers: { 'www-authenticate': 'Bearer error="invalid_token", error_description="The access token expired"' },
      body: '',
    };
    const error = await caught(() => api().get('models'));
    server.override = undefined;
    expect(keyErrorOf(error)?.reason).toBe('expired');
  });

  it.each(otherCases('openai'))('%i is not a key error', async (status, answer) => {
    server.override = answer;
    const error = await caught(() => api().get('models'));
    server.override = undefined;
    expect((error as HTTPError).response.status).toBe(status);
    expect(keyErrorOf(error)).toBeUndefined();
  });

  it('a key echoed in the URL-less message is not carried: the key from the Request headers is redacted', async () => {
    server.override = {
      status: 401,
      headers: { 'www-authenticate': `Bearer error="invalid_token", error_description="bad key ${ECHOING}"` },
      body: '',
    };
    const error = await caught(() => api(ECHOING).get('models'));
    server.override = undefined;
    const keyError = keyErrorOf(error);
    expect(keyError).toBeDefined();
    expect(JSON.stringify(keyError)).not.toContain(ECHOING);
  });

  it('an answer that went through keyguardFetch gives back the very error the hook saw (Response headers)', async () => {
    const registered = hookError('missing');
    server.override = { ...KEY_ERROR_ANSWERS.openai.malformed!, headers: { [KEY_ERROR_HEADER]: rememberKeyError(registered) } };
    const error = await caught(() => api().get('models'));
    server.override = undefined;
    expect(keyErrorOf(error)).toBe(registered);
  });
});

describe('ofetch', () => {
  const get = (path: string, key = GOOD) => ofetch(`${server.baseUrl}${path}`, { headers: bearer(key), retry: 0 });

  it.each(keyCases('openai'))('%s key: FetchError, and keyErrorOf gives the reason from its parsed data', async (reason, answer) => {
    server.override = answer;
    const error = await caught(() => get('/models'));
    server.override = undefined;
    expect(error).toBeInstanceOf(FetchError);
    expect(keyErrorOf(error)).toMatchObject({ reason, status: 401 });
  });

  it.each(otherCases('openai'))('%i is not a key error', async (status, answer) => {
    server.override = answer;
    const error = await caught(() => get('/models'));
    server.override = undefined;
    expect((error as FetchError).status).toBe(status);
    expect(keyErrorOf(error)).toBeUndefined();
  });

  it('a key the server echoes is redacted (learnt from the request options)', async () => {
    server.override = echoKey(ECHOING);
    const error = await caught(() => get('/models', ECHOING));
    server.override = undefined;
    expect(JSON.stringify(keyErrorOf(error))).not.toContain(ECHOING);
  });

  it('an answer that went through keyguardFetch gives back the very error the hook saw', async () => {
    const registered = hookError();
    server.override = { ...KEY_ERROR_ANSWERS.openai.malformed!, headers: { [KEY_ERROR_HEADER]: rememberKeyError(registered) } };
    const error = await caught(() => get('/models'));
    server.override = undefined;
    expect(keyErrorOf(error)).toBe(registered);
  });
});
