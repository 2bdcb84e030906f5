import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../src/cli/doctor.js';
import { type Simulator, startSimulator } from '../src/testing/simulator-entry.js';

const BIN = fileURLToPath(new URL('../src/cli/bin.ts', import.meta.url));
const CWD = fileURLToPath(new URL('..', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `keyguard <args>` (the bin, from source through tsx) with only `env` set; kills it after 45 s (the machine may be busy). */
function keyguard(args: string[], env: Record<string, string> = {}, stdin?: string): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', BIN, ...args], {
    cwd: CWD,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdin.end(stdin ?? '');
  const killer = setTimeout(() => child.kill('SIGKILL'), 45_000);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    }),
  );
}

/** Neither stream may contain the key, nor any 8-character piece of its middle. */
function expectNoKey(run: Run, key: string): void {
  const all = run.stdout + run.stderr;
  expect(all).not.toContain(key);
  for (let i = 4; i + 8 <= key.length - 4; i += 4) expect(all).not.toContain(key.slice(i, i + 8));
}

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ seed: 1 });
});
afterAll(() => sim.close());
beforeEach(() => sim.resetStats());

const generic = () => ['doctor', '--base-url', sim.url, '--auth', 'bearer', '--key-env', 'SIM_KEY', '--path', '/me'];

describe('keyguard doctor against the simulator', { timeout: 60_000 }, () => {
  it('a valid key: exit 0, one request, the fingerprint and "works"', async () => {
    const { key } = sim.issueKey();
    const run = await keyguard(generic(), { SIM_KEY: key });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('OK — the key works');
    expect(run.stdout).toContain(`${key.slice(0, 4)}…${key.slice(-4)}`);
    expect(sim.stats().requests).toBe(1);
    expectNoKey(run, key);
  });

  it.each([
    ['expired', (key: string) => sim.expireKey(key)],
    ['revoked', (key: string) => sim.revokeKey(key)],
  ] as const)('a key that is %s: exit 1 with the reason named and the next step', async (reason, spoil) => {
    const { key } = sim.issueKey();
    spoil(key);
    const run = await keyguard(generic(), { SIM_KEY: key });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`result: the key does not work — ${reason} (the API said so)`);
    expect(run.stdout).toContain('GET /me → 401');
    expect(run.stdout).toMatch(/next: {3}The key (expired|was revoked)/);
    expect(sim.stats().keyErrors[reason]).toBe(1);
    expectNoKey(run, key);
  });

  it('a mistyped key: exit 1, malformed', async () => {
    const { key } = sim.issueKey();
    const mistyped = `${key.slice(0, -1)}${key.endsWith('0') ? '1' : '0'}`;
    const run = await keyguard(generic(), { SIM_KEY: mistyped });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('result: the key does not work — malformed (the API said so)');
    expectNoKey(run, mistyped);
  });

  it('a quoted key: exit 1, malformed, and nothing reaches the server', async () => {
    const { key } = sim.issueKey();
    const run = await keyguard(generic(), { SIM_KEY: `"${key}"` });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('result: the key does not work — malformed (client-side check)');
    expect(run.stdout).toContain('probe:  not sent (caught before sending)');
    expect(run.stdout).toContain('The key is wrapped in quotes — remove them from your .env file.');
    expect(sim.stats().requests).toBe(0);
    expectNoKey(run, key);
  });

  it('an unset variable: exit 1, missing, nothing sent', async () => {
    const run = await keyguard(generic());
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('SIM_KEY is not set, so there is no key to check.');
    expect(run.stdout).toContain('missing');
    expect(sim.stats().requests).toBe(0);
  });

  it('--key-stdin --json: one JSON object a script can read; a trailing newline from echo is fine', async () => {
    const { key } = sim.issueKey();
    sim.expireKey(key);
    const run = await keyguard(['doctor', '--base-url', sim.url, '--key-stdin', '--path', '/me', '--json'], {}, `${key}\n`);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(report).toMatchObject({
      ok: false,
      verdict: 'rejected',
      reason: 'expired',
      source: 'server',
      status: 401,
      code: 'api_key_expired',
      keySource: 'stdin',
      keyHint: `${key.slice(0, 4)}…${key.slice(-4)}`,
      probe: { method: 'GET', path: '/me' },
      warnings: [],
    });
    expectNoKey(run, key);
  });

  it('a valid --json run parses with ok: true', async () => {
    const { key } = sim.issueKey();
    const run = await keyguard([...generic(), '--json'], { SIM_KEY: key });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, verdict: 'works', baseUrl: sim.url });
  });

  it('--provider plays the preset against the simulated vendor: its default env var, probe, auth and wire format', async () => {
    const { key } = sim.issueKey({ vendor: 'anthropic' });
    const ok = await keyguard(['doctor', '--provider', 'anthropic', '--base-url', sim.vendorUrl('anthropic')], { ANTHROPIC_API_KEY: key });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('keyguard doctor: Anthropic');
    expect(sim.stats().byPath).toEqual({ '/anthropic/v1/models': 1 });
    sim.revokeKey(key);
    const bad = await keyguard(['doctor', '--provider', 'anthropic', '--base-url', sim.vendorUrl('anthropic'), '--json'], {
      ANTHROPIC_API_KEY: key,
    });
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout)).toMatchObject({ reason: 'malformed', status: 401, message: 'invalid x-api-key', provider: 'Anthropic' });
    expect(JSON.parse(bad.stdout).hint).toContain('https://console.anthropic.com/settings/keys');
    expectNoKey(bad, key);
  });

  it('--provider slack reads a 200 {"ok":false} answer as a key error', async () => {
    const { key } = sim.issueKey({ vendor: 'slack' });
    sim.revokeKey(key);
    const run = await keyguard(['doctor', '--provider', 'slack', '--base-url', sim.vendorUrl('slack')], { SLACK_BOT_TOKEN: key });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('POST /auth.test → 200');
    expect(run.stdout).toContain('revoked');
  });

  it("another provider's key: exit 1 before sending, naming both providers and the keys page", async () => {
    const { key } = sim.issueKey({ vendor: 'anthropic' });
    const run = await keyguard(['doctor', '--provider', 'openai', '--base-url', sim.vendorUrl('openai'), '--json'], {
      OPENAI_API_KEY: key,
    });
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as Record<string, string>;
    expect(report).toMatchObject({ reason: 'malformed', source: 'client', code: 'wrong-provider' });
    expect(report.message).toContain('looks like an Anthropic');
    expect(report.message).toContain('https://platform.openai.com/api-keys');
    expect(sim.stats().requests).toBe(0);
    expectNoKey(run, key);
  });

  it('no network: exit 1 with a clear "could not reach" message, not a stack', async () => {
    const port = await closedPort();
    const run = await keyguard(['doctor', '--base-url', `http://127.0.0.1:${port}/v1`, '--key-env', 'SIM_KEY', '--timeout-ms', '3000'], {
      SIM_KEY: 'sk_live_0123456789abcdef',
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('result: could not reach the API');
    expect(run.stdout).toContain('the connection was refused');
    expect(run.stderr).toBe('');
  });

  it('a probe that is not a key error (404): exit 1, inconclusive, with what to do', async () => {
    const { key } = sim.issueKey();
    const run = await keyguard(['doctor', '--base-url', sim.url, '--key-env', 'SIM_KEY', '--path', '/items/item_404'], { SIM_KEY: key });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('could not confirm the key');
    expect(run.stdout).toContain('Pass --path with an endpoint that needs the key.');
  });
});

describe('keyguard doctor: bad usage exits 2 and never echoes a value', { timeout: 60_000 }, () => {
  it.each([
    [['doctor'], 'give --provider NAME, or --base-url URL'],
    [['doctor', '--provider', 'openai', '--key', 'sk-proj-SECRETSECRETSECRET'], 'doctor never takes the key from an argument'],
    [['doctor', '--provider', 'openai', 'sk-proj-SECRETSECRETSECRET'], 'unexpected argument #3 (not shown, in case it is a key)'],
  ])('the bin: %j', async (args, message) => {
    const run = await keyguard(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stdout).toBe('');
    expect(run.stderr).not.toContain('SECRETSECRET');
  });

  it.each([
    [['doctor'], 'give --provider NAME, or --base-url URL'],
    [['doctor', '--provider', 'nope'], '--provider must be one of: openai, anthropic, stripe, github, google, slack'],
    [['doctor', '--provider', 'openai', '--key', 'sk-proj-SECRETSECRETSECRET'], 'doctor never takes the key from an argument'],
    [['doctor', '--provider', 'openai', '--api-key=sk-proj-SECRETSECRETSECRET'], 'doctor never takes the key from an argument'],
    [['doctor', '--provider', 'openai', 'sk-proj-SECRETSECRETSECRET'], 'unexpected argument #3 (not shown, in case it is a key)'],
    [['doctor', '--base-url', 'ftp://x', '--key-stdin'], '--base-url must be an absolute http(s) URL'],
    [
      ['doctor', '--base-url', 'https://api.example.com', '--auth', 'basic', '--key-stdin'],
      '--auth must be bearer, header:NAME or query:NAME',
    ],
    [['doctor', '--base-url', 'https://api.example.com'], 'say where the key is: --key-env VAR or --key-stdin'],
    [['doctor', '--provider', 'openai', '--key-env', 'sk-proj-SECRETSECRETSECRET'], '--key-env must be an environment variable name'],
    [['doctor', '--provider', 'openai', '--key-env', 'A', '--key-stdin'], 'give --key-env or --key-stdin, not both'],
    [['doctor', '--provider', 'openai', '--path', 'models'], "--path must start with '/'"],
    [['frobnicate'], 'unknown command'],
    [[], 'no command given'],
  ])('main(): %j', async (args, message) => {
    const run = await inProcess(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stdout).toBe('');
    expect(run.stderr).not.toContain('SECRETSECRET');
  });

  it('--help prints the usage and exits 0', async () => {
    const run = await inProcess(['doctor', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: keyguard doctor');
    expect(run.stdout).toContain('--key-stdin');
  });
});

/** The same entry point the bin calls, with fake streams and no environment. */
async function inProcess(argv: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await main({
    argv,
    env: {},
    readStdin: async () => '',
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    fetch: () => Promise.reject(new Error('no request may be sent on bad usage')),
  });
  return { code, stdout, stderr };
}

function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
