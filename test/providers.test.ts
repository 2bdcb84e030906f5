import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, createClient, InvalidApiKeyError } from '../src/index.js';
import { checkKeyFormat, checkProviderKey, type ProviderName, providers } from '../src/providers/index.js';

/** A key of each provider's shape (bodies made up; prefixes and lengths as documented). */
const EXAMPLES: Record<ProviderName, string> = {
  openai: `sk-proj-${'Ab3'.repeat(20)}`,
  anthropic: `sk-ant-api03-${'Xy9_'.repeat(20)}`,
  stripe: `sk_live_${'51Hx'.repeat(20)}`,
  github: `ghp_${'a1B2'.repeat(9)}`,
  google: `AIzaSy${'D3f-'.repeat(8)}a`,
  slack: 'xoxb-1234567890-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx',
  sendgrid: `SG.${'a'.repeat(22)}.${'B'.repeat(43)}`,
  cloudflare: 'Sn3lZJTBX6kkg7OdcBUAxOO963GEIyGQqnFTOFYY',
  supabase: `sb_secret_${'Q1w2'.repeat(8)}`,
  mistral: 'a1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6',
  groq: `gsk_${'Zx8'.repeat(17)}`,
  huggingface: `hf_${'Ab1'.repeat(12)}`,
};
const NAMES = Object.keys(providers) as ProviderName[];
/** Mistral documents no key format: its keys cannot be recognised elsewhere. */
const RECOGNISABLE = NAMES.filter((name) => providers[name].keyFormats.length > 0);

function countingFetch(answer: () => Response = () => Response.json({ ok: true })) {
  const calls: Request[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    calls.push(new Request(input, init));
    return answer();
  };
  return { calls, fetch: fetch as typeof globalThis.fetch };
}

async function refusal(promise: Promise<unknown>): Promise<InvalidApiKeyError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InvalidApiKeyError);
  return error as InvalidApiKeyError;
}

const source = readFileSync(new URL('../src/providers/presets.ts', import.meta.url), 'utf8');

describe('providers', () => {
  it('has at least 12 presets, the six named ones among them', () => {
    expect(NAMES.length).toBeGreaterThanOrEqual(12);
    for (const name of ['openai', 'anthropic', 'stripe', 'github', 'google', 'slack']) expect(NAMES).toContain(name);
    expect(Object.keys(EXAMPLES).sort()).toEqual([...NAMES].sort());
  });

  describe.each(NAMES)('%s', (name) => {
    const preset = providers[name];

    it('has an absolute https baseUrl, a known auth placement, a keys page, a probe, an env var and a source', () => {
      const base = new URL(preset.baseUrl);
      expect(base.protocol).toBe('https:');
      expect(base.search + base.hash).toBe('');
      const auths = Array.isArray(preset.auth) ? preset.auth : [preset.auth];
      expect(auths.length).toBeGreaterThan(0);
      for (const auth of auths) {
        expect(['bearer', 'header', 'query']).toContain(auth.type);
        if (auth.type !== 'bearer') expect(auth.name).toMatch(/^[A-Za-z0-9-]+$/);
      }
      expect(new URL(preset.keysUrl).protocol).toBe('https:');
      expect(['GET', 'POST', 'HEAD']).toContain(preset.probe.method);
      expect(preset.probe.path).toMatch(/^\//);
      expect(preset.envVar).toMatch(/^[A-Z][A-Z0-9_]*$/);
      expect(preset.name.length).toBeGreaterThan(0);
      for (const format of preset.keyFormats) {
        expect(format.label.length).toBeGreaterThan(0);
        expect('prefix' in format || 'pattern' in format).toBe(true);
      }
      // The preset's block in the source names where its facts come from.
      const block = source.slice(source.indexOf(`export const ${name} = {`));
      expect(block.slice(0, block.indexOf('} as const satisfies'))).toMatch(/\/\/ Sources?: https:\/\//);
    });

    it('spreads into createClient, and a key of its own shape is sent once, where its auth says', async () => {
      const { calls, fetch } = countingFetch();
      const client = createClient({ ...preset, apiKey: EXAMPLES[name], fetch, retry: false });
      await client.request({ method: preset.probe.method, path: preset.probe.path });
      expect(calls).toHaveLength(1);
      const sent = calls[0] as Request;
      expect(sent.method).toBe(preset.probe.method);
      expect(new URL(sent.url).pathname).toBe(`${new URL(preset.baseUrl).pathname.replace(/\/$/, '')}${preset.probe.path}`);
      for (const auth of Array.isArray(preset.auth) ? preset.auth : [preset.auth]) {
        if (auth.type === 'bearer') expect(sent.headers.get('authorization')).toBe(`Bearer ${EXAMPLES[name]}`);
        else if (auth.type === 'header') expect(sent.headers.get(auth.name)).toBe(EXAMPLES[name]);
        else expect(new URL(sent.url).searchParams.get(auth.name)).toBe(EXAMPLES[name]);
      }
      expect(checkProviderKey(EXAMPLES[name], preset)).toBeUndefined();
    });

    it.each(RECOGNISABLE.filter((other) => other !== name))(
      `refuses a %s key before sending: malformed, source client, nothing sent`,
      async (other) => {
        const { calls, fetch } = countingFetch();
        const client = createClient({ ...preset, apiKey: EXAMPLES[other], fetch });
        const error = await refusal(client.request({ method: preset.probe.method, path: preset.probe.path }));
        expect(error.reason).toBe('malformed');
        expect(error.source).toBe('client');
        expect(error.code).toBe('wrong-provider');
        expect(error.status).toBeUndefined();
        expect(error.message).toContain(providers[other].name);
        expect(error.message).toContain(`this client is for ${preset.name}`);
        expect(error.hint).toContain(preset.keysUrl);
        expect(JSON.stringify({ ...error, message: error.message, hint: error.hint })).not.toContain(EXAMPLES[other]);
        expect(calls).toHaveLength(0);
      },
    );
  });

  it('without a preset nothing changes: another provider’s key is sent', async () => {
    const { calls, fetch } = countingFetch();
    await createClient({ baseUrl: 'https://api.example.com/v1', apiKey: EXAMPLES.anthropic, fetch }).get('/me');
    expect(calls).toHaveLength(1);
    expect(calls[0]?.headers.get('authorization')).toBe(`Bearer ${EXAMPLES.anthropic}`);
  });

  it('knows an Anthropic key is not an OpenAI legacy key (the longest prefix decides)', () => {
    const problem = checkProviderKey(EXAMPLES.anthropic, providers.openai);
    expect(problem?.code).toBe('wrong-provider');
    expect(problem?.message).toBe(
      'The key looks like an Anthropic API key (it starts with "sk-ant-api"), but this client is for OpenAI — use an OpenAI key from https://platform.openai.com/api-keys.',
    );
    expect(checkProviderKey(`sk-${'a'.repeat(48)}`, providers.openai)).toBeUndefined();
  });

  it('an unknown shape passes (the server judges it)', async () => {
    const { calls, fetch } = countingFetch();
    await createClient({ ...providers.openai, apiKey: 'totally-unknown-shape-123', fetch }).get('/models');
    expect(calls).toHaveLength(1);
  });
});

describe('modes and kinds', () => {
  it('refuses a Stripe test key where keyMode requires live, and says so', async () => {
    const { calls, fetch } = countingFetch();
    const client = createClient({ ...providers.stripe, apiKey: `sk_test_${'4eC39Hq'.repeat(4)}`, keyMode: 'live', fetch });
    const error = await refusal(client.get('/balance'));
    expect([error.reason, error.source, error.code]).toEqual(['malformed', 'client', 'wrong-mode']);
    expect(error.hint).toBe(
      "The key is Stripe's secret key (test mode), but keyMode requires a live-mode key — use the live key (keys are at https://dashboard.stripe.com/apikeys). Or return a corrected key from onKeyInvalid.",
    );
    expect(calls).toHaveLength(0);
  });

  it('sends a live key under keyMode live, and a test key without keyMode', async () => {
    const { calls, fetch } = countingFetch();
    await createClient({ ...providers.stripe, apiKey: EXAMPLES.stripe, keyMode: 'live', fetch }).get('/balance');
    await createClient({ ...providers.stripe, apiKey: `sk_test_${'4eC39Hq'.repeat(4)}`, fetch }).get('/balance');
    expect(calls).toHaveLength(2);
  });

  it('refuses a Stripe publishable key where a secret key is needed', async () => {
    const { calls, fetch } = countingFetch();
    const error = await refusal(createClient({ ...providers.stripe, apiKey: `pk_live_${'4eC39Hq'.repeat(4)}`, fetch }).get('/balance'));
    expect([error.reason, error.source, error.code]).toEqual(['malformed', 'client', 'wrong-kind']);
    expect(error.hint).toContain(
      'A publishable key (pk_) is for Stripe.js in the browser; server calls need a secret (sk_) or restricted (rk_) key.',
    );
    expect(calls).toHaveLength(0);
  });

  it('keyKind decides which kinds may be sent: a Supabase publishable key passes by default, not under keyKind secret', async () => {
    const { calls, fetch } = countingFetch();
    const publishable = `sb_publishable_${'4eC39Hq'.repeat(4)}`;
    await createClient({ ...providers.supabase, apiKey: publishable, fetch }).get('/');
    expect(calls).toHaveLength(1);
    const error = await refusal(createClient({ ...providers.supabase, apiKey: publishable, keyKind: 'secret', fetch }).get('/'));
    expect(error.code).toBe('wrong-kind');
    expect(error.hint).toContain("The key is Supabase's publishable key, but a secret key is needed here.");
    expect(calls).toHaveLength(1);
    await createClient({ ...providers.stripe, apiKey: `pk_test_${'4eC39Hq'.repeat(4)}`, keyKind: 'publishable', fetch }).get('/tokens');
    expect(calls).toHaveLength(2);
  });

  it('checkKeyFormat is a pure function over any formats', () => {
    const formats = [{ label: 'key', prefix: 'ex_', kind: 'secret' as const }];
    expect(checkKeyFormat('ex_123', { name: 'Example', keyFormats: formats })).toBeUndefined();
    expect(
      checkKeyFormat('zz_123', { name: 'Example', keyFormats: formats }, [
        { name: 'Zed', keyFormats: [{ label: 'token', prefix: 'zz_', kind: 'token' }] },
      ]),
    ).toEqual({
      code: 'wrong-provider',
      format: { label: 'token', prefix: 'zz_', kind: 'token' },
      message: 'The key looks like a Zed token (it starts with "zz_"), but this client is for Example — use an Example key.',
    });
  });
});

describe('hints name the preset’s keys page', () => {
  it('on a server rejection: "create a new one at <keysUrl>"', async () => {
    const { fetch } = countingFetch(() =>
      Response.json(
        { error: { type: 'authentication_error', code: 'api_key_expired', message: 'The API key provided has expired.' } },
        { status: 401 },
      ),
    );
    const error = await refusal(createClient({ ...providers.openai, apiKey: EXAMPLES.openai, fetch, retry: false }).get('/models'));
    expect(error.reason).toBe('expired');
    expect(error.hint).toBe(
      'The key expired: create a new one at https://platform.openai.com/api-keys and update your application, or return it from onKeyInvalid.',
    );
  });

  it('on a missing key it names the env var and the keys page', async () => {
    const error = await refusal(createClient({ ...providers.anthropic, fetch: countingFetch().fetch }).get('/models'));
    expect(error.reason).toBe('missing');
    expect(error.hint).toContain('ANTHROPIC_API_KEY');
    expect(error.hint).toContain('Keys are managed at https://console.anthropic.com/settings/keys.');
  });

  it('reads Slack’s 200 {"ok":false} answers as key errors', async () => {
    const { fetch } = countingFetch(() => Response.json({ ok: false, error: 'token_revoked' }));
    const error = await refusal(createClient({ ...providers.slack, apiKey: EXAMPLES.slack, fetch }).post('/auth.test'));
    expect([error.reason, error.status]).toEqual(['revoked', 200]);
    expect(error.hint).toContain('check its status at https://api.slack.com/apps');
    const ok = countingFetch(() => Response.json({ ok: false, error: 'channel_not_found' }));
    await expect(createClient({ ...providers.slack, apiKey: EXAMPLES.slack, fetch: ok.fetch }).post('/chat.postMessage')).resolves.toEqual({
      ok: false,
      error: 'channel_not_found',
    });
  });
});

describe('preset fields in createClient', () => {
  it('sends Anthropic’s anthropic-version header with the key in x-api-key', async () => {
    const { calls, fetch } = countingFetch();
    await createClient({ ...providers.anthropic, apiKey: EXAMPLES.anthropic, fetch }).get('/models');
    expect(calls[0]?.headers.get('anthropic-version')).toBe('2023-06-01');
    expect(calls[0]?.headers.get('x-api-key')).toBe(EXAMPLES.anthropic);
    expect(calls[0]?.headers.get('authorization')).toBeNull();
  });

  it('rejects bad preset fields with a ConfigError naming the field', () => {
    // The preset's keyCheck validates its fields when the client is created.
    const base = { ...providers.openai, baseUrl: 'https://api.example.com' };
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ keysUrl: 'not a url' }, /^Invalid option "keysUrl": must be an absolute http\(s\) URL/],
      [{ keyMode: 'prod' }, /^Invalid option "keyMode": must be 'live' or 'test'/],
      [{ keyKind: ['secret', 'nope'] }, /^Invalid option "keyKind": must be one of/],
      [{ keyFormats: [{ prefix: 'x_' }] }, /^Invalid option "keyFormats": must be a list/],
      [{ keysHint: 42 }, /^Invalid option "keysHint": must be a function/],
      [{ probe: { method: 'GET', path: 'models' } }, /^Invalid option "probe": must be \{ method: 'GET' \| 'POST' \| 'HEAD', path \}/],
      [{ envVar: 'sk-live-123' }, /^Invalid option "envVar": must be an environment variable name/],
      [{ keyCheck: 'yes' }, /^Invalid option "keyCheck": must be a function/],
      [{ auth: [] }, /^Invalid option "auth": must not be an empty list/],
      [
        { auth: [{ type: 'bearer' }, { type: 'header', name: 'bad name' }] },
        /^Invalid option "auth\.1\.name": must be a valid header name/,
      ],
    ];
    for (const [extra, message] of cases) {
      let thrown: unknown;
      try {
        createClient({ ...base, ...extra } as never);
      } catch (error) {
        thrown = error;
      }
      expect(thrown, JSON.stringify(extra)).toBeInstanceOf(ConfigError);
      expect((thrown as Error).message).toMatch(message);
    }
  });
});

it('every preset of keyguard/providers is in the record, in a fixed order', async () => {
  const presets = await import('../src/providers/presets.js');
  expect(Object.keys(providers).sort()).toEqual(Object.keys(presets).sort());
  expect(Object.keys(providers).slice(0, 6)).toEqual(['openai', 'anthropic', 'stripe', 'github', 'google', 'slack']);
});
