// The real SDKs through keyguardFetch, each against a server speaking its vendor's wire format.
import { inspect } from 'node:util';
import Anthropic from '@anthropic-ai/sdk';
import { Octokit } from '@octokit/core';
import { RequestError } from '@octokit/request-error';
import { Octokit as RestOctokit } from '@octokit/rest';
import { createClient } from '@supabase/supabase-js';
import axios, { AxiosError } from 'axios';
import ky, { HTTPError } from 'ky';
import { FetchError, ofetch } from 'ofetch';
import OpenAI, { toFile } from 'openai';
import Stripe from 'stripe';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type AuthPlacement, type InvalidApiKeyError, keyErrorOf, keyguardFetch } from '../../src/index.js';
import { binaryPayload, PAGE_ITEMS, sameBytes, startVendor, type Vendor, type VendorServer } from './vendors.js';

const DUMMY = 'set-by-keyguard';
const OLD = 'sk-old-key-0123456789abcdef';
const NEW = 'sk-new-key-fedcba9876543210';

class NoWebSocket {}

/** One SDK, wired to a keyguardFetch: `call` makes one API call and resolves with something the server sent. */
interface Sdk {
  name: string;
  vendor: Vendor;
  auth: AuthPlacement | AuthPlacement[];
  call(server: VendorServer, fetch: typeof globalThis.fetch): Promise<unknown>;
  /** The error class the SDK throws for a rejected key (supabase-js returns the error instead). */
  errorClass: abstract new (
    ...args: never[]
  ) => unknown;
}

const bearer: AuthPlacement = { type: 'bearer' };
const SDKS: Sdk[] = [
  {
    name: 'openai',
    vendor: 'openai',
    auth: bearer,
    call: (s, fetch) =>
      new OpenAI({ apiKey: DUMMY, baseURL: s.baseUrl, fetch, maxRetries: 0 }).models.list().then((page) => page.data[0]?.id),
    errorClass: OpenAI.AuthenticationError,
  },
  {
    name: '@anthropic-ai/sdk',
    vendor: 'anthropic',
    auth: { type: 'header', name: 'x-api-key' },
    call: (s, fetch) =>
      new Anthropic({ apiKey: DUMMY, baseURL: s.baseUrl, fetch, maxRetries: 0 }).messages
        .create({ model: 'claude-test', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] })
        .then((m) => m.id),
    errorClass: Anthropic.AuthenticationError,
  },
  {
    name: 'stripe',
    vendor: 'stripe',
    auth: bearer,
    call: (s, fetch) =>
      new Stripe(DUMMY, {
        host: '127.0.0.1',
        port: s.port,
        protocol: 'http',
        httpClient: Stripe.createFetchHttpClient(fetch),
        maxNetworkRetries: 0,
      }).customers
        .create({ email: 'a@example.com' })
        .then((c) => c.id),
    errorClass: Stripe.errors.StripeAuthenticationError,
  },
  {
    name: '@octokit/core',
    vendor: 'github',
    auth: bearer,
    call: (s, fetch) => new Octokit({ auth: DUMMY, baseUrl: s.origin, request: { fetch } }).request('GET /user').then((r) => r.data.login),
    errorClass: RequestError,
  },
  {
    name: 'ky',
    vendor: 'openai',
    auth: bearer,
    call: (s, fetch) =>
      ky
        .post(`${s.baseUrl}/chat/completions`, { json: { model: 'm' }, fetch, retry: 0, headers: { authorization: `Bearer ${DUMMY}` } })
        .json<{ id: string }>()
        .then((r) => r.id),
    errorClass: HTTPError,
  },
  {
    name: 'ofetch',
    vendor: 'openai',
    auth: bearer,
    call: (s, fetch) =>
      ofetch
        .create({ retry: 0, headers: { authorization: `Bearer ${DUMMY}` } }, { fetch })<{ id: string }>(`${s.baseUrl}/chat/completions`, {
          method: 'POST',
          body: { model: 'm' },
        })
        .then((r) => r.id),
    errorClass: FetchError,
  },
  {
    name: 'axios (fetch adapter)',
    vendor: 'openai',
    auth: bearer,
    call: (s, fetch) =>
      axios
        .create({ adapter: 'fetch', env: { fetch } })
        .post(`${s.baseUrl}/chat/completions`, { model: 'm' }, { headers: { authorization: `Bearer ${DUMMY}` } })
        .then((r) => (r.data as { id: string }).id),
    errorClass: AxiosError,
  },
];

let server: VendorServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function serverKeys(s: VendorServer): Set<string | undefined> {
  return new Set(s.requests.map((r) => r.key));
}

function renderings(value: unknown): string {
  return [String(value), JSON.stringify(value), inspect(value, { depth: 8, showHidden: true })].join('\n');
}

describe.each(SDKS)('$name through keyguardFetch', (sdk) => {
  it('20 concurrent calls with a rejected key: one hook call, 20 of 20 succeed, the dummy key never reaches the server', async () => {
    server = await startVendor(sdk.vendor, { keys: { [OLD]: 'expired', [NEW]: 'ok' } });
    const onKeyInvalid = vi.fn(async (_error: InvalidApiKeyError) => NEW);
    const fetch = keyguardFetch({ apiKey: OLD, onKeyInvalid, auth: sdk.auth });
    const s = server;
    const results = await Promise.all(Array.from({ length: 20 }, () => sdk.call(s, fetch)));
    expect(results.every((r) => typeof r === 'string' && r.length > 0)).toBe(true);
    expect(onKeyInvalid).toHaveBeenCalledTimes(1);
    expect(serverKeys(s)).toEqual(new Set([OLD, NEW]));
    expect(JSON.stringify(s.requests.map((r) => r.headers))).not.toContain(DUMMY);
  });

  it('hook declines: the SDK throws its own error, keyErrorOf gives the error the hook saw, no key in any rendering', async () => {
    server = await startVendor(sdk.vendor, { keys: { [NEW]: 'ok' } });
    const seen: InvalidApiKeyError[] = [];
    const fetch = keyguardFetch({ apiKey: OLD, auth: sdk.auth, onKeyInvalid: (error) => void seen.push(error) });
    const s = server;
    const error = await sdk.call(s, fetch).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(sdk.errorClass);
    expect(seen).toHaveLength(1);
    const keyError = keyErrorOf(error);
    expect(keyError).toBe(seen[0]);
    expect(keyError?.reason).toBe('malformed');
    expect(keyError?.keyHint).toMatch(/…/);
    // One request: the SDK did not retry the key error.
    expect(s.requests).toHaveLength(1);
    for (const text of [renderings(error), renderings(keyError)]) expect(text).not.toContain(OLD);
  });

  it('a key caught before sending: the SDK throws its own error for the synthetic 401, and nothing is sent', async () => {
    server = await startVendor(sdk.vendor);
    const fetch = keyguardFetch({ apiKey: 'YOUR_API_KEY', auth: sdk.auth });
    const s = server;
    const error = await sdk.call(s, fetch).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(sdk.errorClass);
    expect(keyErrorOf(error)).toMatchObject({ reason: 'malformed', source: 'client' });
    expect(s.requests).toHaveLength(0);
  });
});

describe('@octokit/rest through keyguardFetch', () => {
  it('paginate gets every page: the Link header reaches octokit', async () => {
    server = await startVendor('github', { keys: { [OLD]: 'expired', [NEW]: 'ok' } });
    const fetch = keyguardFetch({ apiKey: OLD, onKeyInvalid: () => NEW });
    const octokit = new RestOctokit({ auth: DUMMY, baseUrl: server.origin, request: { fetch } });
    const issues = await octokit.paginate('GET /repos/{owner}/{repo}/issues', { owner: 'o', repo: 'r', per_page: 2 });
    expect(issues).toEqual(PAGE_ITEMS);
  });

  it('a tarball arrives as intact bytes', async () => {
    server = await startVendor('github', { keys: { [OLD]: 'ok' } });
    const octokit = new Octokit({ auth: DUMMY, baseUrl: server.origin, request: { fetch: keyguardFetch({ apiKey: OLD }) } });
    const { data } = await octokit.request('GET /repos/{owner}/{repo}/tarball/{ref}', { owner: 'o', repo: 'r', ref: 'main' });
    expect(sameBytes(new Uint8Array(data as ArrayBuffer), binaryPayload())).toBe(true);
  });
});

describe('openai through keyguardFetch: streams, bytes, uploads, abort', () => {
  const client = (s: VendorServer, fetch: typeof globalThis.fetch) =>
    new OpenAI({ apiKey: DUMMY, baseURL: s.baseUrl, fetch, maxRetries: 0 });

  it('an SSE stream’s first chunk arrives before the stream ends', async () => {
    server = await startVendor('openai', { keys: { [OLD]: 'ok' } });
    const s = server;
    const stream = await client(s, keyguardFetch({ apiKey: OLD })).chat.completions.create({
      model: 'gpt-test',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    const parts: string[] = [];
    let heldAtFirst = -1;
    for await (const chunk of stream) {
      parts.push(chunk.choices[0]?.delta.content ?? '');
      if (parts.length === 1) {
        heldAtFirst = s.heldStreams;
        s.releaseStreams();
      }
    }
    expect(heldAtFirst).toBe(1);
    expect(parts).toEqual(['part0 ', 'part1 ', 'part2 ', 'part3 ']);
  });

  it('a streamed call after a key refresh streams too', async () => {
    server = await startVendor('openai', { keys: { [OLD]: 'expired', [NEW]: 'ok' } });
    const s = server;
    const stream = await client(s, keyguardFetch({ apiKey: OLD, onKeyInvalid: () => NEW })).chat.completions.create({
      model: 'gpt-test',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    let heldAtFirst = -1;
    let count = 0;
    for await (const _chunk of stream) {
      count += 1;
      if (count === 1) {
        heldAtFirst = s.heldStreams;
        s.releaseStreams();
      }
    }
    expect(heldAtFirst).toBe(1);
    expect(count).toBe(4);
  });

  it('binary file content is intact', async () => {
    server = await startVendor('openai', { keys: { [OLD]: 'ok' } });
    const response = await client(server, keyguardFetch({ apiKey: OLD })).files.content('file-1');
    expect(sameBytes(new Uint8Array(await response.arrayBuffer()), binaryPayload())).toBe(true);
  });

  it('a FormData upload is replayed whole after a key refresh', async () => {
    server = await startVendor('openai', { keys: { [OLD]: 'expired', [NEW]: 'ok' } });
    const onKeyInvalid = vi.fn(() => NEW);
    const file = await client(server, keyguardFetch({ apiKey: OLD, onKeyInvalid })).files.create({
      file: await toFile(new Uint8Array(3000), 'data.jsonl'),
      purpose: 'assistants',
    });
    expect(onKeyInvalid).toHaveBeenCalledTimes(1);
    expect(server.requests.map((r) => r.key)).toEqual([OLD, NEW]);
    expect((file as unknown as { fields: unknown }).fields).toEqual(
      expect.arrayContaining([
        { name: 'purpose', size: 10 },
        { name: 'file', size: 3000, filename: 'data.jsonl' },
      ]),
    );
  });

  it('an abort while the refresh runs stops that call at once; the others get the new key', async () => {
    server = await startVendor('openai', { keys: { [OLD]: 'expired', [NEW]: 'ok' } });
    let finish: (key: string) => void = () => {};
    const onKeyInvalid = vi.fn(() => new Promise<string>((resolve) => (finish = resolve)));
    const openai = client(server, keyguardFetch({ apiKey: OLD, onKeyInvalid }));
    const controller = new AbortController();
    const aborted = openai.models.list({ signal: controller.signal }).then(
      () => 'resolved',
      (e: unknown) => e,
    );
    const other = openai.models.list();
    await vi.waitFor(() => expect(onKeyInvalid).toHaveBeenCalledTimes(1));
    controller.abort();
    expect(await aborted).toBeInstanceOf(OpenAI.APIUserAbortError);
    finish(NEW);
    expect((await other).data[0]?.id).toBe('gpt-test');
  });
});

describe('@anthropic-ai/sdk through keyguardFetch: streaming', () => {
  it('the first text delta arrives before the stream ends', async () => {
    server = await startVendor('anthropic', { keys: { [OLD]: 'ok' } });
    const s = server;
    const anthropic = new Anthropic({
      apiKey: DUMMY,
      baseURL: s.baseUrl,
      fetch: keyguardFetch({ apiKey: OLD, auth: { type: 'header', name: 'x-api-key' } }),
      maxRetries: 0,
    });
    const stream = anthropic.messages.stream({ model: 'claude-test', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] });
    let heldAtFirst = -1;
    const deltas: string[] = [];
    stream.on('text', (text) => {
      deltas.push(text);
      if (deltas.length === 1) {
        heldAtFirst = s.heldStreams;
        s.releaseStreams();
      }
    });
    await stream.finalMessage();
    expect(heldAtFirst).toBe(1);
    expect(deltas).toHaveLength(4);
    expect(s.requests[0]?.headers['x-api-key']).toBe(OLD);
  });
});

describe('supabase-js through keyguardFetch', () => {
  const auth: AuthPlacement[] = [{ type: 'header', name: 'apikey' }, bearer];
  const supabase = (s: VendorServer, fetch: typeof globalThis.fetch) =>
    createClient(s.origin, DUMMY, {
      global: { fetch },
      auth: { persistSession: false, autoRefreshToken: false },
      realtime: { transport: NoWebSocket as never },
    });

  it('20 concurrent selects with an expired key: one hook call, 20 of 20 succeed, key in both placements', async () => {
    server = await startVendor('supabase', { keys: { [OLD]: 'expired', [NEW]: 'ok' } });
    const onKeyInvalid = vi.fn((_error: InvalidApiKeyError) => NEW);
    const db = supabase(server, keyguardFetch({ apiKey: OLD, onKeyInvalid, auth }));
    const results = await Promise.all(Array.from({ length: 20 }, () => db.from('todos').select()));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(onKeyInvalid).toHaveBeenCalledTimes(1);
    expect(onKeyInvalid.mock.calls[0]?.[0]).toMatchObject({ reason: 'expired', code: 'PGRST303' });
    const last = server.requests.at(-1);
    expect(last?.headers.apikey).toBe(NEW);
    expect(last?.headers.authorization).toBe(`Bearer ${NEW}`);
    expect(JSON.stringify(server.requests.map((r) => r.headers))).not.toContain(DUMMY);
  });

  it('hook declines: the { error, status } result gives the reason through keyErrorOf', async () => {
    server = await startVendor('supabase', { keys: { [OLD]: 'expired' } });
    const db = supabase(server, keyguardFetch({ apiKey: OLD, auth, onKeyInvalid: () => undefined }));
    const result = await db.from('todos').select();
    expect(result.status).toBe(401);
    expect(keyErrorOf(result)).toMatchObject({ reason: 'expired', code: 'PGRST303' });
    expect(renderings(result)).not.toContain(OLD);
  });

  it('a Storage upload (FormData) is replayed after a refresh', async () => {
    server = await startVendor('supabase', { keys: { [OLD]: 'expired', [NEW]: 'ok' } });
    const db = supabase(server, keyguardFetch({ apiKey: OLD, auth, onKeyInvalid: () => NEW }));
    const { error } = await db.storage.from('avatars').upload('me.png', new Blob([new Uint8Array(500)], { type: 'image/png' }));
    expect(error).toBeNull();
    expect(server.requests.map((r) => r.key)).toEqual([OLD, NEW]);
    expect(server.requests[0]?.body.length).toBe(server.requests[1]?.body.length);
  });
});
