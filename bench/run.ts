// `npm run bench`: keyguard against raw fetch and plain ky, keyguardFetch against the fetch it wraps,
// and client.sse against a stream read by hand, over real HTTP, in one run.
//
// The API is bench/server.ts, a keep-alive node:http server in its own process on 127.0.0.1.
// Every workload runs several rounds; the clients take turns inside each round (in a rotating
// order), so a slow spell of a shared machine hits all of them. Medians are over rounds, and
// ratios compare medians from this same run.
//
//   --quick   fewer requests and rounds: a smoke run (CI) that checks the invariants, not the speed
//   --write   also replace the results block in docs/benchmarks.md
//
// The process exits non-zero if an invariant breaks (a burst with more than one refresh, a
// request that did not succeed, a stream that lost events); the speed targets are reported, never asserted.
import { type ChildProcess, execFile, fork } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import ky, { HTTPError } from 'ky';
import { z } from 'zod';
import type * as Keyguard from '../src/index.js';

const quick = process.argv.includes('--quick');
const write = process.argv.includes('--write');
const root = fileURLToPath(new URL('..', import.meta.url));
const distEntry = `${root}dist/index.js`;
const kyEntry = fileURLToPath(import.meta.resolve('ky'));
// The built package, as users load it (`npm run bench` builds first).
const { createClient, isInvalidApiKeyError, keyguardFetch } = (await import(pathToFileURL(distEntry).href)) as typeof Keyguard;

const N = quick ? 300 : 3000;
const ROUNDS = quick ? 2 : 7;
const BURST_ROUNDS = quick ? 2 : 7;
const REFRESH_MS = 20;
const KEY = 'sk_live_bench_0123456789abcdef';

const Item = z.object({
  id: z.string(),
  name: z.string(),
  price: z.number(),
  currency: z.string(),
  tags: z.array(z.string()),
  inStock: z.boolean(),
  createdAt: z.string(),
  owner: z.object({ id: z.string(), email: z.string() }),
});

// ---------------------------------------------------------------- the server
const server: ChildProcess = fork(fileURLToPath(new URL('./server.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'] });
const { port, streamEvents, streamGapMs } = await new Promise<{ port: number; streamEvents: number; streamGapMs: number }>((resolve) =>
  server.once('message', (m) => resolve(m as { port: number; streamEvents: number; streamGapMs: number })),
);
const base = `http://127.0.0.1:${port}/v1`;
const serverRequests = () =>
  new Promise<number>((resolve) => {
    server.once('message', (m) => resolve((m as { requests: number }).requests));
    server.send('count');
  });

// ---------------------------------------------------------------- helpers
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const failures: string[] = [];
const check = (ok: boolean, what: string) => {
  if (!ok) failures.push(what);
};

/** Runs `task` n times with at most `limit` in flight. */
async function pool(n: number, limit: number, task: () => Promise<unknown>): Promise<void> {
  let started = 0;
  const worker = async () => {
    while (started < n) {
      started += 1;
      await task();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, worker));
}

/**
 * This process's CPU time (user + system) in each contender's rounds, in ms, filled in by {@link rounds}.
 * The server runs in its own process, so this is the client's own work: steadier than wall time on a
 * shared machine, where another process's burst stretches a round's wall time but not its CPU time.
 */
const cpuTimes: Record<string, number[]> = {};

/** Runs each contender's workload once per round, in a rotating order; returns the per-round times in ms. */
async function rounds(contenders: Record<string, () => Promise<void>>, count: number): Promise<Record<string, number[]>> {
  const names = Object.keys(contenders);
  const times: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]));
  for (const name of names) cpuTimes[name] = [];
  for (let round = 0; round < count; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + round) % names.length] as string;
      const cpu = process.cpuUsage();
      const start = performance.now();
      await (contenders[name] as () => Promise<void>)();
      times[name]?.push(performance.now() - start);
      const used = process.cpuUsage(cpu);
      cpuTimes[name]?.push((used.user + used.system) / 1000);
    }
  }
  return times;
}

/** `name` over `baseline` by the medians of wall time (with its range round by round) and of CPU time, against a target ratio. */
function overhead(t: Record<string, number[]>, name: string, baseline: string, what: string, target: number): string {
  const wall = median(t[name] ?? []) / median(t[baseline] ?? []);
  const perRound = (t[name] ?? []).map((ms, i) => ms / (t[baseline]?.[i] ?? ms)).sort((a, b) => a - b);
  const cpu = median(cpuTimes[name] ?? []) / median(cpuTimes[baseline] ?? []);
  const verdict = (ratio: number) => (ratio <= target ? '✓' : '✗');
  return `${what}: **× ${wall.toFixed(3)}** wall time ${verdict(wall)} (round by round ${perRound[0]?.toFixed(2)}–${perRound.at(-1)?.toFixed(2)}), × ${cpu.toFixed(3)} client CPU time ${verdict(cpu)} (target × ${target.toFixed(2)}).`;
}

/** keyguardFetch's time over the fetch it wraps, against the 5 % target. */
const fetchOverhead = (t: Record<string, number[]>, how: string) =>
  overhead(t, 'keyguardFetch', 'fetch', `\`keyguardFetch\` over the \`fetch\` it wraps, ${how}`, 1.05);

// ---------------------------------------------------------------- the ways to call the API
const headers = { authorization: `Bearer ${KEY}`, accept: 'application/json' };
const viaFetch = async () => {
  const response = await fetch(`${base}/items/1`, { headers });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return JSON.parse(await response.text()) as unknown;
};
const api = ky.create({ prefixUrl: base, headers: { authorization: `Bearer ${KEY}` } });
const viaKy = () => api.get('items/1').json();
const viaKySchema = async () => Item.parse(await api.get('items/1').json());
const client = createClient({ baseUrl: base, apiKey: KEY });
const viaKeyguard = () => client.get('/items/1', { schema: Item });
const viaKeyguardPlain = () => client.get('/items/1');
// keyguardFetch wrapping the very fetch of the first contender; the key is its to place.
const guardedFetch = keyguardFetch({ apiKey: KEY, fetch: globalThis.fetch });
const viaKeyguardFetch = async () => {
  const response = await guardedFetch(`${base}/items/1`, { headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return JSON.parse(await response.text()) as unknown;
};

const rows: string[] = [];
const say = (line = '') => {
  rows.push(line);
  console.log(line);
};

// Warm up every path (JIT, sockets) before measuring anything.
await pool(quick ? 200 : 1000, 10, viaFetch);
await pool(quick ? 200 : 1000, 10, viaKy);
await pool(quick ? 200 : 1000, 10, viaKeyguard);
await pool(quick ? 200 : 1000, 10, viaKySchema);
await pool(quick ? 200 : 1000, 10, viaKeyguardPlain);
await pool(quick ? 200 : 1000, 10, viaKeyguardFetch);

const machine = `${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB`;
say(
  `Run on ${new Date().toISOString().slice(0, 10)} · Node.js ${process.version} · ${os.platform()} ${os.arch()} · ${machine}${quick ? ' · --quick' : ''}`,
);
say();

// ---------------------------------------------------------------- 1. success path, sequential
{
  const sequential = (call: () => Promise<unknown>) => async () => {
    for (let i = 0; i < N; i++) await call();
  };
  // The closest comparison of all, so it gets the most rounds.
  const successRounds = quick ? ROUNDS : 2 * ROUNDS + 1;
  const t = await rounds(
    {
      fetch: sequential(viaFetch),
      ky: sequential(viaKy),
      keyguardPlain: sequential(viaKeyguardPlain),
      kySchema: sequential(viaKySchema),
      keyguard: sequential(viaKeyguard),
      keyguardFetch: sequential(viaKeyguardFetch),
    },
    successRounds,
  );
  const cpuPer = (name: string) => (median(cpuTimes[name] ?? []) / N) * 1000;
  const per = (name: string) => (median(t[name] ?? []) / N) * 1000;
  /** The spread of this client's time over ky's, round by round: how much of a difference the machine's noise can hide. */
  const spread = (name: string) => {
    const ratios = (t[name] ?? []).map((ms, i) => ms / (t.ky?.[i] ?? ms)).sort((a, b) => a - b);
    return `${ratios[0]?.toFixed(2)}–${ratios.at(-1)?.toFixed(2)}`;
  };
  say(`### Success path: ${N} sequential GETs (~200-byte JSON), median of ${successRounds} rounds`);
  say();
  say('| client | per request | client CPU per request | × fetch | × ky | × ky, round by round |');
  say('|---|---:|---:|---:|---:|---:|');
  for (const [name, label] of [
    ['fetch', 'raw `fetch` + `JSON.parse`'],
    ['ky', 'plain ky, `.json()`'],
    ['keyguardPlain', 'keyguard, no schema'],
    ['kySchema', 'plain ky, `.json()`, then the zod schema'],
    ['keyguard', 'keyguard, validated by the same zod schema'],
    ['keyguardFetch', '`keyguardFetch` around the same `fetch` + `JSON.parse`'],
  ] as const) {
    say(
      `| ${label} | ${per(name).toFixed(0)} µs | ${cpuPer(name).toFixed(0)} µs | ${(per(name) / per('fetch')).toFixed(2)} | ${(per(name) / per('ky')).toFixed(2)} | ${name === 'ky' ? '' : spread(name)} |`,
    );
  }
  say();
  say(overhead(t, 'keyguardPlain', 'ky', '`createClient` over plain ky, the same work (no schema)', 1.05));
  say();
  say(overhead(t, 'keyguard', 'kySchema', '`createClient` over plain ky, both validating with the zod schema', 1.05));
  say();
  say(fetchOverhead(t, 'sequential'));
  say();
}

// ---------------------------------------------------------------- 1b. keyguardFetch's own work, without a network
{
  // The same call over a fetch stub that answers at once: what is left is keyguardFetch's work per call
  // (read the call, lease the key, swap the credential, check the status), free of the network's noise.
  const answer = () => new Response(null, { status: 204 });
  const stub = (async () => answer()) as unknown as typeof fetch;
  const overStub = keyguardFetch({ apiKey: KEY, fetch: stub });
  const M = quick ? 2000 : 20000;
  const loop = (f: typeof fetch) => async () => {
    for (let i = 0; i < M; i++) await f(`${base}/items/1`, { headers: { accept: 'application/json' } });
  };
  await loop(overStub)(); // warm-up
  const t = await rounds({ stub: loop(stub), keyguardFetch: loop(overStub) }, ROUNDS);
  const own = ((median(t.keyguardFetch ?? []) - median(t.stub ?? [])) / M) * 1000;
  say(
    `\`keyguardFetch\`'s own work per call, over a fetch stub that answers at once (${M} calls, median of ${ROUNDS} rounds): **${own.toFixed(1)} µs**.`,
  );
  say();
}

// ---------------------------------------------------------------- 2. concurrency 50
{
  const concurrent = (call: () => Promise<unknown>) => () => pool(N, 50, call);
  const t = await rounds(
    {
      fetch: concurrent(viaFetch),
      ky: concurrent(viaKy),
      keyguard: concurrent(viaKeyguard),
      keyguardFetch: concurrent(viaKeyguardFetch),
    },
    ROUNDS,
  );
  const rps = (name: string) => N / (median(t[name] ?? []) / 1000);
  say(`### Concurrency 50: ${N} GETs, median of ${ROUNDS} rounds`);
  say();
  say('| client | requests/s | × fetch |');
  say('|---|---:|---:|');
  for (const name of ['fetch', 'ky', 'keyguard', 'keyguardFetch'])
    say(`| ${name} | ${rps(name).toFixed(0)} | ${(rps(name) / rps('fetch')).toFixed(2)} |`);
  say();
  say(fetchOverhead(t, 'at concurrency 50'));
  say();
}

// ---------------------------------------------------------------- 3. error path: a 401 until the error is caught
{
  const STALE = 'sk_live_stale_0123456789abcdef';
  const staleHeaders = { authorization: `Bearer ${STALE}`, accept: 'application/json' };
  const fetchError = async () => {
    const response = await fetch(`${base}/items/1`, { headers: staleHeaders });
    if (response.status === 401) {
      const body = JSON.parse(await response.text()) as { error: { message: string } };
      throw new Error(body.error.message);
    }
  };
  const staleKy = ky.create({ prefixUrl: base, headers: { authorization: `Bearer ${STALE}` }, retry: 0 });
  // ky's HTTPError does not read the body; reading and parsing it is the same work keyguard does.
  const kyError = () =>
    staleKy
      .get('items/1')
      .json()
      .catch(async (error: unknown) => {
        if (error instanceof HTTPError) (error as HTTPError & { body?: unknown }).body = await error.response.json();
        throw error;
      });
  const staleClient = createClient({ baseUrl: base, apiKey: STALE });
  let typed = 0;
  const keyguardError = async () => {
    try {
      await staleClient.get('/items/1', { schema: Item });
    } catch (error) {
      if (isInvalidApiKeyError(error) && error.reason === 'expired') typed += 1;
      throw error;
    }
  };
  const caught = (call: () => Promise<unknown>) => async () => {
    for (let i = 0; i < N; i++) {
      try {
        await call();
        failures.push('error path: a stale key succeeded');
      } catch {
        // The point of this workload: the error is caught.
      }
    }
  };
  const t = await rounds({ fetch: caught(fetchError), ky: caught(kyError), keyguard: caught(keyguardError) }, ROUNDS);
  check(typed === N * ROUNDS, `error path: ${typed} of ${N * ROUNDS} keyguard errors were InvalidApiKeyError 'expired'`);
  const per = (name: string) => (median(t[name] ?? []) / N) * 1000;
  say(`### Error path: a 401 key error, until the error is caught (${N} sequential, median of ${ROUNDS} rounds)`);
  say();
  say('| client | what is caught | per request | × fetch |');
  say('|---|---|---:|---:|');
  say(`| fetch | \`Error\` with the body's message | ${per('fetch').toFixed(0)} µs | 1.00 |`);
  say(`| ky | \`HTTPError\`, its body read and parsed | ${per('ky').toFixed(0)} µs | ${(per('ky') / per('fetch')).toFixed(2)} |`);
  say(
    `| keyguard | \`InvalidApiKeyError\`, reason \`expired\`, redacted | ${per('keyguard').toFixed(0)} µs | ${(per('keyguard') / per('fetch')).toFixed(2)} |`,
  );
  say();
  say(overhead(t, 'keyguard', 'ky', "keyguard's key-error path over ky's error path", 1.3));
  say();
}

// ---------------------------------------------------------------- 3b. each client in its own process
{
  // In the rounds above all clients share one process, so each one's garbage and JIT state weigh on
  // the others. Here each runs alone in a fresh `node` (bench/isolated.mjs), the pairs taking turns
  // in alternating order; the medians over the runs are compared, in CPU time and wall time.
  const exec = promisify(execFile);
  const RUNS = quick ? 2 : 7;
  const CALLS = quick ? 500 : 4000;
  const pairs = [
    ['keyguard', 'ky', '`createClient` over plain ky (success path)', 1.05],
    ['keyguardError', 'kyError', "keyguard's key-error path over ky's error path", 1.3],
    ['keyguardFetch', 'fetch', '`keyguardFetch` over the `fetch` it wraps', 1.05],
  ] as const;
  const isolated: Record<string, { cpuUs: number; wallUs: number }[]> = Object.fromEntries(
    pairs.flatMap(([a, b]) => [
      [a, []],
      [b, []],
    ]),
  );
  const script = fileURLToPath(new URL('./isolated.mjs', import.meta.url));
  for (let runIndex = 0; runIndex < RUNS; runIndex++) {
    for (const [a, b] of pairs) {
      for (const name of runIndex % 2 === 0 ? [a, b] : [b, a]) {
        const { stdout } = await exec(process.execPath, [script, name, base, String(CALLS)]);
        isolated[name]?.push(JSON.parse(stdout) as { cpuUs: number; wallUs: number });
      }
    }
  }
  const med = (name: string, field: 'cpuUs' | 'wallUs') => median((isolated[name] ?? []).map((r) => r[field]));
  say(`### Each client in its own process: ${CALLS} sequential calls per run, median of ${RUNS} runs`);
  say();
  say('| pair | CPU per call | wall per call | × CPU | × wall | target |');
  say('|---|---:|---:|---:|---:|---:|');
  for (const [a, b, label, target] of pairs) {
    const cpu = med(a, 'cpuUs') / med(b, 'cpuUs');
    const wall = med(a, 'wallUs') / med(b, 'wallUs');
    const verdict = (ratio: number) => (ratio <= target ? '✓' : '✗');
    say(
      `| ${label} | ${med(a, 'cpuUs').toFixed(0)} vs ${med(b, 'cpuUs').toFixed(0)} µs | ${med(a, 'wallUs').toFixed(0)} vs ${med(b, 'wallUs').toFixed(0)} µs | ${cpu.toFixed(3)} ${verdict(cpu)} | ${wall.toFixed(3)} ${verdict(wall)} | × ${target.toFixed(2)} |`,
    );
  }
  say();
}

// ---------------------------------------------------------------- 4. refresh burst
interface BurstResult {
  refreshes: number;
  serverRequests: number;
  successes: number;
  wallMs: number;
}

async function burst(
  size: number,
  kind: 'keyguard' | 'keyguardFetch' | 'ky-readme' | 'ky-readme-no-delay' | 'baseline',
  round: number,
): Promise<BurstResult> {
  const stale = `sk_live_stale_${kind}_${size}_${round}`;
  const fresh = `sk_live_fresh_${kind}_${size}_${round}`;
  let refreshes = 0;
  const refresh = async () => {
    refreshes += 1;
    await sleep(REFRESH_MS);
    return fresh;
  };
  let call: () => Promise<unknown>;
  if (kind === 'keyguard' || kind === 'baseline') {
    const burstClient = createClient({ baseUrl: base, apiKey: kind === 'baseline' ? fresh : stale, onKeyInvalid: refresh });
    call = () => burstClient.get('/items/1', { schema: Item });
  } else if (kind === 'keyguardFetch') {
    const burstFetch = keyguardFetch({ apiKey: stale, onKeyInvalid: refresh, fetch: globalThis.fetch });
    call = async () => {
      const response = await burstFetch(`${base}/items/1`);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return response.json();
    };
  } else {
    // The 401 recipe from ky's README (hooks.afterResponse + ky.retry), with the token call replaced by
    // the same 20 ms refresh. As written there, the forced retry waits ky's default backoff (300 ms).
    const recipe = ky.create({
      prefixUrl: base,
      headers: { authorization: `Bearer ${stale}` },
      hooks: {
        afterResponse: [
          async (request, _options, response, state) => {
            if (response.status === 401 && state.retryCount === 0) {
              const token = await refresh();
              const retryHeaders = new Headers(request.headers);
              retryHeaders.set('Authorization', `Bearer ${token}`);
              return ky.retry({
                request: new Request(request, { headers: retryHeaders }),
                code: 'TOKEN_REFRESHED',
                ...(kind === 'ky-readme-no-delay' ? { delay: 0 } : {}),
              });
            }
            return undefined;
          },
        ],
      },
    });
    call = () => recipe.get('items/1').json();
  }
  await serverRequests(); // reset the server's count
  const start = performance.now();
  const settled = await Promise.allSettled(Array.from({ length: size }, call));
  const wallMs = performance.now() - start;
  return {
    refreshes,
    serverRequests: await serverRequests(),
    successes: settled.filter((s) => s.status === 'fulfilled').length,
    wallMs,
  };
}

say(`### Refresh burst: concurrent requests with an expired key, a ${REFRESH_MS} ms refresh (median of ${BURST_ROUNDS} rounds)`);
say();
say(
  'A *round trip* here is the wall time of the same burst with a valid key (no refresh), measured in this run. Target: wall time under 2 × (refresh + 2 round trips).',
);
say();
say('| burst | client | refresh calls | requests reaching the server | successes | wall time | target |');
say('|---:|---|---:|---:|---:|---:|---:|');
for (const size of quick ? [100] : [100, 1000]) {
  const kinds = ['baseline', 'keyguard', 'keyguardFetch', 'ky-readme', 'ky-readme-no-delay'] as const;
  const results: Record<string, BurstResult[]> = Object.fromEntries(kinds.map((k) => [k, []]));
  await burst(size, 'baseline', -1); // opens the sockets a burst of this size needs
  for (let round = 0; round < BURST_ROUNDS; round++) {
    for (const kind of kinds) results[kind]?.push(await burst(size, kind, round));
  }
  const roundTrip = median((results.baseline ?? []).map((r) => r.wallMs));
  const target = 2 * (REFRESH_MS + 2 * roundTrip);
  for (const kind of ['keyguard', 'keyguardFetch'] as const) {
    for (const r of results[kind] ?? []) {
      check(r.refreshes === 1, `burst ${size}: ${kind} called the hook ${r.refreshes} times`);
      check(r.successes === size, `burst ${size}: ${r.successes} of ${size} ${kind} requests succeeded`);
      check(r.serverRequests === 2 * size, `burst ${size}: ${kind}: ${r.serverRequests} requests reached the server, expected ${2 * size}`);
    }
  }
  const labels: Record<string, string> = {
    baseline: 'valid key (the round trip)',
    keyguard: 'keyguard, `onKeyInvalid`',
    keyguardFetch: '`keyguardFetch`, `onKeyInvalid`',
    'ky-readme': "ky README's `afterResponse` recipe",
    'ky-readme-no-delay': 'the same recipe with `delay: 0`',
  };
  for (const kind of kinds) {
    const list = results[kind] ?? [];
    const wall = median(list.map((r) => r.wallMs));
    const cell = kind === 'baseline' ? '' : `${target.toFixed(0)} ms ${wall < target ? '✓' : '✗'}`;
    say(
      `| ${size} | ${labels[kind]} | ${median(list.map((r) => r.refreshes))} | ${median(list.map((r) => r.serverRequests))} | ${median(list.map((r) => r.successes))} | ${wall.toFixed(0)} ms | ${cell} |`,
    );
  }
}
say();

// ---------------------------------------------------------------- 5. streaming: time to first event
{
  const STREAMS = quick ? 20 : 100;
  const STREAM_ROUNDS = quick ? 2 : 7;
  interface StreamTiming {
    firstMs: number;
    lastMs: number;
    events: number;
  }
  /** The same stream read by hand: a decoder, a split on blank lines, the `data:` lines joined. */
  const viaRawFetch = async (): Promise<StreamTiming> => {
    const start = performance.now();
    const response = await fetch(`${base}/events`, { headers: { authorization: `Bearer ${KEY}`, accept: 'text/event-stream' } });
    if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    let events = 0;
    let firstMs = Number.NaN;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buffer += value;
      for (let cut = buffer.indexOf('\n\n'); cut >= 0; cut = buffer.indexOf('\n\n')) {
        const lines = buffer.slice(0, cut).split('\n');
        buffer = buffer.slice(cut + 2);
        JSON.parse(
          lines
            .filter((line) => line.startsWith('data:'))
            .map((line) => line.slice(5).trimStart())
            .join('\n'),
        );
        events += 1;
        if (events === 1) firstMs = performance.now() - start;
      }
    }
    return { firstMs, lastMs: performance.now() - start, events };
  };
  const viaSse = async (): Promise<StreamTiming> => {
    const start = performance.now();
    let events = 0;
    let firstMs = Number.NaN;
    for await (const event of client.sse('/events')) {
      JSON.parse(event.data);
      events += 1;
      if (events === 1) firstMs = performance.now() - start;
    }
    return { firstMs, lastMs: performance.now() - start, events };
  };
  const timings: Record<string, StreamTiming[]> = { fetch: [], sse: [] };
  const streams = (name: string, read: () => Promise<StreamTiming>) => async () => {
    for (let i = 0; i < STREAMS; i++) timings[name]?.push(await read());
  };
  await streams('fetch', viaRawFetch)(); // warm-up, not counted
  await streams('sse', viaSse)();
  timings.fetch = [];
  timings.sse = [];
  await rounds({ fetch: streams('fetch', viaRawFetch), sse: streams('sse', viaSse) }, STREAM_ROUNDS);
  for (const [name, list] of Object.entries(timings)) {
    const short = list.filter((t) => t.events !== streamEvents).length;
    check(short === 0, `streaming: ${short} ${name} streams did not deliver ${streamEvents} events`);
  }
  const stat = (name: string, field: 'firstMs' | 'lastMs', q = 0.5) => {
    const sorted = (timings[name] ?? []).map((t) => t[field]).sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  };
  for (const name of ['fetch', 'sse']) {
    // The first event must reach the reader while the server is still sending the rest (medians: one
    // stream can be held up by a busy machine, a buffered reader holds up every one).
    check(
      stat(name, 'firstMs') < stat(name, 'lastMs') / 2,
      `streaming: ${name}'s first event came at ${stat(name, 'firstMs').toFixed(1)} ms of ${stat(name, 'lastMs').toFixed(1)} ms`,
    );
  }
  say(
    `### Streaming: time to first event (${STREAMS} sequential streams × ${STREAM_ROUNDS} rounds; the server sends the first event at once, then ${streamEvents - 1} more ${streamGapMs} ms apart)`,
  );
  say();
  say('| reader | first event, median | first event, p95 | × fetch (median) | last event, median |');
  say('|---|---:|---:|---:|---:|');
  for (const [name, label] of [
    ['fetch', 'raw `fetch`, body read and split by hand'],
    ['sse', 'keyguard `client.sse()`'],
  ] as const) {
    say(
      `| ${label} | ${stat(name, 'firstMs').toFixed(2)} ms | ${stat(name, 'firstMs', 0.95).toFixed(2)} ms | ${(stat(name, 'firstMs') / stat('fetch', 'firstMs')).toFixed(2)} | ${stat(name, 'lastMs').toFixed(1)} ms |`,
    );
  }
  say();
}

// ---------------------------------------------------------------- 6. cold import
{
  const run = promisify(execFile);
  const IMPORTS = quick ? 3 : 15;
  const probe = 'const t = performance.now(); await import(process.argv[1]); process.stdout.write(String(performance.now() - t));';
  const importMs = async (file: string) =>
    Number((await run(process.execPath, ['--input-type=module', '-e', probe, pathToFileURL(file).href])).stdout);
  const times: Record<string, number[]> = { keyguard: [], ky: [] };
  for (let i = 0; i < IMPORTS; i++) {
    times.keyguard?.push(await importMs(distEntry));
    times.ky?.push(await importMs(kyEntry));
  }
  const keyguardMs = median(times.keyguard ?? []);
  const kyMs = median(times.ky ?? []);
  say(`### Cold import in a fresh \`node\` process (median of ${IMPORTS})`);
  say();
  say('| module | import time |');
  say('|---|---:|');
  say(`| \`ky\` | ${kyMs.toFixed(1)} ms |`);
  say(`| \`keyguard\` (with ky and p-retry) | ${keyguardMs.toFixed(1)} ms (${(keyguardMs / kyMs).toFixed(1)} × ky) |`);
}

server.disconnect();

if (write) {
  const doc = `${root}docs/benchmarks.md`;
  const text = readFileSync(doc, 'utf8');
  const begin = '<!-- bench:begin -->';
  const end = '<!-- bench:end -->';
  const from = text.indexOf(begin);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`docs/benchmarks.md has no ${begin} … ${end} block`);
  writeFileSync(doc, `${text.slice(0, from + begin.length)}\n${rows.join('\n')}\n${text.slice(to)}`);
  console.log('\nwrote docs/benchmarks.md');
}

if (failures.length > 0) {
  console.error(`\n${failures.length} invariant(s) broken:\n${failures.map((f) => `  - ${f}`).join('\n')}`);
  process.exitCode = 1;
}
