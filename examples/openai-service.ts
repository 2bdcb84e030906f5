/**
 * A local chat API in OpenAI's wire format, in front of the "API Service" simulator, for the demo.
 *
 * `POST /v1/chat/completions` answers a `chat.completion`, or with `stream: true` a server-sent
 * event stream of `chat.completion.chunk`s (one every `chunkGapMs`, then `data: [DONE]`), as
 * api.openai.com does. The keys are the simulator's: each request's bearer key is checked with
 * `GET /v1/me` on the simulator, so `sim.expireKey` and `sim.rotateKey` work here too, and a
 * rejected key gets the simulator's 401 as it is (its status, body and `x-request-id`).
 *
 * Listens on 127.0.0.1 only.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OpenAiService {
  /** The `baseURL` to give the openai SDK, ending in `/v1`. */
  url: string;
  /** Requests received, every one counted. */
  requests(): number;
  /** Requests whose `Authorization` carried `placeholder` (the key given to the SDK itself). */
  placeholderSeen(): number;
  close(): Promise<void>;
}

/** The words of the streamed answer, one chunk each. */
export const ANSWER = ['Keys ', 'rotate; ', 'requests ', 'replay; ', 'streams ', 'stream.'];

export async function startOpenAiService(simUrl: string, opts: { chunkGapMs?: number; placeholder?: string } = {}): Promise<OpenAiService> {
  const gap = opts.chunkGapMs ?? 40;
  let requests = 0;
  let placeholderSeen = 0;
  const timers = new Set<NodeJS.Timeout>();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    requests += 1;
    if (opts.placeholder && req.headers.authorization?.includes(opts.placeholder)) placeholderSeen += 1;
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > 64 * 1024) return json(res, 413, { error: { message: 'Request too large.', type: 'invalid_request_error' } });
      chunks.push(chunk as Buffer);
    }
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
      return json(res, 404, { error: { message: `Unknown request URL: ${req.method} ${req.url}.`, type: 'invalid_request_error' } });
    }
    // The key is the simulator's to judge.
    const verdict = await fetch(`${simUrl}/me`, { headers: { authorization: req.headers.authorization ?? '' } });
    if (!verdict.ok) {
      const headers: Record<string, string> = { 'content-type': verdict.headers.get('content-type') ?? 'application/json' };
      for (const name of ['x-request-id', 'www-authenticate']) {
        const value = verdict.headers.get(name);
        if (value !== null) headers[name] = value;
      }
      res.writeHead(verdict.status, headers);
      return void res.end(await verdict.text());
    }
    await verdict.arrayBuffer();
    let body: { model?: unknown; stream?: unknown };
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
    } catch {
      return json(res, 400, { error: { message: 'We could not parse the JSON body of your request.', type: 'invalid_request_error' } });
    }
    const model = typeof body.model === 'string' ? body.model : 'gpt-demo';
    const base = { id: `chatcmpl-${requests}`, created: Math.floor(Date.now() / 1000), model };
    if (body.stream !== true) {
      return json(res, 200, {
        ...base,
        object: 'chat.completion',
        choices: [{ index: 0, message: { role: 'assistant', content: ANSWER.join('') }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 5, completion_tokens: ANSWER.length, total_tokens: 5 + ANSWER.length },
      });
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-request-id': `req_${requests}` });
    const chunk = (delta: object, finish: string | null) =>
      `data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    res.write(chunk({ role: 'assistant', content: '' }, null));
    let sent = 0;
    const next = () => {
      if (res.destroyed) return;
      if (sent === ANSWER.length) {
        res.write(chunk({}, 'stop'));
        return void res.end('data: [DONE]\n\n');
      }
      res.write(chunk({ content: ANSWER[sent] }, null));
      sent += 1;
      const timer = setTimeout(() => {
        timers.delete(timer);
        next();
      }, gap);
      timers.add(timer);
    };
    next();
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => json(res, 500, { error: { message: 'The server had an error.', type: 'server_error' } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests: () => requests,
    placeholderSeen: () => placeholderSeen,
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const timer of timers) clearTimeout(timer);
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return void res.end();
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
