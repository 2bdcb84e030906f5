import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('npm run demo (examples/demo.ts)', () => {
  it('tells the whole story, exits 0 on its own, and never prints a full key', async () => {
    const { stdout, stderr } = await promisify(execFile)('npx', ['tsx', 'examples/demo.ts'], {
      cwd: root,
      timeout: 30_000,
      env: { ...process.env, NO_COLOR: '1' },
    });
    const output = `${stdout}\n${stderr}`;

    // Exit 0 is implied: execFile rejects on any other exit code.
    expect(stderr).toBe('');
    expect(stdout).toContain('1. A good call');
    expect(stdout).toMatch(/GET \/me\s+200 key_[0-9a-f]{16}/);
    // 2. expiry mid-run: one rejected request, one replay, one refresh.
    expect(stdout).toMatch(/server requests\s+2 \(1 rejected as expired, 1 ok\)/);
    expect(stdout).toMatch(/onKeyInvalid\s+reason: expired, key sk_l…[0-9a-f]{4} -> rotated to sk_l…[0-9a-f]{4}/);
    // 3. the burst.
    expect(stdout).toMatch(/ok\s+100 of 100/);
    expect(stdout).toMatch(/server requests\s+200 \(100 expired \+ 100 replayed\)/);
    expect(stdout.match(/refreshes:\s+1\n/g)).toHaveLength(2);
    // 4. revoked, typed, with a hint.
    expect(stdout).toMatch(/reason:\s+revoked/);
    expect(stdout).toMatch(/hint\s+The key was revoked or disabled/);
    expect(stdout).toMatch(/request id\s+req_[0-9a-f]{16}/);
    // 5. quoted key caught before sending.
    expect(stdout).toMatch(/InvalidApiKeyError \(source: client, code: quoted\)/);
    expect(stdout).toMatch(/hint\s+The key is wrapped in quotes/);
    expect(stdout).toMatch(/5\. A key pasted with quotes[\s\S]*server requests\s+0\n/);
    // 6. the wire-format table.
    expect(stdout).toMatch(/classic\s+expired\s+revoked\s+malformed\s+missing\n/);
    expect(stdout).toMatch(/vague\s+unknown\s+unknown\s+unknown\s+missing\n/);
    expect(stdout).toMatch(/rfc6750\s+expired\s+revoked\s+malformed\s+missing\n/);
    expect(stdout).toMatch(/problem\s+expired\s+revoked\s+malformed\s+missing\n/);
    // 7. the real openai SDK through keyguardFetch: an expiry, a burst, a streamed answer.
    const openai = stdout.slice(stdout.indexOf('7. The openai SDK through keyguardFetch'));
    expect(openai).toMatch(/^7\. The openai SDK through keyguardFetch\n/);
    expect(openai).toMatch(
      /onKeyInvalid\s+reason: expired, key sk_l…[0-9a-f]{4} -> rotated to sk_l…[0-9a-f]{4}\n\s+chat\.completions\s+200 "Hello from the keyguard simulator\." after replay/,
    );
    expect(openai).toMatch(/chat\.completions[^\n]*\n\s+server requests\s+2 \(1 rejected as expired, 1 ok\)\n\s+hook calls\s+1\n/);
    expect(openai).toMatch(/burst ok\s+50 of 50\n\s+hook calls\s+1\n\s+server requests\s+100 \(50 expired \+ 50 replayed\)\n/);
    expect(openai.match(/onKeyInvalid/g)).toHaveLength(2);
    const chunks = [...openai.matchAll(/chunk\s+\+\s*(\d+) ms {2}"([^"]*)"/g)];
    expect(chunks.map((m) => m[2]).join('')).toBe('Hello from the keyguard simulator.');
    expect(chunks).toHaveLength(6);
    const times = chunks.map((m) => Number(m[1]));
    // Printed as they arrive: the server sends one every 40 ms, so the last comes well after the first.
    expect(times).toEqual([...times].sort((x, y) => x - y));
    expect((times.at(-1) ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(100);
    expect(openai).toMatch(/streamed\s+6 chunks over \d+ ms\n/);
    expect(openai).toMatch(/placeholder sent\s+0 times \(keys the API did not know\)\n/);
    expect(stdout).toContain('Done.');

    expect(output).not.toMatch(/sk_live_[0-9a-f]{32}/);
    expect(output).not.toMatch(/[0-9a-f]{32}/);
  }, 40_000);
});
