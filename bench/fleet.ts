// `npm run bench` (last step): a fleet burst on redisKeyShare. N child processes, each with R
// requests in flight when the key is rejected, against a local node:http API and a redis-server of
// its own (127.0.0.1, no persistence). Compared with the same fleet without a share, and with one
// process alone. Reports hook calls, requests at the API and wall time (median over rounds).
//
//   --quick   2 processes fewer rounds: a smoke run that checks the invariants
//
// Exits non-zero if an invariant breaks: a request that did not succeed, or a shared fleet burst
// with more hook calls than 1 + its fallbacks (a member whose Redis round trip took longer than
// fallbackMs, 1.5 s, rotates on its own by design: on an overloaded machine that happens).
import { type BurstReport, freePort, type Member, redisServer, startFleetApi, startMember } from '../test/helpers/fleet.js';

const quick = process.argv.includes('--quick');
const PROCESSES = quick ? 4 : Number(process.env.P ?? 8);
const REQUESTS = quick ? 20 : 100;
const ROUNDS = quick ? 1 : Number(process.env.R ?? 3);

const redis = redisServer(await freePort());
await redis.start();
const api = await startFleetApi();
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1] ?? 0;
let failed = false;

interface Row {
  label: string;
  hookCalls: number[];
  apiRequests: number[];
  wallMs: number[];
  ok: number[];
  fallbacks: number[];
}

async function measure(label: string, members: Member[], shared: boolean): Promise<Row> {
  const row: Row = { label, hookCalls: [], apiRequests: [], wallMs: [], ok: [], fallbacks: [] };
  let seenFallbacks = 0;
  // Every member on the API's current key (the previous round may have left each on its own key).
  await Promise.all(members.map((m) => m.burst(1, true)));
  for (let round = 0; round < ROUNDS; round += 1) {
    await Promise.all(members.map((m) => m.burst(1, true)));
    api.expireCurrent();
    const requestsBefore = api.requests;
    const started = performance.now();
    const reports: BurstReport[] = await Promise.all(members.map((m) => m.burst(REQUESTS)));
    row.wallMs.push(performance.now() - started);
    row.apiRequests.push(api.requests - requestsBefore);
    const hooks = reports.reduce((n, r) => n + r.hookCalls, 0);
    const ok = reports.reduce((n, r) => n + r.ok, 0);
    const totalFallbacks = reports.reduce((n, r) => n + r.stats.fallbacks, 0); // The stats count since the member started.
    const fallbacks = totalFallbacks - seenFallbacks;
    seenFallbacks = totalFallbacks;
    row.hookCalls.push(hooks);
    row.ok.push(ok);
    row.fallbacks.push(fallbacks);
    const allowed = shared ? 1 + fallbacks : members.length;
    if (ok !== members.length * REQUESTS || hooks > allowed) {
      failed = true;
      console.error(`${label}: ${ok}/${members.length * REQUESTS} ok, ${hooks} hook calls (at most ${allowed} allowed)`);
      console.error(reports.flatMap((r) => r.errors).slice(0, 3));
    }
  }
  return row;
}

const start = (count: number, options: { noShare?: boolean }) =>
  Promise.all(
    Array.from({ length: count }, () =>
      startMember({ client: 'ioredis', apiUrl: api.url, redisUrl: redis.url, name: 'bench', ...options }),
    ),
  );

const rows: Row[] = [];
try {
  const single = await start(1, {});
  rows.push(await measure(`1 process × ${REQUESTS}, redisKeyShare`, single, true));
  await Promise.all(single.map((m) => m.exit()));

  const shared = await start(PROCESSES, {});
  rows.push(await measure(`${PROCESSES} processes × ${REQUESTS}, redisKeyShare`, shared, true));
  await Promise.all(shared.map((m) => m.exit()));

  const alone = await start(PROCESSES, { noShare: true });
  rows.push(await measure(`${PROCESSES} processes × ${REQUESTS}, no share`, alone, false));
  await Promise.all(alone.map((m) => m.exit()));
} finally {
  await api.close();
  await redis.stop();
}

console.log(`\nFleet burst: key rejected with ${REQUESTS} requests in flight per process (median of ${ROUNDS} rounds)\n`);
console.log('| burst | hook calls | local fallbacks | requests at the API | wall time |');
console.log('|---|---|---|---|---|');
for (const row of rows)
  console.log(
    `| ${row.label} | ${median(row.hookCalls)} | ${median(row.fallbacks)} | ${median(row.apiRequests)} | ${median(row.wallMs).toFixed(0)} ms |`,
  );
if (failed) process.exitCode = 1;
