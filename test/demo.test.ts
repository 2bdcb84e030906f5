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
    expect(stdout).toContain('Done.');

    expect(output).not.toMatch(/sk_live_[0-9a-f]{32}/);
    expect(output).not.toMatch(/[0-9a-f]{32}/);
  }, 40_000);
});
