import { describe, expect, it } from 'vitest';
import { runChild } from '../helpers/run-child.js';
import { FAULT_KINDS } from './fault-server.js';

// Runs in a child process so that "the process ends on its own" is observable: a timer, socket or
// promise the client forgot would keep it alive (or end it without its summary).
const SEED = Number(process.env.RELIABILITY_SEED ?? 20251128);
const TOTAL = 2000;
const ROTATIONS = 8;
const DEADLINE_MS = 120_000;
const ERROR_CLASSES = ['ConnectionError', 'TimeoutError', 'ServerError', 'ResponseValidationError', 'InvalidApiKeyError'];

interface LoadSummary {
  seed: number;
  incomplete?: boolean;
  elapsedMs: number;
  started: number;
  settled: number;
  pending: number;
  ok: number;
  errors: Record<string, number>;
  keyguardErrors: number;
  invalidKeyReasons: Record<string, number>;
  refreshFailures: number;
  unexplained: number;
  unexplainedSamples: string[];
  timeoutsWithoutSlowAnswer: number;
  hookCalls: number;
  hookMismatches: number;
  hookReasons: Record<string, number>;
  rotations: number;
  fates: Record<string, string>;
  unhandled: number;
  keyOccurrences: number;
  redactedErrors: number;
  leakSamples: string[];
  logLines: number;
  retriesLogged: number;
  replaysLogged: number;
  serverHits: number;
  serverCounts: Record<string, number>;
}

describe('reliability under faults and key rotation', () => {
  it(
    `settles ${TOTAL} requests through resets, truncations, bad JSON, timeouts, 503 bursts and ${ROTATIONS} key rotations, leaks no key, and exits on its own`,
    async () => {
      console.info(`reliability: seed ${SEED} (set RELIABILITY_SEED to replay)`);
      const run = await runChild(new URL('./load-child.ts', import.meta.url), {
        env: { RELIABILITY_SEED: String(SEED) },
        deadlineMs: DEADLINE_MS,
      });
      const summary = run.summary as LoadSummary | undefined;
      console.info(
        `reliability: child ran ${run.totalMs} ms, exited ${run.exitAfterSummaryMs} ms after its summary (code ${run.code}, signal ${run.signal})\n` +
          `reliability: ${JSON.stringify(summary)}`,
      );

      // The process ended on its own, promptly, with nothing printed to stderr.
      expect(run.signal, `killed after ${DEADLINE_MS} ms; stdout: ${run.stdout.slice(-2000)}`).toBeNull();
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^SUMMARY .*\nBEFORE_EXIT\n$/); // beforeExit: the event loop ran dry (no process.exit)
      expect(run.exitAfterSummaryMs).toBeLessThan(2000); // no timer or socket left behind
      expect(summary).toBeDefined();
      const s = summary!;
      expect(s.incomplete).toBeUndefined();
      expect(s.seed).toBe(SEED);

      // Every request settled, as a success or a typed KeyguardError, each explained by what the server did.
      expect(s.started).toBe(TOTAL);
      expect(s.settled).toBe(TOTAL);
      expect(s.pending).toBe(0);
      expect(s.ok + s.keyguardErrors).toBe(TOTAL);
      for (const name of Object.keys(s.errors)) expect(ERROR_CLASSES).toContain(name); // no 'not-a-KeyguardError', no 'wrong-answer'
      expect(s.unexplained, s.unexplainedSamples.join('\n')).toBe(0);
      expect(s.unhandled).toBe(0);
      expect(s.ok).toBeGreaterThan(TOTAL * 0.85);

      // No key ever issued appears in any error (any rendering, cause chain, headers, body) or log line.
      expect(s.keyOccurrences, s.leakSamples.join('\n')).toBe(0);
      expect(s.redactedErrors).toBeGreaterThan(0); // the server's echo did reach the errors, redacted
      expect(s.logLines).toBeGreaterThan(TOTAL);

      // The hook ran at most once per rotated key, and was told why each key was rejected.
      expect(s.rotations).toBe(ROTATIONS);
      expect(s.hookCalls).toBeGreaterThanOrEqual(1);
      expect(s.hookCalls).toBeLessThanOrEqual(s.rotations);
      expect(s.hookMismatches).toBe(0);
      for (const reason of Object.keys(s.hookReasons)) expect(['expired', 'revoked']).toContain(reason);
      for (const reason of Object.keys(s.invalidKeyReasons)) expect(['expired', 'revoked']).toContain(reason);
      expect(s.replaysLogged).toBeGreaterThan(0);
      expect(s.retriesLogged).toBeGreaterThan(0);

      // The server really injected every fault (so this test fails if it stops), and the client never
      // sent a key the server did not issue.
      for (const kind of FAULT_KINDS) {
        if (kind === 'unknown-key') expect(s.serverCounts[kind]).toBe(0);
        else expect(s.serverCounts[kind], kind).toBeGreaterThan(0);
      }
      expect(Object.values(s.fates)).toContain('expired');
      expect(Object.values(s.fates)).toContain('revoked');
    },
    DEADLINE_MS + 20_000,
  );
});
