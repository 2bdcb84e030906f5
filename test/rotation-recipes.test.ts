/**
 * The recipes of docs/key-rotation.md, run against the "API Service" simulator.
 * The code between `// #region recipe-…` and `// #endregion` is what the doc shows; the last
 * test checks the doc still contains every region verbatim, so the two cannot drift.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createClient, InvalidApiKeyError, type OnKeyInvalid } from '../src/index.js';
import { type Simulator, startSimulator } from '../src/testing/index.js';

let sim: Simulator;
let baseUrl: string;
beforeEach(async () => {
  sim = await startSimulator({ seed: 3 });
  baseUrl = sim.url;
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await sim.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const logger = { warn: vi.fn() };

describe('recipe (a): reload the key from a file or the environment', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'keyguard-rotation-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('re-reads the key file in onKeyInvalid and replays the request with the new key', async () => {
    const first = sim.issueKey();
    const KEY_FILE = join(dir, 'api-service-key');
    await writeFile(KEY_FILE, `${first.key}\n`);

    // #region recipe-a-file
    const readKey = async () => (await readFile(KEY_FILE, 'utf8')).trim();

    const client = createClient({
      baseUrl,
      apiKey: await readKey(),
      // The key was rejected: whoever rotates it has written the new one to the file by now.
      onKeyInvalid: readKey,
    });
    // #endregion

    expect(await client.get('/me')).toMatchObject({ keyId: first.id });

    // The operator (or the platform's secret mount) rotates the key and rewrites the file.
    const second = sim.rotateKey(first.id);
    await writeFile(KEY_FILE, `${second.key}\n`);

    expect(await client.get('/me')).toMatchObject({ keyId: second.id });
    expect(sim.stats()).toMatchObject({ requests: 3, keyErrors: { expired: 1 } });
  });

  it('rejects with the key error, without looping, when the file still holds the rejected key', async () => {
    const first = sim.issueKey();
    const KEY_FILE = join(dir, 'api-service-key');
    await writeFile(KEY_FILE, first.key);
    const readKey = async () => (await readFile(KEY_FILE, 'utf8')).trim();
    const client = createClient({ baseUrl, apiKey: await readKey(), onKeyInvalid: readKey });

    sim.revokeKey(first.id);

    await expect(client.get('/me')).rejects.toMatchObject({ name: 'InvalidApiKeyError', reason: 'revoked' });
    expect(sim.stats().requests).toBe(1);
  });

  it('re-reads process.env in onKeyInvalid', async () => {
    const first = sim.issueKey();
    vi.stubEnv('API_SERVICE_KEY', first.key);

    // #region recipe-a-env
    const client = createClient({
      baseUrl,
      apiKey: process.env.API_SERVICE_KEY,
      // Something in this process refreshes process.env (a SIGHUP handler re-running dotenv, say).
      onKeyInvalid: () => process.env.API_SERVICE_KEY,
    });
    // #endregion

    await client.get('/me');
    const second = sim.rotateKey(first.id);
    vi.stubEnv('API_SERVICE_KEY', second.key);

    expect(await client.get('/me')).toMatchObject({ keyId: second.id });
  });
});

describe('recipe (b): fetch the key from a secret manager', () => {
  it('asks the vault once for 20 concurrent requests rejected with the same key', async () => {
    // A fake, in-process secret manager: the current key under a name, with a network round trip.
    const secrets = new Map([['api-service/key', sim.issueKey().key]]);
    const vault = {
      getSecret: vi.fn(async (name: string) => {
        await sleep(20);
        const value = secrets.get(name);
        if (value === undefined) throw new Error(`no secret ${name}`);
        return value;
      }),
    };

    // #region recipe-b
    const client = createClient({
      baseUrl,
      // A provider: called lazily, once, for the first request.
      apiKey: () => vault.getSecret('api-service/key'),
      // Called once per rejected key, however many requests failed with it.
      onKeyInvalid: async (error) => {
        logger.warn(`API key ${error.keyHint} was rejected (${error.reason}); fetching the current one.`);
        return vault.getSecret('api-service/key');
      },
    });
    // #endregion

    await client.get('/me');
    expect(vault.getSecret).toHaveBeenCalledTimes(1);

    // Rotation happens elsewhere: the old key dies and the vault now holds its successor.
    const next = sim.rotateKey(secrets.get('api-service/key') as string);
    secrets.set('api-service/key', next.key);

    const results = await Promise.all(Array.from({ length: 20 }, () => client.get('/me')));

    expect(vault.getSecret).toHaveBeenCalledTimes(2); // start-up, then once for all 20 rejections
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn.mock.calls[0]?.[0]).toMatch(/^API key sk_l…[0-9a-f]{4} was rejected \(expired\); fetching the current one\.$/);
    for (const me of results) expect(me).toMatchObject({ keyId: next.id });
    expect(sim.stats().keyErrors.expired).toBeLessThanOrEqual(20);
  });
});

describe('recipe (c): zero-downtime rotation with an overlap', () => {
  it('switches to the new key while the old one is still valid: no request fails', async () => {
    sim.setFaults({ latencyMs: 40 }); // keep requests in flight across the switch
    const old = sim.issueKey();
    const onKeyInvalid = vi.fn(() => undefined);
    const client = createClient({ baseUrl, apiKey: old, onKeyInvalid });
    const inFlight = Array.from({ length: 10 }, () => client.get('/me'));
    await sleep(5);

    // #region recipe-c
    // The rotation job: ask the API for a successor and keep the old key valid for a grace period
    // that covers every request already in flight with it.
    const next = sim.rotateKey(old.id, { graceMs: 300 });
    // New requests use the new key from now on; the old one expires on its own.
    client.setApiKey(next);
    // #endregion

    const after = Array.from({ length: 10 }, () => client.get('/me'));
    const results = await Promise.all([...inFlight, ...after]);

    expect(results.slice(0, 10)).toEqual(Array(10).fill(expect.objectContaining({ keyId: old.id })));
    expect(results.slice(10)).toEqual(Array(10).fill(expect.objectContaining({ keyId: next.id })));
    expect(onKeyInvalid).not.toHaveBeenCalled();
    expect(sim.stats().keyErrors.expired).toBe(0);

    // After the grace period the old key is dead, and the client no longer uses it.
    await sleep(300);
    sim.setFaults({});
    const stale = createClient({ baseUrl, apiKey: old.key });
    await expect(stale.get('/me')).rejects.toMatchObject({ name: 'InvalidApiKeyError', reason: 'expired' });
    await expect(client.get('/me')).resolves.toMatchObject({ keyId: next.id });
  });
});

// #region recipe-d
/** The key every process shares: a Redis hash, a database row, a file with a lock. */
interface SharedKey {
  version: number;
  key: string;
  /** True while one process is rotating the key; the others wait for its result. */
  rotating: boolean;
}

interface SharedKeyStore {
  get(): Promise<SharedKey>;
  /** Writes `next` only if the stored version is still `version` (Redis WATCH/MULTI, `UPDATE … WHERE version = ?`). */
  compareAndSet(version: number, next: SharedKey): Promise<boolean>;
}

/**
 * An onKeyInvalid for one of many processes sharing a key. The first process to see the key
 * rejected claims the rotation with a compare-and-set and rotates it; every other process
 * picks up the result from the store.
 */
function sharedKeyRefresher(
  store: SharedKeyStore,
  held: SharedKey,
  rotate: (oldKey: string) => Promise<string>,
  waitMs = 10_000,
): OnKeyInvalid {
  return async () => {
    const deadline = Date.now() + waitMs;
    while (Date.now() < deadline) {
      const latest = await store.get();
      if (latest.version > held.version && !latest.rotating) {
        held = latest; // another process rotated it already
        return held.key;
      }
      const claim = { ...held, version: held.version + 1, rotating: true };
      if (latest.version === held.version && (await store.compareAndSet(held.version, claim))) {
        const key = await rotate(held.key); // exactly one process gets here per rejected key
        held = { version: claim.version, key, rotating: false };
        await store.compareAndSet(claim.version, held);
        return key;
      }
      await new Promise((resolve) => setTimeout(resolve, 25)); // someone else is rotating
    }
    throw new Error('Gave up waiting for another process to rotate the API key.');
  };
}
// #endregion

describe('recipe (d): many processes sharing one key', () => {
  /** An in-memory stand-in for Redis: every call takes a little while, like a network round trip. */
  function memoryStore(initial: SharedKey): SharedKeyStore {
    let value = { ...initial };
    return {
      async get() {
        await sleep(Math.random() * 5);
        return { ...value };
      },
      async compareAndSet(version, next) {
        await sleep(Math.random() * 5);
        if (value.version !== version) return false;
        value = { ...next };
        return true;
      },
    };
  }

  it('rotates once across 4 processes: one owner, each hook runs once, every request succeeds', async () => {
    const first = sim.issueKey();
    const store = memoryStore({ version: 1, key: first.key, rotating: false });
    // The rotation call against the provider's admin API; it must run exactly once.
    const rotate = vi.fn(async (oldKey: string) => sim.rotateKey(oldKey).key);

    const processes = await Promise.all(
      Array.from({ length: 4 }, async () => {
        // #region recipe-d-client
        const held = await store.get();
        const onKeyInvalid = vi.fn(sharedKeyRefresher(store, held, rotate));
        const client = createClient({ baseUrl, apiKey: held.key, onKeyInvalid });
        // #endregion
        return { client, onKeyInvalid };
      }),
    );
    for (const { client } of processes) await client.get('/me');

    sim.expireKey(first.id);
    const results = await Promise.all(processes.flatMap(({ client }) => Array.from({ length: 5 }, () => client.get('/me'))));

    expect(rotate).toHaveBeenCalledTimes(1);
    const rotatedTo = (results[0] as { keyId: string }).keyId;
    expect(rotatedTo).not.toBe(first.id);
    for (const me of results) expect(me).toMatchObject({ keyId: rotatedTo });
    for (const { onKeyInvalid } of processes) expect(onKeyInvalid).toHaveBeenCalledTimes(1);
    expect(await store.get()).toMatchObject({ version: 2, rotating: false });
  });

  it('gives up with the key error when the owner never finishes', async () => {
    const first = sim.issueKey();
    const store = memoryStore({ version: 1, key: first.key, rotating: false });
    await store.compareAndSet(1, { version: 2, key: first.key, rotating: true }); // an owner that crashed
    const client = createClient({
      baseUrl,
      apiKey: first.key,
      onKeyInvalid: sharedKeyRefresher(store, { version: 1, key: first.key, rotating: false }, async () => 'unused', 200),
    });
    sim.expireKey(first.id);

    const error = await client.get('/me').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(InvalidApiKeyError);
    expect(error).toMatchObject({ reason: 'expired' });
    expect(String((error as InvalidApiKeyError).cause)).toBe('Error: Gave up waiting for another process to rotate the API key.');
  });
});

describe('docs/key-rotation.md', () => {
  it('shows every recipe region of this file verbatim', () => {
    const source = readFileSync(new URL(import.meta.url), 'utf8');
    const doc = readFileSync(new URL('../docs/key-rotation.md', import.meta.url), 'utf8');
    const regions = [...source.matchAll(/^( *)\/\/ #region (\S+)\n([\s\S]*?)^ *\/\/ #endregion/gm)];
    expect(regions.map((m) => m[2])).toEqual(['recipe-a-file', 'recipe-a-env', 'recipe-b', 'recipe-c', 'recipe-d', 'recipe-d-client']);
    for (const [, indent = '', name, body = ''] of regions) {
      const dedented = body
        .split('\n')
        .map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line))
        .join('\n')
        .trimEnd();
      expect(doc, `docs/key-rotation.md is missing region ${name}`).toContain(dedented);
    }
  });
});
