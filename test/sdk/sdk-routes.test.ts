// The vendor servers' streaming, binary, upload and pagination routes work with the real SDKs, so the
// same servers can carry those SDKs' integration tests.
import Anthropic from '@anthropic-ai/sdk';
import { Octokit } from '@octokit/core';
import { createClient } from '@supabase/supabase-js';
import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binaryPayload, sameBytes, startVendor, type VendorServer } from './vendors.js';

const KEY = 'sk-test-good-0123456789abcdef';

describe('openai over its vendor server', () => {
  let server: VendorServer;
  beforeAll(async () => {
    server = await startVendor('openai', { keys: { [KEY]: 'ok' } });
  });
  afterAll(() => server.close());
  const openai = () => new OpenAI({ apiKey: KEY, baseURL: server.baseUrl, maxRetries: 0 });

  it('streams: the first chunk arrives while the server still holds the stream open', async () => {
    const stream = await openai().chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }], stream: true });
    const parts: string[] = [];
    for await (const chunk of stream) {
      parts.push(chunk.choices[0]?.delta.content ?? '');
      if (parts.length === 1) {
        expect(server.heldStreams).toBe(1);
        server.releaseStreams();
      }
    }
    expect(parts).toEqual(['part0 ', 'part1 ', 'part2 ', 'part3 ']);
  });

  it('downloads binary file content intact', async () => {
    const response = await openai().files.content('file-1');
    expect(sameBytes(new Uint8Array(await response.arrayBuffer()), binaryPayload())).toBe(true);
  });

  it('uploads a file as multipart form data', async () => {
    const file = await openai().files.create({ file: await toFile(new Uint8Array(3000), 'data.jsonl'), purpose: 'assistants' });
    expect((file as unknown as { fields: unknown }).fields).toEqual(
      expect.arrayContaining([
        { name: 'purpose', size: 10 },
        { name: 'file', size: 3000, filename: 'data.jsonl' },
      ]),
    );
  });
});

describe('@anthropic-ai/sdk over its vendor server', () => {
  let server: VendorServer;
  beforeAll(async () => {
    server = await startVendor('anthropic', { keys: { [KEY]: 'ok' } });
  });
  afterAll(() => server.close());

  it('streams a message: the first delta arrives while the stream is held open', async () => {
    const anthropic = new Anthropic({ apiKey: KEY, baseURL: server.baseUrl, maxRetries: 0 });
    const stream = anthropic.messages.stream({ model: 'claude-test', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] });
    const deltas: string[] = [];
    let held = 0;
    stream.on('text', (text) => {
      deltas.push(text);
      if (deltas.length === 1) {
        held = server.heldStreams;
        server.releaseStreams();
      }
    });
    const message = await stream.finalMessage();
    expect(deltas).toEqual(['part0 ', 'part1 ', 'part2 ', 'part3 ']);
    expect(message.stop_reason).toBe('end_turn');
    expect(held).toBe(1);
    expect(server.requests[0]?.key).toBe(KEY);
  });
});

describe('octokit over the GitHub server', () => {
  let server: VendorServer;
  beforeAll(async () => {
    server = await startVendor('github', { keys: { [KEY]: 'ok' } });
  });
  afterAll(() => server.close());

  it('downloads a tarball as bytes, and the Link header reaches the response', async () => {
    const octokit = new Octokit({ auth: KEY, baseUrl: server.origin });
    const tarball = await octokit.request('GET /repos/{owner}/{repo}/tarball/{ref}', { owner: 'o', repo: 'r', ref: 'main' });
    expect(sameBytes(new Uint8Array(tarball.data as ArrayBuffer), binaryPayload())).toBe(true);
    const page = await octokit.request('GET /repos/{owner}/{repo}/issues', { owner: 'o', repo: 'r', per_page: 2 });
    expect(page.headers.link).toContain('rel="next"');
  });
});

describe('supabase-js over the Supabase server', () => {
  let server: VendorServer;
  beforeAll(async () => {
    server = await startVendor('supabase', { keys: { [KEY]: 'ok' } });
  });
  afterAll(() => server.close());

  it('uploads to Storage as form data, with the apikey header', async () => {
    class NoWebSocket {}
    const supabase = createClient(server.origin, KEY, {
      auth: { persistSession: false, autoRefreshToken: false },
      realtime: { transport: NoWebSocket as never },
    });
    const { error } = await supabase.storage.from('avatars').upload('me.png', new Blob([new Uint8Array(500)], { type: 'image/png' }));
    expect(error).toBeNull();
    const upload = server.requests.at(-1);
    expect(upload?.path).toBe('/storage/v1/object/avatars/me.png');
    expect(upload?.headers.apikey).toBe(KEY);
  });
});
