// Node side of the browser suite: a CORS server on 127.0.0.1 for the calls that stream, whose keys the
// simulator judges (each request's Authorization is checked with the simulator's GET /v1/me, and a
// rejected key gets the simulator's 401 as it is).
//
//   GET /v1/events       server-sent events: `event: tick`, data {"n":0}, {"n":1}, … one every 25 ms,
//                        `?count=` of them (default 4, at most 200), then the stream ends
//   GET /v1/bytes        every byte value 0–255, 16 times over (4096 bytes), application/octet-stream
//   GET /v1/streams      { opened, closedEarly }: event streams opened, and those the client closed before their end
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const BYTES = Uint8Array.from({ length: 4096 }, (_, i) => i % 256);

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, OPTIONS',
  'access-control-allow-headers': 'authorization, accept, content-type, cache-control, last-event-id',
  'access-control-expose-headers': 'x-request-id, www-authenticate',
};

export async function startStreamServer(simUrl: string): Promise<{ url: string; close(): Promise<void> }> {
  let opened = 0;
  let closedEarly = 0;
  const timers = new Set<NodeJS.Timeout>();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    for (const [name, value] of Object.entries(CORS)) res.setHeader(name, value);
    if (req.method === 'OPTIONS') return void res.writeHead(204).end();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/v1/streams') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      return void res.end(JSON.stringify({ opened, closedEarly }));
    }
    const verdict = await fetch(`${simUrl}/me`, { headers: { authorization: req.headers.authorization ?? '' } });
    const verdictBody = await verdict.text();
    if (!verdict.ok) {
      res.writeHead(verdict.status, {
        'content-type': verdict.headers.get('content-type') ?? 'application/json',
        'x-request-id': verdict.headers.get('x-request-id') ?? '',
      });
      return void res.end(verdictBody);
    }
    if (url.pathname === '/v1/bytes') {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': BYTES.length });
      return void res.end(BYTES);
    }
    if (url.pathname === '/v1/events') {
      const count = Math.min(200, Math.max(1, Number(url.searchParams.get('count') ?? 4) || 4));
      opened += 1;
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      let sent = 0;
      let timer: NodeJS.Timeout | undefined;
      const next = () => {
        res.write(`event: tick\nid: ${sent}\ndata: {"n":${sent}}\n\n`);
        sent += 1;
        if (sent === count) return void res.end();
        timer = setTimeout(next, 25);
        timers.add(timer);
      };
      res.on('close', () => {
        if (timer) {
          clearTimeout(timer);
          timers.delete(timer);
        }
        if (sent < count) closedEarly += 1;
      });
      return next();
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { type: 'invalid_request_error', message: `No route for ${url.pathname}.` } }));
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const timer of timers) clearTimeout(timer);
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
