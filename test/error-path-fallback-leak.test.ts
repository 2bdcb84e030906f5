// The error path's chunk cannot be loaded: nothing keyguard hands out may carry the key.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, it, vi } from 'vitest';
import { local } from './helpers/local-server.js';
import { renderings } from './helpers/renderings.js';

const KEY = 'sk_live_fallback_review_00000000000000abcd';
const NEW = 'sk_live_fallback_review_new_0000000000wxyz';
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  vi.doUnmock('../src/core/error-path.js');
});

async function brokenKeyguard() {
  vi.resetModules();
  vi.doMock('../src/core/error-path.js', () => {
    throw new Error('gone');
  });
  return import('../src/index.js');
}

function expectNoKey(value: unknown) {
  for (const rendering of renderings(value)) {
    for (const piece of [KEY, KEY.slice(0, 20), KEY.slice(-12), NEW, NEW.slice(-12)]) expect(rendering).not.toContain(piece);
  }
}

function leaky(message: string) {
  return Object.assign(new Error(`${message} ${KEY}`), { key: KEY, headers: new Headers({ authorization: `Bearer ${KEY}` }) });
}

it('fallback: hook and connection failures, and keyguardFetch answers, never carry the key', async () => {
  const kg = await brokenKeyguard();
  const server = await local((req, res) => {
    res.writeHead(401, { 'content-type': 'application/json', 'x-echo': KEY, 'x-api-key': KEY });
    res.end(JSON.stringify({ error: { message: `bad key ${KEY}` }, url: req.url }));
  });
  closers.push(server.close);
  // onKeyInvalid throws an error full of the key.
  const c1 = kg.createClient({
    baseUrl: server.url,
    apiKey: KEY,
    onKeyInvalid: () => {
      throw leaky('vault down');
    },
  });
  const e1 = await c1.get('/x').catch((t: unknown) => t);
  expect(kg.isInvalidApiKeyError(e1)).toBe(true);
  expect((e1 as { hint: string }).hint).toMatch(/could not load/);
  expectNoKey(e1);
  // The fetch fails with an error carrying the key.
  const c2 = kg.createClient({
    baseUrl: server.url,
    apiKey: KEY,
    retry: { limit: 0 },
    fetch: async () => {
      throw leaky('socket hang up');
    },
  } as never);
  const e2 = await c2.get('/x').catch((t: unknown) => t);
  expect(kg.isKeyguardError(e2)).toBe(true);
  expectNoKey(e2);
  // keyguardFetch: the SDK gets the answer to a rejected key.
  const f = kg.keyguardFetch({ apiKey: KEY, baseUrl: server.url, onKeyInvalid: () => NEW });
  const answer = await f(`${server.url}/v1/models?api_key=${KEY}`);
  const text = await answer.text();
  const shown = [text, JSON.stringify([...answer.headers]), answer.url, answer.statusText];
  for (const s of shown) for (const piece of [KEY, NEW]) expect(s).not.toContain(piece);
  // keyguardFetch: the inner fetch fails with the key in its error.
  const g = kg.keyguardFetch({
    apiKey: KEY,
    baseUrl: server.url,
    fetch: async () => {
      throw leaky('ECONNRESET');
    },
  });
  const e3 = await g(`${server.url}/v1/x`).catch((t: unknown) => t);
  expectNoKey(e3);
});

it('fallback: a stream cut mid-way fails with a key-free error', async () => {
  const kg = await brokenKeyguard();
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('data: one\n\n');
    setTimeout(() => res.socket?.destroy(), 30);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = kg.createClient({ baseUrl: url, apiKey: KEY });
  const events: string[] = [];
  const error = await (async () => {
    for await (const event of client.sse('/events')) events.push(event.data);
  })().catch((t: unknown) => t);
  expect(events).toEqual(['one']);
  expect(kg.isKeyguardError(error)).toBe(true);
  expectNoKey(error);
});
