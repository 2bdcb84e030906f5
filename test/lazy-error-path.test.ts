// The classifier and the hints are loaded by the first answer that may be a key error (one dynamic
// import, src/core/load-error-path.ts): in a browser a success never loads them, the first key error
// does, once. On a server (Node here) the same import starts when keyguard is imported.
import { HttpResponse, http } from 'msw';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { BASE, useMsw } from './helpers/msw.js';

const server = useMsw();
const KEY = 'sk_test_lazy_0000000000aaaa';
let loads = 0;

/**
 * keyguard as an app gets it on a fresh start: nothing loaded yet, every load of the error path counted.
 * `browser`: imported where `process.versions.node` is absent, as in a page.
 */
async function freshKeyguard({ browser }: { browser: boolean }) {
  vi.resetModules();
  loads = 0;
  vi.doMock('../src/core/error-path.js', async (importOriginal) => {
    loads += 1;
    return importOriginal();
  });
  if (!browser) return import('../src/index.js');
  vi.stubGlobal('process', new Proxy(process, { get: (target, name) => (name === 'versions' ? {} : Reflect.get(target, name)) }));
  try {
    return await import('../src/index.js');
  } finally {
    vi.unstubAllGlobals();
  }
}

function api() {
  server.use(
    http.get(`${BASE}/ok`, () => HttpResponse.json({ ok: true })),
    http.get(`${BASE}/expired`, () =>
      HttpResponse.json({ error: { code: 'api_key_expired', message: 'This API key has expired.' } }, { status: 401 }),
    ),
    http.get(`${BASE}/missing`, () => HttpResponse.json({ error: 'not found' }, { status: 404 })),
  );
}

beforeEach(() => {
  vi.doUnmock('../src/core/error-path.js');
});

describe('the lazily loaded error path', () => {
  it('createClient: a 2xx loads nothing; the first key error loads the classifier once and is fully typed', async () => {
    api();
    const { createClient, isInvalidApiKeyError, isApiError } = await freshKeyguard({ browser: true });
    const client = createClient({ baseUrl: BASE, apiKey: KEY });

    await expect(client.get('/ok')).resolves.toEqual({ ok: true });
    expect(loads).toBe(0);

    const first = await client.get('/expired').catch((error: unknown) => error);
    expect(isInvalidApiKeyError(first)).toBe(true);
    expect(first).toMatchObject({ reason: 'expired', code: 'api_key_expired', status: 401, source: 'server' });
    expect((first as { hint: string }).hint).toMatch(/create a new one/);
    expect(loads).toBe(1);

    // Later failures use the module already loaded.
    const [second, notFound] = await Promise.all([
      client.get('/expired').catch((error: unknown) => error),
      client.get('/missing').catch((error: unknown) => error),
    ]);
    expect(second).toMatchObject({ reason: 'expired' });
    expect(isApiError(notFound)).toBe(true);
    expect(notFound).toMatchObject({ status: 404 });
    expect(loads).toBe(1);
  });

  it('keyguardFetch: a 2xx loads nothing; the first key error loads it once and the SDK gets the marked answer', async () => {
    api();
    const { keyguardFetch, keyErrorOf } = await freshKeyguard({ browser: true });
    const fetch = keyguardFetch({ apiKey: KEY, baseUrl: BASE });

    expect((await fetch(`${BASE}/ok`)).status).toBe(200);
    expect(loads).toBe(0);

    const answer = await fetch(`${BASE}/expired`);
    expect(answer.status).toBe(401);
    expect(answer.headers.get('x-should-retry')).toBe('false');
    expect(keyErrorOf(answer)).toMatchObject({ reason: 'expired', code: 'api_key_expired' });
    expect(loads).toBe(1);

    expect((await fetch(`${BASE}/expired`)).status).toBe(401);
    expect(loads).toBe(1);
  });

  it('loads it for a key rejected before sending, whose error carries the hint too', async () => {
    const { createClient } = await freshKeyguard({ browser: true });
    const client = createClient({ baseUrl: BASE });

    const error = await client.get('/ok').catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({ reason: 'missing', source: 'client' });
    expect((error as { hint: string }).hint).toMatch(/set apiKey/);
    expect(loads).toBe(1);
  });

  it('on a server: starts the import with keyguard itself, once, and the first key error uses it', async () => {
    api();
    const { createClient } = await freshKeyguard({ browser: false });
    await vi.waitFor(() => expect(loads).toBe(1));
    const client = createClient({ baseUrl: BASE, apiKey: KEY });

    await expect(client.get('/ok')).resolves.toEqual({ ok: true });
    const error = await client.get('/expired').catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({ reason: 'expired', code: 'api_key_expired' });
    expect(loads).toBe(1);
  });

  it('when the chunk cannot be loaded: a 401 is still a key error (unknown reason), and the next failure tries again', async () => {
    api();
    const { createClient, isInvalidApiKeyError, isApiError } = await freshKeyguard({ browser: true });
    let attempts = 0;
    vi.doMock('../src/core/error-path.js', () => {
      attempts += 1;
      throw new Error('the chunk is gone');
    });
    const onKeyInvalid = vi.fn(async () => 'sk_test_lazy_1111111111bbbb');
    const warnings: string[] = [];
    const logger = { warn: (line: unknown) => void warnings.push(String(line)) };
    const client = createClient({ baseUrl: BASE, apiKey: KEY, onKeyInvalid, maxKeyRefreshes: 1, logger });

    const error = await client.get('/expired').catch((thrown: unknown) => thrown);
    expect(isInvalidApiKeyError(error)).toBe(true);
    expect(error).toMatchObject({ reason: 'unknown', status: 401, source: 'server' });
    expect((error as { hint: string }).hint).toMatch(/could not load the part that says why/);
    expect(onKeyInvalid).toHaveBeenCalled(); // The key is still replaced.
    const notFound = await client.get('/missing').catch((thrown: unknown) => thrown);
    expect(isApiError(notFound)).toBe(true);
    expect(notFound).toMatchObject({ status: 404 });
    expect(attempts).toBeGreaterThanOrEqual(2); // Not cached: each later failure tries to load it again.
    expect(warnings.some((line) => line.includes('classifier could not be loaded'))).toBe(true); // Said, not silent.
  });
});

/** `GET /ok` answering `{ ok: true }`; returns the Authorization header of every request it got. */
function okRecordingKeys(): string[] {
  const seen: string[] = [];
  server.use(
    http.get(`${BASE}/ok`, ({ request }) => {
      seen.push(request.headers.get('authorization') ?? '');
      return HttpResponse.json({ ok: true });
    }),
  );
  return seen;
}

describe('the key checks before sending', () => {
  it('a plainly clean key loads nothing; a key with a trailing newline loads the full checks once, is trimmed and warned about', async () => {
    const seen = okRecordingKeys();
    const { createClient } = await freshKeyguard({ browser: true });
    await expect(createClient({ baseUrl: BASE, apiKey: KEY }).get('/ok')).resolves.toEqual({ ok: true });
    expect(loads).toBe(0);

    const warnings: string[] = [];
    const client = createClient({
      baseUrl: BASE,
      apiKey: `${KEY}\n`,
      logger: { warn: (line: unknown) => void warnings.push(String(line)) },
    });
    await expect(client.get('/ok')).resolves.toEqual({ ok: true });
    await expect(client.get('/ok')).resolves.toEqual({ ok: true });
    expect(loads).toBe(1);
    expect(seen).toEqual([`Bearer ${KEY}`, `Bearer ${KEY}`, `Bearer ${KEY}`]);
    expect(warnings.filter((line) => line.includes('trimmed'))).toHaveLength(1); // Once per key value.
  });

  it('when the full checks cannot be loaded: a key a header can carry is sent (trimmed), one it cannot is not', async () => {
    const seen = okRecordingKeys();
    const { createClient, isInvalidApiKeyError } = await freshKeyguard({ browser: true });
    vi.doMock('../src/core/error-path.js', () => {
      throw new Error('the chunk is gone');
    });
    // Whitespace around it, and a key the quick check is not sure of (it ends like a masked example).
    await expect(createClient({ baseUrl: BASE, apiKey: ` ${KEY}\n` }).get('/ok')).resolves.toEqual({ ok: true });
    await expect(createClient({ baseUrl: BASE, apiKey: `${KEY}x` }).get('/ok')).resolves.toEqual({ ok: true });
    expect(seen).toEqual([`Bearer ${KEY}`, `Bearer ${KEY}x`]);

    const error = await createClient({ baseUrl: BASE, apiKey: 'sk_live_abc\ndef' })
      .get('/ok')
      .catch((thrown: unknown) => thrown);
    expect(isInvalidApiKeyError(error)).toBe(true);
    expect(error).toMatchObject({ source: 'client', reason: 'malformed' });
    expect(seen).toHaveLength(2); // The key with a line break inside never left.
  });
});
