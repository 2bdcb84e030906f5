/**
 * Small node:http servers on 127.0.0.1 that speak the wire formats of the APIs whose SDKs keyguard is
 * tested with: OpenAI, Anthropic, Stripe, GitHub and Supabase (its API gateway, PostgREST, GoTrue and
 * Storage). Each answers key errors with the vendor's real bodies (test/fixtures/key-errors, where the
 * sources are listed), and has the routes an SDK integration needs: a streamed (SSE) answer, a
 * binary download, a FormData upload that echoes its fields, and a paginated list with a `Link` header.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeServer, serverTimers } from '../helpers/server-timers.js';

export type Vendor = 'openai' | 'anthropic' | 'stripe' | 'github' | 'supabase';
export const VENDORS: readonly Vendor[] = ['openai', 'anthropic', 'stripe', 'github', 'supabase'];

/** What the server thinks of a key: unknown keys are `malformed`, no key is `missing`. */
export type KeyState = 'ok' | 'expired' | 'revoked' | 'malformed' | 'missing';
export type KeyCase = Exclude<KeyState, 'ok'>;

/** One answer: `body` is a JSON value, or a string sent as it is. */
export interface Answer {
  status: number;
  headers?: Record<string, string>;
  body: unknown;
}

/** A request the server received. `key` is the credential it read, in the vendor's placement. */
export interface SeenRequest {
  method: string;
  path: string;
  url: URL;
  headers: IncomingHttpHeaders;
  key: string | undefined;
  body: Buffer;
}

export interface VendorServer {
  readonly vendor: Vendor;
  /** `http://127.0.0.1:PORT`. */
  readonly origin: string;
  /** What the SDK's base URL option wants (OpenAI's ends in `/v1`). */
  readonly baseUrl: string;
  readonly port: number;
  /** Key → state; change it at any time (a key that is not here is `malformed`). */
  readonly keys: Map<string, KeyState>;
  /** Every request, in arrival order. */
  readonly requests: SeenRequest[];
  /** While set, every request gets this answer (after being recorded). */
  override: Answer | undefined;
  /** SSE routes send their first event, then hold the stream open until this is called (or 5 s pass). */
  releaseStreams(): void;
  /** How many SSE streams are held open right now: 1 when a client sees a first event that was not buffered. */
  readonly heldStreams: number;
  close(): Promise<void>;
}

export interface VendorOptions {
  /** Initial key states. */
  keys?: Record<string, KeyState>;
  /** Events an SSE route sends after the first one. @default 3 */
  streamEvents?: number;
  /** Bytes of the binary route. @default 256 KiB */
  binaryBytes?: number;
}

// ---------------------------------------------------------------------------
// Real bodies.
// ---------------------------------------------------------------------------
interface FixtureCase {
  name: string;
  status: number;
  headers?: Record<string, string>;
  body: string;
}

function fixture(file: string, name: string): Answer {
  const data = JSON.parse(readFileSync(new URL(`../fixtures/key-errors/${file}.json`, import.meta.url), 'utf8')) as {
    cases: FixtureCase[];
  };
  const found = data.cases.find((c) => c.name === name);
  if (!found) throw new Error(`no fixture ${file}: ${name}`);
  return { status: found.status, headers: { 'content-type': 'application/json', ...found.headers }, body: found.body };
}

const json = (status: number, body: unknown): Answer => ({ status, headers: { 'content-type': 'application/json' }, body });

/**
 * The answers each vendor gives a rejected key. A vendor that has no wording of its own for a case
 * (OpenAI has no "expired" key message, GitHub answers every bad token "Bad credentials", …) is missing
 * that case here, and its server answers such a key with its `malformed` body, as the real API does.
 */
export const KEY_ERROR_ANSWERS: Record<Vendor, Partial<Record<KeyCase, Answer>>> = {
  openai: {
    malformed: fixture('openai', 'incorrect API key (invalid_api_key)'),
    missing: fixture('openai', 'no API key sent'),
    revoked: fixture('openai', 'key of a deactivated account (account_deactivated)'),
  },
  anthropic: {
    malformed: fixture('anthropic', 'invalid x-api-key'),
    missing: fixture('anthropic', 'x-api-key header missing'),
  },
  stripe: {
    expired: fixture('stripe', 'expired restricted key (api_key_expired)'),
    malformed: fixture('stripe', 'invalid API key'),
    missing: fixture('stripe', 'no API key sent'),
  },
  github: {
    malformed: fixture('github', 'Bad credentials (docs.github.com/rest)'),
    // GET /user without a token.
    missing: json(401, {
      message: 'Requires authentication',
      documentation_url: 'https://docs.github.com/rest/users/users#get-the-authenticated-user',
      status: '401',
    }),
  },
  supabase: {
    // The API gateway (Kong) in front of every Supabase service checks `apikey` first.
    malformed: json(401, { message: 'Invalid API key', hint: 'Double check your Supabase `anon` or `service_role` API key.' }),
    missing: json(401, { message: 'No API key found in request', hint: 'No `apikey` request header or url param was found.' }),
    // PostgREST 12+, for a JWT past its `exp` (older releases answered PGRST301 "JWT expired").
    expired: json(401, { code: 'PGRST303', details: null, hint: null, message: 'JWT expired' }),
  },
};

/** GoTrue (Supabase Auth) for an expired access token: 403 `bad_jwt`. */
export const GOTRUE_EXPIRED: Answer = json(403, {
  code: 403,
  error_code: 'bad_jwt',
  msg: 'invalid JWT: unable to parse or verify signature, token has invalid claims: token is expired',
});

/** Answers that are not key errors, per vendor and status. */
export const OTHER_ERRORS: Record<Vendor, Record<404 | 429 | 500, Answer>> = {
  openai: {
    404: fixture('openai', 'NEGATIVE: model_not_found (404)'),
    429: fixture('openai', 'NEGATIVE: insufficient_quota (429)'),
    500: fixture('openai', 'NEGATIVE: server_error (500)'),
  },
  anthropic: {
    404: fixture('anthropic', 'NEGATIVE: not_found_error (404, docs example)'),
    429: fixture('anthropic', 'NEGATIVE: rate_limit_error (429)'),
    500: fixture('anthropic', 'NEGATIVE: api_error (500)'),
  },
  stripe: {
    404: json(404, {
      error: {
        code: 'resource_missing',
        doc_url: 'https://stripe.com/docs/error-codes/resource-missing',
        message: "No such customer: 'cus_nope'",
        param: 'id',
        type: 'invalid_request_error',
      },
    }),
    429: fixture('stripe', 'NEGATIVE: rate_limit (429)'),
    500: json(500, { error: { message: 'An unknown error occurred', type: 'api_error' } }),
  },
  github: {
    404: json(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' }),
    429: json(429, {
      message: 'API rate limit exceeded for user ID 1.',
      documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
      status: '429',
    }),
    500: json(500, { message: 'Server Error' }),
  },
  supabase: {
    404: json(404, {
      code: 'PGRST205',
      details: null,
      hint: null,
      message: "Could not find the table 'public.nope' in the schema cache",
    }),
    429: json(429, { message: 'API rate limit exceeded' }),
    500: json(500, { code: 'XX000', details: null, hint: null, message: 'internal error' }),
  },
};

/** The binary route's bytes: a fixed pattern that covers every byte value (so a text decode would corrupt it). */
export function binaryPayload(size = 256 * 1024): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + (i >> 8)) & 0xff;
  return bytes;
}

/** Byte-for-byte equality, fast on large arrays (a deep `toEqual` walks every element). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

/** The paginated route's items: 6, two per page. */
export const PAGE_ITEMS = Array.from({ length: 6 }, (_, i) => ({ id: i + 1, title: `item ${i + 1}` }));
export const PER_PAGE = 2;

// ---------------------------------------------------------------------------
// The server.
// ---------------------------------------------------------------------------
const BASE_PATHS: Record<Vendor, string> = { openai: '/v1', anthropic: '', stripe: '', github: '', supabase: '' };
const REQUEST_ID: Record<Vendor, string> = {
  openai: 'x-request-id',
  anthropic: 'request-id',
  stripe: 'request-id',
  github: 'x-github-request-id',
  supabase: 'cf-ray',
};

/** The credential, where each vendor's SDK puts it. */
function keyOf(vendor: Vendor, headers: IncomingHttpHeaders): string | undefined {
  const bearer = (value: string | undefined) => value?.replace(/^(?:bearer|token)\s+/i, '') || undefined;
  switch (vendor) {
    case 'anthropic':
      return (headers['x-api-key'] as string | undefined) || bearer(headers.authorization);
    case 'supabase':
      return (headers.apikey as string | undefined) || undefined;
    default:
      return bearer(headers.authorization);
  }
}

export async function startVendor(vendor: Vendor, options: VendorOptions = {}): Promise<VendorServer> {
  const keys = new Map<string, KeyState>(Object.entries(options.keys ?? {}));
  const requests: SeenRequest[] = [];
  const timers = serverTimers();
  const held = new Set<() => void>();
  let count = 0;
  const state = {
    override: undefined as Answer | undefined,
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const seen: SeenRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        url,
        headers: req.headers,
        key: keyOf(vendor, req.headers),
        body: Buffer.concat(chunks),
      };
      requests.push(seen);
      count += 1;
      res.setHeader(REQUEST_ID[vendor], `req_${vendor}_${count}`);
      handle(seen, res).catch((error: unknown) => {
        if (!res.headersSent) send(res, json(500, { message: `test server: ${String(error)}` }));
        else res.destroy();
      });
    });
  });

  // A slow test must not find its keep-alive connection closed under it (Node's default is 5 s).
  server.keepAliveTimeout = 60_000;
  const origin = await new Promise<string>((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });

  async function handle(seen: SeenRequest, res: ServerResponse): Promise<void> {
    if (state.override) return send(res, state.override);
    const keyState: KeyState = seen.key === undefined ? 'missing' : (keys.get(seen.key) ?? 'malformed');
    if (keyState !== 'ok') {
      if (vendor === 'supabase' && keyState === 'expired' && seen.path.startsWith('/auth/v1/')) return send(res, GOTRUE_EXPIRED);
      const answers = KEY_ERROR_ANSWERS[vendor];
      return send(res, answers[keyState] ?? (answers.malformed as Answer));
    }
    const base = BASE_PATHS[vendor];
    const path = seen.path.startsWith(base) ? seen.path.slice(base.length) : seen.path;
    const last = path.split('/').pop() ?? '';
    // Routes every vendor has.
    if (last === 'sse' && seen.method === 'GET') return stream(res, (i) => `data: ${JSON.stringify({ n: i })}\n\n`, 'data: [DONE]\n\n');
    if (last === 'bytes' && seen.method === 'GET') return sendBytes(res);
    if (last === 'upload' && seen.method === 'POST') return send(res, json(200, await describeUpload(seen)));
    if (last === 'items' && seen.method === 'GET') return sendPage(res, seen);
    const body = parseBody(seen);
    switch (vendor) {
      case 'openai':
        if (path === '/models')
          return send(res, json(200, { object: 'list', data: [{ id: 'gpt-test', object: 'model', created: 0, owned_by: 'keyguard' }] }));
        if (path === '/chat/completions' && seen.method === 'POST') {
          if (isObject(body) && body.stream === true) {
            return stream(
              res,
              (i) =>
                `data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 0, model: 'gpt-test', choices: [{ index: 0, delta: { content: `part${i} ` }, finish_reason: null }] })}\n\n`,
              'data: [DONE]\n\n',
            );
          }
          return send(
            res,
            json(200, {
              id: 'chatcmpl-1',
              object: 'chat.completion',
              created: 0,
              model: 'gpt-test',
              choices: [{ index: 0, message: { role: 'assistant', content: 'hello' }, finish_reason: 'stop' }],
            }),
          );
        }
        if (/^\/files\/[^/]+\/content$/.test(path)) return sendBytes(res);
        if (path === '/files' && seen.method === 'POST') {
          const upload = await describeUpload(seen);
          return send(
            res,
            json(200, {
              id: 'file-1',
              object: 'file',
              bytes: seen.body.length,
              created_at: 0,
              filename: 'upload',
              purpose: 'assistants',
              ...upload,
            }),
          );
        }
        break;
      case 'anthropic':
        if (path === '/v1/models')
          return send(
            res,
            json(200, {
              data: [{ id: 'claude-test', type: 'model', display_name: 'Claude Test', created_at: '2025-01-01T00:00:00Z' }],
              has_more: false,
              first_id: 'claude-test',
              last_id: 'claude-test',
            }),
          );
        if (path === '/v1/messages' && seen.method === 'POST') {
          const message = {
            id: 'msg_1',
            type: 'message',
            role: 'assistant',
            model: 'claude-test',
            content: [] as unknown[],
            stop_reason: null,
            stop_sequence: null,
            usage: { input_tokens: 1, output_tokens: 0 },
          };
          if (isObject(body) && body.stream === true) {
            res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
            res.write(`event: message_start\ndata: ${JSON.stringify({ type: 'message_start', message })}\n\n`);
            res.write(
              `event: content_block_start\ndata: ${JSON.stringify({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } })}\n\n`,
            );
            return stream(
              res,
              (i) =>
                `event: content_block_delta\ndata: ${JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: `part${i} ` } })}\n\n`,
              `event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\nevent: message_delta\ndata: ${JSON.stringify({ type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 3 } })}\n\nevent: message_stop\ndata: {"type":"message_stop"}\n\n`,
            );
          }
          return send(res, json(200, { ...message, content: [{ type: 'text', text: 'hello' }], stop_reason: 'end_turn' }));
        }
        break;
      case 'stripe':
        if (path === '/v1/balance')
          return send(res, json(200, { object: 'balance', available: [{ amount: 0, currency: 'usd' }], livemode: false, pending: [] }));
        if (path === '/v1/customers' && seen.method === 'GET')
          return send(
            res,
            json(200, { object: 'list', data: [{ id: 'cus_1', object: 'customer' }], has_more: false, url: '/v1/customers' }),
          );
        if (path === '/v1/customers' && seen.method === 'POST') {
          const form = Object.fromEntries(new URLSearchParams(seen.body.toString('utf8')));
          return send(res, json(200, { id: 'cus_new', object: 'customer', ...form }));
        }
        break;
      case 'github':
        if (path === '/user') return send(res, json(200, { login: 'octocat', id: 1, type: 'User' }));
        if (/^\/repos\/[^/]+\/[^/]+\/issues$/.test(path)) return sendPage(res, seen);
        if (/^\/repos\/[^/]+\/[^/]+\/tarball(?:\/.*)?$/.test(path)) return sendBytes(res);
        break;
      case 'supabase': {
        if (path === '/auth/v1/user')
          return send(res, json(200, { id: 'user-1', aud: 'authenticated', role: 'authenticated', email: 'user@example.com' }));
        const table = /^\/rest\/v1\/([^/?]+)$/.exec(path)?.[1];
        if (table && table !== 'nope') return send(res, json(200, [{ id: 1 }, { id: 2 }]));
        const object = /^\/storage\/v1\/object\/([^/]+)\/(.+)$/.exec(path);
        if (object && seen.method === 'POST') {
          const upload = await describeUpload(seen);
          return send(res, json(200, { Key: `${object[1]}/${object[2]}`, Id: 'obj-1', ...upload }));
        }
        break;
      }
    }
    return send(res, OTHER_ERRORS[vendor][404]);
  }

  function stream(res: ServerResponse, event: (i: number) => string, end: string): void {
    if (!res.headersSent) res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.write(event(0));
    let released = false;
    const rest = () => {
      if (released) return;
      released = true;
      held.delete(rest);
      const total = options.streamEvents ?? 3;
      for (let i = 1; i <= total; i++) res.write(event(i));
      res.end(end);
    };
    held.add(rest);
    timers.later(5000, rest);
  }

  function sendBytes(res: ServerResponse): void {
    const bytes = binaryPayload(options.binaryBytes);
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(bytes.length) });
    res.end(bytes);
  }

  function sendPage(res: ServerResponse, seen: SeenRequest): void {
    const page = Math.max(1, Number(seen.url.searchParams.get('page') ?? '1') || 1);
    const last = Math.ceil(PAGE_ITEMS.length / PER_PAGE);
    const link = (n: number) => {
      const next = new URL(seen.url.pathname, origin);
      next.searchParams.set('per_page', String(PER_PAGE));
      next.searchParams.set('page', String(n));
      return next.href;
    };
    const links = [];
    if (page < last) links.push(`<${link(page + 1)}>; rel="next"`, `<${link(last)}>; rel="last"`);
    if (page > 1) links.push(`<${link(1)}>; rel="first"`, `<${link(page - 1)}>; rel="prev"`);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (links.length) headers.link = links.join(', ');
    send(res, { status: 200, headers, body: PAGE_ITEMS.slice((page - 1) * PER_PAGE, page * PER_PAGE) });
  }

  return {
    vendor,
    origin,
    baseUrl: `${origin}${BASE_PATHS[vendor]}`,
    port: Number(new URL(origin).port),
    keys,
    requests,
    get override() {
      return state.override;
    },
    set override(answer: Answer | undefined) {
      state.override = answer;
    },
    releaseStreams() {
      for (const release of [...held]) release();
    },
    get heldStreams() {
      return held.size;
    },
    close: () => {
      for (const release of [...held]) release();
      return closeServer(server, timers);
    },
  };
}

function send(res: ServerResponse, answer: Answer): void {
  const text = typeof answer.body === 'string' ? answer.body : answer.body === undefined ? '' : JSON.stringify(answer.body);
  const headers: Record<string, string> = { 'content-type': 'application/json', ...answer.headers };
  res.writeHead(answer.status, headers);
  res.end(text);
}

function parseBody(seen: SeenRequest): unknown {
  if (!seen.body.length || !String(seen.headers['content-type'] ?? '').includes('json')) return undefined;
  try {
    return JSON.parse(seen.body.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** A multipart (or urlencoded) upload as field names and sizes: what a replay must send again intact. */
async function describeUpload(seen: SeenRequest): Promise<{ fields: { name: string; size: number; filename?: string }[] }> {
  const type = String(seen.headers['content-type'] ?? '');
  if (!/multipart\/form-data|application\/x-www-form-urlencoded/.test(type)) {
    return { fields: [{ name: '(body)', size: seen.body.length }] };
  }
  const form = await new Request('http://127.0.0.1/', {
    method: 'POST',
    headers: { 'content-type': type },
    body: new Uint8Array(seen.body),
  }).formData();
  const fields: { name: string; size: number; filename?: string }[] = [];
  for (const [name, value] of form) {
    if (typeof value === 'string') fields.push({ name, size: Buffer.byteLength(value) });
    else fields.push({ name, size: value.size, filename: value.name });
  }
  return { fields };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
