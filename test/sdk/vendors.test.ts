import { afterEach, describe, expect, it } from 'vitest';
import {
  binaryPayload,
  KEY_ERROR_ANSWERS,
  PAGE_ITEMS,
  sameBytes,
  startVendor,
  VENDORS,
  type Vendor,
  type VendorServer,
} from './vendors.js';

const KEY = 'key-good-0123456789abcdef';

function auth(vendor: Vendor, key = KEY): Record<string, string> {
  if (vendor === 'anthropic') return { 'x-api-key': key };
  if (vendor === 'supabase') return { apikey: key, authorization: `Bearer ${key}` };
  if (vendor === 'github') return { authorization: `token ${key}` };
  return { authorization: `Bearer ${key}` };
}

describe.each(VENDORS)('the %s test server', (vendor) => {
  let server: VendorServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  const start = async () => {
    server = await startVendor(vendor, { keys: { [KEY]: 'ok', 'key-expired-0123456789': 'expired' } });
    return server;
  };

  it('answers key errors in the vendor format: no key, unknown key, expired key', async () => {
    const s = await start();
    const answers = KEY_ERROR_ANSWERS[vendor];
    const none = await fetch(`${s.baseUrl}/items`);
    expect(none.status).toBe(answers.missing?.status);
    const missingBody = answers.missing?.body;
    expect(await none.json()).toEqual(typeof missingBody === 'string' ? JSON.parse(missingBody) : missingBody);
    const unknown = await fetch(`${s.baseUrl}/items`, { headers: auth(vendor, 'key-unknown-0123456789') });
    expect(unknown.status).toBe(answers.malformed?.status);
    const expired = await fetch(`${s.baseUrl}/items`, { headers: auth(vendor, 'key-expired-0123456789') });
    expect(expired.status).toBe((answers.expired ?? answers.malformed)?.status);
    expect(s.requests.map((r) => r.key)).toEqual([undefined, 'key-unknown-0123456789', 'key-expired-0123456789']);
  });

  it('streams: the first SSE event arrives before the stream is released', async () => {
    const s = await start();
    const response = await fetch(`${s.baseUrl}/sse`, { headers: auth(vendor) });
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const reader = response.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toBe('data: {"n":0}\n\n');
    expect(s.heldStreams).toBe(1);
    s.releaseStreams();
    expect(s.heldStreams).toBe(0);
    let rest = '';
    for (let i = 0; i < 20; i++) {
      const { done, value } = await reader.read();
      if (done) break;
      rest += new TextDecoder().decode(value);
    }
    expect(rest).toContain('data: {"n":3}');
    expect(rest.endsWith('data: [DONE]\n\n')).toBe(true);
  });

  it('sends binary bytes intact', async () => {
    const s = await start();
    const response = await fetch(`${s.baseUrl}/bytes`, { headers: auth(vendor) });
    expect(sameBytes(new Uint8Array(await response.arrayBuffer()), binaryPayload())).toBe(true);
    const corrupted = binaryPayload();
    corrupted[1000] = (corrupted[1000] ?? 0) ^ 1;
    expect(sameBytes(corrupted, binaryPayload())).toBe(false);
    expect(sameBytes(binaryPayload(100), binaryPayload())).toBe(false);
  });

  it('echoes a FormData upload as field names and sizes', async () => {
    const s = await start();
    const form = new FormData();
    form.append('purpose', 'assistants');
    form.append('file', new Blob([new Uint8Array(1000)]), 'data.bin');
    const response = await fetch(`${s.baseUrl}/upload`, { method: 'POST', headers: auth(vendor), body: form });
    expect(await response.json()).toEqual({
      fields: [
        { name: 'purpose', size: 10 },
        { name: 'file', size: 1000, filename: 'data.bin' },
      ],
    });
  });

  it('paginates with a GitHub-style Link header', async () => {
    const s = await start();
    const items: unknown[] = [];
    let next: string | undefined = `${s.baseUrl}/items?per_page=2`;
    for (let page = 0; next && page < 10; page++) {
      const response: Response = await fetch(next, { headers: auth(vendor) });
      items.push(...((await response.json()) as unknown[]));
      next = /<([^>]+)>; rel="next"/.exec(response.headers.get('link') ?? '')?.[1];
    }
    expect(items).toEqual(PAGE_ITEMS);
  });

  it('answers every request with the override while it is set', async () => {
    const s = await start();
    s.override = { status: 418, headers: { 'x-test': 'yes' }, body: { teapot: true } };
    const response = await fetch(`${s.baseUrl}/anything`, { headers: auth(vendor) });
    expect(response.status).toBe(418);
    expect(response.headers.get('x-test')).toBe('yes');
    expect(await response.json()).toEqual({ teapot: true });
  });
});
