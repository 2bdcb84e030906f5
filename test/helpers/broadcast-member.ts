// One member of a broadcastKeyShare group, in a Node worker thread (see broadcast-share.test.ts).
// Its hook mints a key at the test API; its provider re-reads the API's current key.
import { parentPort, workerData } from 'node:worker_threads';
import { broadcastKeyShare, createClient } from '../../src/index.js';

const { apiUrl, name, leaseMs, shareKey } = workerData as { apiUrl: string; name: string; leaseMs?: number; shareKey?: boolean };
const share = broadcastKeyShare({ name, leaseMs, shareKey });
let hookCalls = 0;
const reasons: string[] = [];
const logs: string[] = [];
const current = async () => ((await (await fetch(`${apiUrl}/current`)).json()) as { key: string }).key;

const client = createClient({
  baseUrl: apiUrl,
  apiKey: shareKey
    ? await current()
    : async ({ reason }) => {
        reasons.push(reason);
        return current();
      },
  onKeyInvalid: async () => {
    hookCalls += 1;
    return ((await (await fetch(`${apiUrl}/rotate`, { method: 'POST' })).json()) as { key: string }).key;
  },
  keyShare: share,
  retry: false,
  logger: { info: (line: unknown) => logs.push(String(line)) },
});

parentPort?.on('message', async (message: { type: string; requests?: number }) => {
  if (message.type === 'burst') {
    const results = await Promise.allSettled(Array.from({ length: message.requests ?? 1 }, () => client.get('/me')));
    parentPort?.postMessage({
      type: 'report',
      ok: results.filter((r) => r.status === 'fulfilled').length,
      hookCalls,
      reasons,
      stats: { ...share.stats },
      logs,
    });
  }
  if (message.type === 'exit') {
    share.close();
    parentPort?.close();
  }
});
parentPort?.postMessage({ type: 'ready' });
