import { Octokit } from '@octokit/core';
import { RequestError } from '@octokit/request-error';
import { Octokit as RestOctokit } from '@octokit/rest';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEY_ERROR_HEADER, rememberKeyError } from '../../src/fetch/key-error-registry.js';
import { keyErrorOf } from '../../src/index.js';
import { caught, hookError, keyCases, otherCases } from './sdk-cases.js';
import { KEY_ERROR_ANSWERS, PAGE_ITEMS, startVendor, type VendorServer } from './vendors.js';

const GOOD = 'sk_test_good0123456789abcdef';

describe('stripe', () => {
  let server: VendorServer;
  beforeAll(async () => {
    server = await startVendor('stripe', { keys: { [GOOD]: 'ok' } });
  });
  afterAll(() => server.close());
  const client = (key = GOOD) =>
    new Stripe(key, {
      host: '127.0.0.1',
      port: server.port,
      protocol: 'http',
      httpClient: Stripe.createFetchHttpClient(),
      maxNetworkRetries: 0,
    });

  it('works with a good key', async () => {
    server.override = undefined;
    const customer = await client().customers.create({ email: 'a@example.com' });
    expect(customer).toMatchObject({ id: 'cus_new', email: 'a@example.com' });
  });

  it.each(keyCases('stripe'))('%s key: StripeAuthenticationError, and keyErrorOf gives the reason', async (reason, answer) => {
    server.override = answer;
    const error = await caught(() => client().balance.retrieve());
    server.override = undefined;
    expect(error).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    const keyError = keyErrorOf(error);
    expect(keyError?.reason).toBe(reason);
    expect(keyError?.status).toBe(401);
    expect(keyError?.requestId).toMatch(/^req_stripe_\d+$/);
  });

  it('expired: code api_key_expired, the message Stripe sent (key already masked by Stripe)', async () => {
    server.override = KEY_ERROR_ANSWERS.stripe.expired;
    const error = await caught(() => client().balance.retrieve());
    server.override = undefined;
    expect(keyErrorOf(error)).toMatchObject({ reason: 'expired', code: 'api_key_expired' });
    expect(keyErrorOf(error)?.message).toMatch(/^Expired API Key provided/);
  });

  it('an unknown key, as the server judges it: malformed', async () => {
    const error = await caught(() => client('sk_test_unknown0123456789').balance.retrieve());
    expect(error).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    expect(keyErrorOf(error)?.reason).toBe('malformed');
  });

  it.each(otherCases('stripe'))('%i is not a key error', async (status, answer) => {
    server.override = answer;
    const error = await caught(() => client().customers.retrieve('cus_nope'));
    server.override = undefined;
    expect(error).toBeInstanceOf(Stripe.errors.StripeError);
    expect((error as Stripe.errors.StripeError).statusCode).toBe(status);
    expect(keyErrorOf(error)).toBeUndefined();
  });

  it('a restricted key lacking a permission (403) is not a key error', async () => {
    const { fixture403 } = await import('./sdk-fixtures.js');
    server.override = fixture403;
    const error = await caught(() => client().balance.retrieve());
    server.override = undefined;
    expect(error).toBeInstanceOf(Stripe.errors.StripePermissionError);
    expect(keyErrorOf(error)).toBeUndefined();
  });

  it('an answer that went through keyguardFetch gives back the very error the hook saw', async () => {
    const registered = hookError();
    server.override = {
      ...KEY_ERROR_ANSWERS.stripe.expired!,
      headers: { 'content-type': 'application/json', [KEY_ERROR_HEADER]: rememberKeyError(registered) },
    };
    const error = await caught(() => client().balance.retrieve());
    server.override = undefined;
    expect(keyErrorOf(error)).toBe(registered);
  });
});

describe('octokit', () => {
  let server: VendorServer;
  const TOKEN = 'ghp_good0123456789abcdefghij';
  beforeAll(async () => {
    server = await startVendor('github', { keys: { [TOKEN]: 'ok' } });
  });
  afterAll(() => server.close());
  const core = (auth = TOKEN) => new Octokit({ auth, baseUrl: server.origin });

  it('works with a good token, and paginate follows the Link header', async () => {
    server.override = undefined;
    const { data } = await core().request('GET /user');
    expect(data).toMatchObject({ login: 'octocat' });
    const rest = new RestOctokit({ auth: TOKEN, baseUrl: server.origin });
    const issues = await rest.paginate('GET /repos/{owner}/{repo}/issues', { owner: 'o', repo: 'r', per_page: 2 });
    expect(issues).toEqual(PAGE_ITEMS);
  });

  it.each(keyCases('github'))('%s token: RequestError, and keyErrorOf gives the reason', async (reason, answer) => {
    server.override = answer;
    const error = await caught(() => core().request('GET /user'));
    server.override = undefined;
    expect(error).toBeInstanceOf(RequestError);
    const keyError = keyErrorOf(error);
    expect(keyError?.reason).toBe(reason);
    expect(keyError?.status).toBe(401);
    expect(keyError?.requestId).toMatch(/^req_github_\d+$/);
  });

  it('a bad token, as the server judges it: "Bad credentials", malformed; no token: missing', async () => {
    const bad = await caught(() => core('ghp_unknown0123456789abcdefgh').request('GET /user'));
    expect(bad).toBeInstanceOf(RequestError);
    expect(keyErrorOf(bad)).toMatchObject({ reason: 'malformed', message: 'Bad credentials' });
    const none = await caught(() => new Octokit({ baseUrl: server.origin }).request('GET /user'));
    expect(server.requests.at(-1)?.headers.authorization).toBeUndefined();
    expect(keyErrorOf(none)?.reason).toBe('missing');
  });

  it.each(otherCases('github'))('%i is not a key error', async (status, answer) => {
    server.override = answer;
    const error = await caught(() => core().request('GET /user'));
    server.override = undefined;
    expect(error).toBeInstanceOf(RequestError);
    expect((error as RequestError).status).toBe(status);
    expect(keyErrorOf(error)).toBeUndefined();
  });

  it('an answer that went through keyguardFetch gives back the very error the hook saw', async () => {
    const registered = hookError('revoked');
    server.override = {
      ...KEY_ERROR_ANSWERS.github.malformed!,
      headers: { 'content-type': 'application/json', [KEY_ERROR_HEADER]: rememberKeyError(registered) },
    };
    const error = await caught(() => core().request('GET /user'));
    server.override = undefined;
    expect(keyErrorOf(error)).toBe(registered);
  });

  it('keeps no part of the token: octokit redacts its request copy, keyErrorOf never copies the request', async () => {
    const error = await caught(() => core('ghp_unknown0123456789abcdefgh').request('GET /user'));
    const keyError = keyErrorOf(error);
    expect(JSON.stringify(keyError)).not.toContain('ghp_unknown');
    expect(Object.keys(keyError?.response?.headers ?? {})).not.toContain('authorization');
  });
});
