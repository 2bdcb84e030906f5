import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createClient, InvalidApiKeyError, type KeyErrorReason } from '../src/index.js';
import { checkProviderKey, type ProviderName, providers } from '../src/providers/index.js';
import { type Simulator, startSimulator } from '../src/testing/simulator-entry.js';
import { vendorKeyErrorResponse } from '../src/testing/vendors.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ seed: 7 });
});
afterAll(() => sim.close());
beforeEach(() => sim.resetStats());

const NAMES = Object.keys(providers) as ProviderName[];
type Spoil = 'expired' | 'revoked' | 'malformed' | 'missing';

/** What keyguard makes of each vendor's real answer: vendors that do not say why get what their words allow. */
const READ_AS: Record<ProviderName, Record<Spoil, KeyErrorReason>> = {
  openai: { expired: 'malformed', revoked: 'revoked', malformed: 'malformed', missing: 'missing' },
  anthropic: { expired: 'malformed', revoked: 'malformed', malformed: 'malformed', missing: 'missing' },
  stripe: { expired: 'expired', revoked: 'malformed', malformed: 'malformed', missing: 'missing' },
  github: { expired: 'malformed', revoked: 'malformed', malformed: 'malformed', missing: 'missing' },
  google: { expired: 'expired', revoked: 'malformed', malformed: 'malformed', missing: 'missing' },
  slack: { expired: 'malformed', revoked: 'revoked', malformed: 'malformed', missing: 'missing' },
  sendgrid: { expired: 'unknown', revoked: 'unknown', malformed: 'unknown', missing: 'unknown' },
  cloudflare: { expired: 'malformed', revoked: 'malformed', malformed: 'malformed', missing: 'malformed' },
  supabase: { expired: 'malformed', revoked: 'malformed', malformed: 'malformed', missing: 'missing' },
  mistral: { expired: 'unknown', revoked: 'unknown', malformed: 'unknown', missing: 'unknown' },
  groq: { expired: 'malformed', revoked: 'malformed', malformed: 'malformed', missing: 'malformed' },
  huggingface: { expired: 'malformed', revoked: 'malformed', malformed: 'malformed', missing: 'malformed' },
};

/** The headers/query a vendor's auth placement puts the key in, for raw requests. */
function place(name: ProviderName, url: URL, key: string): Headers {
  const headers = new Headers();
  const auth = providers[name].auth;
  for (const placement of Array.isArray(auth) ? auth : [auth]) {
    if (placement.type === 'bearer') headers.set('authorization', `Bearer ${key}`);
    else if (placement.type === 'header') headers.set(placement.name, key);
    else url.searchParams.set(placement.name, key);
  }
  return headers;
}

describe.each(NAMES)('the simulator playing %s', (name) => {
  const preset = providers[name];
  const probeUrl = () => new URL(`${sim.vendorUrl(name)}${preset.probe.path}`);

  it('issues keys of its shape, that pass its own checks and fail every other preset’s (when it has a format)', () => {
    const { key } = sim.issueKey({ vendor: name });
    expect(checkProviderKey(key, preset)).toBeUndefined();
    if (preset.keyFormats.length === 0) return;
    for (const other of NAMES.filter((n) => n !== name))
      expect(checkProviderKey(key, providers[other])?.code, other).toBe('wrong-provider');
  });

  it('answers its probe for a good key, with the key where the preset puts it, through createClient', async () => {
    const { key } = sim.issueKey({ vendor: name });
    const client = createClient({ ...preset, baseUrl: sim.vendorUrl(name), apiKey: key, retry: false });
    await expect(client.request({ method: preset.probe.method, path: preset.probe.path })).resolves.toBeTypeOf('object');
    const base = new URL(preset.baseUrl).pathname.replace(/\/$/, '');
    expect(sim.stats()).toMatchObject({ requests: 1, byPath: { [`/${name}${base}${preset.probe.path}`]: 1 } });
  });

  it('reads the key only from its own placement: elsewhere it is missing', async () => {
    const { key } = sim.issueKey({ vendor: name });
    const auth = Array.isArray(preset.auth) ? preset.auth : [preset.auth];
    const elsewhere = auth.some((a) => a.type === 'header' && a.name === 'x-wrong') ? 'x-other' : 'x-wrong';
    const answer = await fetch(probeUrl(), { method: preset.probe.method, headers: { [elsewhere]: key } });
    const expected = vendorKeyErrorResponse(name, 'missing');
    expect(answer.status).toBe(expected.status);
    expect(await answer.text()).toBe(expected.body);
  });

  it.each(['expired', 'revoked', 'malformed', 'missing'] as const)(
    'answers a %s key in its own wire format, and keyguard reads it',
    async (spoil) => {
      const { key } = sim.issueKey({ vendor: name });
      if (spoil === 'expired') sim.expireKey(key);
      if (spoil === 'revoked') sim.revokeKey(key);
      const sent = spoil === 'malformed' ? `${key.slice(0, -2)}${key.endsWith('QQ') ? 'RR' : 'QQ'}` : key;

      const url = probeUrl();
      const headers = spoil === 'missing' ? new Headers() : place(name, url, sent);
      const raw = await fetch(url, { method: preset.probe.method, headers });
      const expected = vendorKeyErrorResponse(name, spoil, { key: sent });
      expect(raw.status).toBe(expected.status);
      expect(raw.headers.get('content-type')).toBe('application/json');
      expect(await raw.text()).toBe(expected.body);
      expect(raw.headers.get(name === 'anthropic' ? 'request-id' : 'x-request-id')).toMatch(/^req_[0-9a-f]{16}$/);

      const client = createClient({
        ...preset,
        baseUrl: sim.vendorUrl(name),
        apiKey: spoil === 'missing' ? undefined : sent,
        keyLint: spoil === 'missing' ? 'off' : 'fix',
        retry: false,
      });
      const error = await client.request({ method: preset.probe.method, path: preset.probe.path }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidApiKeyError);
      expect((error as InvalidApiKeyError).reason).toBe(READ_AS[name][spoil]);
      expect((error as InvalidApiKeyError).source).toBe('server');
      expect(JSON.stringify((error as InvalidApiKeyError).response)).not.toContain(sent);
    },
  );
});

describe('vendor wire formats, word for word', () => {
  it('OpenAI: invalid_api_key with the key echoed masked', () => {
    const body = JSON.parse(vendorKeyErrorResponse('openai', 'malformed', { key: 'sk-proj-abcdefghijklmnopqrstuvwxyz' }).body);
    expect(body).toEqual({
      error: {
        message:
          'Incorrect API key provided: sk-p**************************wxyz. You can find your API key at https://platform.openai.com/account/api-keys.',
        type: 'invalid_request_error',
        param: null,
        code: 'invalid_api_key',
      },
    });
  });

  it('Anthropic, Stripe, GitHub, Supabase, Slack, Google', () => {
    const body = (name: ProviderName, reason: Spoil) =>
      JSON.parse(vendorKeyErrorResponse(name, reason, { key: 'sk_live_0123456789abcdef' }).body);
    expect(body('anthropic', 'malformed')).toEqual({
      type: 'error',
      error: { type: 'authentication_error', message: 'invalid x-api-key' },
    });
    expect(body('stripe', 'expired')).toMatchObject({ error: { type: 'invalid_request_error', code: 'api_key_expired' } });
    expect(body('stripe', 'malformed')).toEqual({
      error: { message: 'Invalid API Key provided: sk_l****************cdef', type: 'invalid_request_error' },
    });
    expect(body('github', 'revoked')).toEqual({
      message: 'Bad credentials',
      documentation_url: 'https://docs.github.com/rest',
      status: '401',
    });
    expect(body('supabase', 'malformed')).toEqual({
      message: 'Invalid API key',
      hint: 'Double check your Supabase `anon` or `service_role` API key.',
    });
    expect(vendorKeyErrorResponse('slack', 'revoked')).toMatchObject({ status: 200, body: '{"ok":false,"error":"token_revoked"}' });
    expect(vendorKeyErrorResponse('google', 'malformed').status).toBe(400);
    expect(body('google', 'malformed').error.details[0].reason).toBe('API_KEY_INVALID');
  });

  it('issueKey({ prefix }) shapes a key, and vendorUrl rejects an unknown vendor', () => {
    expect(sim.issueKey({ prefix: 'sk_test_' }).key).toMatch(/^sk_test_[0-9a-f]{32}$/);
    expect(() => sim.issueKey({ prefix: 'bad prefix' })).toThrow(/prefix/);
    expect(() => sim.vendorUrl('nope' as never)).toThrow();
    expect(sim.vendorUrl('github')).toBe(`${sim.origin}/github`);
    expect(sim.vendorUrl('supabase')).toBe(`${sim.origin}/supabase/rest/v1`);
  });
});

describe('streams, bytes and pages', () => {
  const auth = () => ({ authorization: `Bearer ${sim.issueKey().key}` });

  it('GET /v1/events: text/event-stream, count events with ids and a delay between them, then done', async () => {
    const started = performance.now();
    const answer = await fetch(`${sim.url}/events?count=3&delayMs=20`, { headers: auth() });
    expect(answer.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const text = await answer.text();
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
    expect(text).toBe(
      ': keyguard simulator\nretry: 1000\n\n' +
        'event: tick\nid: 1\ndata: {"n":1}\n\n' +
        'event: tick\nid: 2\ndata: {"n":2}\n\n' +
        'event: tick\nid: 3\ndata: {"n":3}\n\n' +
        'event: done\ndata: {}\n\n',
    );
  });

  it('POST /v1/chat/completions with stream: OpenAI-style chunks ending with data: [DONE]', async () => {
    const answer = await fetch(`${sim.url}/chat/completions`, {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }], stream: true, delay_ms: 1 }),
    });
    expect(answer.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = (await answer.text()).split('\n\n').filter(Boolean);
    expect(events.at(-1)).toBe('data: [DONE]');
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.replace(/^data: /, '')));
    expect(chunks.every((c) => c.object === 'chat.completion.chunk' && c.model === 'm')).toBe(true);
    expect(chunks.map((c) => c.choices[0].delta.content ?? '').join('')).toBe('Hello from the keyguard simulator.');
    expect(chunks.at(-1).choices[0].finish_reason).toBe('stop');

    const plain = await fetch(`${sim.url}/chat/completions`, {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/json' },
      body: '{}',
    });
    expect((await plain.json()).choices[0].message.content).toBe('Hello from the keyguard simulator.');
  });

  it('a stream route still checks the key first', async () => {
    const answer = await fetch(`${sim.url}/events`, { headers: { authorization: 'Bearer sk_live_nope' } });
    expect(answer.status).toBe(401);
  });

  it('GET /v1/files/{n}/content: n deterministic bytes as application/octet-stream', async () => {
    const answer = await fetch(`${sim.url}/files/1000/content`, { headers: auth() });
    expect(answer.headers.get('content-type')).toBe('application/octet-stream');
    expect(answer.headers.get('content-length')).toBe('1000');
    const bytes = new Uint8Array(await answer.arrayBuffer());
    expect(bytes.length).toBe(1000);
    expect([...bytes].every((b, i) => b === ((i * 31 + 7) & 0xff))).toBe(true);
    expect((await fetch(`${sim.url}/files/0/content`, { headers: auth() }).then((r) => r.arrayBuffer())).byteLength).toBe(0);
    expect((await fetch(`${sim.url}/files/99999999999/content`, { headers: auth() })).status).toBe(400);
  });

  it('GET /v1/items pages carry a GitHub-style Link header; following rel="next" visits every item once', async () => {
    const headers = auth();
    const names = ['a', 'b', 'c', 'd', 'e'];
    for (const n of names) {
      await fetch(`${sim.url}/items`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ name: n }),
      });
    }
    const seen: string[] = [];
    let next: string | undefined = `${sim.url}/items?limit=2`;
    for (let page = 0; next && page < 10; page++) {
      const answer: Response = await fetch(next, { headers });
      const link: string = answer.headers.get('link') ?? '';
      expect(link).toContain(`<${sim.origin}/v1/items?limit=2>; rel="first"`);
      seen.push(...((await answer.json()) as { data: { name: string }[] }).data.map((item) => item.name));
      next = /<([^>]+)>; rel="next"/.exec(link)?.[1];
    }
    expect(seen.slice(-names.length)).toEqual(names);
  });
});
