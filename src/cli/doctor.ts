import { classifyKeyError } from '../classify/classify.js';
import { createClient } from '../client.js';
import { ConnectionError } from '../errors/connection-error.js';
import { isApiError, isInvalidApiKeyError } from '../errors/guards.js';
import { TimeoutError } from '../errors/timeout-error.js';
import { keyHint } from '../keys/fingerprint.js';
import { lintApiKey } from '../keys/lint.js';
import type { AuthPlacement, ClientOptions } from '../options.js';
import { type Provider, type ProviderName, providers } from '../providers/index.js';
import type { KeyMode, Probe } from '../providers/types.js';

/** Where doctor reads and writes: the real process, or a test's fakes. */
export interface DoctorIo {
  argv: readonly string[];
  env: Record<string, string | undefined>;
  /** Reads all of stdin (only called with --key-stdin). */
  readStdin: () => Promise<string>;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** The fetch to use. @default globalThis.fetch */
  fetch?: typeof fetch;
}

/** What `--json` prints. Never contains the key. */
export interface DoctorReport {
  /** True when the probe succeeded with this key. */
  ok: boolean;
  /** `works`, `rejected` (the key was refused, by the checks or the API), `inconclusive` (the API answered something else), `unreachable`. */
  verdict: 'works' | 'rejected' | 'inconclusive' | 'unreachable';
  /** The key-error reason, when the key was refused. */
  reason?: string;
  /** `client`: caught before sending (nothing was sent); `server`: the API refused it. */
  source?: 'client' | 'server';
  /** HTTP status of the probe's answer, when there was one. */
  status?: number;
  /** The API's or the check's code, when there was one. */
  code?: string;
  /** What was found, in one sentence. */
  message: string;
  /** What to do next. */
  hint: string;
  /** A fingerprint of the key (at most its first and last 4 characters). */
  keyHint?: string;
  /** Where the key was read from: `env:NAME` or `stdin`. */
  keySource: string;
  provider?: string;
  baseUrl: string;
  probe: Probe;
  requestId?: string;
  /** Problems the checks repaired (e.g. a trailing newline), still worth fixing where the key is stored. */
  warnings: string[];
}

const USAGE = `Usage: keyguard doctor (--provider NAME | --base-url URL [--auth bearer|header:NAME|query:NAME])
                       [--key-env VAR | --key-stdin] [--path PATH] [--method GET|POST|HEAD]
                       [--key-mode live|test] [--timeout-ms MS] [--json]

Checks an API key the way the troubleshooting steps say: its shape, whether it belongs to the
provider, then one call to a cheap endpoint; prints what it found and what to do next.

  --provider NAME     a preset: ${Object.keys(providers).join(', ')}
  --base-url URL      the API's base URL (with --provider: overrides the preset's)
  --auth PLACEMENT    where the key travels: bearer (default), header:NAME or query:NAME
  --key-env VAR       read the key from this environment variable (default: the preset's, e.g. OPENAI_API_KEY)
  --key-stdin         read the key from standard input
  --path PATH         the request to make (default: the preset's probe, else /)
  --method METHOD     its method (default: the preset's probe, else GET)
  --key-mode MODE     refuse a key of the other mode (live or test) where the provider has both
  --timeout-ms MS     give up after MS milliseconds (default 10000)
  --json              print one JSON object instead of text

The key is never taken from an argument (it would stay in your shell history) and never printed.
Exit status: 0 the key works, 1 it does not (or could not be confirmed), 2 bad usage.`;

class UsageError extends Error {}

interface Args {
  provider?: Provider;
  providerName?: string;
  baseUrl?: string;
  auth?: AuthPlacement;
  keyEnv?: string;
  keyStdin: boolean;
  path?: string;
  method?: Probe['method'];
  keyMode?: KeyMode;
  timeoutMs: number;
  json: boolean;
  help: boolean;
}

const WITH_VALUE = new Set(['--provider', '--base-url', '--auth', '--key-env', '--path', '--method', '--key-mode', '--timeout-ms']);
const FLAGS = new Set(['--key-stdin', '--json', '--help', '-h']);

/** Parses doctor's arguments. Error messages name options, never values (a value may be a pasted key). */
export function parseArgs(argv: readonly string[]): Args {
  const args: Args = { keyStdin: false, timeoutMs: 10_000, json: false, help: false };
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (FLAGS.has(name)) {
      if (eq > 0) throw new UsageError(`${name} takes no value.`);
      if (name === '--key-stdin') args.keyStdin = true;
      else if (name === '--json') args.json = true;
      else args.help = true;
    } else if (WITH_VALUE.has(name)) {
      const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined || value === '') throw new UsageError(`${name} needs a value.`);
      if (values.has(name)) throw new UsageError(`${name} was given twice.`);
      values.set(name, value);
    } else if (/^--(?:api-)?key$|^--(?:api-key|token|secret)/.test(name)) {
      throw new UsageError(
        `${name}: doctor never takes the key from an argument (it would stay in your shell history); use --key-env VAR or --key-stdin.`,
      );
    } else if (name.startsWith('-')) {
      throw new UsageError(`unknown option ${name.startsWith('--') ? name : '(a short option)'}.`);
    } else {
      throw new UsageError(`unexpected argument #${i + 1} (not shown, in case it is a key); options start with --.`);
    }
  }
  if (args.help) return args;

  const providerName = values.get('--provider');
  if (providerName !== undefined) {
    if (!Object.hasOwn(providers, providerName)) {
      throw new UsageError(`--provider must be one of: ${Object.keys(providers).join(', ')}.`);
    }
    args.providerName = providerName;
    args.provider = providers[providerName as ProviderName] as Provider;
  }
  const baseUrl = values.get('--base-url');
  if (baseUrl !== undefined) {
    if (!URL.canParse(baseUrl) || !/^https?:$/.test(new URL(baseUrl).protocol) || baseUrl.includes('?')) {
      throw new UsageError('--base-url must be an absolute http(s) URL without a query string.');
    }
    args.baseUrl = baseUrl;
  }
  if (!args.provider && !args.baseUrl) throw new UsageError('give --provider NAME, or --base-url URL (with --auth).');
  const auth = values.get('--auth');
  if (auth !== undefined) args.auth = parseAuth(auth);
  const keyEnv = values.get('--key-env');
  if (keyEnv !== undefined) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(keyEnv))
      throw new UsageError('--key-env must be an environment variable name, e.g. OPENAI_API_KEY (not the key itself).');
    args.keyEnv = keyEnv;
  }
  if (args.keyEnv && args.keyStdin) throw new UsageError('give --key-env or --key-stdin, not both.');
  if (!args.keyEnv && !args.keyStdin && !args.provider) throw new UsageError('say where the key is: --key-env VAR or --key-stdin.');
  const path = values.get('--path');
  if (path !== undefined) {
    if (!path.startsWith('/')) throw new UsageError("--path must start with '/'.");
    args.path = path;
  }
  const method = values.get('--method')?.toUpperCase();
  if (method !== undefined) {
    if (method !== 'GET' && method !== 'POST' && method !== 'HEAD') throw new UsageError('--method must be GET, POST or HEAD.');
    args.method = method;
  }
  const keyMode = values.get('--key-mode');
  if (keyMode !== undefined) {
    if (keyMode !== 'live' && keyMode !== 'test') throw new UsageError('--key-mode must be live or test.');
    args.keyMode = keyMode;
  }
  const timeout = values.get('--timeout-ms');
  if (timeout !== undefined) {
    if (!/^\d{1,7}$/.test(timeout) || Number(timeout) < 1)
      throw new UsageError('--timeout-ms must be a whole number of milliseconds from 1 to 9999999.');
    args.timeoutMs = Number(timeout);
  }
  return args;
}

function parseAuth(value: string): AuthPlacement {
  if (value === 'bearer') return { type: 'bearer' };
  const match = /^(header|query):([!#$%&'*+.^_`|~0-9A-Za-z-]+)$/.exec(value);
  if (!match) throw new UsageError('--auth must be bearer, header:NAME or query:NAME.');
  return { type: match[1] as 'header' | 'query', name: match[2] as string };
}

/** Runs `keyguard <argv>`; resolves with the exit status. Never throws, never prints the key. */
export async function main(io: DoctorIo): Promise<number> {
  const [command, ...rest] = io.argv;
  if (command === '--help' || command === '-h' || command === 'help') {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  if (command !== 'doctor') {
    io.stderr(`keyguard: ${command === undefined ? 'no command given' : 'unknown command (only "doctor" exists)'}.\n\n${USAGE}\n`);
    return 2;
  }
  let args: Args;
  try {
    args = parseArgs(rest);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`keyguard doctor: ${error.message}\nRun "keyguard doctor --help" for the options.\n`);
    return 2;
  }
  if (args.help) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  let key: string | undefined;
  try {
    const report = await diagnose(args, io, (k) => {
      key = k;
    });
    const text = args.json ? `${JSON.stringify(report, null, 2)}\n` : render(report);
    io.stdout(scrub(text, key));
    return report.ok ? 0 : 1;
  } catch (error) {
    // Nothing above should throw; if something does, say so without a stack (it could quote the key).
    io.stderr(scrub(`keyguard doctor: internal error (${error instanceof Error ? error.name : typeof error}).\n`, key));
    return 1;
  }
}

/** Last line of defence: the key (and its trimmed form) never reaches the terminal. */
function scrub(text: string, key: string | undefined): string {
  let out = text;
  for (const k of new Set([key, key?.trim()])) if (k && k.length >= 6) out = out.split(k).join('[REDACTED]');
  return out;
}

async function readKey(args: Args, io: DoctorIo): Promise<{ key: string | undefined; source: string; envName?: string }> {
  if (args.keyStdin) {
    const text = await io.readStdin();
    // One line ending from `echo "$KEY" |` is how stdin works, not a problem with the key.
    return { key: text.replace(/\r?\n$/, ''), source: 'stdin' };
  }
  const name = args.keyEnv ?? (args.provider?.envVar as string);
  return { key: io.env[name], source: `env:${name}`, envName: name };
}

async function diagnose(args: Args, io: DoctorIo, remember: (key: string) => void): Promise<DoctorReport> {
  const preset = args.provider;
  const baseUrl = args.baseUrl ?? (preset?.baseUrl as string);
  const probe: Probe = { method: args.method ?? preset?.probe.method ?? 'GET', path: args.path ?? preset?.probe.path ?? '/' };
  const { key, source, envName } = await readKey(args, io);
  if (key !== undefined) remember(key);
  const base = { keySource: source, baseUrl, probe, warnings: [] as string[], ...(preset ? { provider: preset.name } : {}) };

  if (key === undefined) {
    return {
      ...base,
      ok: false,
      verdict: 'rejected',
      reason: 'missing',
      source: 'client',
      message: `${envName} is not set, so there is no key to check.`,
      hint: `Set ${envName} (check that your .env file or secret is loaded in this shell)${preset ? `; create a key at ${preset.keysUrl}` : ''}, or pass --key-env VAR / --key-stdin.`,
    };
  }
  const lint = lintApiKey(key, 'fix');
  base.warnings = lint.problems.filter((p) => p.fixed).map((p) => p.message);
  const hint = lint.ok && lint.key ? keyHint(lint.key) : undefined;

  const options: ClientOptions = {
    ...(preset ?? {}),
    baseUrl,
    ...(args.auth ? { auth: args.auth } : {}),
    apiKey: key,
    ...(args.keyMode ? { keyMode: args.keyMode } : {}),
    retry: { retries: 1, minDelayMs: 200, maxDelayMs: 1000, maxRetryAfterMs: 2000 },
    timeoutMs: args.timeoutMs,
    fetch: io.fetch,
    // Some APIs refuse a key with a 2xx envelope ({"ok":false,"error":"invalid_auth"}): read those too.
    classifyKeyError: (response) => {
      const own = preset?.classifyKeyError?.(response);
      if (own !== undefined) return own;
      const answer = response.body as { ok?: unknown } | null;
      if (response.status < 300 && typeof answer === 'object' && answer !== null && answer.ok === false) {
        return classifyKeyError(response)?.reason ?? undefined;
      }
      return undefined;
    },
  };
  const client = createClient(options);
  try {
    await client.request({ method: probe.method, path: probe.path });
    return {
      ...base,
      ok: true,
      verdict: 'works',
      message: `${probe.method} ${probe.path} succeeded: the key works${preset ? ` with ${preset.name}` : ''}.`,
      hint: base.warnings.length ? 'Nothing to do for the key itself; fix the warning where the key is stored.' : 'Nothing to do.',
      ...(hint ? { keyHint: hint } : {}),
    };
  } catch (error) {
    return { ...base, ...explain(error, probe, preset, hint, args.timeoutMs) };
  }
}

type Outcome = Omit<DoctorReport, 'keySource' | 'baseUrl' | 'probe' | 'warnings' | 'provider'>;

function explain(error: unknown, probe: Probe, preset: Provider | undefined, hint: string | undefined, timeoutMs: number): Outcome {
  const keys = preset ? ` at ${preset.keysUrl}` : ' in your provider dashboard';
  if (isInvalidApiKeyError(error)) {
    // A client-side hint repeats the problem the message names: say what to do instead.
    const detail = error.message.replace(/^The API key was not sent: /, '');
    const next =
      error.source === 'client' && error.hint.startsWith(detail)
        ? `Fix the key where it is stored (your .env file or secret manager)${preset && !detail.includes(preset.keysUrl) ? `, or create a new one${keys}` : ''}, then run doctor again.`
        : error.hint;
    return {
      ok: false,
      verdict: 'rejected',
      reason: error.reason,
      source: error.source,
      ...(error.status !== undefined ? { status: error.status } : {}),
      ...(error.code !== undefined ? { code: error.code } : {}),
      message: error.message,
      hint: next,
      ...(error.keyHint ? { keyHint: error.keyHint } : hint ? { keyHint: hint } : {}),
      ...(error.requestId ? { requestId: error.requestId } : {}),
    };
  }
  const withHint = hint ? { keyHint: hint } : {};
  if (error instanceof TimeoutError) {
    return {
      ok: false,
      verdict: 'unreachable',
      message: `No answer within ${timeoutMs} ms, so the key could not be checked.`,
      hint: 'Check the base URL and your network or proxy, then run doctor again (or raise --timeout-ms).',
      ...withHint,
    };
  }
  if (error instanceof ConnectionError) {
    const code = networkCode(error);
    const what =
      code === 'ENOTFOUND' || code === 'EAI_AGAIN'
        ? 'the host name did not resolve (no network, or a wrong --base-url)'
        : code === 'ECONNREFUSED'
          ? 'the connection was refused (nothing listens there, or a firewall)'
          : 'the connection failed (no network, a proxy, or TLS trouble)';
    return {
      ok: false,
      verdict: 'unreachable',
      ...(code ? { code } : {}),
      message: `Could not reach the API: ${what}, so the key could not be checked.`,
      hint: 'Check your network connection and the base URL, then run doctor again.',
      ...withHint,
    };
  }
  if (isApiError(error)) {
    const status = error.status;
    const notes: Record<number, string> = {
      403: `The API took the key but refused ${probe.method} ${probe.path} (403): the key may lack a permission or scope. Check its permissions${keys}.`,
      404: `${probe.method} ${probe.path} was not found (404): the key was not refused, but that does not prove it works. Pass --path with an endpoint that needs the key.`,
      429: 'The API is rate limiting (429): the key was not refused, but it could not be confirmed. Run doctor again later.',
    };
    return {
      ok: false,
      verdict: 'inconclusive',
      status,
      ...(error.code ? { code: error.code } : {}),
      message: `${probe.method} ${probe.path} answered ${status}, which is not a key error: ${error.message}`,
      hint:
        notes[status] ??
        (status >= 500
          ? 'The API had trouble (5xx): the key could not be checked. Run doctor again later.'
          : `Check the request (--path, --method)${keys}.`),
      ...withHint,
      ...(error.requestId ? { requestId: error.requestId } : {}),
    };
  }
  return {
    ok: false,
    verdict: 'inconclusive',
    message: `The check failed with ${error instanceof Error ? error.name : 'an unexpected error'}, so the key could not be confirmed.`,
    hint: 'Run doctor again; if it keeps failing, check the base URL and --auth.',
    ...withHint,
  };
}

/** ECONNREFUSED / ENOTFOUND / … from the platform error behind a ConnectionError. */
function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return code;
    const errors = (current as { errors?: unknown }).errors;
    if (Array.isArray(errors) && errors.length) current = errors[0];
    else current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

const VERDICTS: Record<DoctorReport['verdict'], string> = {
  works: 'OK — the key works',
  rejected: 'the key does not work',
  inconclusive: 'could not confirm the key',
  unreachable: 'could not reach the API',
};

/** The few lines a person reads. */
export function render(report: DoctorReport): string {
  const lines = [`keyguard doctor: ${report.provider ? `${report.provider} (${report.baseUrl})` : report.baseUrl}`];
  lines.push(`  key:    ${report.keyHint ?? '(none)'} from ${report.keySource.replace(/^env:/, '$')}`);
  for (const warning of report.warnings) lines.push(`  warn:   ${warning}`);
  const sent =
    report.source === 'client'
      ? 'not sent (caught before sending)'
      : `${report.probe.method} ${report.probe.path}${report.status ? ` → ${report.status}` : ''}`;
  lines.push(`  probe:  ${sent}`);
  const why = report.reason
    ? ` — ${report.reason}${report.source ? ` (${report.source === 'client' ? 'client-side check' : 'the API said so'})` : ''}`
    : '';
  lines.push(`  result: ${VERDICTS[report.verdict]}${why}`);
  lines.push(`  found:  ${report.message}`);
  lines.push(`  next:   ${report.hint}`);
  return `${lines.join('\n')}\n`;
}
