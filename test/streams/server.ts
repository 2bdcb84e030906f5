// A node:http API on 127.0.0.1 for the streaming tests: Bearer auth, and a route table the test fills.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Route = (req: IncomingMessage, res: ServerResponse) => void;

export interface TestApi {
  url: string;
  /** Every request that reached a route, with the key it carried. */
  seen: Array<{ method: string; path: string; key: string; body: string }>;
  /** Sockets the server saw close: a stream the client abandoned closes its socket. */
  closedSockets: () => number;
  /** Sockets that carried a request and are still open: a stream the client abandoned leaves none. */
  openSockets: () => number;
  close: () => Promise<void>;
}

/** Answers 401 for any key not in `valid`, else the route for the path (404 without one). */
export async function startApi(valid: Set<string>, routes: Record<string, Route>): Promise<TestApi> {
  const seen: TestApi['seen'] = [];
  let closed = 0;
  const serving = new Set<Socket>();
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString('latin1');
    });
    req.on('end', () => {
      const key = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      seen.push({ method: req.method ?? '', path, key, body });
      if (!valid.has(key)) {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end('{"error":{"code":"api_key_expired","message":"This API key has expired."}}');
        return;
      }
      const route = routes[path];
      if (!route) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end('{"error":"not found"}');
        return;
      }
      route(req, res);
    });
  });
  server.on('connection', (socket: Socket) =>
    socket.on('close', () => {
      closed += 1;
      serving.delete(socket);
    }),
  );
  // Only sockets that carried a request count: fetch may open a spare connection it never uses.
  server.on('request', (req: IncomingMessage) => serving.add(req.socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    closedSockets: () => closed,
    openSockets: () => serving.size,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Writes `chunks` one every `everyMs`, then ends; stops when the client goes away. Bounded by the list. */
export function drip(res: ServerResponse, chunks: Array<string | Uint8Array>, everyMs: number, end = true): void {
  let i = 0;
  let gone = false;
  res.on('close', () => {
    gone = true;
  });
  const next = () => {
    if (gone) return;
    if (i >= chunks.length) {
      if (end) res.end();
      return;
    }
    res.write(chunks[i++]);
    setTimeout(next, everyMs);
  };
  next();
}
