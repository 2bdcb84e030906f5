// Real auth middleware from npm, each configured the way its README shows and started on
// 127.0.0.1 (port 0). Every app has the same routes, so the suite can ask each one the same
// questions: /me (the protected resource), /admin (a scope the token lacks), /items (a 400
// validation error), /limited (a 429), /api-keys/k_123 (a key-management endpoint answering
// 404 "API Key not found"), and an unknown path (the framework's own 404).

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import bearerAuthPlugin from '@fastify/bearer-auth';
import fastifyJwt from '@fastify/jwt';
import Hapi from '@hapi/hapi';
import { serve } from '@hono/node-server';
import express from 'express';
import { expressjwt } from 'express-jwt';
import { auth as oauth2Bearer, requiredScopes } from 'express-oauth2-jwt-bearer';
import Fastify, { type FastifyInstance } from 'fastify';
import { Hono } from 'hono';
import { bearerAuth } from 'hono/bearer-auth';
import { jwt as honoJwt } from 'hono/jwt';
import { SignJWT } from 'jose';
import Koa from 'koa';
import koaJwt from 'koa-jwt';
import passport from 'passport';
import { HeaderAPIKeyStrategy } from 'passport-headerapikey';
import { Strategy as BearerStrategy } from 'passport-http-bearer';

const require = createRequire(import.meta.url);
/** The installed version of a package, for the corpus's `source`. */
export const versionOf = (name: string): string =>
  (JSON.parse(readFileSync(new URL(`../../node_modules/${name}/package.json`, import.meta.url), 'utf8')) as { version: string }).version;

export const SECRET = 'keyguard-auth-suite-secret-0123456789abcdef';
const OTHER_SECRET = 'not-the-secret-the-server-knows-0123456789';
export const ISSUER = 'https://issuer.keyguard.test/';
export const AUDIENCE = 'https://api.keyguard.test';

/** The credentials every setup is asked about. */
export interface Credentials {
  valid: string;
  expired: string;
  revoked: string;
  badSignature: string;
  malformed: string;
  /** Characters a bearer token may not have (RFC 6750 b64token). */
  illegal: string;
}

const encoder = new TextEncoder();

async function signed(claims: { jti: string; exp: number; iat: number }, secret = SECRET): Promise<string> {
  return new SignJWT({ sub: 'user-1', scope: 'read' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setJti(claims.jti)
    .setIssuedAt(claims.iat)
    .setExpirationTime(claims.exp)
    .sign(encoder.encode(secret));
}

/** Real HS256 JWTs: a valid one, one that expired an hour ago, one on the revocation list, one signed with another secret. */
export async function jwtCredentials(): Promise<Credentials> {
  const now = Math.floor(Date.now() / 1000);
  return {
    valid: await signed({ jti: 'good-1', iat: now, exp: now + 3600 }),
    expired: await signed({ jti: 'old-1', iat: now - 7200, exp: now - 3600 }),
    revoked: await signed({ jti: 'revoked-1', iat: now, exp: now + 3600 }),
    badSignature: await signed({ jti: 'good-1', iat: now, exp: now + 3600 }, OTHER_SECRET),
    malformed: 'kg-this-is-not-a-jwt-0123456789',
    illegal: 'kg!not*a(b64token)0123456789',
  };
}

/** Opaque API keys: the server keeps the valid one, knows one as expired and one as revoked. */
export const OPAQUE: Credentials = {
  valid: 'kg_live_valid_4f9a2c7e1b3d5f60',
  expired: 'kg_live_expired_8b1d3f5a7c9e0a2b',
  revoked: 'kg_live_revoked_2c4e6a8b0d1f3a5c',
  badSignature: 'kg_live_unknown_9e7c5a3b1d0f2e4a',
  malformed: 'kg_live_typo_4f9a2c7e1b3d5f6',
  illegal: 'kg!live*bad(token)4f9a2c7e1b3d',
};

const isRevokedJti = (jti: unknown) => jti === 'revoked-1';

export interface Running {
  url: string;
  close(): Promise<void>;
}

function listen(server: import('node:http').Server): Promise<Running> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    const done = () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((end) => {
            server.closeAllConnections?.();
            server.close(() => end());
          }),
      });
    };
    if (server.listening) done();
    else server.once('listening', done);
  });
}

const VALIDATION = { error: { type: 'validation_error', message: '"name" is required' } };
const LIMITED = { error: { type: 'rate_limit', message: 'Too many requests, slow down' } };
const SCOPE = { error: 'insufficient_scope', message: 'This token lacks the required scope: admin' };
const KEY_NOT_FOUND = { error: 'not_found', message: 'API Key not found' };

// --- Express ------------------------------------------------------------------------------

function expressRoutes(app: express.Express, admin: express.RequestHandler[] = []): void {
  app.get('/me', (_req, res) => {
    res.json({ ok: true });
  });
  app.get('/admin', ...admin, (_req, res) => {
    if (admin.length > 0) res.json({ ok: true });
    else res.status(403).json(SCOPE);
  });
  app.post('/items', (_req, res) => {
    res.status(400).json(VALIDATION);
  });
  app.get('/limited', (_req, res) => {
    res.status(429).json(LIMITED);
  });
  app.get('/api-keys/:id', (_req, res) => {
    res.status(404).json(KEY_NOT_FOUND);
  });
  // Anything else: Express's own 404 page ("Cannot GET /nope"), and its default error page
  // for the middleware's errors (no custom error handler, as in express-jwt's basic example).
}

/** express-jwt: `expressjwt({ secret, algorithms, isRevoked })`, errors to Express's default handler. */
export function startExpressJwt(): Promise<Running> {
  const app = express();
  app.use(
    expressjwt({
      secret: SECRET,
      algorithms: ['HS256'],
      isRevoked: async (_req, token) => isRevokedJti((token?.payload as { jti?: string })?.jti),
    }),
  );
  expressRoutes(app);
  return listen(app.listen(0, '127.0.0.1'));
}

/** express-oauth2-jwt-bearer: `auth({ issuer, audience, secret, tokenSigningAlg })`, `requiredScopes('admin')`. */
export function startExpressOauth2(): Promise<Running> {
  const app = express();
  app.use(oauth2Bearer({ issuer: ISSUER, audience: AUDIENCE, secret: SECRET, tokenSigningAlg: 'HS256' }));
  expressRoutes(app, [requiredScopes('admin')]);
  return listen(app.listen(0, '127.0.0.1'));
}

/** passport-http-bearer: `new BearerStrategy((token, done) => …)`, `passport.authenticate('bearer', { session: false })`. */
export function startPassportBearer(): Promise<Running> {
  const instance = new passport.Passport();
  instance.use(
    new BearerStrategy((token, done) => {
      if (token === OPAQUE.valid) return done(null, { id: 'user-1' });
      if (token === OPAQUE.expired) return done(null, false, 'The access token expired');
      if (token === OPAQUE.revoked) return done(null, false, 'The access token has been revoked');
      return done(null, false); // the README's answer for any other token
    }),
  );
  const app = express();
  app.use(instance.initialize());
  app.use(instance.authenticate('bearer', { session: false }));
  expressRoutes(app);
  return listen(app.listen(0, '127.0.0.1'));
}

/** passport-headerapikey: `new HeaderAPIKeyStrategy({ header: 'x-api-key', prefix: '' }, false, (apikey, done) => …)`. */
export function startPassportHeaderApiKey(): Promise<Running> {
  const instance = new passport.Passport();
  instance.use(
    new HeaderAPIKeyStrategy({ header: 'x-api-key', prefix: '' }, false, (apikey, done) => {
      done(null, apikey === OPAQUE.valid ? { id: 'user-1' } : false);
    }),
  );
  const app = express();
  app.use(instance.initialize());
  app.use(instance.authenticate('headerapikey', { session: false }));
  expressRoutes(app);
  return listen(app.listen(0, '127.0.0.1'));
}

// --- Fastify ------------------------------------------------------------------------------

type FastifyApp = FastifyInstance;

function fastifyRoutes(app: FastifyApp): void {
  app.get('/me', async () => ({ ok: true }));
  app.get('/admin', async (_req, reply) => reply.code(403).send(SCOPE));
  // A real schema validation error from Fastify itself.
  app.post('/items', { schema: { body: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } } }, async () => ({
    ok: true,
  }));
  app.get('/limited', async (_req, reply) => reply.code(429).send(LIMITED));
  app.get('/api-keys/:id', async (_req, reply) => reply.code(404).send(KEY_NOT_FOUND));
}

async function fastifyListen(app: FastifyApp): Promise<Running> {
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { url: url.replace('localhost', '127.0.0.1'), close: () => app.close() };
}

/** @fastify/jwt: `register(fastifyJwt, { secret, trusted })`, `onRequest: request.jwtVerify()`. */
export async function startFastifyJwt(): Promise<Running> {
  const app = Fastify({ logger: false });
  await app.register(fastifyJwt, { secret: SECRET, trusted: (_request, decoded) => !isRevokedJti((decoded as { jti?: string }).jti) });
  app.addHook('onRequest', async (request, reply) => {
    try {
      await request.jwtVerify();
    } catch (err) {
      reply.send(err);
    }
  });
  fastifyRoutes(app);
  return fastifyListen(app);
}

/** @fastify/bearer-auth: `register(bearerAuthPlugin, { keys })`. */
export async function startFastifyBearerAuth(): Promise<Running> {
  const app = Fastify({ logger: false });
  await app.register(bearerAuthPlugin, { keys: new Set([OPAQUE.valid]), verifyErrorLogLevel: false as unknown as undefined });
  fastifyRoutes(app);
  return fastifyListen(app);
}

// --- Koa ----------------------------------------------------------------------------------

/** koa-jwt: `app.use(jwt({ secret, isRevoked, debug }))`; `debug: false` is its default (every rejection says "Authentication Error"). */
export function startKoaJwt(debug: boolean): Promise<Running> {
  const app = new Koa();
  app.silent = true;
  app.use(koaJwt({ secret: SECRET, debug, isRevoked: async (_ctx, token) => isRevokedJti((token as { jti?: string }).jti) }));
  app.use(async (ctx) => {
    const routes: Record<string, [number, unknown]> = {
      'GET /me': [200, { ok: true }],
      'GET /admin': [403, SCOPE],
      'POST /items': [400, VALIDATION],
      'GET /limited': [429, LIMITED],
      'GET /api-keys/k_123': [404, KEY_NOT_FOUND],
    };
    const route = routes[`${ctx.method} ${ctx.path}`];
    if (!route) return; // Koa's own 404: "Not Found"
    ctx.status = route[0];
    ctx.body = route[1];
  });
  return listen(app.listen(0, '127.0.0.1'));
}

// --- Hapi ---------------------------------------------------------------------------------

/** hapi-auth-bearer-token: `server.auth.strategy('simple', 'bearer-access-token', { validate })`. */
export async function startHapiBearer(): Promise<Running> {
  const server = Hapi.server({ port: 0, host: '127.0.0.1' });
  await server.register(require('hapi-auth-bearer-token'));
  server.auth.strategy('simple', 'bearer-access-token', {
    validate: async (_request: unknown, token: string) => ({ isValid: token === OPAQUE.valid, credentials: { token }, artifacts: {} }),
  });
  server.auth.default('simple');
  server.route([
    { method: 'GET', path: '/me', handler: () => ({ ok: true }) },
    { method: 'GET', path: '/admin', handler: (_r, h) => h.response(SCOPE).code(403) },
    { method: 'POST', path: '/items', handler: (_r, h) => h.response(VALIDATION).code(400) },
    { method: 'GET', path: '/limited', handler: (_r, h) => h.response(LIMITED).code(429) },
    { method: 'GET', path: '/api-keys/{id}', handler: (_r, h) => h.response(KEY_NOT_FOUND).code(404) },
  ]);
  await server.start();
  return { url: server.info.uri.replace('localhost', '127.0.0.1'), close: () => server.stop({ timeout: 100 }) };
}

// --- Hono ---------------------------------------------------------------------------------

function honoRoutes(app: Hono): void {
  app.get('/me', (c) => c.json({ ok: true }));
  app.get('/admin', (c) => c.json(SCOPE, 403));
  app.post('/items', (c) => c.json(VALIDATION, 400));
  app.get('/limited', (c) => c.json(LIMITED, 429));
  app.get('/api-keys/:id', (c) => c.json(KEY_NOT_FOUND, 404));
}

function honoListen(app: Hono): Promise<Running> {
  return listen(serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as import('node:http').Server);
}

/** hono/jwt: `app.use('/*', jwt({ secret, alg: 'HS256' }))`. */
export function startHonoJwt(): Promise<Running> {
  const app = new Hono();
  app.use('/*', honoJwt({ secret: SECRET, alg: 'HS256' }));
  honoRoutes(app);
  return honoListen(app);
}

/** hono/bearer-auth: `app.use('/*', bearerAuth({ token }))`. */
export function startHonoBearer(): Promise<Running> {
  const app = new Hono();
  app.use('/*', bearerAuth({ token: OPAQUE.valid }));
  honoRoutes(app);
  return honoListen(app);
}
