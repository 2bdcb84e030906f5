import { delay, HttpResponse, http } from 'msw';
import { describe, expect, it, vi } from 'vitest';
import { createClient, InvalidApiKeyError, isInvalidApiKeyError, type KeyProvider } from '../src/index.js';
import { BASE, useMsw } from './helpers/msw.js';

const server = useMsw();
const OLD = 'sk_test_old_0000000000aaaa';
const NEW = 'sk_test_new_1111111111bbbb';

/** An API that accepts only the keys in `valid` and counts what reaches it. */
function keyedApi(valid: Set<string>, rejection = { error: { code: 'api_key_expired', message: 'This API key has expired.' } }) {
  const seen: string[] = [];
  server.use(
    http.all(`${BASE}/*`, async ({ request }) => {
      const key = request.headers.get('authorization')?.replace(/^Bearer /, '') ?? '';
      seen.push(key);
      if (!valid.has(key)) return HttpResponse.json(rejection, { status: 401, headers: { 'x-request-id': 'req_1' } });
      const body = request.method === 'POST' ? await request.text() : null;
      return HttpResponse.json({ ok: true, key: key === NEW ? 'new' : 'other', body });
    }),
  );
  return seen;
}

describe('the key-error replay', () => {
  it('runs onKeyInvalid once for 50 concurrent requests failing with one expired key, and all 50 succeed', async () => {
    const seen = keyedApi(new Set([NEW]));
    const onKeyInvalid = vi.fn(async (_error: InvalidApiKeyError) => {
      await delay(20);
      return NEW;
    });
    const client = createClient({ baseUrl: BASE, apiKey: OLD, onKeyInvalid });

    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => client.get(`/items/${i}`)));

    expect(onKeyInvalid).toHaveBeenCalledTimes(1);
    expect(onKeyInvalid.mock.calls[0]?.[0]).toBeInstanceOf(InvalidApiKeyError);
    expect(onKeyInvalid.mock.calls[0]?.[0].reason).toBe('expired');
    expect(results).toHaveLength(50);
    for (const result of results) expect(result).toMatchObject({ ok: true, key: 'new' });
    expect(seen.length).toBeLessThanOrEqual(100);
    expect(seen.filter((k) => k === NEW)).toHaveLength(50);
  });

  it('replays a request that failed with an already-replaced key without calling the hook again', async () => {
    const seen = keyedApi(new Set([NEW]));
    const onKeyInvalid = vi.fn(async () => NEW);
    const client = createClient({ baseUrl: BASE, apiKey: OLD, onKeyInvalid });
    await client.get('/first');
    // Replace the key while a second request is in flight with the old one.
    server.use(
      http.get(`${BASE}/slow`, async ({ request }) => {
        const key = request.headers.get('authorization');
        seen.push(key ?? '');
        await delay(30);
        return key === `Bearer ${NEW}`
          ? HttpResponse.json({ replayed: true })
          : HttpResponse.json({ error: 'invalid_api_key' }, { status: 401 });
      }),
    );
    client.setApiKey(OLD);
    const slow = client.get('/slow');
    await delay(5);
    client.setApiKey(NEW);
    await expect(slow).resolves.toEqual({ replayed: true });
    expect(onKeyInvalid).toHaveBeenCalledTimes(1);
  });

  it('rejects every request when the hook returns the same key, with bounded calls and no hang', async () => {
    const seen = keyedApi(new Set());
    const onKeyInvalid = vi.fn(async () => OLD);
    const client = createClient({ baseUrl: BASE, apiKey: OLD, onKeyInvalid });

    const results = await Promise.allSettled(Array.from({ length: 20 }, () => client.get('/me')));

    for (const result of results) {
      expect(result.status).toBe('rejected');
      const error = (result as PromiseRejectedResult).reason;
      expect(error).toBeInstanceOf(InvalidApiKeyError);
      expect(error.reason).toBe('expired');
      expect(error.cause).toBeUndefined();
    }
    expect(onKeyInvalid).toHaveBeenCalledTimes(1);
    expect(seen).toHaveLength(20);
  });

  it('rejects when the hook returns undefined, and asks again for a later request', async () => {
    keyedApi(new Set());
    const onKeyInvalid = vi.fn(() => undefined);
    const client = createClient({ baseUrl: BASE, apiKey: OLD, onKeyInvalid });
    await expect(client.get('/a')).rejects.toMatchObject({ name: 'InvalidApiKeyError', reason: 'expired' });
    await expect(client.get('/b')).rejects.toMatchObject({ name: 'InvalidApiKeyError' });
    expect(onKeyInvalid).toHaveBeenCalledTimes(2);
  });

  it('sets cause to what the hook threw on every waiter, each with its own request details', async () => {
    keyedApi(new Set());
    const vaultDown = new Error('vault unreachable');
    const onKeyInvalid = vi.fn(async () => {
      await delay(10);
      throw vaultDown;
    });
    const client = createClient({ baseUrl: BASE, apiKey: OLD, onKeyInvalid });

    const errors = await Promise.all(Array.from({ length: 5 }, (_, i) => client.get(`/me/${i}`).catch((e: unknown) => e)));

    expect(onKeyInvalid).toHaveBeenCalledTimes(1);
    errors.forEach((error, i) => {
      expect(error).toBeInstanceOf(InvalidApiKeyError);
      expect(error).toMatchObject({ reason: 'expired', url: `${BASE}/me/${i}`, attempts: 1 });
      expect((error as InvalidApiKeyError).cause).toBe(vaultDown);
    });
  });

  it('rejects within a few hundred ms when aborted during a slow hook, with the signal reason', async () => {
    keyedApi(new Set([NEW]));
    const client = createClient({
      baseUrl: BASE,
      apiKey: OLD,
      onKeyInvalid: async () => {
        await delay(5_000);
        return NEW;
      },
    });
    const controller = new AbortController();
    const started = Date.now();
    const pending = client.get('/me', { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const error = await pending.catch((e: unknown) => e);
    expect((error as DOMException).name).toBe('AbortError');
    expect(Date.now() - started).toBeLessThan(400);
  });

  it('lets one waiter abort without failing the others that share the refresh', async () => {
    keyedApi(new Set([NEW]));
    const onKeyInvalid = vi.fn(async () => {
      await delay(60);
      return NEW;
    });
    const client = createClient({ baseUrl: BASE, apiKey: OLD, onKeyInvalid });
    const controller = new AbortController();
    const reason = new Error('user navigated away');
    const aborted = client.get('/a', { signal: controller.signal });
    const other = client.get('/b');
    setTimeout(() => controller.abort(reason), 20);
    await expect(aborted).rejects.toBe(reason);
    await expect(other).resolves.toMatchObject({ key: 'new' });
    expect(onKeyInvalid).toHaveBeenCalledTimes(1);
  });

  it('gives up on a hook that never settles after timeoutMs, with the timeout as cause', async () => {
    keyedApi(new Set([NEW]));
    const client = createClient({
      baseUrl: BASE,
      apiKey: OLD,
      timeoutMs: 100,
      onKeyInvalid: () => new Promise<string>(() => {}), // never settles
    });
    const error = await client.get('/me').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidApiKeyError);
    expect(String((error as InvalidApiKeyError).cause)).toMatch(/did not settle within 100 ms/);
  });

  it('replays at most maxKeyRefreshes times per request', async () => {
    const seen = keyedApi(new Set());
    let n = 0;
    const onKeyInvalid = vi.fn(async () => `sk_test_rotated_${++n}_abcdefgh`);
    const client = createClient({ baseUrl: BASE, apiKey: OLD, onKeyInvalid, maxKeyRefreshes: 3 });
    await expect(client.get('/me')).rejects.toBeInstanceOf(InvalidApiKeyError);
    expect(onKeyInvalid).toHaveBeenCalledTimes(3);
    expect(seen).toHaveLength(4);

    // maxKeyRefreshes 0: never replayed, but the rejected key is still replaced once for the requests after it.
    const none = createClient({ baseUrl: BASE, apiKey: OLD, onKeyInvalid, maxKeyRefreshes: 0 });
    await expect(none.get('/me')).rejects.toMatchObject({ attempts: 1 });
    expect(onKeyInvalid).toHaveBeenCalledTimes(4);
    expect(seen).toHaveLength(5);
    await expect(none.get('/me')).rejects.toMatchObject({ attempts: 1 });
    expect(seen.at(-1)).toBe('sk_test_rotated_4_abcdefgh');
  });

  it('replays a POST with the same body bytes', async () => {
    const bodies: string[] = [];
    server.use(
      http.post(`${BASE}/items`, async ({ request }) => {
        bodies.push(await request.text());
        return request.headers.get('authorization') === `Bearer ${NEW}`
          ? HttpResponse.json({ id: 1 }, { status: 201 })
          : HttpResponse.json({ error: { code: 'invalid_api_key', message: 'Incorrect API key provided.' } }, { status: 401 });
      }),
    );
    const client = createClient({ baseUrl: BASE, apiKey: OLD, onKeyInvalid: () => NEW });
    await expect(client.post('/items', { body: { name: 'ci', tags: ['a', 'ü'] } })).resolves.toEqual({ id: 1 });
    expect(bodies).toEqual(['{"name":"ci","tags":["a","ü"]}', '{"name":"ci","tags":["a","ü"]}']);
  });

  it('does not replay a request whose body is a stream, but still replaces the rejected key for the requests after it', async () => {
    let requests = 0;
    server.use(
      http.post(`${BASE}/upload`, () => {
        requests += 1;
        return HttpResponse.json({ error: 'invalid_api_key' }, { status: 401 });
      }),
    );
    const onKeyInvalid = vi.fn(() => NEW);
    const client = createClient({ baseUrl: BASE, apiKey: OLD, onKeyInvalid });
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('chunk'));
        controller.close();
      },
    });
    await expect(client.post('/upload', { body: stream, headers: { 'content-type': 'text/plain' } })).rejects.toBeInstanceOf(
      InvalidApiKeyError,
    );
    expect(requests).toBe(1);
    expect(onKeyInvalid).toHaveBeenCalledTimes(1);
  });

  it('counts a replay in the attempts of the final error', async () => {
    keyedApi(new Set());
    const client = createClient({ baseUrl: BASE, apiKey: OLD, onKeyInvalid: () => NEW });
    const error = await client.get('/me').catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'InvalidApiKeyError', attempts: 2, keyHint: 'sk_t…bbbb' });
  });
});

describe('the key provider', () => {
  it('is called lazily and once for any number of concurrent requests', async () => {
    keyedApi(new Set([NEW]));
    const provider = vi.fn<KeyProvider>(async () => {
      await delay(10);
      return NEW;
    });
    const client = createClient({ baseUrl: BASE, apiKey: provider });
    expect(provider).not.toHaveBeenCalled();
    await Promise.all(Array.from({ length: 10 }, () => client.get('/me')));
    expect(provider).toHaveBeenCalledTimes(1);
    expect(provider.mock.calls[0]?.[0].reason).toBe('initial');
    expect(provider.mock.calls[0]?.[0].signal).toBeInstanceOf(AbortSignal);
  });

  it('is asked again with the rejection reason when there is no onKeyInvalid', async () => {
    keyedApi(new Set([NEW]), { error: { code: 'api_key_revoked', message: 'This API key has been revoked.' } });
    const provider = vi.fn<KeyProvider>(({ reason }) => (reason === 'initial' ? OLD : NEW));
    const client = createClient({ baseUrl: BASE, apiKey: provider });
    await expect(client.get('/me')).resolves.toMatchObject({ key: 'new' });
    expect(provider.mock.calls.map((c) => c[0].reason)).toEqual(['initial', 'revoked']);
  });

  it('rejects with reason missing, source client and the cause when it throws', async () => {
    const seen = keyedApi(new Set([NEW]));
    const failure = new Error('secret manager offline');
    const client = createClient({
      baseUrl: BASE,
      apiKey: () => {
        throw failure;
      },
    });
    const error = await client.get('/me').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidApiKeyError);
    expect(error).toMatchObject({ reason: 'missing', source: 'client', status: undefined });
    expect((error as Error).cause).toBe(failure);
    expect(seen).toHaveLength(0);
  });

  it('refreshes a grant close to its expiry before use, once per request', async () => {
    keyedApi(new Set([OLD, NEW]));
    const provider = vi.fn<KeyProvider>(({ reason }) =>
      reason === 'initial' ? { key: OLD, expiresAt: Date.now() + 10_000 } : { key: NEW, expiresAt: new Date(Date.now() + 5_000) },
    );
    const client = createClient({ baseUrl: BASE, apiKey: provider, refreshBeforeExpiryMs: 30_000 });
    // The grant that has just arrived is used as it is, although it is within 30 s of its expiry.
    await expect(client.get('/a')).resolves.toMatchObject({ key: 'other' });
    expect(provider.mock.calls.map((c) => c[0].reason)).toEqual(['initial']);
    // The next request finds it near expiry: refreshed once, and the new grant (also near expiry) is used as it is.
    await expect(client.get('/b')).resolves.toMatchObject({ key: 'new' });
    expect(provider.mock.calls.map((c) => c[0].reason)).toEqual(['initial', 'expiring']);
  });

  it('does not count the same key again as a replacement: a rejected request still reaches the hook', async () => {
    const seen = keyedApi(new Set([NEW]));
    const onKeyInvalid = vi.fn((_error: InvalidApiKeyError) => NEW);
    const client = createClient({ baseUrl: BASE, apiKey: OLD, onKeyInvalid });
    server.use(
      http.get(`${BASE}/slow`, async ({ request }) => {
        seen.push(request.headers.get('authorization') ?? '');
        await delay(30);
        return request.headers.get('authorization') === `Bearer ${NEW}`
          ? HttpResponse.json({ key: 'new' })
          : HttpResponse.json({ error: 'invalid_api_key' }, { status: 401 });
      }),
    );
    const slow = client.get('/slow');
    await delay(5);
    client.setApiKey(OLD); // e.g. a config reload that finds the same key
    await expect(slow).resolves.toEqual({ key: 'new' });
    expect(onKeyInvalid).toHaveBeenCalledTimes(1);
  });

  it('keeps using a grant that is not near its expiry', async () => {
    keyedApi(new Set([OLD]));
    const provider = vi.fn<KeyProvider>(() => ({ key: OLD, expiresAt: Date.now() + 3_600_000 }));
    const client = createClient({ baseUrl: BASE, apiKey: provider });
    await client.get('/a');
    await client.get('/b');
    expect(provider).toHaveBeenCalledTimes(1);
  });
});

describe('setApiKey', () => {
  it('replaces the key at runtime', async () => {
    const seen = keyedApi(new Set([OLD, NEW]));
    const client = createClient({ baseUrl: BASE, apiKey: OLD });
    await client.get('/a');
    client.setApiKey({ key: NEW, expiresAt: Date.now() + 3_600_000 });
    await client.get('/b');
    expect(seen).toEqual([OLD, NEW]);
  });

  it('throws ConfigError for something that is not a key', () => {
    const client = createClient({ baseUrl: BASE, apiKey: OLD });
    expect(() => client.setApiKey(42 as never)).toThrowError(/Invalid option "setApiKey"/);
  });
});

describe('client-side key checks go through the hook', () => {
  it('sends nothing for a quoted key and replays with the key the hook returns', async () => {
    const seen = keyedApi(new Set([NEW]));
    const onKeyInvalid = vi.fn((_error: InvalidApiKeyError) => NEW);
    const client = createClient({ baseUrl: BASE, apiKey: `"${NEW}"`, onKeyInvalid });
    await expect(client.get('/me')).resolves.toMatchObject({ key: 'new' });
    const error = onKeyInvalid.mock.calls[0]?.[0];
    expect(error).toMatchObject({ reason: 'malformed', source: 'client', status: undefined });
    expect(error?.hint).toMatch(/wrapped in quotes/);
    expect(seen).toEqual([NEW]);
  });

  it('rejects a missing key without a request', async () => {
    const seen = keyedApi(new Set([NEW]));
    const client = createClient({ baseUrl: BASE, apiKey: process.env.KEYGUARD_SURELY_UNSET_VARIABLE });
    const error = await client.get('/me').catch((e: unknown) => e);
    expect(isInvalidApiKeyError(error)).toBe(true);
    expect(error).toMatchObject({ reason: 'missing', source: 'client' });
    expect(seen).toHaveLength(0);
  });

  it('sends nothing at all with auth: false, and lints nothing', async () => {
    let authorization: string | null = 'unset';
    server.use(
      http.get(`${BASE}/health`, ({ request }) => {
        authorization = request.headers.get('authorization');
        return HttpResponse.json({ up: true });
      }),
    );
    const client = createClient({ baseUrl: BASE });
    await expect(client.get('/health', { auth: false })).resolves.toEqual({ up: true });
    expect(authorization).toBeNull();
  });

  it('with keyLint off, a key a header cannot carry is still a typed key error, not a crash', async () => {
    const seen = keyedApi(new Set([NEW]));
    const client = createClient({ baseUrl: BASE, apiKey: 'sk_test_line\nbreak_0000', keyLint: 'off' });
    await expect(client.get('/me')).rejects.toMatchObject({
      name: 'InvalidApiKeyError',
      reason: 'malformed',
      source: 'client',
      code: 'invalid-character',
    });
    expect(seen).toHaveLength(0);
  });

  it('does not send a grant whose expiresAt has passed: the hook gets an expired client-side error', async () => {
    const seen = keyedApi(new Set([NEW]));
    const onKeyInvalid = vi.fn((_error: InvalidApiKeyError) => NEW);
    const client = createClient({ baseUrl: BASE, apiKey: { key: OLD, expiresAt: Date.now() - 1 }, onKeyInvalid });
    await expect(client.get('/me')).resolves.toMatchObject({ key: 'new' });
    expect(onKeyInvalid.mock.calls[0]?.[0]).toMatchObject({ reason: 'expired', source: 'client', keyHint: 'sk_t…aaaa' });
    expect(seen).toEqual([NEW]);
  });

  it('a replacement that fails while setApiKey installed a newer key replays with that key', async () => {
    const seen = keyedApi(new Set([NEW]));
    let release: (() => void) | undefined;
    const onKeyInvalid = vi.fn(async () => {
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      return undefined; // the hook gives up…
    });
    const client = createClient({ baseUrl: BASE, apiKey: OLD, onKeyInvalid });
    const pending = client.get('/a');
    await vi.waitFor(() => expect(onKeyInvalid).toHaveBeenCalledTimes(1));
    client.setApiKey(NEW); // …but the application set a good key meanwhile
    release?.();
    await expect(pending).resolves.toMatchObject({ key: 'new' });
    expect(seen).toEqual([OLD, NEW]);
  });

  it("keeps a key set with setApiKey while the hook ran, over the hook's older answer", async () => {
    const seen = keyedApi(new Set([NEW]));
    let release: (() => void) | undefined;
    const onKeyInvalid = vi.fn(async () => {
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      return 'sk_test_stale_from_hook_9999';
    });
    const client = createClient({ baseUrl: BASE, apiKey: OLD, onKeyInvalid });
    const pending = client.get('/a');
    await vi.waitFor(() => expect(onKeyInvalid).toHaveBeenCalledTimes(1));
    client.setApiKey(NEW);
    release?.();
    await expect(pending).resolves.toMatchObject({ key: 'new' });
    await expect(client.get('/b')).resolves.toMatchObject({ key: 'new' });
    expect(seen).toEqual([OLD, NEW, NEW]);
  });
});
