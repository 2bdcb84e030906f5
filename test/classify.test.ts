import { describe, expect, it } from 'vitest';
import { describeErrorBody } from '../src/classify/classify.js';
import { classifyKeyError } from '../src/index.js';

const bearer = (value: string) => ({ 'www-authenticate': value });

describe('classifyKeyError: RFC 6750 challenges', () => {
  it('reads error and error_description, with escaped quotes and several params', () => {
    const result = classifyKeyError({
      status: 401,
      headers: bearer('Bearer realm="api", scope="read write", error="invalid_token", error_description="The \\"access\\" token expired"'),
      body: '',
    });
    expect(result).toEqual({ reason: 'expired', code: 'invalid_token', message: 'The "access" token expired' });
  });

  it('reads the Bearer challenge when another scheme comes first', () => {
    const headers = new Headers({ 'WWW-Authenticate': 'Basic realm="x", Bearer error="invalid_token", error_description="Token revoked"' });
    expect(classifyKeyError({ status: 401, headers, body: '' })?.reason).toBe('revoked');
  });

  it('takes header pairs as well as records', () => {
    const result = classifyKeyError({ status: 401, headers: [['WWW-Authenticate', 'Bearer error="invalid_token"']], body: '' });
    expect(result).toEqual({ reason: 'unknown', code: 'invalid_token' });
  });

  it('a bare realm on an empty 401 means no credentials were sent', () => {
    expect(classifyKeyError({ status: 401, headers: bearer('Bearer realm="example"'), body: '' })).toEqual({ reason: 'missing' });
  });

  it('invalid_token without a description is a key error whose reason is unknown, at any status', () => {
    expect(classifyKeyError({ status: 400, headers: bearer('Bearer error="invalid_token"'), body: '' })?.reason).toBe('unknown');
  });

  it('insufficient_scope is not a key error', () => {
    expect(classifyKeyError({ status: 403, headers: bearer('Bearer error="insufficient_scope", scope="admin"'), body: '' })).toBeNull();
  });
});

describe('classifyKeyError: envelopes', () => {
  it('reads RFC 9457 problem details', () => {
    const body = {
      type: 'https://example.com/probs/key-expired',
      title: 'Unauthorized',
      detail: 'Your API key expired on 2024-01-01.',
      status: 401,
    };
    expect(classifyKeyError({ status: 401, headers: { 'content-type': 'application/problem+json' }, body })).toEqual({
      reason: 'expired',
      message: 'Your API key expired on 2024-01-01.',
    });
  });

  it('reads nested envelopes', () => {
    const body = { meta: { response: { info: { message: 'The provided API key has been revoked', code: 'KEY_REVOKED' } } } };
    expect(classifyKeyError({ status: 403, body })).toEqual({
      reason: 'revoked',
      code: 'KEY_REVOKED',
      message: 'The provided API key has been revoked',
    });
  });

  it('reads errors[]', () => {
    const body = JSON.stringify({ errors: [{ code: 'invalid_key', message: 'Invalid API key' }] });
    expect(classifyKeyError({ status: 400, body })).toEqual({ reason: 'malformed', code: 'invalid_key', message: 'Invalid API key' });
  });

  it('reads a Slack-style 200 {"ok":false,"error":"invalid_auth"}', () => {
    expect(classifyKeyError({ status: 200, body: '{"ok":false,"error":"invalid_auth"}' })).toEqual({
      reason: 'malformed',
      code: 'invalid_auth',
    });
    expect(classifyKeyError({ status: 200, body: { ok: false, error: 'token_expired' } })?.reason).toBe('expired');
  });

  it('a 2xx that does not say it failed is never a key error', () => {
    expect(classifyKeyError({ status: 200, body: { ok: true } })).toBeNull();
    expect(classifyKeyError({ status: 200, body: { data: { message: 'invalid API key rotation scheduled' } } })).toBeNull();
    expect(classifyKeyError({ status: 204, body: '' })).toBeNull();
  });

  it('prefers message over a short error title', () => {
    const result = classifyKeyError({ status: 401, body: { error: 'Unauthorized', message: 'The API key you sent has expired.' } });
    expect(result).toEqual({ reason: 'expired', message: 'The API key you sent has expired.' });
  });

  it('prefers error_description over the error code', () => {
    const result = classifyKeyError({
      status: 401,
      body: { error: 'invalid_client', error_description: 'Client secret key is incorrect' },
    });
    expect(result).toEqual({ reason: 'malformed', code: 'invalid_client', message: 'Client secret key is incorrect' });
  });

  it('extracts the code: a key-related code over a generic one, numbers as strings, not an HTTP status', () => {
    const google = {
      error: { code: 400, status: 'INVALID_ARGUMENT', message: 'API key not valid.', details: [{ reason: 'API_KEY_INVALID' }] },
    };
    expect(classifyKeyError({ status: 400, body: google })?.code).toBe('API_KEY_INVALID');
    expect(classifyKeyError({ status: 401, body: { code: 20003, message: 'Invalid credentials', status: 401 } })?.code).toBe('20003');
    expect(classifyKeyError({ status: 401, body: { status: 401, message: 'Invalid token' } })?.code).toBeUndefined();
    expect(
      classifyKeyError({ status: 401, body: { __type: 'UnrecognizedClientException', message: 'The security token is invalid.' } })?.code,
    ).toBe('UnrecognizedClientException');
  });
});

describe('classifyKeyError: text, HTML and empty bodies', () => {
  it('reads plain text', () => {
    expect(classifyKeyError({ status: 403, body: 'Invalid API key' })).toEqual({ reason: 'malformed', message: 'Invalid API key' });
    expect(classifyKeyError({ status: 401, body: 'Forbidden' })).toEqual({ reason: 'unknown', message: 'Forbidden' });
  });

  it('reads a JSON string body and a body that is not valid JSON', () => {
    expect(classifyKeyError({ status: 400, body: '"Incorrect API key provided"' })?.reason).toBe('malformed');
    expect(classifyKeyError({ status: 403, body: '{ "message": Missing API key }' })?.reason).toBe('missing');
  });

  it('reads HTML by its text, with the title as the message', () => {
    const html = '<html><head><title>Key expired</title><style>p{}</style></head><body><h1>Your API key has expired</h1></body></html>';
    expect(classifyKeyError({ status: 403, body: html })).toEqual({ reason: 'expired', message: 'Key expired' });
  });

  it('an HTML 403 that does not mention the key is not a key error', () => {
    expect(classifyKeyError({ status: 403, body: '<html><body><h1>403 Forbidden</h1></body></html>' })).toBeNull();
  });

  it('an empty 401 is a key error whose reason is unknown', () => {
    expect(classifyKeyError({ status: 401, body: '' })).toEqual({ reason: 'unknown' });
    expect(classifyKeyError({ status: 401, body: undefined })).toEqual({ reason: 'unknown' });
  });

  it('an empty 403 or 400 is not a key error', () => {
    expect(classifyKeyError({ status: 403, body: '' })).toBeNull();
    expect(classifyKeyError({ status: 400, body: null })).toBeNull();
  });
});

describe('classifyKeyError: reasons', () => {
  it.each([
    ['The API key has expired', 'expired'],
    ['This key was revoked', 'revoked'],
    ['API key disabled', 'revoked'],
    ['No API key provided', 'missing'],
    ['x-api-key header is required', 'missing'],
    ['Incorrect API key provided: sk-…1234', 'malformed'],
    ['Unknown token', 'malformed'],
    ['The token is not valid or has expired', 'unknown'],
    ['Missing or invalid API key', 'unknown'],
    ['Invalid, expired, or revoked token', 'unknown'],
    ['Unauthorized', 'unknown'],
    ['User not found', 'unknown'],
  ] as const)('401 "%s" -> %s', (message, reason) => {
    expect(classifyKeyError({ status: 401, body: { message } })?.reason).toBe(reason);
  });

  it('a statement that names the key and what is wrong makes any status a key error', () => {
    expect(classifyKeyError({ status: 400, body: { error: { message: 'API key expired. Please renew the API key.' } } })?.reason).toBe(
      'expired',
    );
    expect(classifyKeyError({ status: 403, body: { message: 'The provided API key has been banned' } })?.reason).toBe('revoked');
  });

  it('"expired" about something other than the key is not a key error', () => {
    expect(classifyKeyError({ status: 403, body: { message: 'Message Signature has expired' } })).toBeNull();
    expect(classifyKeyError({ status: 402, body: { error: { code: 'expired_card', message: 'Your card has expired.' } } })).toBeNull();
  });
});

describe('classifyKeyError: not key errors', () => {
  it('a 403 about a missing permission or scope', () => {
    expect(
      classifyKeyError({ status: 403, body: { message: 'The provided key does not have the required permissions for this endpoint.' } }),
    ).toBeNull();
    expect(classifyKeyError({ status: 403, body: { message: 'Request had insufficient authentication scopes.' } })).toBeNull();
  });

  it('a 401 that is about a scope', () => {
    expect(
      classifyKeyError({ status: 401, body: { error: 'You have insufficient permissions for this operation. Missing scopes: api.read.' } }),
    ).toBeNull();
  });

  it('a 429 quota or rate limit, even with key words', () => {
    expect(
      classifyKeyError({ status: 429, body: { error: { message: 'Invalid API key quota exceeded', code: 'insufficient_quota' } } }),
    ).toBeNull();
    expect(classifyKeyError({ status: 401, body: { message: 'API key rate limit exceeded' } })).toBeNull();
  });

  it('5xx', () => {
    expect(classifyKeyError({ status: 500, body: 'Invalid API key' })).toBeNull();
    expect(classifyKeyError({ status: 503, body: '' })).toBeNull();
  });

  it('validation errors about LLM tokens', () => {
    expect(
      classifyKeyError({
        status: 400,
        body: { error: { message: 'Maximum context length is 4097 tokens.', type: 'invalid_request_error' } },
      }),
    ).toBeNull();
  });
});

describe('classifyKeyError: limits', () => {
  it('reads only the first 64 KiB of a string body', () => {
    const padding = ' '.repeat(64 * 1024);
    expect(classifyKeyError({ status: 403, body: `${padding}Invalid API key` })).toBeNull();
    expect(classifyKeyError({ status: 403, body: `Invalid API key${padding}` })?.reason).toBe('malformed');
  });

  it('classifies a 5 MB string body', () => {
    const body = `{"error":{"message":"Invalid API key","code":"invalid_api_key"},"data":"${'x'.repeat(5 * 1024 * 1024)}"}`;
    // Cut at 64 KiB the JSON no longer parses; the text still names the key and the problem.
    expect(classifyKeyError({ status: 401, body })?.reason).toBe('malformed');
  });

  it('classifies a 5 MB JSON-like object', () => {
    const body = {
      data: Array.from({ length: 100_000 }, (_, i) => ({ id: i, name: `item ${i}`, tags: ['a', 'b'] })),
      wide: Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`k${i}`, 'invalid token'])),
      error: { message: 'The API key has expired', code: 'key_expired' },
    };
    expect(classifyKeyError({ status: 401, body })).toEqual({ reason: 'expired', code: 'key_expired', message: 'The API key has expired' });
  });

  it('survives a deeply nested and a cyclic body', () => {
    let deep: Record<string, unknown> = { message: 'Invalid API key' };
    for (let i = 0; i < 10_000; i += 1) deep = { error: deep };
    expect(() => classifyKeyError({ status: 401, body: deep })).not.toThrow();
    const cyclic: Record<string, unknown> = { message: 'Invalid API key' };
    cyclic.self = cyclic;
    expect(classifyKeyError({ status: 401, body: cyclic })?.reason).toBe('malformed');
  });
});

describe('describeErrorBody', () => {
  it('gives the code and the most specific message of a non-key error', () => {
    expect(describeErrorBody('{"error":{"type":"not_found_error","message":"The requested resource could not be found."}}')).toEqual({
      code: 'not_found_error',
      message: 'The requested resource could not be found.',
    });
    expect(describeErrorBody(undefined)).toEqual({});
  });
});

describe('classifyKeyError: "key" as a field name', () => {
  it.each([
    'Unrecognized key: "color"',
    "Unrecognized key(s) in object: 'color'",
    "Invalid key 'id' in request body",
    'Duplicate key value violates unique constraint',
  ])('400 %j is not a key error', (message) => {
    expect(classifyKeyError({ status: 400, body: { error: 'Bad Request', message } })).toBeNull();
  });
});

describe('classifyKeyError: tokens that are not the API key', () => {
  it.each([
    [
      'Stripe: no such card token',
      400,
      { error: { code: 'resource_missing', message: "No such token: 'tok_1N3T00LkdIwHu7ix'", type: 'invalid_request_error' } },
    ],
    ['Google: a bad page token', 400, { error: { code: 400, message: 'Invalid page token.', status: 'INVALID_ARGUMENT' } }],
    ['AWS: a bad nextToken', 400, { __type: 'InvalidNextTokenException', message: 'The nextToken provided is invalid' }],
    ['Django: a missing CSRF token', 403, { detail: 'CSRF Failed: CSRF token missing.' }],
    ['Stripe: no such customer', 404, { error: { code: 'resource_missing', message: "No such customer: 'cus_123'" } }],
  ])('%s → not a key error', (_, status, body) => {
    expect(classifyKeyError({ status, body })).toBeNull();
  });

  it('still reads an access token that is bad', () => {
    expect(classifyKeyError({ status: 400, body: { error: 'The access token is invalid' } })?.reason).toBe('malformed');
    expect(classifyKeyError({ status: 401, body: { detail: 'Invalid token.' } })?.reason).toBe('malformed');
  });
});

describe('classifyKeyError: more real-world wordings', () => {
  it.each([
    ['express-jwt: jwt expired', 401, { message: 'jwt expired' }, 'expired'],
    ['express-jwt: jwt malformed', 401, { message: 'jwt malformed' }, 'malformed'],
    [
      'GitHub: Requires authentication',
      401,
      { message: 'Requires authentication', documentation_url: 'https://docs.github.com/rest' },
      'missing',
    ],
    [
      'Spring: Full authentication is required',
      401,
      { error: 'Unauthorized', message: 'Full authentication is required to access this resource' },
      'missing',
    ],
  ])('%s', (_, status, body, reason) => {
    expect(classifyKeyError({ status, body })?.reason).toBe(reason);
  });

  it('parses a 4 KiB WWW-Authenticate header of one long word without choking', () => {
    for (const header of [`Bearer ${'a'.repeat(5000)}`, `Bearer ${'a-'.repeat(2500)}`, `Bearer ${'-'.repeat(5000)}`]) {
      expect(classifyKeyError({ status: 401, headers: { 'www-authenticate': header }, body: '' })?.reason).toBeDefined();
    }
  });
});
