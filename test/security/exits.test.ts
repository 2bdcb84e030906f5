import { describe, expect, it } from 'vitest';
import { runChild } from '../helpers/run-child.js';

describe('nothing keyguard starts keeps a process alive after its requests have settled', () => {
  it('a request aborted while it waits for a hung hook or provider leaves no timer behind', { timeout: 30_000 }, async () => {
    const run = await runChild(new URL('./hung-hook-child.ts', import.meta.url), { deadlineMs: 20_000 });
    expect(run.stderr).toBe('');
    expect(run.signal).toBeNull(); // Not killed by the deadline: it ended on its own.
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('BEFORE_EXIT');
    expect(run.summary).toEqual({ aborted: 2, unhandled: 0 });
    expect(run.exitAfterSummaryMs).toBeLessThan(5_000);
  });
});
