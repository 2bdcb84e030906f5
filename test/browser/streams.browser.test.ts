// Runs inside Chromium: client.sse over a real event stream, a blob download, and keyguardFetch's key flow.
import { describe, expect, inject, test } from 'vitest';
import { z } from 'zod/mini';
import { createClient, type InvalidApiKeyError, keyguardFetch } from '../../src/index.js';

const sim = inject('sim');
const streams = inject('streams');

const serverStreams = async (): Promise<{ opened: number; closedEarly: number }> =>
  (await fetch(`${streams.url}/streams`, { cache: 'no-store' })).json();

describe('streams in a real browser', () => {
  test('client.sse: every event arrives, parsed, in order, with its id', async () => {
    const client = createClient({ baseUrl: streams.url, apiKey: sim.goodKey });
    const seen: Array<{ event: string; n: number; id?: string }> = [];
    for await (const event of client.sse('/events', { query: { count: 4 }, schema: z.object({ n: z.number() }) })) {
      seen.push({ event: event.event, n: event.data.n, ...(event.id === undefined ? {} : { id: event.id }) });
    }
    expect(seen).toEqual([0, 1, 2, 3].map((n) => ({ event: 'tick', n, id: String(n) })));
  });

  test('client.sse: the first event arrives while the server is still sending', async () => {
    const client = createClient({ baseUrl: streams.url, apiKey: sim.goodKey });
    const start = performance.now();
    const arrivals: number[] = [];
    for await (const _event of client.sse('/events', { query: { count: 5 } })) arrivals.push(performance.now() - start);
    expect(arrivals).toHaveLength(5);
    // The server sends one event every 25 ms: a buffered body would deliver all five at once.
    expect((arrivals[4] ?? 0) - (arrivals[0] ?? 0)).toBeGreaterThanOrEqual(60);
  });

  test('client.sse: breaking out of the loop closes the connection', async () => {
    const before = await serverStreams();
    const client = createClient({ baseUrl: streams.url, apiKey: sim.goodKey });
    let received = 0;
    for await (const _event of client.sse('/events', { query: { count: 200 } })) {
      received += 1;
      if (received === 2) break;
    }
    expect(received).toBe(2);
    // 200 events would take 5 s; the server sees the close long before that.
    let now = await serverStreams();
    for (let i = 0; i < 40 && now.closedEarly === before.closedEarly; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      now = await serverStreams();
    }
    expect(now.opened).toBe(before.opened + 1);
    expect(now.closedEarly).toBe(before.closedEarly + 1);
  });

  test('client.sse: an expired key refreshes once and the stream is replayed', async () => {
    const calls: InvalidApiKeyError[] = [];
    const client = createClient({
      baseUrl: streams.url,
      apiKey: sim.expiredKey,
      onKeyInvalid: (error) => {
        calls.push(error);
        return sim.freshKey;
      },
    });
    const data: string[] = [];
    for await (const event of client.sse('/events', { query: { count: 3 } })) data.push(event.data);
    expect(data).toEqual(['{"n":0}', '{"n":1}', '{"n":2}']);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.reason).toBe('expired');
  });

  test("responseType 'blob': every byte intact, with its type", async () => {
    const client = createClient({ baseUrl: streams.url, apiKey: sim.goodKey });
    const blob = await client.get('/bytes', { responseType: 'blob' });
    expect(blob).toBeInstanceOf(Blob);
    expect(blob.type).toBe('application/octet-stream');
    const bytes = new Uint8Array(await blob.arrayBuffer());
    expect(bytes).toHaveLength(4096);
    expect(bytes.every((b, i) => b === i % 256)).toBe(true);
  });
});

describe('keyguardFetch in a real browser', () => {
  test('a key error refreshes once for concurrent calls and each call is replayed with the new key', async () => {
    let calls = 0;
    const guarded = keyguardFetch({
      apiKey: sim.expiredKey,
      baseUrl: sim.url,
      onKeyInvalid: async () => {
        calls += 1;
        return sim.freshKey;
      },
    });
    const responses = await Promise.all(
      Array.from({ length: 5 }, () => guarded(`${sim.url}/me`, { headers: { authorization: 'Bearer set-by-keyguard' } })),
    );
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    const labels = await Promise.all(responses.map(async (r) => ((await r.json()) as { label: string }).label));
    expect(labels).toEqual(Array(5).fill('fresh'));
    expect(calls).toBe(1);
  });

  test('with no new key, the caller gets the 401 as the server sent it, and the key stays out of it', async () => {
    const guarded = keyguardFetch({ apiKey: sim.revokedKey, baseUrl: sim.url });
    const response = await guarded(`${sim.url}/me`);
    expect(response.status).toBe(401);
    const text = await response.text();
    expect(text).toMatch(/revoked/i);
    expect(text).not.toContain(sim.revokedKey);
  });

  test('a 2xx stream passes through unread: a blob download via keyguardFetch', async () => {
    const guarded = keyguardFetch({ apiKey: sim.goodKey, baseUrl: streams.url });
    const response = await guarded(`${streams.url}/bytes`);
    expect(response.status).toBe(200);
    const bytes = new Uint8Array(await (await response.blob()).arrayBuffer());
    expect(bytes).toHaveLength(4096);
    expect(bytes.every((b, i) => b === i % 256)).toBe(true);
  });
});
