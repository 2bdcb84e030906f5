// Runs inside Chromium: real fetch, real CORS, real AbortController, against the Node-side simulators.
import { describe, expect, inject, test } from 'vitest';
import { z } from 'zod/mini';
import { createClient, type InvalidApiKeyError, isInvalidApiKeyError } from '../../src/index.js';

const sim = inject('sim');
const slowSim = inject('slowSim');
const Me = z.object({ keyId: z.string(), label: z.nullable(z.string()), expiresAt: z.number() });

describe('in a real browser', () => {
  test('runs in Chromium, not Node', () => {
    expect(navigator.userAgent).toMatch(/Chrome\//);
    expect(typeof (globalThis as { process?: unknown }).process).toBe('undefined');
  });

  test('a good call resolves to the parsed, validated body', async () => {
    const client = createClient({ baseUrl: sim.url, apiKey: sim.goodKey });
    const me = await client.get('/me', { schema: Me });
    expect(me.label).toBe('good');
  });

  test('an expired key: onKeyInvalid returns a new key once and the request replays', async () => {
    const calls: InvalidApiKeyError[] = [];
    const client = createClient({
      baseUrl: sim.url,
      apiKey: sim.expiredKey,
      onKeyInvalid: (error) => {
        calls.push(error);
        return sim.freshKey;
      },
    });
    const me = await client.get('/me', { schema: Me });
    expect(me.label).toBe('fresh');
    expect(calls).toHaveLength(1);
    expect(calls[0]?.reason).toBe('expired');
    expect(calls[0]?.status).toBe(401);
    // x-request-id is readable only because the simulator exposes it through CORS.
    expect(calls[0]?.requestId).toMatch(/^req_[0-9a-f]{16}$/);
  });

  test('concurrent requests that fail with the same key share one onKeyInvalid call', async () => {
    let calls = 0;
    const client = createClient({
      baseUrl: sim.url,
      apiKey: sim.expiredKey,
      onKeyInvalid: async () => {
        calls += 1;
        return sim.freshKey;
      },
    });
    const results = await Promise.all(Array.from({ length: 5 }, () => client.get('/me', { schema: Me })));
    expect(results.map((me) => me.label)).toEqual(Array(5).fill('fresh'));
    expect(calls).toBe(1);
  });

  test('a revoked key with no replacement rejects with a typed InvalidApiKeyError', async () => {
    const client = createClient({ baseUrl: sim.url, apiKey: sim.revokedKey });
    const error = await client.get('/me').catch((e: unknown) => e);
    expect(isInvalidApiKeyError(error)).toBe(true);
    expect((error as InvalidApiKeyError).reason).toBe('revoked');
    expect(JSON.stringify(error)).not.toContain(sim.revokedKey);
  });

  test('aborting a request in flight rejects promptly with the AbortError', async () => {
    const client = createClient({ baseUrl: slowSim.url, apiKey: slowSim.key });
    const controller = new AbortController();
    const started = performance.now();
    const pending = client.get('/me', { signal: controller.signal }).catch((e: unknown) => e);
    setTimeout(() => controller.abort(), 100);
    const error = await pending;
    expect(error).toBeInstanceOf(DOMException);
    expect((error as DOMException).name).toBe('AbortError');
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  test('aborting while waiting for onKeyInvalid rejects with the AbortError', async () => {
    const client = createClient({ baseUrl: sim.url, apiKey: sim.expiredKey, onKeyInvalid: () => new Promise<never>(() => {}) });
    const controller = new AbortController();
    const pending = client.get('/me', { signal: controller.signal }).catch((e: unknown) => e);
    setTimeout(() => controller.abort(), 200);
    const error = await pending;
    expect((error as DOMException).name).toBe('AbortError');
  });
});
