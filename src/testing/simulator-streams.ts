import type { ServerResponse } from 'node:http';
import { z } from 'zod';

/** A reply that writes its own body (see the simulator's `send`). */
export interface StreamReply {
  status: number;
  headers: Record<string, string>;
  body?: string;
  stream?: (res: ServerResponse, sleep: (ms: number) => Promise<void>) => Promise<void>;
}

/** Invalid input to a stream route; the simulator answers it `400`. */
export class BadInput extends Error {}

const eventsQuery = z.object({
  count: z.coerce.number().int().min(0).max(1000).default(3),
  delayMs: z.coerce.number().int().min(0).max(10_000).default(10),
});
const chatBody = z.object({
  model: z.string().max(100).optional(),
  messages: z
    .array(z.object({ role: z.string(), content: z.unknown() }))
    .max(100)
    .optional(),
  stream: z.boolean().optional(),
  n_chunks: z.number().int().min(1).max(1000).optional(),
  delay_ms: z.number().int().min(0).max(10_000).optional(),
});
const MAX_BINARY = 16 * 1024 * 1024;

function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new BadInput(`${issue?.path.join('.') || 'input'}: ${issue?.message ?? 'invalid'}`);
}

const SSE_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' };

/** Writes `chunks` with `delayMs` between them; stops early when the client goes away. */
function writer(chunks: string[], delayMs: number) {
  return async (res: ServerResponse, sleep: (ms: number) => Promise<void>) => {
    for (const [i, chunk] of chunks.entries()) {
      if (res.destroyed || res.writableEnded) return;
      if (i > 0 && delayMs > 0) await sleep(delayMs);
      res.write(chunk);
    }
  };
}

/** `GET /v1/events?count=&delayMs=`: `count` events `tick` with ids, then `event: done`. */
export function eventStream(url: URL): StreamReply {
  const { count, delayMs } = parse(eventsQuery, Object.fromEntries(url.searchParams));
  const chunks = [': keyguard simulator\nretry: 1000\n\n'];
  for (let i = 1; i <= count; i++) chunks.push(`event: tick\nid: ${i}\ndata: ${JSON.stringify({ n: i })}\n\n`);
  chunks.push('event: done\ndata: {}\n\n');
  return { status: 200, headers: SSE_HEADERS, stream: writer(chunks, delayMs) };
}

/**
 * `POST /v1/chat/completions`: OpenAI's chat completion shape. With `stream: true` a
 * `text/event-stream` of `chat.completion.chunk` events (`data: {…}`) ending with `data: [DONE]`.
 */
export function chatCompletion(input: unknown): StreamReply {
  const body = parse(chatBody, input ?? {});
  const model = body.model ?? 'simulated-model';
  const words = ['Hello', ' from', ' the', ' keyguard', ' simulator', '.'];
  const n = body.n_chunks ?? words.length;
  const pieces = Array.from({ length: n }, (_, i) => words[i % words.length] as string);
  const created = 1_700_000_000;
  if (!body.stream) {
    return {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        id: 'chatcmpl-sim',
        object: 'chat.completion',
        created,
        model,
        choices: [{ index: 0, message: { role: 'assistant', content: pieces.join('') }, finish_reason: 'stop' }],
      }),
    };
  }
  const chunk = (delta: object, finish: string | null) =>
    `data: ${JSON.stringify({ id: 'chatcmpl-sim', object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
  const chunks = [
    chunk({ role: 'assistant', content: '' }, null),
    ...pieces.map((p) => chunk({ content: p }, null)),
    chunk({}, 'stop'),
    'data: [DONE]\n\n',
  ];
  return { status: 200, headers: SSE_HEADERS, stream: writer(chunks, body.delay_ms ?? 10) };
}

/** Byte `i` of every binary answer: deterministic, so a test can check each one. */
export const byteAt = (i: number): number => (i * 31 + 7) & 0xff;

/** `GET /v1/files/{n}/content`: `n` deterministic bytes (`byteAt(i)`), `application/octet-stream`. */
export function binaryReply(n: string): StreamReply {
  if (!/^\d{1,9}$/.test(n) || Number(n) > MAX_BINARY) throw new BadInput(`n: must be a whole number from 0 to ${MAX_BINARY}`);
  const size = Number(n);
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = byteAt(i);
  return {
    status: 200,
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) },
    stream: async (res) => {
      res.write(bytes);
    },
  };
}

/** GitHub-style `Link` header for a page of `/v1/items`: `rel="next"` while there is more, `rel="first"` always. */
export function linkHeader(origin: string, url: URL, limit: number, nextCursor: string | null): Record<string, string> {
  const page = (cursor?: string) => {
    const params = new URLSearchParams({ limit: String(limit) });
    if (cursor) params.set('cursor', cursor);
    return `<${origin}${url.pathname}?${params}>`;
  };
  const links = [`${page()}; rel="first"`];
  if (nextCursor) links.unshift(`${page(nextCursor)}; rel="next"`);
  return { link: links.join(', ') };
}
