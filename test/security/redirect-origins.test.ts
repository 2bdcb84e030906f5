// A hostile or misconfigured server answers with redirects: the key must never reach another origin,
// whatever the placement, the status, the form of the Location, or the length of the chain.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, type AuthPlacement, createClient } from '../../src/index.js';
import { renderings } from '../helpers/renderings.js';

const KEY = 'sk_test_redirect_0123456789abcdef';

interface Seen {
  url: string;
  headers: IncomingMessage['headers'];
}

const servers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((close) => close()));
});

async function serve(handle: (req: IncomingMessage, res: ServerResponse, origin: string) => void) {
  const seen: Seen[] = [];
  let origin = '';
  const server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    handle(req, res, origin);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  servers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { origin, seen };
}

const placements: Array<[string, AuthPlacement]> = [
  ['bearer', { type: 'bearer' }],
  ['a named header', { type: 'header', name: 'x-api-key' }],
  ['a query parameter', { type: 'query', name: 'api_key' }],
];

function carriesKey(seen: Seen[]): boolean {
  return seen.some((s) => decodeURIComponent(s.url).includes(KEY) || JSON.stringify(s.headers).includes(KEY));
}

describe('redirects never carry the key to another origin', () => {
  for (const [name, auth] of placements) {
    for (const status of [301, 302, 303, 307, 308]) {
      it(`with the key in ${name}, a ${status} to another origin (nginx's $request_uri form) is refused`, async () => {
        const other = await serve((_req, res) => res.end('{"stolen":true}'));
        // Location repeats the path and query, as `return 301 https://new$request_uri` does.
        const api = await serve((req, res) => {
          res.writeHead(status, { location: `${other.origin}${req.url}` });
          res.end();
        });
        const client = createClient({ baseUrl: `${api.origin}/v1`, apiKey: KEY, auth });
        const error = await client.get('/things', { query: { page: 2 } }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ApiError);
        expect((error as ApiError).status).toBe(status);
        expect((error as ApiError).message).toContain(`redirected to ${other.origin}, another origin`);
        expect(other.seen).toEqual([]);
        expect(carriesKey(api.seen)).toBe(true);
        for (const text of renderings(error)) expect(text).not.toContain(KEY);
      });
    }
  }

  it('refuses a protocol-relative Location to another host', async () => {
    const other = await serve((_req, res) => res.end('{}'));
    const api = await serve((req, res) => {
      res.writeHead(302, { location: `//${other.origin.slice('http://'.length)}${req.url}` });
      res.end();
    });
    const client = createClient({ baseUrl: api.origin, apiKey: KEY, auth: { type: 'query', name: 'api_key' } });
    await expect(client.get('/x')).rejects.toBeInstanceOf(ApiError);
    expect(other.seen).toEqual([]);
  });

  it('refuses a chain that leaves the origin after same-origin hops (A → A → B)', async () => {
    const other = await serve((_req, res) => res.end('{}'));
    const api = await serve((req, res) => {
      const location = req.url?.startsWith('/hop1')
        ? `/hop2${req.url.slice(5)}`
        : req.url?.startsWith('/hop2')
          ? `${other.origin}${req.url}`
          : '/hop1';
      res.writeHead(307, { location });
      res.end();
    });
    for (const [, auth] of placements) {
      const client = createClient({ baseUrl: api.origin, apiKey: KEY, auth });
      await expect(client.get('/start')).rejects.toBeInstanceOf(ApiError);
    }
    expect(other.seen).toEqual([]);
  });

  it('refuses a redirect to another port or scheme of the same host', async () => {
    const other = await serve((_req, res) => res.end('{}'));
    const api = await serve((_req, res) => {
      res.writeHead(301, { location: `${other.origin}/same-host-other-port` });
      res.end();
    });
    const client = createClient({ baseUrl: api.origin, apiKey: KEY });
    await expect(client.get('/x')).rejects.toThrow(/another origin/);
    const ftp = await serve((_req, res) => {
      res.writeHead(301, { location: 'ftp://127.0.0.1/file' });
      res.end();
    });
    await expect(createClient({ baseUrl: ftp.origin, apiKey: KEY }).get('/x')).rejects.toThrow(/ftp:, another origin/);
    expect(other.seen).toEqual([]);
  });
});

describe('same-origin redirects', () => {
  for (const [name, auth] of placements) {
    it(`are followed with the key in ${name}, placed once, never stale`, async () => {
      const api = await serve((req, res) => {
        if (req.url?.startsWith('/old')) {
          // The Location repeats the query, key included: the followed request must carry one fresh key.
          res.writeHead(301, { location: `/new${req.url.slice(4)}` });
          res.end();
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ url: req.url }));
      });
      const client = createClient({ baseUrl: api.origin, apiKey: KEY, auth });
      const body = (await client.get('/old/thing', { query: { a: 1 } })) as { url: string };
      expect(body.url.startsWith('/new/thing?a=1')).toBe(true);
      const last = api.seen.at(-1) as Seen;
      if (auth.type === 'query') expect(new URL(last.url, api.origin).searchParams.getAll('api_key')).toEqual([KEY]);
      if (auth.type === 'bearer') expect(last.headers.authorization).toBe(`Bearer ${KEY}`);
      if (auth.type === 'header') expect(last.headers['x-api-key']).toBe(KEY);
    });
  }

  it('turn a POST into a GET without its body on 303, and keep the method and body on 307', async () => {
    const bodies: Array<{ method: string; body: string }> = [];
    const api = await serve((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      req.on('end', () => {
        bodies.push({ method: req.method ?? '', body });
        if (req.url === '/see-other' || req.url === '/temporary') {
          res.writeHead(req.url === '/see-other' ? 303 : 307, { location: '/done' });
          res.end();
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"ok":true}');
      });
    });
    const client = createClient({ baseUrl: api.origin, apiKey: KEY });
    await client.post('/see-other', { body: { a: 1 } });
    expect(bodies.slice(0, 2)).toEqual([
      { method: 'POST', body: '{"a":1}' },
      { method: 'GET', body: '' },
    ]);
    await client.post('/temporary', { body: { b: 2 } });
    expect(bodies.slice(2)).toEqual([
      { method: 'POST', body: '{"b":2}' },
      { method: 'POST', body: '{"b":2}' },
    ]);
  });

  it('stop after 5 hops with an ApiError', async () => {
    const api = await serve((_req, res) => {
      res.writeHead(302, { location: '/loop' });
      res.end();
    });
    const client = createClient({ baseUrl: api.origin, apiKey: KEY, retry: 0 });
    await expect(client.get('/loop')).rejects.toThrow(/redirected more than 5 times/);
    expect(api.seen).toHaveLength(6);
  });

  it('for a request without the key (auth: false), are left to fetch', async () => {
    const other = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"public":true}');
    });
    const api = await serve((_req, res) => {
      res.writeHead(302, { location: `${other.origin}/public` });
      res.end();
    });
    const client = createClient({ baseUrl: api.origin, apiKey: KEY });
    await expect(client.get('/public', { auth: false })).resolves.toEqual({ public: true });
    expect(carriesKey(other.seen)).toBe(false);
  });
});
