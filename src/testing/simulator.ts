import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { KEY_ERROR_FORMATS, type KeyErrorFormat, keyErrorResponse, type SimulatedKeyErrorReason } from './formats.js';
import { mulberry32 } from './prng.js';
import { BadInput, binaryReply, chatCompletion, eventStream, linkHeader } from './simulator-streams.js';
import { keyForVendor, matchVendor, presentedVendorKey, VENDOR_NAMES, type VendorName, vendorBase } from './simulator-vendors.js';
import { vendorKeyErrorResponse, vendorProbeBody } from './vendors.js';

/** Random trouble on `/v1/*` (except `/v1/health`). Rates are probabilities from 0 to 1. */
export interface Faults {
  /** Delay before every answer: a fixed number of ms, or a `[min, max]` range drawn per request. */
  latencyMs?: number | [min: number, max: number];
  /** Share of requests answered `429` with `Retry-After`. */
  rate429?: number;
  /** `Retry-After` seconds sent with a `429`. @default 1 */
  retryAfterS?: number;
  /** Share of requests answered `503`. */
  rate503?: number;
  /** Share of requests whose socket is destroyed without an answer. */
  rateReset?: number;
}

/** A scripted fault for {@link Simulator.failNext}. `slow` delays the answer but still answers. */
export type FaultKind = '429' | '503' | 'reset' | 'slow';

/** Options of {@link startSimulator}. */
export interface SimulatorOptions {
  /** @default 0 (a free port) */
  port?: number;
  /** How key rejections look on the wire. @default 'envelope' */
  format?: KeyErrorFormat;
  /** Lifetime of an issued key. @default 3_600_000 (1 hour) */
  keyTtlMs?: number;
  /** Secret for the `/admin` API (`x-admin-token` header), at least 8 characters. @default random */
  adminToken?: string;
  /** @default none */
  faults?: Faults;
  /** Seed of the PRNG behind random faults, so a failing run can be replayed. @default random */
  seed?: number;
}

/** An issued key. `{ key, expiresAt }` is a ready-made `KeyGrant`. */
export interface KeyRecord {
  /** The key's id, e.g. `key_1a2b3c4d5e6f7a8b`; the admin API and the key methods accept it in place of the key. */
  id: string;
  /** The secret to send, e.g. `sk_live_…`. */
  key: string;
  /** Epoch ms. */
  expiresAt: number;
}

/** A resource of the simulated API. */
export interface Item {
  /** e.g. `item_1`. */
  id: string;
  /** The name it was created with. */
  name: string;
  /** Non-negative; `0` when none was given. */
  price: number;
  /** ISO 8601. */
  createdAt: string;
}

/** What the simulator saw on `/v1/*` since start or {@link Simulator.resetStats}. */
export interface SimulatorStats {
  /** Every request on `/v1/*`: health checks, faulted, rejected and unrouted ones included. */
  requests: number;
  /** Key rejections, by reason. */
  keyErrors: Record<SimulatedKeyErrorReason, number>;
  /** Per route template, e.g. `/v1/items/{id}`. */
  byPath: Record<string, number>;
}

/** A running "API Service" simulator. */
export interface Simulator {
  /** The API base, e.g. `http://127.0.0.1:54321/v1`. */
  readonly url: string;
  /** e.g. `http://127.0.0.1:54321`. */
  readonly origin: string;
  /** The port it listens on (the free one picked when the `port` option was 0). */
  readonly port: number;
  /** The secret for the `/admin` API, sent as the `x-admin-token` header. */
  readonly adminToken: string;
  /** The seed of the fault PRNG in use. */
  readonly seed: number;
  /**
   * Issues a new key that lives `ttlMs` (default: the `keyTtlMs` option); `label` is echoed by `GET /v1/me`.
   * `vendor` shapes it like that provider's keys (`'openai'` → `sk-proj-…`), `prefix` sets its start
   * (`'sk_test_'`); every key works on every route, the generic `/v1` API and each vendor's.
   */
  issueKey(opts?: { ttlMs?: number; label?: string; vendor?: VendorName; prefix?: string }): KeyRecord;
  /** The base URL of the simulator playing `vendor`, e.g. `http://127.0.0.1:54321/openai/v1`: its base path, auth placement and wire format. */
  vendorUrl(vendor: VendorName): string;
  /** Revokes a key, given its id or value: from now on it is rejected as `revoked`. Throws when there is no such key. */
  revokeKey(idOrKey: string): void;
  /** Expires a key now, given its id or value: from now on it is rejected as `expired`. Throws when there is no such key. */
  expireKey(idOrKey: string): void;
  /** Issues a successor; the old key stays valid for `graceMs` (default 0), then expires. */
  rotateKey(idOrKey: string, opts?: { graceMs?: number; ttlMs?: number }): KeyRecord;
  /** Changes how key rejections look on the wire, from the next request on. */
  setFormat(format: KeyErrorFormat): void;
  /** Replaces the random faults; `{}` turns them off. */
  setFaults(faults: Faults): void;
  /** The next `n` `/v1/*` requests fail with `kind`, before any random fault. */
  failNext(n: number, kind: FaultKind, opts?: { retryAfterS?: number; delayMs?: number }): void;
  /** A copy of the counters since start or the last {@link Simulator.resetStats}. */
  stats(): SimulatorStats;
  /** Sets every counter back to zero. */
  resetStats(): void;
  /** Stops listening and destroys every open socket. */
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;
/** Request targets are paths; this only completes them into URLs. */
const BASE = 'http://simulator.invalid';
const MAX_MS = 10 * 365 * 24 * 3600 * 1000;

const durationSchema = z.number().int().min(0).max(MAX_MS);
const ttlSchema = z.number().int().positive().max(MAX_MS);
const rate = z.number().min(0).max(1);
const formatSchema = z.enum(KEY_ERROR_FORMATS);
const faultsSchema = z
  .strictObject({
    latencyMs: z
      .union([
        z.number().min(0).max(60_000),
        z.tuple([z.number().min(0).max(60_000), z.number().min(0).max(60_000)]).refine(([a, b]) => a <= b, 'min must not exceed max'),
      ])
      .optional(),
    rate429: rate.optional(),
    retryAfterS: z.number().int().min(0).max(86_400).optional(),
    rate503: rate.optional(),
    rateReset: rate.optional(),
  })
  .refine((f) => (f.rate429 ?? 0) + (f.rate503 ?? 0) + (f.rateReset ?? 0) <= 1, 'fault rates must add up to at most 1');
const optionsSchema = z.strictObject({
  port: z.number().int().min(0).max(65_535).optional(),
  format: formatSchema.optional(),
  keyTtlMs: ttlSchema.optional(),
  adminToken: z.string().min(8).max(200).optional(),
  faults: faultsSchema.optional(),
  seed: z.number().int().optional(),
});
const issueSchema = z.strictObject({
  ttlMs: ttlSchema.optional(),
  label: z.string().max(100).optional(),
  vendor: z.enum(VENDOR_NAMES).optional(),
  prefix: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{0,32}$/, 'letters, digits, "_", "." and "-" only, at most 32')
    .optional(),
});
const rotateSchema = z.strictObject({ graceMs: durationSchema.optional(), ttlMs: ttlSchema.optional() });
const configSchema = z.strictObject({ format: formatSchema.optional(), faults: faultsSchema.optional() });
const failNextSchema = z.strictObject({
  n: z.number().int().min(0).max(10_000),
  kind: z.enum(['429', '503', 'reset', 'slow']),
  retryAfterS: z.number().int().min(0).max(86_400).optional(),
  delayMs: z.number().int().min(0).max(60_000).optional(),
});
const newItemSchema = z.strictObject({ name: z.string().min(1).max(100), price: z.number().min(0).max(1e12).optional() });
const listSchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(10),
  cursor: z
    .string()
    .regex(/^\d{1,12}$/, 'not a cursor from this API')
    .optional(),
});
const idempotencyKeySchema = z.string().min(1).max(255);

/** An answer with a status: thrown by handlers and the programmatic API alike. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

function validate<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
  throw new HttpError(400, 'invalid_request_error', `${where}${issue?.message ?? 'invalid input'}`);
}

const hex = (bytes: number): string => randomBytes(bytes).toString('hex');
const sha256 = (s: string): Buffer => createHash('sha256').update(s).digest();

interface Reply {
  status: number;
  headers?: Record<string, string>;
  /** Already serialised. */
  body?: string;
  /** Writes the body itself (streams); called after the head is sent. */
  stream?: (res: ServerResponse, sleep: (ms: number) => Promise<void>) => Promise<void>;
}

const json = (status: number, value: unknown, headers: Record<string, string> = {}): Reply => ({
  status,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(value),
});

interface StoredKey extends KeyRecord {
  label: string | null;
  revoked: boolean;
}

interface Context {
  params: string[];
  url: URL;
  req: IncomingMessage;
  body: unknown;
  /** Set for routes with auth `'key'`. */
  key: StoredKey | undefined;
}

interface Route {
  method: string;
  template: string;
  pattern: RegExp;
  auth: 'key' | 'admin' | 'none';
  handle: (ctx: Context) => Reply;
}

/** Starts the "API Service" simulator on 127.0.0.1. See docs/simulator.md. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const opts = validate(optionsSchema, options);
  let format: KeyErrorFormat = opts.format ?? 'envelope';
  let faults: Faults = opts.faults ?? {};
  const keyTtlMs = opts.keyTtlMs ?? 3_600_000;
  const adminToken = opts.adminToken ?? `adm_${hex(16)}`;
  const adminTokenHash = sha256(adminToken);
  const seed = opts.seed ?? randomBytes(4).readUInt32LE();
  const random = mulberry32(seed);

  const keysById = new Map<string, StoredKey>();
  const keysByValue = new Map<string, StoredKey>();
  const items = new Map<string, { item: Item; seq: number }>();
  const idempotent = new Map<string, { fingerprint: string; reply: Reply }>();
  const script: { kind: FaultKind; retryAfterS?: number; delayMs?: number }[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let itemSeq = 0;
  let stats: SimulatorStats = emptyStats();

  function emptyStats(): SimulatorStats {
    return { requests: 0, keyErrors: { expired: 0, revoked: 0, malformed: 0, missing: 0 }, byPath: {} };
  }

  function issueKey(input: unknown = {}): KeyRecord {
    const { ttlMs = keyTtlMs, label, vendor, prefix } = validate(issueSchema, input);
    const stored: StoredKey = {
      id: `key_${hex(8)}`,
      key: prefix !== undefined ? `${prefix}${hex(16)}` : vendor ? keyForVendor(vendor) : `sk_live_${hex(16)}`,
      expiresAt: Date.now() + ttlMs,
      label: label ?? null,
      revoked: false,
    };
    keysById.set(stored.id, stored);
    keysByValue.set(stored.key, stored);
    return { id: stored.id, key: stored.key, expiresAt: stored.expiresAt };
  }

  function findKey(idOrKey: string): StoredKey {
    const found = keysById.get(idOrKey) ?? keysByValue.get(idOrKey);
    if (!found) throw new HttpError(404, 'invalid_request_error', 'No such key.');
    return found;
  }

  function expire(stored: StoredKey, inMs: number): void {
    stored.expiresAt = Math.min(stored.expiresAt, Date.now() + inMs);
  }

  function rotateKey(idOrKey: string, input: unknown = {}): KeyRecord {
    const { graceMs = 0, ttlMs } = validate(rotateSchema, input);
    const old = findKey(idOrKey);
    const next = issueKey({ ttlMs, label: old.label ?? undefined });
    expire(old, graceMs);
    return next;
  }

  function rejection(stored: StoredKey | undefined, presented: string | undefined): SimulatedKeyErrorReason | null {
    if (presented === undefined) return 'missing';
    if (!stored) return 'malformed';
    if (stored.revoked) return 'revoked';
    return Date.now() >= stored.expiresAt ? 'expired' : null;
  }

  function createItem({ body, req }: Context): Reply {
    const input = validate(newItemSchema, body);
    const header = req.headers['idempotency-key'];
    const idemKey = header === undefined ? undefined : validate(idempotencyKeySchema, header);
    const fingerprint = JSON.stringify(input);
    const previous = idemKey === undefined ? undefined : idempotent.get(idemKey);
    if (previous) {
      if (previous.fingerprint !== fingerprint) {
        throw new HttpError(422, 'idempotency_error', 'Idempotency-Key was already used with a different body.');
      }
      return { ...previous.reply, headers: { ...previous.reply.headers, 'idempotent-replayed': 'true' } };
    }
    const seq = ++itemSeq;
    const item: Item = { id: `item_${seq}`, name: input.name, price: input.price ?? 0, createdAt: new Date().toISOString() };
    items.set(item.id, { item, seq });
    const reply = json(201, item);
    if (idemKey !== undefined) idempotent.set(idemKey, { fingerprint, reply });
    return reply;
  }

  function listItems({ url, req }: Context): Reply {
    const { limit, cursor } = validate(listSchema, {
      limit: url.searchParams.get('limit') ?? undefined,
      cursor: url.searchParams.get('cursor') ?? undefined,
    });
    const after = cursor === undefined ? 0 : Number(cursor);
    const rest = [...items.values()].filter((entry) => entry.seq > after);
    const page = rest.slice(0, limit);
    const last = page.at(-1);
    const nextCursor = rest.length > limit && last ? String(last.seq) : null;
    return json(
      200,
      { data: page.map((entry) => entry.item), nextCursor },
      linkHeader(`http://${req.headers.host ?? '127.0.0.1'}`, url, limit, nextCursor),
    );
  }

  function findItem(id: string): Item {
    const entry = items.get(id);
    if (!entry) throw new HttpError(404, 'invalid_request_error', 'No such item.');
    return entry.item;
  }

  const param = (ctx: Context): string => ctx.params[0] ?? '';
  const routes: Route[] = [
    route('GET', '/v1/health', 'none', () => json(200, { status: 'ok' })),
    route('GET', '/v1/me', 'key', ({ key }) => json(200, { keyId: key?.id, label: key?.label, expiresAt: key?.expiresAt })),
    route('GET', '/v1/items', 'key', listItems),
    route('POST', '/v1/items', 'key', createItem),
    route('GET', '/v1/items/{id}', 'key', (ctx) => json(200, findItem(param(ctx)))),
    route('GET', '/v1/', 'key', ({ key }) => json(200, { status: 'ok', keyId: key?.id })),
    route('GET', '/v1/events', 'key', ({ url }) => eventStream(url)),
    route('POST', '/v1/chat/completions', 'key', ({ body }) => chatCompletion(body)),
    route('GET', '/v1/files/{n}/content', 'key', (ctx) => binaryReply(param(ctx))),
    route('DELETE', '/v1/items/{id}', 'key', (ctx) => {
      items.delete(findItem(param(ctx)).id);
      return { status: 204 };
    }),
    route('POST', '/admin/keys', 'admin', ({ body }) => json(201, issueKey(body ?? {}))),
    route('POST', '/admin/keys/{id}/revoke', 'admin', (ctx) => {
      findKey(param(ctx)).revoked = true;
      return { status: 204 };
    }),
    route('POST', '/admin/keys/{id}/expire', 'admin', (ctx) => {
      expire(findKey(param(ctx)), 0);
      return { status: 204 };
    }),
    route('POST', '/admin/keys/{id}/rotate', 'admin', (ctx) => json(201, rotateKey(param(ctx), ctx.body ?? {}))),
    route('GET', '/admin/stats', 'admin', () => json(200, snapshot())),
    route('PUT', '/admin/config', 'admin', ({ body }) => {
      const config = validate(configSchema, body);
      if (config.format) format = config.format;
      if (config.faults) faults = config.faults;
      return json(200, { format, faults });
    }),
  ];

  function snapshot(): SimulatorStats {
    return structuredClone(stats);
  }

  function sleep(delayMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, delayMs);
      timers.add(timer);
    });
  }

  /** Returns the fault's answer, `'reset'`, or null to carry on normally. */
  async function injectFault(): Promise<Reply | 'reset' | null> {
    const scripted = script.shift();
    const { latencyMs = 0, rate429 = 0, rate503 = 0, rateReset = 0 } = faults;
    let delayMs = Array.isArray(latencyMs) ? latencyMs[0] + random() * (latencyMs[1] - latencyMs[0]) : latencyMs;
    let kind = scripted?.kind;
    if (!kind) {
      const r = random();
      kind = r < rate429 ? '429' : r < rate429 + rate503 ? '503' : r < rate429 + rate503 + rateReset ? 'reset' : undefined;
    }
    if (kind === 'slow') delayMs += scripted?.delayMs ?? 1000;
    if (delayMs > 0) await sleep(delayMs);
    switch (kind) {
      case 'reset':
        return 'reset';
      case '429': {
        const retryAfter = String(scripted?.retryAfterS ?? faults.retryAfterS ?? 1);
        return json(429, { error: { type: 'rate_limit_error', message: 'Too many requests.' } }, { 'retry-after': retryAfter });
      }
      case '503':
        return json(503, { error: { type: 'api_error', message: 'The service is temporarily unavailable.' } });
      default:
        return null;
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
    if (req.method === 'OPTIONS') {
      // Allow whatever headers the browser asks for (a client's own `headers` option included), if they look like header names.
      const requested = req.headers['access-control-request-headers'];
      if (typeof requested === 'string' && /^[\w-]+(?:\s*,\s*[\w-]+)*$/.test(requested.trim())) {
        res.setHeader('access-control-allow-headers', `${CORS_HEADERS['access-control-allow-headers']}, ${requested.trim()}`);
      }
      return send(res, { status: 204 });
    }
    const target = req.url ?? '/';
    if (!URL.canParse(target, BASE)) throw new HttpError(400, 'invalid_request_error', 'The request target is not a valid URL.');
    const url = new URL(target, BASE);
    const vendor = matchVendor(url.pathname);
    if (vendor) return handleVendor(req, res, url, vendor, requestId);
    const matching = routes.filter((r) => r.pattern.test(url.pathname));
    const matched = matching.find((r) => r.method === req.method);
    const isApi = url.pathname.startsWith('/v1/');
    if (isApi) {
      stats.requests++;
      if (matched) stats.byPath[matched.template] = (stats.byPath[matched.template] ?? 0) + 1;
    }
    if (isApi && url.pathname !== '/v1/health') {
      const fault = await injectFault();
      if (fault === 'reset') return void req.socket.destroy();
      if (fault) return send(res, fault);
    }
    if (matching.length === 0) throw new HttpError(404, 'invalid_request_error', `No route for ${url.pathname}.`);
    if (!matched) {
      const allow = [...matching.map((r) => r.method), 'OPTIONS'].join(', ');
      throw new HttpError(405, 'invalid_request_error', `Method ${req.method} is not allowed here.`, { allow });
    }

    let key: StoredKey | undefined;
    if (matched.auth === 'admin' && !isAdmin(req)) {
      throw new HttpError(401, 'authentication_error', 'Missing or invalid x-admin-token header.');
    }
    if (matched.auth === 'key') {
      const presented = presentedKey(req, url);
      const stored = presented === undefined ? undefined : keysByValue.get(presented);
      const reason = rejection(stored, presented);
      if (reason) {
        stats.keyErrors[reason]++;
        return send(res, keyErrorResponse(reason, format, { requestId }));
      }
      key = stored;
    }

    const body = req.method === 'POST' || req.method === 'PUT' ? parseJson(await readBody(req)) : undefined;
    const params = matched.pattern.exec(url.pathname)?.slice(1) ?? [];
    send(res, matched.handle({ params, url, req, body, key }), sleep);
  }

  /** `/{vendor}{base path}…`: the vendor's auth placement, probe and wire format; faults and stats as on `/v1`. */
  async function handleVendor(req: IncomingMessage, res: ServerResponse, url: URL, vendor: VendorName, requestId: string): Promise<void> {
    const { base, probe } = vendorBase(vendor);
    const rest = url.pathname.slice(`/${vendor}${base}`.length) || '/';
    const isProbe = rest === probe.path && req.method === probe.method;
    stats.requests++;
    const template = `/${vendor}${base}${isProbe ? probe.path : '/*'}`;
    stats.byPath[template] = (stats.byPath[template] ?? 0) + 1;
    const fault = await injectFault();
    if (fault === 'reset') return void req.socket.destroy();
    if (fault) return send(res, fault);
    const presented = presentedVendorKey(vendor, req, url);
    const stored = presented === undefined ? undefined : keysByValue.get(presented);
    const reason = rejection(stored, presented);
    if (reason) {
      stats.keyErrors[reason]++;
      return send(res, vendorKeyErrorResponse(vendor, reason, { requestId, key: presented }));
    }
    if (req.method === 'POST' || req.method === 'PUT') await readBody(req);
    if (!isProbe)
      throw new HttpError(404, 'invalid_request_error', `The ${vendor} simulator only answers ${probe.method} ${base}${probe.path}.`);
    send(res, json(200, vendorProbeBody(vendor, stored?.id ?? '')));
  }

  function isAdmin(req: IncomingMessage): boolean {
    const token = req.headers['x-admin-token'];
    // Compare digests so neither the length nor the content leaks through timing.
    return typeof token === 'string' && timingSafeEqual(sha256(token), adminTokenHash);
  }

  const server = createServer((req, res) => {
    const requestId = `req_${hex(8)}`;
    res.setHeader('x-request-id', requestId);
    for (const [name, value] of Object.entries(CORS_HEADERS)) res.setHeader(name, value);
    handle(req, res, requestId).catch((error: unknown) => {
      const e =
        error instanceof HttpError
          ? error
          : error instanceof BadInput
            ? new HttpError(400, 'invalid_request_error', error.message)
            : new HttpError(500, 'api_error', 'Internal error.');
      send(res, json(e.status, { error: { type: e.type, message: e.message } }, e.headers));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  let closing: Promise<void> | undefined;

  return {
    url: `${origin}/v1`,
    origin,
    port,
    adminToken,
    seed,
    issueKey: (o = {}) => issueKey(o),
    vendorUrl: (vendor) => {
      const name = validate(z.enum(VENDOR_NAMES), vendor);
      return `${origin}/${name}${vendorBase(name).base}`;
    },
    revokeKey: (idOrKey) => {
      findKey(idOrKey).revoked = true;
    },
    expireKey: (idOrKey) => expire(findKey(idOrKey), 0),
    rotateKey: (idOrKey, o = {}) => rotateKey(idOrKey, o),
    setFormat: (f) => {
      format = validate(formatSchema, f);
    },
    setFaults: (f) => {
      faults = validate(faultsSchema, f);
    },
    failNext: (n, kind, o = {}) => {
      const { retryAfterS, delayMs } = validate(failNextSchema, { n, kind, ...o });
      for (let i = 0; i < n; i++) script.push({ kind, retryAfterS, delayMs });
    },
    stats: snapshot,
    resetStats: () => {
      stats = emptyStats();
    },
    close: () =>
      (closing ??= new Promise<void>((resolve, reject) => {
        for (const timer of timers) clearTimeout(timer);
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      })),
  };
}

const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS',
  'access-control-allow-headers': 'authorization, x-api-key, content-type, idempotency-key, x-admin-token',
  'access-control-expose-headers': 'x-request-id, retry-after, retry-after-ms, www-authenticate, idempotent-replayed, allow',
  'access-control-max-age': '600',
};

function route(method: string, template: string, auth: Route['auth'], handle: Route['handle']): Route {
  const pattern = new RegExp(`^${template.replace(/\{\w+\}/g, '([^/]+)')}$`);
  return { method, template, pattern, auth, handle };
}

/** `Authorization: Bearer`, then `x-api-key`, then `?api_key=`; an empty value counts as none. */
function presentedKey(req: IncomingMessage, url: URL): string | undefined {
  const { authorization } = req.headers;
  // Any other scheme (e.g. Basic) is sent as is, so it is rejected as malformed rather than missing.
  const fromAuthorization = authorization ? (/^Bearer\s+(.*)$/i.exec(authorization)?.[1] ?? authorization) : undefined;
  const apiKeyHeader = req.headers['x-api-key'];
  return fromAuthorization || (typeof apiKeyHeader === 'string' ? apiKeyHeader : undefined) || url.searchParams.get('api_key') || undefined;
}

/** Reads at most 1 MiB; a bigger body is drained, not buffered, so the 413 reaches the client. */
function readBody(req: IncomingMessage): Promise<string> {
  if (Number(req.headers['content-length']) > MAX_BODY_BYTES) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => (size > MAX_BODY_BYTES ? reject(tooLarge()) : resolve(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}

function tooLarge(): HttpError {
  return new HttpError(413, 'invalid_request_error', `Request body exceeds ${MAX_BODY_BYTES} bytes.`);
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'invalid_request_error', 'Request body is not valid JSON.');
  }
}

function send(res: ServerResponse, reply: Reply, sleep?: (ms: number) => Promise<void>): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(reply.status, reply.headers);
  if (reply.stream && sleep) {
    reply.stream(res, sleep).then(
      () => res.end(),
      () => res.destroy(),
    );
    return;
  }
  res.end(reply.body);
}
