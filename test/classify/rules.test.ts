import { describe, expect, it } from 'vitest';
import { describeErrorBody } from '../../src/classify/classify.js';
import { classifyKeyError, type KeyErrorReason } from '../../src/index.js';
import { hintFor } from '../../src/keys/hints.js';

const challenge = (value: string, status = 401, body: unknown = '') =>
  classifyKeyError({ status, headers: { 'www-authenticate': value }, body });

describe('RFC 6750 / RFC 9110 challenges', () => {
  it('reads JWT-library descriptions under invalid_token', () => {
    expect(challenge(`Bearer realm="api", error="invalid_token", error_description="'exp' claim timestamp check failed"`)?.reason).toBe(
      'expired',
    );
    expect(challenge('Bearer error="invalid_token", error_description="\\"exp\\" claim timestamp check failed"')?.reason).toBe('expired');
    expect(challenge('Bearer error="invalid_token", error_description="signature verification failed"')?.reason).toBe('malformed');
    expect(challenge('Bearer error="invalid_token", error_description="Invalid Compact JWS"')?.reason).toBe('malformed');
    expect(challenge('Bearer error="invalid_token", error_description="token verification failure"')?.reason).toBe('unknown');
  });

  it('a bare challenge means the server saw no credentials, whatever generic text the body has', () => {
    expect(challenge('Bearer realm="Users"', 401, 'Unauthorized')).toEqual({ reason: 'missing', message: 'Unauthorized' });
    expect(challenge('Bearer', 401, { statusCode: 401, error: 'Unauthorized', message: 'Missing authentication' })?.reason).toBe('missing');
    const html = '<html><title>Error</title><pre>UnauthorizedError: Unauthorized<br> at x (/srv/app/node_modules/a/b.js:1:2)</pre></html>';
    expect(challenge('Bearer realm="api"', 401, html)?.reason).toBe('missing');
  });

  it('a bare challenge on a web server page stays ambiguous, and the body still wins when it states a cause', () => {
    const nginx = '<html><head><title>401 Authorization Required</title></head><body><center>nginx</center></body></html>';
    expect(challenge('Bearer realm="api"', 401, nginx)?.reason).toBe('unknown');
    expect(challenge('Bearer realm="api"', 401, { message: 'API key expired' })?.reason).toBe('expired');
  });

  it('invalid_request: how the credential was presented (any description decides the reason)', () => {
    expect(challenge('Bearer error="invalid_request"', 400, 'Bad Request')?.reason).toBe('malformed');
    expect(challenge('Bearer error="invalid_request", error_description="no authorization included in request"')?.reason).toBe('missing');
    expect(challenge('Bearer error="invalid_request", error_description="invalid credentials structure"')?.reason).toBe('malformed');
  });

  it('several challenges in one header: the Bearer or DPoP one that carries an error', () => {
    expect(
      challenge('Basic realm="x", Bearer realm="api", error="invalid_token", error_description="The access token expired"')?.reason,
    ).toBe('expired');
    expect(challenge('Negotiate YIIBhwYGKwYBBQUCoIIBezCCAXegDTALBgkqhkiG9xIBAgI=, Bearer error="invalid_token"')).toEqual({
      reason: 'unknown',
      code: 'invalid_token',
    });
    expect(challenge('Bearer realm="api", DPoP algs="ES256", error="invalid_token", error_description="Token revoked"')?.reason).toBe(
      'revoked',
    );
    expect(challenge('DPoP error="invalid_token", error_description="jwt expired", algs="ES256"')?.reason).toBe('expired');
  });

  it('insufficient_scope is never a key error, whatever else the header says', () => {
    expect(challenge('Bearer realm="api", error="insufficient_scope", scope="admin"', 403, 'Forbidden')).toBeNull();
    expect(challenge('Bearer error="insufficient_scope", error_description="Insufficient Scope"', 401)).toBeNull();
  });

  it('keeps a non-token error= value out of the code', () => {
    expect(challenge('Bearer error="Bad token"', 401, { message: 'Bad token' })).toEqual({ reason: 'malformed', message: 'Bad token' });
  });
});

describe('the wording of JWT and auth libraries', () => {
  it.each([
    ['jwt expired', 'expired'],
    ['TokenExpiredError: jwt expired', 'expired'],
    ['JWTExpired', 'expired'],
    ['"exp" claim timestamp check failed', 'expired'],
    ['Authorization token expired', 'expired'],
    ['invalid signature', 'malformed'],
    ['JWSSignatureVerificationFailed', 'malformed'],
    ['signature verification failed', 'malformed'],
    ['jwt malformed', 'malformed'],
    ['JWSInvalid', 'malformed'],
    ['JWSError JWSInvalidSignature', 'malformed'],
    ['Untrusted authorization token', 'revoked'],
    ['Token revoked', 'revoked'],
    ['No Authorization was found in request.headers', 'missing'],
    ['no authorization included in request', 'missing'],
    ['Missing authentication', 'missing'],
    ['Authorization header required', 'missing'],
    ['credentials not provided', 'missing'],
    ['No authorization token was found', 'missing'],
    ['Token not found', 'missing'],
  ] as const)('401 "%s" -> %s', (message, reason) => {
    expect(classifyKeyError({ status: 401, body: { message } })?.reason).toBe(reason);
    expect(classifyKeyError({ status: 401, body: message })?.reason).toBe(reason);
  });

  it('reads PyJWT decode errors at any status (flask-jwt-extended answers 422)', () => {
    expect(classifyKeyError({ status: 422, body: { msg: 'Not enough segments' } })?.reason).toBe('malformed');
    expect(classifyKeyError({ status: 422, body: { msg: 'Invalid header padding' } })?.reason).toBe('malformed');
  });

  it('reads PostgREST-style JWT errors', () => {
    expect(classifyKeyError({ status: 401, body: { code: 'PGRST303', details: null, hint: null, message: 'JWT expired' } })).toEqual({
      reason: 'expired',
      code: 'PGRST303',
      message: 'JWT expired',
    });
    // PGRST301 is documented as "the JWT provided is invalid in some way": malformed, though the text names no cause.
    expect(classifyKeyError({ status: 401, body: { code: 'PGRST301', message: 'Expected 3 parts in JWT; got 1' } })?.reason).toBe(
      'malformed',
    );
    // PGRST302: no JWT at all, and anonymous access is off.
    expect(classifyKeyError({ status: 401, body: { code: 'PGRST302', message: 'Anonymous access is disabled' } })?.reason).toBe('missing');
    // A code names the cause only at a 401: the same body at 403 or 500 is not read as a key error by its code.
    expect(classifyKeyError({ status: 403, body: { code: 'PGRST302', message: 'Anonymous access is disabled' } })).toBeNull();
    // A text that names the cause wins over the code.
    expect(classifyKeyError({ status: 401, body: { code: 'PGRST301', message: 'JWT expired' } })?.reason).toBe('expired');
    // A text that says the answer is about something else wins over the code too.
    for (const message of ['permission denied for table users', 'Invalid card token', 'Your plan does not include this endpoint']) {
      expect(classifyKeyError({ status: 401, body: { code: 'PGRST301', message } }), message).toBeNull();
    }
  });

  it('a server-chosen code that is a name on Object.prototype is never a reason', () => {
    for (const code of ['constructor', 'toString', 'hasOwnProperty', '__proto__', 'valueOf']) {
      const verdict = classifyKeyError({ status: 401, body: { code } });
      expect(typeof verdict?.reason, code).toBe('string');
      expect(['expired', 'revoked', 'malformed', 'missing', 'unknown']).toContain(verdict?.reason);
    }
  });

  it('reads "unable to parse or verify" as one way of failing, not as alternatives (GoTrue)', () => {
    const expired = 'invalid JWT: unable to parse or verify signature, token has invalid claims: token is expired';
    expect(classifyKeyError({ status: 403, body: { code: 403, error_code: 'bad_jwt', msg: expired } })?.reason).toBe('expired');
    // Real alternatives still are: the API does not know which.
    expect(classifyKeyError({ status: 401, body: { message: 'The token is invalid or expired' } })?.reason).toBe('unknown');
  });
});

describe('a key error must be about the credential this request carried', () => {
  it.each([
    'Invalid card token',
    'Invalid captcha token',
    'Invite token not found',
    'The confirmation token has expired.',
    'Unsubscribe token is invalid',
    'Invalid share token',
    'Refresh token expired',
  ])('"%s" is not a key error at 400, 401, 403, 404 or 422', (message) => {
    for (const status of [400, 401, 403, 404, 422]) {
      expect(classifyKeyError({ status, body: { error: { message } } }), `${status}`).toBeNull();
      expect(classifyKeyError({ status, body: message }), `${status}`).toBeNull();
    }
  });

  it('the credential itself still counts', () => {
    expect(classifyKeyError({ status: 401, body: 'Invalid token' })?.reason).toBe('malformed');
    expect(classifyKeyError({ status: 401, body: 'Access token expired' })?.reason).toBe('expired');
    expect(classifyKeyError({ status: 400, body: { error: 'invalid_token', message: 'The token is invalid' } })?.reason).toBe('malformed');
  });

  it('a 404 about a key resource is a resource error; a 401 saying the same is a key error', () => {
    expect(classifyKeyError({ status: 404, body: { message: 'API Key not found' } })).toBeNull();
    expect(classifyKeyError({ status: 404, body: { error: { code: 'not_found', message: 'No API key with id k_123' } } })).toBeNull();
    expect(classifyKeyError({ status: 410, body: 'API key does not exist' })).toBeNull();
    expect(classifyKeyError({ status: 401, body: { message: 'API Key not found' } })?.reason).toBe('malformed');
    expect(classifyKeyError({ status: 404, body: { message: 'Invalid API key' } })?.reason).toBe('malformed');
  });
});

describe('2xx envelopes that deny the request for the key', () => {
  it('Slack and Google-style envelopes', () => {
    expect(classifyKeyError({ status: 200, body: { ok: false, error: 'invalid_auth' } })).toEqual({
      reason: 'malformed',
      code: 'invalid_auth',
    });
    const google = { status: 'REQUEST_DENIED', error_message: 'The provided API key is invalid.', results: [] };
    expect(classifyKeyError({ status: 200, body: google })).toEqual({
      reason: 'malformed',
      code: 'REQUEST_DENIED',
      message: 'The provided API key is invalid.',
    });
    expect(
      classifyKeyError({
        status: 200,
        body: JSON.stringify({ status: 'REQUEST_DENIED', error_message: 'The provided API key is expired.' }),
      })?.reason,
    ).toBe('expired');
  });

  it('a 2xx that reports success or an empty result is not a key error', () => {
    expect(classifyKeyError({ status: 200, body: { status: 'OK', results: [] } })).toBeNull();
    expect(classifyKeyError({ status: 200, body: { status: 'ZERO_RESULTS', results: [] } })).toBeNull();
    expect(
      classifyKeyError({
        status: 200,
        body: { status: 'REQUEST_DENIED', error_message: 'This IP is not authorized to use this API key.' },
      }),
    ).toBeNull();
  });
});

describe('the message: the most specific text wherever it is', () => {
  const page = (pre: string) =>
    `<!DOCTYPE html><html><head><title>Error</title></head><body><pre>${pre}<br> &nbsp;at x (/srv/app/index.js:1:2)</pre></body></html>`;

  it("a challenge description over the body, a page's <pre> over its <title>", () => {
    expect(challenge('Bearer error="invalid_token", error_description="jwt expired"', 401, 'Unauthorized')?.message).toBe('jwt expired');
    expect(classifyKeyError({ status: 401, body: page('UnauthorizedError: jwt expired') })?.message).toBe('UnauthorizedError: jwt expired');
  });

  it('describeErrorBody follows the same rule, with the headers when given', () => {
    expect(describeErrorBody(page('Cannot GET /x'))).toEqual({ message: 'Cannot GET /x' });
    expect(describeErrorBody('<html><head><title>Error</title></head><body><h1>Not Found</h1></body></html>')).toEqual({
      message: 'Error',
    });
    expect(
      describeErrorBody('Forbidden', { 'WWW-Authenticate': 'Bearer error="insufficient_scope", error_description="needs admin"' }),
    ).toEqual({
      code: 'insufficient_scope',
      message: 'needs admin',
    });
    expect(describeErrorBody('Not Found')).toEqual({ message: 'Not Found' });
  });

  it('a text cut to its limit ends with an ellipsis', () => {
    const long = `Invalid API key ${'x'.repeat(3000)}`;
    const message = classifyKeyError({ status: 401, body: { message: long } })?.message as string;
    expect(message).toHaveLength(2000);
    expect(message.endsWith('…')).toBe(true);
    expect(long.startsWith(message.slice(0, -1))).toBe(true);
    const headline = classifyKeyError({ status: 401, body: `<html><title>Invalid API key ${'y'.repeat(400)}</title></html>` })
      ?.message as string;
    expect(headline).toHaveLength(200);
    expect(headline.endsWith('…')).toBe(true);
    expect(classifyKeyError({ status: 401, body: { message: 'Invalid API key' } })?.message).toBe('Invalid API key');
  });
});

describe('hints say the possibilities when the answer cannot tell', () => {
  const hint = (verdict: ReturnType<typeof classifyKeyError>) => hintFor(verdict?.reason as KeyErrorReason, verdict ?? undefined);

  it('a bare challenge: the server saw no key at all', () => {
    expect(hint(challenge('Bearer realm="api"'))).toMatch(/saw no key at all.*header or scheme.*proxy/);
  });

  it('invalid_token without a cause: expired, then revoked, then mistyped', () => {
    const text = hint(challenge('Bearer error="invalid_token"'));
    expect(text).toMatch(/expired.*revoked.*mistyped/);
    expect(text.split(/(?<=\.)\s/).length).toBeLessThanOrEqual(2);
    expect(text).toMatch(/onKeyInvalid/);
  });

  it('"invalid or expired": the two stated causes, the likelier first', () => {
    const text = hint(classifyKeyError({ status: 401, body: { message: 'Invalid or expired API key' } }));
    expect(text).toMatch(/expired.*mistyped/);
    expect(text).not.toMatch(/revoked/);
  });

  it('a web server page with a bare challenge: no key seen first, then the rejections', () => {
    const text = hint(challenge('Bearer realm="api"', 401, '<html><title>401 Authorization Required</title><center>nginx</center></html>'));
    expect(text).toMatch(/did not reach the API.*expired.*revoked.*mistyped/);
  });

  it('a stated cause keeps its plain hint; a verdict for another reason is ignored', () => {
    const expired = classifyKeyError({ status: 401, body: 'jwt expired' });
    expect(hint(expired)).toBe(hintFor('expired'));
    expect(hintFor('revoked', challenge('Bearer realm="api"') ?? undefined)).toBe(hintFor('revoked'));
  });
});
