// `npm run bench`: what the client adds per request, measured without a network: the custom
// `fetch` answers from memory, so the numbers are keyguard's own pipeline (key, lint, ky,
// classify, parse, p-retry) and nothing else.
import { bench, describe } from 'vitest';
import { z } from 'zod';
import { createClient } from '../src/index.js';

const BASE = 'http://127.0.0.1:9/v1'; // never contacted: every fetch below answers from memory
const KEY = 'sk_live_bench_0123456789abcdef';
const NEW = 'sk_live_bench_fedcba9876543210';
const body = JSON.stringify({ id: 'item_1', name: 'Widget', price: 5, createdAt: '2026-11-28T00:00:00Z' });
const Item = z.object({ id: z.string(), name: z.string(), price: z.number(), createdAt: z.string() });

const ok: typeof fetch = async () => new Response(body, { headers: { 'content-type': 'application/json' } });
const client = createClient({ baseUrl: BASE, apiKey: KEY, fetch: ok });

/** Accepts only `NEW`: the first wave of a burst is rejected, so the burst measures one refresh + replay. */
const keyed: typeof fetch = async (input) => {
  const auth = (input as Request).headers.get('authorization');
  return auth === `Bearer ${NEW}`
    ? new Response(body, { headers: { 'content-type': 'application/json' } })
    : Response.json({ error: { code: 'api_key_expired', message: 'The API key has expired.' } }, { status: 401 });
};

describe('one request (in-memory fetch)', () => {
  bench('baseline: fetch + JSON.parse, no keyguard', async () => {
    const response = await ok(`${BASE}/items/1`, { headers: { authorization: `Bearer ${KEY}` } });
    JSON.parse(await response.text());
  });
  bench('client.get', async () => {
    await client.get('/items/1');
  });
  bench('client.get with a zod schema', async () => {
    await client.get('/items/1', { schema: Item });
  });
});

describe('a burst of 100 concurrent requests with an expired key', () => {
  bench(
    '100 requests, 1 refresh, 100 replays',
    async () => {
      let refreshes = 0;
      const burst = createClient({
        baseUrl: BASE,
        apiKey: KEY,
        fetch: keyed,
        onKeyInvalid: () => {
          refreshes += 1;
          return NEW;
        },
      });
      await Promise.all(Array.from({ length: 100 }, () => burst.get('/items/1')));
      if (refreshes !== 1) throw new Error(`expected 1 refresh, got ${refreshes}`);
    },
    { iterations: 50 },
  );
});
