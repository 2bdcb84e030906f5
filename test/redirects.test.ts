// Over real HTTP (no msw here: msw would intercept these servers): what fetch does on its own with
// redirects and bodies, and what keyguard makes of it.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ApiError, createClient, InvalidApiKeyError } from '../src/index.js';

const KEY = 'sk_test_abcdefghijklmnop1234';

describe('over real HTTP: redirects and unreadable bodies', () => {
  /** A node:http server on 127.0.0.1 that records what reached it; every server is its own origin. */
  async function serve(handle: (req: IncomingMessage, res: ServerResponse) => void) {
    const seen: IncomingMessage['headers'][] = [];
    const server = createServer((req, res) => {
      seen.push(req.headers);
      handle(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return { url, seen, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
  }

  it('a key in a named header is never carried to another origin: the redirect is an ApiError, not followed', async () => {
    const other = await serve((_req, res) => res.end('{}'));
    const api = await serve((_req, res) => {
      res.writeHead(307, { location: `${other.url}/steal` });
      res.end();
    });
    try {
      const client = createClient({ baseUrl: `${api.url}/v1`, apiKey: KEY, auth: { type: 'header', name: 'x-api-key' } });
      const error = await client.get('/things').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ApiError);
      expect((error as ApiError).status).toBe(307);
      expect((error as ApiError).message).toContain(`redirected to ${other.url}`);
      expect(String(error)).not.toContain(KEY);
      expect(api.seen[0]?.['x-api-key']).toBe(KEY);
      expect(other.seen).toEqual([]);
    } finally {
      await Promise.all([api.close(), other.close()]);
    }
  });

  it('a bearer key still follows a same-origin redirect (fetch drops Authorization only across origins)', async () => {
    const api = await serve((req, res) => {
      if (req.url === '/v1/old') {
        res.writeHead(308, { location: '/v1/new' });
        res.end();
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ path: req.url, auth: req.headers.authorization }));
      }
    });
    try {
      const client = createClient({ baseUrl: `${api.url}/v1`, apiKey: KEY });
      expect(await client.get('/old')).toEqual({ path: '/v1/new', auth: `Bearer ${KEY}` });
    } finally {
      await api.close();
    }
  });

  it('a 401 whose body cannot be decoded is still a key error, not a retried connection failure', async () => {
    const api = await serve((_req, res) => {
      res.writeHead(401, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end('this is not gzip');
    });
    try {
      const client = createClient({ baseUrl: `${api.url}/v1`, apiKey: KEY });
      const error = await client.get('/things').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidApiKeyError);
      expect((error as InvalidApiKeyError).status).toBe(401);
      expect((error as InvalidApiKeyError).attempts).toBe(1);
      expect(api.seen).toHaveLength(1);
    } finally {
      await api.close();
    }
  });
});
