import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hashSeed, mulberry32 } from '../../src/testing/prng.js';
import { closeServer, serverTimers } from './server-timers.js';

/** What the server did with one request. */
export type FlakyAction = 'reset' | 'too-slow' | 'unavailable' | 'rate-limited' | 'ok' | 'key-rejected';

export interface FlakyServerOptions {
  /** Seeds every decision. */
  seed: number;
  /** A "too slow" answer waits this long: more than the client's `timeoutMs`. @default 300 */
  tooSlowMs?: number;
  /** A normal answer waits 0 to this many ms. @default 30 */
  maxDelayMs?: number;
  /** Share of each outcome, in order; `ok` takes the rest. */
  rates?: { reset?: number; tooSlow?: number; unavailable?: number; rateLimited?: number };
  /**
   * When set, requests to `/auth/…` are rejected with a 401 unless they carry `Bearer <validKey>`.
   * (Requests to `/down/…` always get a 503 without `Retry-After`, whatever the options.)
   */
  validKey?: string;
  /** Called with every decision, for debugging a run. */
  onAction?: (event: { path: string; action: FlakyAction; index: number; remotePort: number | undefined }) => void;
}

export interface FlakyServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Every action, by request path: in attempt order when the client sends `x-attempt`, else in arrival order. */
  log: Map<string, FlakyAction[]>;
  /** How many requests got each action. */
  counts: Record<FlakyAction, number>;
  /** Stops listening, drops every connection and clears every pending timer. */
  close(): Promise<void>;
}

/**
 * A real HTTP server on 127.0.0.1 (port 0) that misbehaves on purpose: it resets
 * connections, answers too slowly, answers 503/429 with a small `retry-after-ms`, or 200.
 * Each decision depends only on (seed, path, attempt number — the `x-attempt` header, or how
 * many times that path was asked), so a request's fate is the same whatever order concurrent
 * requests arrive in.
 */
export async function startFlakyServer(options: FlakyServerOptions): Promise<FlakyServer> {
  const { seed, tooSlowMs = 300, maxDelayMs = 30, validKey } = options;
  const rates = { reset: 0.12, tooSlow: 0.08, unavailable: 0.15, rateLimited: 0.1, ...options.rates };
  const log = new Map<string, FlakyAction[]>();
  const counts: Record<FlakyAction, number> = { reset: 0, 'too-slow': 0, unavailable: 0, 'rate-limited': 0, ok: 0, 'key-rejected': 0 };
  const timers = serverTimers();
  const { later } = timers;

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const actions = log.get(path) ?? [];
    log.set(path, actions);
    // The client may tag its attempts (`x-attempt: 1, 2, …`): then an attempt it already gave up on,
    // which the server can still read late (after the next one), does not shift the others.
    const tagged = Number.parseInt(String(req.headers['x-attempt']), 10);
    const index = Number.isInteger(tagged) && tagged >= 1 ? tagged - 1 : actions.length;
    const random = mulberry32(hashSeed(`${seed}:${path}:${index}`));
    const record = (action: FlakyAction) => {
      options.onAction?.({ path, action, index, remotePort: req.socket.remotePort });
      actions[index] = action;
      counts[action] += 1;
    };
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      if (res.destroyed || res.writableEnded) return;
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };

    if (path.startsWith('/down/')) {
      record('unavailable');
      reply(503, { error: 'down for maintenance' });
      return;
    }
    if (validKey !== undefined && path.startsWith('/auth/') && req.headers.authorization !== `Bearer ${validKey}`) {
      record('key-rejected');
      reply(401, { error: { code: 'api_key_expired', message: 'The API key provided has expired.' } });
      return;
    }
    const roll = random();
    const delay = Math.floor(random() * (maxDelayMs + 1));
    const waitMs = String(1 + Math.floor(random() * 5));
    // Cumulative thresholds: roll < reset → reset, < reset + tooSlow → too slow, and so on.
    const tooSlowEdge = rates.reset + rates.tooSlow;
    const unavailableEdge = tooSlowEdge + rates.unavailable;
    const rateLimitedEdge = unavailableEdge + rates.rateLimited;
    if (roll < rates.reset) {
      record('reset');
      req.socket.destroy();
      return;
    }
    if (roll < tooSlowEdge) {
      record('too-slow');
      later(tooSlowMs, () => reply(200, { path, late: true }));
      return;
    }
    if (roll < unavailableEdge) {
      record('unavailable');
      later(delay, () => reply(503, { error: 'unavailable' }, { 'retry-after-ms': waitMs }));
      return;
    }
    if (roll < rateLimitedEdge) {
      record('rate-limited');
      later(delay, () => reply(429, { error: 'rate limited' }, { 'retry-after-ms': waitMs }));
      return;
    }
    record('ok');
    later(delay, () => reply(200, { path }));
  };

  const server = createServer((req, res) => {
    // Read (and drop) the body first, so a reset never races a half-read upload.
    req.resume();
    req.on('end', () => handle(req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    log,
    counts,
    close: () => closeServer(server, timers),
  };
}
