import { type ChildProcess, fork, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { KeyShareStats } from '../../src/index.js';

/**
 * A local API whose keys the tests control: `/me` accepts only valid keys (401 `invalid_api_key`
 * otherwise), `POST /rotate` mints a new key (the "hook"), `GET /current` is the secret manager the
 * members' providers re-read.
 */
export interface FleetApi {
  url: string;
  /** Every key the API accepts. */
  valid: Set<string>;
  /** What `/current` answers: the newest key. */
  current: string;
  /** Keys minted by `POST /rotate`, in order. */
  rotations: string[];
  /** Requests at `/me`. */
  requests: number;
  /** Stops accepting the current key (it "expired"). */
  expireCurrent(): string;
  close(): Promise<void>;
}

export async function startFleetApi(): Promise<FleetApi> {
  let minted = 0;
  const first = `sk-fleet-initial-${Math.random().toString(36).slice(2, 12)}`;
  const api: FleetApi = {
    url: '',
    valid: new Set([first]),
    current: first,
    rotations: [],
    requests: 0,
    expireCurrent() {
      api.valid.delete(api.current);
      return api.current;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server: Server = createServer((req, res) => {
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(status === 204 ? undefined : JSON.stringify(body));
    };
    // Browsers (test/browser) call it cross-origin.
    res.setHeader('access-control-allow-origin', '*');
    res.setHeader('access-control-allow-headers', 'authorization, content-type');
    if (req.method === 'OPTIONS') return json(204, {});
    if (req.url === '/expire' && req.method === 'POST') return json(200, { expired: Boolean(api.expireCurrent()) });
    if (req.url === '/stats') return json(200, { rotations: api.rotations.length, requests: api.requests });
    if (req.url === '/me') {
      api.requests += 1;
      const key = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (key && api.valid.has(key)) return json(200, { ok: true });
      return json(401, { error: { code: 'invalid_api_key', message: 'The API key has expired.', type: 'expired' } });
    }
    if (req.url === '/rotate' && req.method === 'POST') {
      minted += 1;
      const key = `sk-fleet-${minted}-${Math.random().toString(36).slice(2, 12)}`;
      api.valid.add(key);
      api.current = key;
      api.rotations.push(key);
      return json(200, { key });
    }
    if (req.url === '/current') return json(200, { key: api.current });
    return json(404, { error: 'not found' });
  });
  // Members keep their sockets between bursts: the server must not close them first (a reused socket
  // the server just closed is a reset), and a fleet opens hundreds of connections at once.
  server.keepAliveTimeout = 120_000;
  server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 });
  await once(server, 'listening');
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  api.url = `http://127.0.0.1:${address.port}`;
  return api;
}

/** A free TCP port on 127.0.0.1 (bound and released at once). */
export async function freePort(): Promise<number> {
  const server = createNetServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no address');
  return address.port;
}

/** A redis-server of its own on 127.0.0.1, without persistence; stopped by its PID. */
export interface RedisServer {
  port: number;
  url: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export const REDIS_SERVER = process.env.REDIS_SERVER ?? 'redis-server';

export function redisServer(port: number): RedisServer {
  let child: ChildProcess | undefined;
  const server: RedisServer = {
    port,
    url: `redis://127.0.0.1:${port}`,
    async start() {
      const started = spawn(REDIS_SERVER, ['--save', '', '--appendonly', 'no', '--port', String(port), '--bind', '127.0.0.1'], {
        stdio: 'ignore',
      });
      child = started;
      // Up when it accepts a connection (bounded: 100 tries, 20 ms apart).
      for (let tries = 0; tries < 100; tries += 1) {
        if (started.exitCode !== null) throw new Error(`redis-server exited with ${started.exitCode}`);
        if (await accepts(port)) return;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      throw new Error('redis-server did not start');
    },
    async stop() {
      const running = child;
      child = undefined;
      if (!running || running.exitCode !== null || running.pid === undefined) return;
      const exited = once(running, 'exit');
      process.kill(running.pid, 'SIGKILL');
      await exited;
    },
  };
  return server;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.connect(port, '127.0.0.1');
  });
}

/** What a member reports after a burst. */
export interface BurstReport {
  ok: number;
  failed: number;
  errors: string[];
  hookCalls: number;
  reasons: string[];
  stats: KeyShareStats;
  logs: string[];
  ms: number;
}

/** A child process running test/helpers/fleet-member.ts, driven over IPC. */
export interface Member {
  child: ChildProcess;
  pid: number;
  /** Hook calls this member announced (it waits in its hook until `proceed`). */
  onHook(listener: () => void): void;
  proceed(): void;
  /** `requests` concurrent GET /me; with `reload`, first setApiKey(the API's current key). */
  burst(requests: number, reload?: boolean): Promise<BurstReport>;
  exit(): Promise<number | null>;
  stderr(): string;
}

export interface MemberOptions {
  client: 'ioredis' | 'node-redis';
  redisUrl?: string;
  apiUrl: string;
  name: string;
  leaseMs?: number;
  shareKey?: boolean;
  /** The hook waits for `proceed()`; else it goes on at once. */
  holdHook?: boolean;
  /** No keyShare: the member rotates on its own (the bench's baseline). */
  noShare?: boolean;
}

const MEMBER = fileURLToPath(new URL('./fleet-member.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export async function startMember(options: MemberOptions): Promise<Member> {
  const child = fork(MEMBER, [], {
    cwd: ROOT,
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, FLEET_OPTIONS: JSON.stringify(options) },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const hookListeners: (() => void)[] = [];
  const pending: ((report: BurstReport) => void)[] = [];
  const ready = new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`member exited (${code}) before it was ready: ${stderr}`)));
    child.on('message', (message: { type: string; report?: BurstReport }) => {
      if (message.type === 'ready') resolve();
      if (message.type === 'hook') for (const listener of hookListeners) listener();
      if (message.type === 'report' && message.report) pending.shift()?.(message.report);
    });
  });
  await ready;
  const pid = child.pid;
  if (pid === undefined) throw new Error('no pid');
  return {
    child,
    pid,
    onHook: (listener) => hookListeners.push(listener),
    proceed: () => child.send({ type: 'proceed' }),
    burst: (requests, reload = false) =>
      new Promise<BurstReport>((resolve, reject) => {
        pending.push(resolve);
        child.once('exit', (code, signal) => reject(new Error(`member exited (${code ?? signal}) mid-burst: ${stderr}`)));
        child.send({ type: 'burst', requests, reload });
      }),
    async exit() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const exited = once(child, 'exit');
      child.send({ type: 'exit' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      const [code] = (await exited) as [number | null];
      clearTimeout(timer);
      return code;
    },
    stderr: () => stderr,
  };
}
