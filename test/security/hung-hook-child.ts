/**
 * Run by test/security/exits.test.ts as `node --import tsx test/security/hung-hook-child.ts`. Requests
 * that wait for a hook and a provider that never answer are aborted; then the child returns. It never
 * calls process.exit: the parent checks that the process ends by itself, long before the 60 s refresh
 * timeout a leaked timer would hold it for.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient } from '../../src/index.js';
import { guardChild } from '../helpers/child-guards.js';

const guard = guardChild();
const server = createServer((_req, res) => {
  res.writeHead(401, { 'content-type': 'application/json', connection: 'close' });
  res.end('{"error":{"code":"api_key_expired","message":"This API key has expired."}}');
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const never = new Promise<string>(() => {});

const hungHook = createClient({ baseUrl, apiKey: 'sk_test_hung_hook_0123456789', onKeyInvalid: () => never });
const hungProvider = createClient({ baseUrl, apiKey: () => never });
let aborted = 0;
for (const client of [hungHook, hungProvider]) {
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 50);
  await client.get('/me', { signal: controller.signal }).catch((error: unknown) => {
    if ((error as Error).name === 'AbortError') aborted += 1;
  });
}
server.close();
process.stdout.write(`SUMMARY ${JSON.stringify({ aborted, unhandled: guard.unhandled })}\n`);
