import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** What a child script run by {@link runChild} left behind. */
export interface ChildRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The parsed `SUMMARY {json}` line, if the child printed one. */
  summary: Record<string, unknown> | undefined;
  /** Milliseconds from spawn to exit. */
  totalMs: number;
  /** Milliseconds from the `SUMMARY` line reaching the parent to the child's exit (undefined without one). */
  exitAfterSummaryMs: number | undefined;
}

/**
 * Runs `node [nodeArgs] --import tsx <script>` with the repo as cwd, and SIGKILLs it after
 * `deadlineMs`. The child (see guardChild in child-guards.ts) must print one `SUMMARY {json}` line and exit on its own.
 */
export async function runChild(
  script: URL,
  options: { nodeArgs?: string[]; env?: Record<string, string>; deadlineMs: number },
): Promise<ChildRun> {
  const file = fileURLToPath(script);
  const cwd = fileURLToPath(new URL('../..', import.meta.url));
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', file], {
    cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let summaryAt: number | undefined;
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (summaryAt === undefined && /^SUMMARY .*\n/m.test(stdout)) summaryAt = performance.now();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const started = performance.now();
  const killer = setTimeout(() => child.kill('SIGKILL'), options.deadlineMs);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.on('exit', (exitCode, exitSignal) => resolve([exitCode, exitSignal])),
  );
  clearTimeout(killer);
  const exitedAt = performance.now();
  const line = /^SUMMARY (\{.*\})$/m.exec(stdout)?.[1];
  return {
    code,
    signal,
    stdout,
    stderr,
    summary: line === undefined ? undefined : (JSON.parse(line) as Record<string, unknown>),
    totalMs: Math.round(exitedAt - started),
    exitAfterSummaryMs: summaryAt === undefined ? undefined : Math.round(exitedAt - summaryAt),
  };
}
