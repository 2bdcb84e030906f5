// The benchmark's API: a keep-alive node:http server on 127.0.0.1, run in its own process (forked
// by bench/run.ts) so its work does not share the client's event loop.
//
//   GET /v1/items/:id  200 with a ~200-byte JSON item, for any key but a stale one;
//                      401 "api_key_expired" for `Bearer sk_live_stale_…` or no key.
//
// IPC: the parent sends 'count' and gets { requests } back (the count since the last 'count').
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

let requests = 0;
const server = createServer((req, res) => {
  requests += 1;
  const auth = req.headers.authorization ?? '';
  const stale = auth === '' || auth.startsWith('Bearer sk_live_stale_');
  const body = stale ? EXPIRED : ITEM;
  res.writeHead(stale ? 401 : 200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.send?.({ port: (server.address() as AddressInfo).port });
});
process.on('message', (message) => {
  if (message === 'count') {
    process.send?.({ requests });
    requests = 0;
  }
});
// The parent's exit closes the IPC channel: leave with it.
process.on('disconnect', () => process.exit(0));
