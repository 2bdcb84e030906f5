import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hashSeed, mulberry32 } from '../../src/testing/prng.js';
import { closeServer, serverTimers } from '../helpers/server-timers.js';

/** What the server did with one request (one attempt, as the client would call it). */
export type FaultKind =
  | 'reset'
  | 'truncated'
  | 'invalid-json'
  | 'slow-headers'
  | 'burst-503'
  | 'burst-503-retry-after'
  | 'expired'
  | 'revoked'
  | 'unknown-key'
  | 'ok';

export const FAULT_KINDS: readonly FaultKind[] = [
  'reset',
  'truncated',
  'invalid-json',
  'slow-headers',
  'burst-503',
  'burst-503-retry-after',
  'expired',
  'revoked',
  'unknown-key',
  'ok',
];

/** How a retired key is answered from then on. */
export type KeyFate = 'expired' | 'revoked';

export interface FaultRates {
  /** The socket is destroyed before any answer. */
  reset: number;
  /** 200 with a `content-length` larger than the body; the socket is destroyed mid-body. */
  truncated: number;
  /** 200 `application/json` whose body is not JSON. */
  invalidJson: number;
  /** The answer's headers come after `slowHeadersMs` (longer than the client's timeout). */
  slowHeaders: number;
  /** Chance that a 503 burst starts at a given request. */
  burst: number;
}

export interface FaultServerOptions {
  /** Seeds every decision: faults, bursts, keys and key fates. */
  seed: number;
  /** Per-request fault rates; leave out (or pass `faults: false`) for a healthy server. */
  rates?: Partial<FaultRates>;
  /** `false`: no faults at all (the key store and rotations still work). @default true */
  faults?: boolean;
  /** Delay of a slow-headers answer; must exceed the client's `timeoutMs`. @default 2500 */
  slowHeadersMs?: number;
  /** A normal answer waits 0 to this many ms (0: answered synchronously). @default 5 */
  maxDelayMs?: number;
  /** A 503 burst answers this many consecutive requests (inclusive range). @default [3, 8] */
  burstLength?: [number, number];
  /** Rotate the key after every `rotateEvery` data requests (0: only when `rotate()` is called). @default 0 */
  rotateEvery?: number;
  /** The first scheduled rotation happens after `rotateOffset` requests. @default rotateEvery */
  rotateOffset?: number;
  /** Scheduled rotations stop after this many. @default Infinity */
  maxRotations?: number;
  /** Keep every answer by request (`log`); off for long runs that reuse paths. @default true */
  log?: boolean;
}

export interface FaultServer {
  /** `http://127.0.0.1:<port>`; data endpoints are any path except `/admin/…`. */
  url: string;
  /** `GET` it for `{ "key": "<current key>" }`: never faulty, never counted, never rotates. */
  adminKeyUrl: string;
  /** The one key the server accepts right now. */
  currentKey(): string;
  /** Every key the server ever issued, the current one included, oldest first. */
  issuedKeys(): readonly string[];
  /** How a retired key is answered (`undefined` for the current key or one never issued). */
  fateOf(key: string): KeyFate | undefined;
  /** Retires the current key (expired or revoked, from the seed) and issues a new one; returns it. */
  rotate(): string;
  /** How many rotations happened. */
  readonly rotations: number;
  /** Data requests received (admin requests excluded). */
  readonly hits: number;
  /** How many requests got each answer. */
  counts: Record<FaultKind, number>;
  /** Every answer, by `"<METHOD> <path>"`, in arrival order (empty when `log: false`). */
  log: Map<string, FaultKind[]>;
  /** Stops listening, drops every connection and clears every pending timer. */
  close(): Promise<void>;
}

const DEFAULT_RATES: FaultRates = { reset: 0.03, truncated: 0.03, invalidJson: 0.01, slowHeaders: 0.01, burst: 0.006 };

/**
 * A real HTTP server on 127.0.0.1 (port 0) that misbehaves on purpose, like a hostile API behind
 * a flaky network: it resets connections, cuts bodies short, sends invalid JSON as
 * `application/json`, answers too late, answers bursts of consecutive requests with 503
 * (sometimes with `retry-after-ms`), and rotates its one valid key, answering a retired key with
 * 401 "expired" or "revoked". It echoes the key it received everywhere it can — error bodies and
 * messages, `x-echo-key`, `x-request-id: req_<key>` — so a client that leaks the key is caught.
 *
 * Determinism: keys and their fates come from their own seeded stream (the same on every run for
 * a seed); a request's fault depends only on (seed, method, path, how many times that path was
 * asked), so it does not depend on the order concurrent requests arrive in. Burst windows and the
 * rotation schedule are counted in arrival order.
 */
export async function startFaultServer(options: FaultServerOptions): Promise<FaultServer> {
  const {
    seed,
    slowHeadersMs = 2500,
    maxDelayMs = 5,
    burstLength = [3, 8],
    rotateEvery = 0,
    maxRotations = Number.POSITIVE_INFINITY,
  } = options;
  const rotateOffset = options.rotateOffset ?? rotateEvery;
  const rates: FaultRates =
    options.faults === false
      ? { reset: 0, truncated: 0, invalidJson: 0, slowHeaders: 0, burst: 0 }
      : { ...DEFAULT_RATES, ...options.rates };

  const keyRandom = mulberry32(hashSeed(`${seed}:keys`));
  const burstRandom = mulberry32(hashSeed(`${seed}:bursts`));
  const newKey = () => {
    let hex = '';
    for (let i = 0; i < 6; i += 1)
      hex += Math.floor(keyRandom() * 0x10000)
        .toString(16)
        .padStart(4, '0');
    return `kg_live_${hex}`;
  };

  const issued: string[] = [newKey()];
  const fates = new Map<string, KeyFate>();
  let current = issued[0]!;
  let rotations = 0;
  let hits = 0;
  let burstLeft = 0;
  let burstRetryAfter = false;
  const perPath = new Map<string, number>();
  const log = new Map<string, FaultKind[]>();
  const keepLog = options.log !== false;
  const counts = Object.fromEntries(FAULT_KINDS.map((kind) => [kind, 0])) as Record<FaultKind, number>;
  const timers = serverTimers();
  const { later } = timers;

  const rotate = () => {
    fates.set(current, keyRandom() < 0.5 ? 'expired' : 'revoked');
    current = newKey();
    issued.push(current);
    rotations += 1;
    return current;
  };

  const handle = (req: IncomingMessage, res: ServerResponse, rawBody: string) => {
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?')[0]!;
    if (path === '/admin/key') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ key: current }));
      return;
    }

    hits += 1;
    if (rotateEvery > 0 && rotations < maxRotations && hits >= rotateOffset && (hits - rotateOffset) % rotateEvery === 0) rotate();

    // Per-path arrival index: the request's fate does not depend on what other requests do.
    const pathKey = `${method} ${path}`;
    const index = perPath.get(pathKey) ?? 0;
    perPath.set(pathKey, index + 1);
    const random = mulberry32(hashSeed(`${seed}:${pathKey}:${index}`));
    const roll = random();
    const delay = maxDelayMs > 0 ? Math.floor(random() * (maxDelayMs + 1)) : 0;

    const auth = req.headers.authorization ?? '';
    const key = auth.startsWith('Bearer ') ? auth.slice(7) : auth;
    // A hostile server: the key it received goes back out in headers on every answer.
    const echo = { 'x-echo-key': key, 'x-request-id': `req_${key}` };
    const reply = (status: number, body: string, headers: Record<string, string> = {}) => {
      if (res.destroyed || res.writableEnded) return;
      res.writeHead(status, { 'content-type': 'application/json', ...echo, ...headers });
      res.end(body);
    };
    const record = (kind: FaultKind) => {
      counts[kind] += 1;
      if (!keepLog) return;
      const answers = log.get(pathKey) ?? [];
      answers.push(kind);
      log.set(pathKey, answers);
    };

    // Network-level faults first: they happen before the API even sees the key.
    let edge = rates.reset;
    if (roll < edge) {
      record('reset');
      req.socket.destroy();
      return;
    }
    edge += rates.slowHeaders;
    if (roll < edge) {
      record('slow-headers');
      later(slowHeadersMs, () => reply(200, JSON.stringify({ ok: true, path, method, late: true })));
      return;
    }

    // A 503 burst (a gateway in front of the API) answers a window of consecutive requests.
    if (burstLeft === 0 && rates.burst > 0 && burstRandom() < rates.burst) {
      const [min, max] = burstLength;
      burstLeft = min + Math.floor(burstRandom() * (max - min + 1));
      burstRetryAfter = burstRandom() < 0.5;
    }
    if (burstLeft > 0) {
      burstLeft -= 1;
      const retryAfter = burstRetryAfter ? { 'retry-after-ms': String(1 + Math.floor(random() * 20)) } : undefined;
      record(retryAfter ? 'burst-503-retry-after' : 'burst-503');
      const body = JSON.stringify({ error: { code: 'unavailable', message: `Service unavailable (request by ${key}).`, key } });
      later(delay, () => reply(503, body, retryAfter));
      return;
    }

    if (key !== current) {
      const fate = fates.get(key);
      record(fate ?? 'unknown-key');
      const error =
        fate === 'expired'
          ? { code: 'api_key_expired', message: `The API key ${key} has expired.` }
          : fate === 'revoked'
            ? { code: 'api_key_revoked', message: `This API key ${key} has been revoked.` }
            : { code: 'invalid_api_key', message: `Incorrect API key provided: ${key}.` };
      later(delay, () => reply(401, JSON.stringify({ error: { ...error, key, [key]: 'echoed as a field name' } })));
      return;
    }

    let parsedBody: unknown = null;
    try {
      parsedBody = rawBody === '' ? null : JSON.parse(rawBody);
    } catch {
      parsedBody = rawBody;
    }
    const okBody = JSON.stringify({ ok: true, path, method, body: parsedBody });
    edge += rates.truncated;
    if (roll < edge) {
      record('truncated');
      later(delay, () => {
        if (res.destroyed || res.writableEnded) return;
        const partial = `${okBody.slice(0, Math.max(1, Math.floor(okBody.length / 2)))} "key": "${key}"`;
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(partial) + 512), ...echo });
        res.write(partial, () => later(2, () => req.socket.destroy()));
      });
      return;
    }
    edge += rates.invalidJson;
    if (roll < edge) {
      record('invalid-json');
      later(delay, () => reply(200, `{"ok": true, "path": "${path}", "key": "${key}", `));
      return;
    }
    record('ok');
    later(delay, () => reply(200, okBody));
  };

  const server = createServer((req, res) => {
    // Read the whole body first, so a fault never races a half-read upload.
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => {});
  });
  // Keep-alive: the client reuses connections, as it would against a real API.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    adminKeyUrl: `${url}/admin/key`,
    currentKey: () => current,
    issuedKeys: () => [...issued],
    fateOf: (key) => fates.get(key),
    rotate,
    get rotations() {
      return rotations;
    },
    get hits() {
      return hits;
    },
    counts,
    log,
    close: () => closeServer(server, timers),
  };
}
