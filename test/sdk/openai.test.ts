import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEY_ERROR_HEADER, rememberKeyError } from '../../src/fetch/key-error-registry.js';
import { keyErrorOf } from '../../src/index.js';
import { caught, hookError, keyCases, otherCases } from './sdk-cases.js';
import { KEY_ERROR_ANSWERS, startVendor, type VendorServer } from './vendors.js';

const GOOD = 'sk-test-good-0123456789abcdef';

describe('openai SDK', () => {
  let server: VendorServer;
  beforeAll(async () => {
    server = await startVendor('openai', { keys: { [GOOD]: 'ok' } });
  });
  afterAll(() => server.close());
  const client = (apiKey = GOOD) => new OpenAI({ apiKey, baseURL: server.baseUrl, maxRetries: 0 });

  it('works with a good key', async () => {
    server.override = undefined;
    const models = await client().models.list();
    expect(models.data[0]?.id).toBe('gpt-test');
  });

  it.each(keyCases('openai'))('%s key: AuthenticationError, and keyErrorOf gives the reason', async (reason, answer) => {
    server.override = answer;
    const error = await caught(() => client().models.list());
    server.override = undefined;
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    const keyError = keyErrorOf(error);
    expect(keyError?.reason).toBe(reason);
    expect(keyError?.status).toBe(401);
    expect(keyError?.source).toBe('server');
    expect(keyError?.requestId).toMatch(/^req_openai_\d+$/);
    expect(keyError?.hint).toMatch(/\S/);
  });

  it('an unknown key, as the server judges it: malformed with code invalid_api_key', async () => {
    const error = await caught(() => client('sk-test-unknown-0123456789').models.list());
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(keyErrorOf(error)).toMatchObject({ reason: 'malformed', code: 'invalid_api_key' });
  });

  it.each(otherCases('openai'))('%i is not a key error', async (status, answer) => {
    server.override = answer;
    const error = await caught(() => client().models.list());
    server.override = undefined;
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(status);
    expect(keyErrorOf(error)).toBeUndefined();
  });

  it('an answer that went through keyguardFetch gives back the very error the hook saw', async () => {
    const registered = hookError();
    server.override = {
      ...KEY_ERROR_ANSWERS.openai.malformed!,
      headers: { 'content-type': 'application/json', [KEY_ERROR_HEADER]: rememberKeyError(registered) },
    };
    const error = await caught(() => client().models.list());
    server.override = undefined;
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(keyErrorOf(error)).toBe(registered);
  });

  it('a connection failure is not a key error', async () => {
    const error = await caught(() => new OpenAI({ apiKey: GOOD, baseURL: 'http://127.0.0.1:1/v1', maxRetries: 0 }).models.list());
    expect(error).toBeInstanceOf(OpenAI.APIConnectionError);
    expect(keyErrorOf(error)).toBeUndefined();
  });
});

describe('@anthropic-ai/sdk', () => {
  let server: VendorServer;
  beforeAll(async () => {
    server = await startVendor('anthropic', { keys: { [GOOD]: 'ok' } });
  });
  afterAll(() => server.close());
  const client = (apiKey = GOOD) => new Anthropic({ apiKey, baseURL: server.baseUrl, maxRetries: 0 });
  const call = (apiKey?: string) =>
    client(apiKey).messages.create({ model: 'claude-test', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] });

  it('works with a good key', async () => {
    server.override = undefined;
    const message = await call();
    expect(message.content[0]).toMatchObject({ type: 'text', text: 'hello' });
  });

  it.each(keyCases('anthropic'))('%s key: AuthenticationError, and keyErrorOf gives the reason', async (reason, answer) => {
    server.override = answer;
    const error = await caught(() => call());
    server.override = undefined;
    expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
    const keyError = keyErrorOf(error);
    expect(keyError?.reason).toBe(reason);
    expect(keyError?.status).toBe(401);
    expect(keyError?.code).toBe('authentication_error');
    expect(keyError?.requestId).toMatch(/^req_anthropic_\d+$/);
  });

  it('an unknown key, as the server judges it: malformed', async () => {
    const error = await caught(() => call('sk-ant-unknown-0123456789'));
    expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
    expect(keyErrorOf(error)?.reason).toBe('malformed');
  });

  it.each(otherCases('anthropic'))('%i is not a key error', async (status, answer) => {
    server.override = answer;
    const error = await caught(() => call());
    server.override = undefined;
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect((error as InstanceType<typeof Anthropic.APIError>).status).toBe(status);
    expect(keyErrorOf(error)).toBeUndefined();
  });

  it('an answer that went through keyguardFetch gives back the very error the hook saw', async () => {
    const registered = hookError('revoked');
    server.override = {
      ...KEY_ERROR_ANSWERS.anthropic.malformed!,
      headers: { 'content-type': 'application/json', [KEY_ERROR_HEADER]: rememberKeyError(registered) },
    };
    const error = await caught(() => call());
    server.override = undefined;
    expect(keyErrorOf(error)).toBe(registered);
  });
});
