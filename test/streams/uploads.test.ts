import { afterEach, describe, expect, it, vi } from 'vitest';
import { createClient, InvalidApiKeyError } from '../../src/index.js';
import { startApi, type TestApi } from './server.js';

const KEY = 'sk_test_upload_key_0123456789ab';
const NEW = 'sk_test_upload_new_0123456789ab';

let api: TestApi;
afterEach(async () => {
  await api?.close();
});

function bodies(): Array<[string, () => BodyInit, (text: string) => void]> {
  return [
    [
      'FormData',
      () => {
        const form = new FormData();
        form.append('file', new Blob(['file bytes']), 'a.txt');
        form.append('purpose', 'fine-tune');
        return form;
      },
      (text) => expect(text).toMatch(/file bytes[\s\S]*fine-tune/),
    ],
    ['Blob', () => new Blob(['blob bytes']), (text) => expect(text).toBe('blob bytes')],
    ['URLSearchParams', () => new URLSearchParams({ a: '1', b: 'two' }), (text) => expect(text).toBe('a=1&b=two')],
    ['bytes', () => new Uint8Array([104, 105]), (text) => expect(text).toBe('hi')],
  ];
}

const ok = (_req: unknown, res: import('node:http').ServerResponse) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end('{"ok":true}');
};

describe('uploads', () => {
  for (const [name, make, check] of bodies()) {
    it(`a ${name} body is replayed after a key refresh, with the same bytes`, async () => {
      api = await startApi(new Set([NEW]), { '/files': ok });
      const client = createClient({ baseUrl: api.url, apiKey: KEY, onKeyInvalid: () => NEW });
      await expect(client.post('/files', { body: make() })).resolves.toEqual({ ok: true });
      expect(api.seen.map((s) => s.key)).toEqual([KEY, NEW]);
      for (const seen of api.seen) check(seen.body);
    });

    it(`a ${name} body is retried on a transient failure when the request is idempotent`, async () => {
      let calls = 0;
      api = await startApi(new Set([KEY]), {
        '/files': (req, res) => {
          calls += 1;
          if (calls === 1) {
            res.writeHead(503, { 'content-type': 'application/json', 'retry-after-ms': '1' });
            res.end('{"error":"busy"}');
            return;
          }
          ok(req, res);
        },
      });
      const client = createClient({ baseUrl: api.url, apiKey: KEY });
      await expect(client.put('/files', { body: make() })).resolves.toEqual({ ok: true });
      expect(api.seen).toHaveLength(2);
      for (const seen of api.seen) check(seen.body);
    });
  }

  it('a stream body is sent once and never replayed, but the rejected key is still replaced', async () => {
    api = await startApi(new Set([NEW]), { '/files': ok });
    const onKeyInvalid = vi.fn(() => NEW);
    const client = createClient({ baseUrl: api.url, apiKey: KEY, onKeyInvalid });
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('streamed'));
        controller.close();
      },
    });
    await expect(client.post('/files', { body: stream, headers: { 'content-type': 'text/plain' } })).rejects.toBeInstanceOf(
      InvalidApiKeyError,
    );
    expect(api.seen.map((s) => [s.key, s.body])).toEqual([[KEY, 'streamed']]);
    expect(onKeyInvalid).toHaveBeenCalledTimes(1);
    await expect(client.post('/files', { body: { again: true } })).resolves.toEqual({ ok: true });
    expect(api.seen.at(-1)?.key).toBe(NEW);
  });
});
