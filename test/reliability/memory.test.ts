import { describe, expect, it } from 'vitest';
import { runChild } from '../helpers/run-child.js';

const TOTAL = 20_000;
const MB = 1024 * 1024;
/**
 * Heap growth allowed between the start and the end of the run (each the lowest of three
 * checkpoints after a full GC, so an occasional +1.3 MB blip of V8's own does not count).
 * Measured without a leak: within ±0.3 MB. A leak of 200 bytes per request adds ~2.8 MB over the
 * 14,000 requests between those checkpoints; 1 MB catches anything above ~75 bytes per request.
 */
const MAX_GROWTH_BYTES = 1 * MB;
/** The plain "last minus first checkpoint", blips included: a coarser second bound. */
const MAX_RAW_GROWTH_BYTES = 3 * MB;

interface MemorySummary {
  total: number;
  leakBytesPerRequest: number;
  elapsedMs: number;
  ok: number;
  errors: Record<string, number>;
  unhandled: number;
  hookCalls: number;
  rotations: number;
  checkpoints: Array<{ requests: number; heapUsed: number }>;
  checkpointsMB: Array<[number, number]>;
}

const toMB = (bytes: number) => Math.round((bytes / MB) * 1000) / 1000;

describe('memory', () => {
  it(`keeps the heap flat over ${TOTAL} requests with key rotations`, async () => {
    // MEMORY_LEAK_BYTES_PER_REQUEST=200 (passed through to the child) injects a leak: this test must then fail.
    const run = await runChild(new URL('./memory-child.ts', import.meta.url), { nodeArgs: ['--expose-gc'], deadlineMs: 150_000 });
    const summary = run.summary as MemorySummary | undefined;
    expect(run.signal, `killed; stdout: ${run.stdout.slice(-2000)}`).toBeNull();
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.exitAfterSummaryMs).toBeLessThan(2000); // ends on its own: no socket, timer or thread left
    expect(summary).toBeDefined();
    const s = summary!;

    const heaps = s.checkpoints.map((c) => c.heapUsed);
    const start = Math.min(...heaps.slice(0, 3));
    const end = Math.min(...heaps.slice(-3));
    const raw = heaps.at(-1)! - heaps[0]!;
    // Least-squares slope over every checkpoint, in bytes per request: for the report.
    const xs = s.checkpoints.map((c) => c.requests);
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    const [mx, my] = [mean(xs), mean(heaps)];
    const slope = xs.reduce((sum, x, i) => sum + (x - mx) * (heaps[i]! - my), 0) / xs.reduce((sum, x) => sum + (x - mx) ** 2, 0);
    console.info(
      `memory: ${s.total} requests in ${s.elapsedMs} ms (child ${run.totalMs} ms), ok ${s.ok}, errors ${JSON.stringify(s.errors)}, ` +
        `hook calls ${s.hookCalls} / rotations ${s.rotations}, injected leak ${s.leakBytesPerRequest} B/request\n` +
        `memory: heapUsed after GC (MB) at [requests, MB]: ${JSON.stringify(s.checkpointsMB)}\n` +
        `memory: growth ${toMB(end - start)} MB (lowest of last 3 - lowest of first 3), raw last - first ${toMB(raw)} MB, slope ${slope.toFixed(1)} B/request`,
    );

    expect(s.checkpoints).toHaveLength(10);
    expect(s.ok).toBe(TOTAL);
    expect(s.unhandled).toBe(0);
    expect(s.rotations).toBe(10);
    expect(s.hookCalls).toBeGreaterThanOrEqual(1);
    expect(s.hookCalls).toBeLessThanOrEqual(s.rotations);
    expect(end - start).toBeLessThan(MAX_GROWTH_BYTES);
    expect(raw).toBeLessThan(MAX_RAW_GROWTH_BYTES);
  }, 180_000);
});
