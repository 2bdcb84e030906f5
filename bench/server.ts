// The benchmark's API: a keep-alive node:http server on 127.0.0.1, run in its own process (forked
// by bench/run.ts) so its work does not share the client's event loop.
//
//   GET /v1/items/:id  200 with a ~200-byte JSON item, for any key but a stale one;
//                      401 "api_key_expired" for `Bearer sk_live_stale_…` or no key.
//   GET /v1/events     a server-sent event stream (same key rule): the first event at once, then
//                      STREAM_EVENTS - 1 more, STREAM_GAP_MS apart, then the stream ends.
//
// IPC: at start the server sends { port, streamEvents, streamGapMs }; the parent sends 'count' and gets { requests } back (the count since the last 'count').
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const ITEM = JSON.stringify({
  id: 'item_1',
  name: 'Widget deluxe',
  price: 1999,
  currency: 'EUR',
  tags: ['hardware', 'blue'],
  inStock: true,
  createdAt: '2026-11-28T00:00:00Z',
  owner: { id: 'usr_42', email: 'owner@example.com' },
});
const EXPIRED = JSON.stringify({ error: { code: 'api_key_expired', message: 'The API key has expired.' } });

const STREAM_EVENTS = 5;
const STREAM_GAP_MS = 3;
const event = (i: number) => `event: delta\ndata: {"index":${i},"text":"part ${i} of the answer"}\n\n`;

let requests = 0;
const server = createServer((req, res) => {
  requests += 1;
  const auth = req.headers.authorization ?? '';
  const stale = auth === '' || auth.startsWith('Bearer sk_live_stale_');
  if (!stale && req.url === '/v1/events') {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.write(event(0));
    let sent = 1;
    const timer = setInterval(() => {
      res.write(event(sent));
      sent += 1;
      if (sent === STREAM_EVENTS) {
        clearInterval(timer);
        res.end();
      }
    }, STREAM_GAP_MS);
    res.on('close', () => clearInterval(timer));
    return;
  }
  const body = stale ? EXPIRED : ITEM;
  res.writeHead(stale ? 401 : 200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.send?.({ port: (server.address() as AddressInfo).port, streamEvents: STREAM_EVENTS, streamGapMs: STREAM_GAP_MS });
});
process.on('message', (message) => {
  if (message === 'count') {
    process.send?.({ requests });
    requests = 0;
  }
});
// The parent's exit closes the IPC channel: leave with it.
process.on('disconnect', () => process.exit(0));
