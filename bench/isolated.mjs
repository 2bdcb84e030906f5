// One contender of bench/run.ts's "each client in its own process" section, in a fresh `node`
// (plain JavaScript, no loader, so nothing but the contender runs in this process): it warms up,
// times `calls` sequential calls against the bench server, and prints its CPU and wall time per call.
//
//   node bench/isolated.mjs <contender> <baseUrl> <calls>
import ky, { HTTPError } from 'ky';
import { createClient, keyguardFetch } from '../dist/index.js';

const [name, base, calls] = process.argv.slice(2);
const KEY = 'sk_live_bench_0123456789abcdef';
const STALE = 'sk_live_stale_0123456789abcdef';
const n = Number(calls);

const api = ky.create({ prefixUrl: base, headers: { authorization: `Bearer ${KEY}` } });
const staleKy = ky.create({ prefixUrl: base, headers: { authorization: `Bearer ${STALE}` }, retry: 0 });
const client = createClient({ baseUrl: base, apiKey: KEY });
const staleClient = createClient({ baseUrl: base, apiKey: STALE });
const guarded = keyguardFetch({ apiKey: KEY, fetch: globalThis.fetch });
const headers = { authorization: `Bearer ${KEY}`, accept: 'application/json' };

/** Each contender does the same work as its counterpart: the body read and parsed, errors caught. */
const contenders = {
  fetch: async () => JSON.parse(await (await fetch(`${base}/items/1`, { headers })).text()),
  keyguardFetch: async () => JSON.parse(await (await guarded(`${base}/items/1`, { headers: { accept: 'application/json' } })).text()),
  ky: () => api.get('items/1').json(),
  keyguard: () => client.get('/items/1'),
  kyError: () =>
    staleKy
      .get('items/1')
      .json()
      .catch(async (error) => {
        if (error instanceof HTTPError) error.body = await error.response.json();
        return error;
      }),
  keyguardError: () => staleClient.get('/items/1').catch((error) => error),
};

const call = contenders[name];
if (!call || !(n > 0)) {
  console.error(`usage: node bench/isolated.mjs <${Object.keys(contenders).join('|')}> <baseUrl> <calls>`);
  process.exit(2);
}
for (let i = 0; i < Math.min(1000, n); i++) await call();
const cpu = process.cpuUsage();
const start = performance.now();
for (let i = 0; i < n; i++) await call();
const used = process.cpuUsage(cpu);
process.stdout.write(JSON.stringify({ cpuUs: (used.user + used.system) / n, wallUs: ((performance.now() - start) * 1000) / n }));
