// One member of a fleet (a child process run by test/helpers/fleet.ts): a keyguard client on a key
// share, driven over IPC. Its hook mints a key at the test API (POST /rotate); its provider re-reads
// the API's current key (the "secret manager").
import { createClient, type KeyShare } from '../../src/index.js';
import { type RedisKeyShare, redisKeyShare } from '../../src/redis/index.js';
import type { BurstReport, MemberOptions } from './fleet.js';

const options = JSON.parse(process.env.FLEET_OPTIONS ?? '{}') as MemberOptions;
const send = (message: unknown) => process.send?.(message);

let redisClose: () => Promise<unknown> = async () => {};
let ping: () => Promise<unknown> = async () => {};
let redis: object;
// Only the client under test is loaded (each import costs start-up time).
if (options.client === 'ioredis') {
  const { Redis } = await import('ioredis');
  const client = new Redis(options.redisUrl ?? '', { maxRetriesPerRequest: 1, retryStrategy: () => 50 });
  client.on('error', () => {});
  redis = client;
  redisClose = async () => client.disconnect();
  ping = () => client.ping();
} else {
  const { createClient: createRedis } = await import('redis');
  const client = createRedis({ url: options.redisUrl, socket: { reconnectStrategy: () => 50 } });
  client.on('error', () => {});
  await client.connect();
  redis = client;
  redisClose = async () => client.destroy();
  ping = () => client.ping();
}
const share: RedisKeyShare = redisKeyShare({ redis, name: options.name, leaseMs: options.leaseMs, shareKey: options.shareKey });

let hookCalls = 0;
const reasons: string[] = [];
const logs: string[] = [];
const proceeds: (() => void)[] = [];

async function current(): Promise<string> {
  const res = await fetch(`${options.apiUrl}/current`);
  return ((await res.json()) as { key: string }).key;
}

const keyShare: KeyShare = share;
const client = createClient({
  baseUrl: options.apiUrl,
  apiKey: options.shareKey
    ? await current()
    : async ({ reason }) => {
        reasons.push(reason);
        return current();
      },
  onKeyInvalid: async () => {
    hookCalls += 1;
    send({ type: 'hook' });
    if (options.holdHook) await new Promise<void>((resolve) => proceeds.push(resolve));
    const res = await fetch(`${options.apiUrl}/rotate`, { method: 'POST' });
    return ((await res.json()) as { key: string }).key;
  },
  ...(options.noShare ? {} : { keyShare }),
  retry: false,
  logger: { info: (line: unknown) => logs.push(String(line)), warn: (line: unknown) => logs.push(String(line)) },
});

process.on('message', async (message: { type: string; requests?: number; reload?: boolean }) => {
  if (message.type === 'proceed') proceeds.shift()?.();
  if (message.type === 'burst') {
    if (message.reload) {
      client.setApiKey(await current());
      // Connected to Redis again (after a restart) before the burst: bounded, 100 tries 50 ms apart.
      for (let tries = 0; tries < 100; tries += 1) {
        const answered = await Promise.race([
          ping().then(
            () => true,
            () => false,
          ),
          new Promise((r) => setTimeout(() => r(false), 50)),
        ]);
        if (answered) break;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    const started = performance.now();
    const before = { hookCalls, logs: logs.length };
    const results = await Promise.allSettled(Array.from({ length: message.requests ?? 1 }, () => client.get('/me')));
    const report: BurstReport = {
      ok: results.filter((r) => r.status === 'fulfilled').length,
      failed: results.filter((r) => r.status === 'rejected').length,
      errors: results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : [])).slice(0, 3),
      hookCalls: hookCalls - before.hookCalls,
      reasons: [...reasons],
      stats: { ...share.stats },
      logs: logs.slice(before.logs),
      ms: Math.round(performance.now() - started),
    };
    send({ type: 'report', report });
  }
  if (message.type === 'exit') {
    await share.close();
    await redisClose();
    process.disconnect?.();
  }
});
send({ type: 'ready' });
