/**
 * Run by test/reliability/reliability.test.ts as `node --import tsx test/reliability/load-child.ts`.
 *
 * One keyguard client sends 2,000 requests (50 in flight) to a fault-injecting local server that
 * resets connections, cuts bodies short, sends invalid JSON, answers too late, answers 503 bursts
 * and rotates its key 8 times mid-run (each old key then answered as expired or revoked, and every
 * key echoed back in bodies, messages and headers). `onKeyInvalid` hands over the server's current key.
 *
 * It never calls process.exit: after the last request it closes the server and prints one line,
 * `SUMMARY {json}`; the process must then end on its own (no timer or socket left), which the
 * parent checks. `beforeExit` prints `BEFORE_EXIT` — it fires only when the event loop ran dry.
 *
 * RELIABILITY_SEED (default 20251128) reproduces a run's faults, keys and key fates.
 */
import { inspect } from 'node:util';
import { z } from 'zod';
import { createClient, isKeyguardError, type KeyguardError, keyHint } from '../../src/index.js';
import { guardChild } from '../helpers/child-guards.js';
import { renderings } from '../helpers/renderings.js';
import { FAULT_KINDS, type FaultKind, startFaultServer } from './fault-server.js';

const SEED = Number(process.env.RELIABILITY_SEED ?? 20251128);
const TOTAL = 2000;
const CONCURRENCY = 50;
const TIMEOUT_MS = 1000;
const ROTATIONS = 8;
const RETRY = { retries: 3, minDelayMs: 5, maxDelayMs: 50 };

let started = 0;
let settled = 0;
let summaryPrinted = false;

// If the event loop runs dry while requests are still pending (a promise nobody will ever settle),
// the main flow never reaches its summary: report from here instead, so the parent sees `pending`.
const guard = guardChild(() => {
  if (summaryPrinted) return;
  summaryPrinted = true;
  const incomplete = { seed: SEED, incomplete: true, started, settled, pending: started - settled, unhandled: guard.unhandled };
  process.stdout.write(`SUMMARY ${JSON.stringify(incomplete)}\n`);
});

const server = await startFaultServer({
  seed: SEED,
  // Slow answers come well after the client gave up, even on a loaded machine.
  slowHeadersMs: 2.5 * TIMEOUT_MS,
  maxDelayMs: 5,
  rates: { reset: 0.03, truncated: 0.03, invalidJson: 0.01, slowHeaders: 0.01, burst: 0.006 },
  // A run makes about 2,500 data requests (2,000 plus retries and replays): 8 rotations, all mid-run.
  rotateEvery: 220,
  rotateOffset: 150,
  maxRotations: ROTATIONS,
});

const logLines: string[] = [];
const render = (args: unknown[]) =>
  args.map((arg) => (typeof arg === 'string' ? arg : inspect(arg, { showHidden: true, depth: null }))).join(' ');
const logTo =
  (level: string) =>
  (...args: unknown[]) => {
    logLines.push(`${level} ${render(args)}`);
  };

let clientKey = server.currentKey();
let hookCalls = 0;
let hookMismatches = 0; // the hook's error does not describe the key that was rejected
const hookReasons: Record<string, number> = {};
const hookErrors: unknown[] = [];

const client = createClient({
  baseUrl: server.url,
  apiKey: clientKey,
  timeoutMs: TIMEOUT_MS,
  retry: RETRY,
  logger: { debug: logTo('debug'), info: logTo('info'), warn: logTo('warn'), error: logTo('error') },
  onKeyInvalid: async (error) => {
    hookCalls += 1;
    hookErrors.push(error);
    hookReasons[error.reason] = (hookReasons[error.reason] ?? 0) + 1;
    // The rejected key is the one the client holds: the last key this hook returned.
    if (error.reason !== server.fateOf(clientKey) || error.keyHint !== keyHint(clientKey) || error.source !== 'server') hookMismatches += 1;
    // Asynchronous like a vault call, but read from the server object rather than over HTTP: a new
    // connection on a loaded machine can take ~1 s to open, past the refresh timeout (timeoutMs), and
    // a timed-out hook is rightly asked again — which would blur "once per rotated key".
    await new Promise((resolve) => setTimeout(resolve, 2));
    clientKey = server.currentKey();
    return clientKey;
  },
});

const Answer = z.object({ ok: z.literal(true), path: z.string(), method: z.string(), body: z.unknown() });

/** Each request's outcome: `ok` or the error's class name, with the server's answers to it. */
const outcomes: Array<{ request: string; outcome: string; error?: unknown }> = [];

async function one(i: number): Promise<void> {
  const path = `/items/${i}`;
  const kind = i % 5;
  let expected: { method: string; body: unknown };
  let promise: Promise<unknown>;
  started += 1;
  if (kind === 0) {
    expected = { method: 'PUT', body: { i, note: `put ${i}` } };
    promise = client.put(path, { body: expected.body, schema: Answer });
  } else if (kind === 1) {
    expected = { method: 'POST', body: { i, items: [i, i + 1] } };
    promise = client.post(path, { body: expected.body, idempotencyKey: `idem-${SEED}-${i}` });
  } else if (kind === 2) {
    expected = { method: 'GET', body: null };
    promise = client.get(path, { schema: Answer, query: { n: i } });
  } else {
    expected = { method: 'GET', body: null };
    promise = client.get(path);
  }
  const request = `${expected.method} ${path}`;
  try {
    const value = (await promise) as z.infer<typeof Answer>;
    // A replayed or retried request still gets its own answer, with its own body.
    const right =
      value?.ok === true &&
      value.path === path &&
      value.method === expected.method &&
      JSON.stringify(value.body) === JSON.stringify(expected.body);
    outcomes.push({ request, outcome: right ? 'ok' : 'wrong-answer' });
  } catch (error) {
    if (isKeyguardError(error)) {
      outcomes.push({ request, outcome: error.name, error });
    } else {
      outcomes.push({ request, outcome: 'not-a-KeyguardError', error });
      process.stderr.write(`not a KeyguardError: ${inspect(error)}\n`);
    }
  } finally {
    settled += 1;
  }
}

const t0 = performance.now();
let next = 0;
await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    while (next < TOTAL) await one(next++);
  }),
);
const elapsedMs = Math.round(performance.now() - t0);
await server.close();

// ---------------------------------------------------------------------------
// Each outcome must be explained by what the server answered that request.
// ---------------------------------------------------------------------------
const byOutcome: Record<string, number> = {};
const invalidKeyReasons: Record<string, number> = {};
const unexplained: string[] = [];
let refreshFailures = 0;
let timeoutsWithoutSlowAnswer = 0;
for (const { request, outcome, error } of outcomes) {
  byOutcome[outcome] = (byOutcome[outcome] ?? 0) + 1;
  const answers = server.log.get(request) ?? [];
  const has = (...kinds: FaultKind[]) => answers.some((answer) => kinds.includes(answer));
  const keyRejections = answers.filter((answer) => answer === 'expired' || answer === 'revoked').length;
  let explained: boolean;
  if (outcome === 'ok') explained = has('ok');
  else if (outcome === 'ServerError') explained = has('burst-503', 'burst-503-retry-after');
  else if (outcome === 'ConnectionError') explained = has('reset', 'truncated');
  else if (outcome === 'ResponseValidationError') explained = has('invalid-json');
  else if (outcome === 'TimeoutError') {
    // Normally a slow answer; a stall on a loaded machine (client and server share this event loop,
    // and a new connection can take ~1 s to open) can also run an attempt past timeoutMs. Counted.
    explained = true;
    if (!has('slow-headers')) timeoutsWithoutSlowAnswer += 1;
  } else if (outcome === 'InvalidApiKeyError') {
    const e = error as KeyguardError & { reason: string; source: string; keyHint?: string; cause?: unknown };
    invalidKeyReasons[e.reason] = (invalidKeyReasons[e.reason] ?? 0) + 1;
    if (e.cause !== undefined) refreshFailures += 1;
    // With maxKeyRefreshes 1, a request gives up only after its replay was rejected too
    // (the key rotated again before the replay arrived).
    explained = e.source === 'server' && (e.reason === 'expired' || e.reason === 'revoked') && keyRejections >= 2;
  } else explained = false;
  if (!explained) unexplained.push(`${request} -> ${outcome}; server answered ${JSON.stringify(answers)}`);
}

// ---------------------------------------------------------------------------
// Did any key ever issued show up anywhere?
// ---------------------------------------------------------------------------
const keys = server.issuedKeys();
const spellings = [...new Set(keys.flatMap((key) => [key, encodeURIComponent(key)]))];

const leaks: string[] = [];
const findLeak = (where: string, texts: string[]) => {
  for (const text of texts)
    for (const spelling of spellings)
      if (text.includes(spelling)) {
        leaks.push(`${where}: ${text.split(spelling).join('<KEY>').slice(0, 300)}`);
        return;
      }
};
for (const { request, outcome, error } of outcomes) if (error !== undefined) findLeak(`${request} (${outcome})`, renderings(error));
for (const [n, error] of hookErrors.entries()) findLeak(`hook error #${n}`, renderings(error));
for (const [n, line] of logLines.entries()) findLeak(`log line #${n}`, [line]);

// The echoed key did reach the errors — redacted: so "no key found" above means something.
// (The hook's errors count too: a run may end with no request failing on a key.)
const redactedErrors = [...outcomes.map(({ error }) => error), ...hookErrors].filter(
  (error) => error !== undefined && (JSON.stringify(error) ?? '').includes('[REDACTED]'),
).length;

const errors = Object.fromEntries(Object.entries(byOutcome).filter(([outcome]) => outcome !== 'ok'));
const summary = {
  seed: SEED,
  total: TOTAL,
  concurrency: CONCURRENCY,
  timeoutMs: TIMEOUT_MS,
  elapsedMs,
  started,
  settled,
  pending: started - settled,
  ok: byOutcome.ok ?? 0,
  errors,
  keyguardErrors: outcomes.filter(({ error }) => error !== undefined && isKeyguardError(error)).length,
  invalidKeyReasons,
  refreshFailures,
  unexplained: unexplained.length,
  unexplainedSamples: unexplained.slice(0, 5),
  timeoutsWithoutSlowAnswer,
  hookCalls,
  hookMismatches,
  hookReasons,
  rotations: server.rotations,
  keysIssued: keys.length,
  fates: Object.fromEntries(keys.slice(0, -1).map((key) => [keyHint(key), server.fateOf(key)])),
  unhandled: guard.unhandled,
  keyOccurrences: leaks.length,
  redactedErrors,
  leakSamples: leaks.slice(0, 5),
  logLines: logLines.length,
  logLevels: Object.fromEntries(
    ['debug', 'info', 'warn', 'error'].map((level) => [level, logLines.filter((l) => l.startsWith(`${level} `)).length]),
  ),
  retriesLogged: logLines.filter((line) => line.includes('retrying')).length,
  replaysLogged: logLines.filter((line) => line.includes('replaying')).length,
  serverHits: server.hits,
  serverCounts: Object.fromEntries(FAULT_KINDS.map((kind) => [kind, server.counts[kind]])),
};
summaryPrinted = true;
process.stdout.write(`SUMMARY ${JSON.stringify(summary)}\n`);
