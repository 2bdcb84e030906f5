// keyguard against the software that actually rejects keys: real auth middleware from npm,
// started on 127.0.0.1, made to reject expired, revoked, malformed and missing credentials for
// real. Each case says the reason the answer supports; `ambiguous` marks answers that cannot
// tell the causes apart (the library says the same thing for all of them).
//
// KEYGUARD_WRITE_AUTH_FIXTURES=1 npx vitest run test/auth-servers saves the captured answers as
// corpus cases (test/fixtures/key-errors/auth-middleware.json).

import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiError,
  BadRequestError,
  classifyKeyError,
  createClient,
  InvalidApiKeyError,
  type KeyErrorReason,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
} from '../../src/index.js';
import {
  type Credentials,
  jwtCredentials,
  OPAQUE,
  type Running,
  startExpressJwt,
  startExpressOauth2,
  startFastifyBearerAuth,
  startFastifyJwt,
  startHapiBearer,
  startHonoBearer,
  startHonoJwt,
  startKoaJwt,
  startPassportBearer,
  startPassportHeaderApiKey,
  versionOf,
} from './servers.js';

type Cause = 'expired' | 'revoked' | 'badSignature' | 'malformed' | 'illegal' | 'missing';
interface Case {
  cause: Cause;
  expected: KeyErrorReason;
  /** Why the answer cannot tell this cause from the others. */
  ambiguous?: string;
}
interface Setup {
  name: string;
  /** Packages whose versions make up the corpus source, the middleware first. */
  packages: string[];
  start: () => Promise<Running>;
  credentials: 'jwt' | 'opaque';
  placement: 'bearer' | 'x-api-key';
  cases: Case[];
  /** Where this setup answers with a non-key failure (status → path); every setup has all five. */
  scope403?: boolean;
}

const SAME = (what: string) => `the library answers every rejected ${what} alike`;

const SETUPS: Setup[] = [
  {
    name: 'express-jwt (Express default error page)',
    packages: ['express-jwt', 'express', 'jsonwebtoken'],
    start: startExpressJwt,
    credentials: 'jwt',
    placement: 'bearer',
    cases: [
      { cause: 'expired', expected: 'expired' }, // UnauthorizedError: jwt expired
      { cause: 'revoked', expected: 'revoked' }, // UnauthorizedError: The token has been revoked.
      { cause: 'badSignature', expected: 'malformed' }, // UnauthorizedError: invalid signature
      { cause: 'malformed', expected: 'malformed' }, // UnauthorizedError: jwt malformed
      { cause: 'missing', expected: 'missing' }, // UnauthorizedError: No authorization token was found
    ],
  },
  {
    name: 'express-oauth2-jwt-bearer (RFC 6750 challenges)',
    packages: ['express-oauth2-jwt-bearer', 'express'],
    start: startExpressOauth2,
    credentials: 'jwt',
    placement: 'bearer',
    scope403: true,
    cases: [
      { cause: 'expired', expected: 'expired' }, // invalid_token, "exp" claim timestamp check failed
      { cause: 'badSignature', expected: 'malformed' }, // invalid_token, signature verification failed
      { cause: 'malformed', expected: 'malformed' }, // invalid_token, Invalid Compact JWS
      { cause: 'missing', expected: 'missing' }, // bare Bearer realm="api"
    ],
  },
  {
    name: 'passport-http-bearer',
    packages: ['passport-http-bearer', 'passport', 'express'],
    start: startPassportBearer,
    credentials: 'opaque',
    placement: 'bearer',
    cases: [
      { cause: 'expired', expected: 'expired' }, // invalid_token, error_description from the verify callback
      { cause: 'revoked', expected: 'revoked' },
      { cause: 'malformed', expected: 'unknown', ambiguous: 'done(null, false): a bare invalid_token for any unknown token' },
      { cause: 'badSignature', expected: 'unknown', ambiguous: 'done(null, false): a bare invalid_token for any unknown token' },
      { cause: 'missing', expected: 'missing' }, // bare Bearer realm="Users"
    ],
  },
  {
    name: 'passport-headerapikey',
    packages: ['passport-headerapikey', 'passport', 'express'],
    start: startPassportHeaderApiKey,
    credentials: 'opaque',
    placement: 'x-api-key',
    cases: [
      { cause: 'malformed', expected: 'unknown', ambiguous: `401 "Unauthorized": ${SAME('or absent key')}` },
      { cause: 'expired', expected: 'unknown', ambiguous: `401 "Unauthorized": ${SAME('or absent key')}` },
      { cause: 'missing', expected: 'unknown', ambiguous: `401 "Unauthorized": ${SAME('or absent key')}` },
    ],
  },
  {
    name: '@fastify/jwt',
    packages: ['@fastify/jwt', 'fastify'],
    start: startFastifyJwt,
    credentials: 'jwt',
    placement: 'bearer',
    cases: [
      { cause: 'expired', expected: 'expired' }, // FST_JWT_AUTHORIZATION_TOKEN_EXPIRED
      { cause: 'revoked', expected: 'revoked' }, // FST_JWT_AUTHORIZATION_TOKEN_UNTRUSTED: Untrusted authorization token
      { cause: 'badSignature', expected: 'malformed' }, // Authorization token is invalid: The token signature is invalid.
      { cause: 'malformed', expected: 'malformed' }, // Authorization token is invalid: The token is malformed.
      { cause: 'missing', expected: 'missing' }, // No Authorization was found in request.headers
    ],
  },
  {
    name: '@fastify/bearer-auth',
    packages: ['@fastify/bearer-auth', 'fastify'],
    start: startFastifyBearerAuth,
    credentials: 'opaque',
    placement: 'bearer',
    cases: [
      { cause: 'malformed', expected: 'malformed' }, // {"error":"invalid authorization header"}
      { cause: 'revoked', expected: 'malformed', ambiguous: `"invalid authorization header": ${SAME('key')}` },
      { cause: 'missing', expected: 'missing' }, // {"error":"missing authorization header"}
    ],
  },
  {
    name: 'koa-jwt (debug: true)',
    packages: ['koa-jwt', 'koa', 'jsonwebtoken'],
    start: () => startKoaJwt(true),
    credentials: 'jwt',
    placement: 'bearer',
    cases: [
      { cause: 'expired', expected: 'expired' }, // jwt expired
      { cause: 'revoked', expected: 'revoked' }, // Token revoked
      { cause: 'badSignature', expected: 'malformed' }, // invalid signature
      { cause: 'malformed', expected: 'malformed' }, // jwt malformed
      { cause: 'missing', expected: 'missing' }, // Token not found
    ],
  },
  {
    name: 'koa-jwt (default)',
    packages: ['koa-jwt', 'koa'],
    start: () => startKoaJwt(false),
    credentials: 'jwt',
    placement: 'bearer',
    cases: [
      { cause: 'expired', expected: 'unknown', ambiguous: `"Authentication Error": ${SAME('or absent token')}` },
      { cause: 'malformed', expected: 'unknown', ambiguous: `"Authentication Error": ${SAME('or absent token')}` },
      { cause: 'missing', expected: 'unknown', ambiguous: `"Authentication Error": ${SAME('or absent token')}` },
    ],
  },
  {
    name: 'hapi-auth-bearer-token',
    packages: ['hapi-auth-bearer-token', '@hapi/hapi'],
    start: startHapiBearer,
    credentials: 'opaque',
    placement: 'bearer',
    cases: [
      { cause: 'malformed', expected: 'malformed' }, // Boom "Bad token", WWW-Authenticate: Bearer error="Bad token"
      { cause: 'expired', expected: 'malformed', ambiguous: `"Bad token": ${SAME('token')}` },
      { cause: 'missing', expected: 'missing' }, // Boom "Missing authentication", bare Bearer challenge
    ],
  },
  {
    name: 'hono/jwt',
    packages: ['hono'],
    start: startHonoJwt,
    credentials: 'jwt',
    placement: 'bearer',
    cases: [
      { cause: 'expired', expected: 'unknown', ambiguous: `invalid_token "token verification failure": ${SAME('token')}` },
      { cause: 'badSignature', expected: 'unknown', ambiguous: `invalid_token "token verification failure": ${SAME('token')}` },
      { cause: 'malformed', expected: 'unknown', ambiguous: `invalid_token "token verification failure": ${SAME('token')}` },
      { cause: 'missing', expected: 'missing' }, // invalid_request "no authorization included in request"
    ],
  },
  {
    name: 'hono/bearer-auth',
    packages: ['hono'],
    start: startHonoBearer,
    credentials: 'opaque',
    placement: 'bearer',
    cases: [
      { cause: 'malformed', expected: 'unknown', ambiguous: `a bare invalid_token: ${SAME('token')}` },
      { cause: 'illegal', expected: 'malformed' }, // 400, Bearer error="invalid_request", body "Bad Request"
      { cause: 'missing', expected: 'missing' }, // bare Bearer realm="
    ],
  },
];

interface Captured {
  status: number;
  headers: Record<string, string>;
  body: string;
}

async function capture(url: string, init: RequestInit = {}): Promise<Captured> {
  const response = await fetch(url, init);
  const headers: Record<string, string> = {};
  for (const name of ['content-type', 'www-authenticate']) {
    const value = response.headers.get(name);
    if (value !== null) headers[name] = value;
  }
  return { status: response.status, headers, body: await response.text() };
}

const parse = (body: string): unknown => {
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
};

function credentialHeaders(setup: Setup, key: string | undefined, placement = setup.placement): Record<string, string> {
  if (key === undefined) return {};
  return placement === 'bearer' ? { authorization: `Bearer ${key}` } : { 'x-api-key': key };
}

const running = new Map<string, Running>();
const creds = new Map<string, Credentials>();
const corpus: { setup: Setup; name: string; captured: Captured; expected: Record<string, unknown>; note?: string }[] = [];
const tally = { clear: 0, clearRight: 0, ambiguous: 0, ambiguousRight: 0 };
let started = 0;

beforeAll(async () => {
  started = Date.now();
  const jwt = await jwtCredentials();
  await Promise.all(
    SETUPS.map(async (setup) => {
      running.set(setup.name, await setup.start());
      creds.set(setup.name, setup.credentials === 'jwt' ? jwt : OPAQUE);
    }),
  );
}, 20_000);

afterAll(async () => {
  await Promise.all([...running.values()].map((r) => r.close()));
  if (process.env.KEYGUARD_WRITE_AUTH_FIXTURES) writeFixtures();
  const ms = Date.now() - started;
  console.info(
    `auth servers: ${SETUPS.length} setups, ${tally.clear + tally.ambiguous} key-error cases (${tally.clear} clear, ${tally.ambiguous} ambiguous); right reason ${tally.clearRight}/${tally.clear} clear, ${tally.ambiguousRight}/${tally.ambiguous} ambiguous; ${ms} ms`,
  );
});

describe.each(SETUPS)('$name', (setup) => {
  const server = () => running.get(setup.name) as Running;
  const keys = () => creds.get(setup.name) as Credentials;
  const other = setup.placement === 'bearer' ? 'x-api-key' : 'bearer';

  it.each(setup.cases)('$cause → $expected', async ({ cause, expected, ambiguous }) => {
    const key = cause === 'missing' ? undefined : keys()[cause];
    const captured = await capture(`${server().url}/me`, { headers: credentialHeaders(setup, key) });
    const verdict = classifyKeyError({ status: captured.status, headers: captured.headers, body: parse(captured.body) });
    corpus.push({
      setup,
      name: `${cause} credential${ambiguous ? ' (ambiguous)' : ''}`,
      captured,
      expected: { keyError: true, reason: expected },
      ...(ambiguous ? { note: `Ambiguous: ${ambiguous}.` } : {}),
    });
    if (ambiguous) tally.ambiguous += 1;
    else tally.clear += 1;
    if (verdict?.reason === expected) tally[ambiguous ? 'ambiguousRight' : 'clearRight'] += 1;
    expect(verdict, JSON.stringify(captured)).not.toBeNull();
    expect(verdict?.reason, JSON.stringify(captured)).toBe(expected);
    // An HTML error page's <title> ("Error") is never the message while the page says more.
    // A WWW-Authenticate error_description is the most specific text of all.
    const description = /error_description="([^"]*)"/.exec(captured.headers['www-authenticate'] ?? '')?.[1];
    if (description) expect(verdict?.message).toBe(description.replace(/\\(.)/g, '$1'));
    else if (/<pre>/.test(captured.body)) expect(verdict?.message).toMatch(/^UnauthorizedError: \w/);
  });

  it.each(setup.cases.filter((c) => c.cause !== 'missing'))(
    '$cause: keyguard reports it, rotates once and the replay succeeds',
    async ({ cause, expected }) => {
      const seen: InvalidApiKeyError[] = [];
      const client = createClient({
        baseUrl: server().url,
        apiKey: keys()[cause as Exclude<Cause, 'missing'>],
        auth: setup.placement === 'bearer' ? { type: 'bearer' } : { type: 'header', name: 'x-api-key' },
        retry: false,
        onKeyInvalid: (error) => {
          seen.push(error);
          return keys().valid;
        },
      });
      await expect(client.get('/me')).resolves.toEqual({ ok: true });
      expect(seen.map((e) => e.reason)).toEqual([expected]);
      expect(seen[0]?.hint.length).toBeGreaterThan(40);
    },
  );

  it('a key in the wrong header: the server saw no key, and keyguard says so', async () => {
    const missing = setup.cases.find((c) => c.cause === 'missing') as Case;
    const client = createClient({
      baseUrl: server().url,
      apiKey: keys().valid,
      auth: other === 'bearer' ? { type: 'bearer' } : { type: 'header', name: 'x-api-key' },
      retry: false,
    });
    const error = await client.get('/me').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidApiKeyError);
    expect((error as InvalidApiKeyError).reason).toBe(missing.expected);
    if (missing.expected === 'missing') expect((error as InvalidApiKeyError).hint).toMatch(/saw no key at all/);
    else expect((error as InvalidApiKeyError).hint).toMatch(/without saying why/);
  });

  it('non-key failures stay apart: 403 scope, 400 validation, 429, 404 of a key resource, the framework 404', async () => {
    const client = createClient({
      baseUrl: server().url,
      apiKey: keys().valid,
      auth: setup.placement === 'bearer' ? { type: 'bearer' } : { type: 'header', name: 'x-api-key' },
      retry: false,
      onKeyInvalid: () => {
        throw new Error('a non-key failure must not rotate the key');
      },
    });
    const expectations: [string, 'get' | 'post', new (...args: never[]) => ApiError, number][] = [
      ['/admin', 'get', PermissionDeniedError, 403],
      ['/items', 'post', BadRequestError, 400],
      ['/limited', 'get', RateLimitError, 429],
      ['/api-keys/k_123', 'get', NotFoundError, 404],
      ['/nope', 'get', NotFoundError, 404],
    ];
    for (const [path, method, Class, status] of expectations) {
      const headers = credentialHeaders(setup, keys().valid);
      const captured = await capture(`${server().url}${path}`, {
        method: method.toUpperCase(),
        headers: { ...headers, 'content-type': 'application/json' },
        body: method === 'post' ? '{}' : null,
      });
      expect(captured.status, path).toBe(status);
      expect(classifyKeyError({ status: captured.status, headers: captured.headers, body: parse(captured.body) }), path).toBeNull();
      if (path !== '/nope') {
        corpus.push({ setup, name: `NEGATIVE: ${status} ${path}`, captured, expected: { keyError: false } });
      }
      const error = await (method === 'post' ? client.post(path, { body: {} }) : client.get(path)).catch((e: unknown) => e);
      expect(error, path).toBeInstanceOf(Class);
      expect((error as ApiError).status).toBe(status);
      // The message carries the most specific text: never an error page's <title> ("Error").
      expect((error as ApiError).message, path).not.toMatch(/: Error\.?$/);
      if (path === '/nope' && /<pre>/.test(captured.body))
        expect((error as ApiError).message).toBe('GET /nope failed with 404: Cannot GET /nope');
    }
  });
});

/** The captured answers as corpus cases: host, port and local paths removed, so the file is stable. */
function writeFixtures(): void {
  const clean = (text: string) =>
    text
      .replaceAll(process.cwd(), '.')
      .replace(/127\.0\.0\.1:\d+/g, '127.0.0.1')
      .replace(/(<br> &nbsp; &nbsp;at [^<]*)+/g, '<br> &nbsp; &nbsp;at …');
  const cases = corpus
    .sort((a, b) => SETUPS.indexOf(a.setup) - SETUPS.indexOf(b.setup))
    .map(({ setup, name, captured, expected, note }) => ({
      name: `${setup.name}: ${name}`,
      status: captured.status,
      headers: Object.fromEntries(Object.entries(captured.headers).map(([k, v]) => [k, clean(v)])),
      body: clean(captured.body),
      expected,
      source: `npm:${setup.packages.map((p) => `${p}@${versionOf(p)}`).join(' + ')} (test/auth-servers)`,
      ...(note ? { note } : {}),
    }));
  const file = new URL('../fixtures/key-errors/auth-middleware.json', import.meta.url);
  writeFileSync(file, `${JSON.stringify({ provider: 'Auth middleware from npm (real servers)', cases }, null, 2)}\n`);
}
