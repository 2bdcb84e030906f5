import type { KeyFormat, KeyFormatOptions, KeyKind } from './types.js';

/** Why a key does not fit the preset it is used with. Never contains the key. */
export interface KeyFormatProblem {
  /** `wrong-provider`: another provider's key; `wrong-mode`: live vs test; `wrong-kind`: e.g. publishable where a secret is needed. */
  code: 'wrong-provider' | 'wrong-mode' | 'wrong-kind';
  /** One or two sentences naming the problem and the fix. */
  message: string;
  /** The format the key matched, when one did. */
  format?: KeyFormat;
}

/** Another provider's formats, as `{ name, keyFormats }` (a preset fits). */
export interface KnownFormats {
  /** The provider's name, for messages. */
  name: string;
  /** Its known key formats. */
  keyFormats: readonly KeyFormat[];
}

const matches = (key: string, format: KeyFormat): boolean =>
  (format.prefix === undefined || key.startsWith(format.prefix)) && (format.pattern === undefined || format.pattern.test(key));

const article = (word: string) => (/^[aeiou]/i.test(word) ? 'an' : 'a');

/**
 * Checks a key (already linted) against the formats of the preset it is sent with.
 * A pure function: `undefined` when the key may be sent, else the problem.
 *
 * - The longest matching prefix, over this preset's formats and every other one, decides whose key it
 *   is (so `sk-ant-…` is Anthropic's, not OpenAI's legacy `sk-…`). Another provider's → `wrong-provider`.
 * - A key that matches no prefix but another provider's prefix-less pattern (and none of this
 *   preset's formats) → `wrong-provider`.
 * - A format of this preset with `accepted: false`, or a kind outside `keyKind` → `wrong-kind`;
 *   the other mode than `keyMode` → `wrong-mode`.
 * - Anything else passes: an unknown shape is the server's to judge.
 */
export function checkKeyFormat(key: string, options: KeyFormatOptions, others: readonly KnownFormats[] = []): KeyFormatProblem | undefined {
  const own = options.keyFormats ?? [];
  const name = options.name ?? 'this API';
  let best: { format: KeyFormat; owner: string | undefined } | undefined;
  const consider = (format: KeyFormat, owner: string | undefined) => {
    if (format.prefix === undefined || !matches(key, format)) return;
    if (!best || (best.format.prefix?.length ?? 0) < format.prefix.length) best = { format, owner };
  };
  for (const format of own) consider(format, undefined);
  for (const other of others) if (other.name !== options.name) for (const format of other.keyFormats) consider(format, other.name);

  let format = best?.owner === undefined ? best?.format : undefined;
  if (best?.owner !== undefined) return wrongProvider(best.owner, best.format, name, options.keysUrl);
  if (!format) {
    format = own.find((f) => f.prefix === undefined && matches(key, f));
    if (!format) {
      for (const other of others) {
        if (other.name === options.name) continue;
        const foreign = other.keyFormats.find((f) => f.prefix === undefined && matches(key, f));
        if (foreign) return wrongProvider(other.name, foreign, name, options.keysUrl);
      }
      return undefined;
    }
  }

  const where = options.keysUrl ? ` (keys are at ${options.keysUrl})` : '';
  const kinds = options.keyKind === undefined ? undefined : ([] as KeyKind[]).concat(options.keyKind);
  if (kinds ? !kinds.includes(format.kind) : format.accepted === false) {
    const wanted = kinds ? `${kinds.map((k) => `${article(k)} ${k}`).join(' or ')} key is needed here.` : 'it is not accepted here.';
    return {
      code: 'wrong-kind',
      format,
      message: `The key is ${name}'s ${format.label}, but ${wanted}${format.note && !kinds ? ` ${format.note}` : ''} Use the right key${where}.`,
    };
  }
  if (options.keyMode && format.mode && format.mode !== options.keyMode) {
    return {
      code: 'wrong-mode',
      format,
      message: `The key is ${name}'s ${format.label}, but keyMode requires a ${options.keyMode}-mode key — use the ${options.keyMode} key${where}.`,
    };
  }
  return undefined;
}

function wrongProvider(owner: string, format: KeyFormat, name: string, keysUrl: string | undefined): KeyFormatProblem {
  const shape = format.prefix ? ` (it starts with "${format.prefix}")` : '';
  return {
    code: 'wrong-provider',
    format,
    message: `The key looks like ${article(owner)} ${owner} ${format.label}${shape}, but this client is for ${name} — use ${article(name)} ${name} key${keysUrl ? ` from ${keysUrl}` : ''}.`,
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const isHttpsUrl = (v: unknown) => typeof v === 'string' && URL.canParse(v) && /^https?:$/.test(new URL(v).protocol);
const KINDS = ['secret', 'restricted', 'publishable', 'token', 'admin'];
const isFormat = (f: unknown) =>
  isObject(f) &&
  typeof f.label === 'string' &&
  KINDS.includes(f.kind as string) &&
  (f.prefix === undefined || (typeof f.prefix === 'string' && f.prefix !== '')) &&
  (f.pattern === undefined || f.pattern instanceof RegExp);

const FIELDS: Record<string, [test: (v: unknown) => boolean, error: string]> = {
  name: [(v) => typeof v === 'string' && v !== '', 'must be a non-empty string'],
  keyFormats: [(v) => Array.isArray(v) && v.every(isFormat), 'must be a list of { label, kind, prefix?, pattern? } key formats'],
  keysUrl: [isHttpsUrl, 'must be an absolute http(s) URL'],
  probe: [
    (v) => isObject(v) && ['GET', 'POST', 'HEAD'].includes(v.method as string) && typeof v.path === 'string' && v.path.startsWith('/'),
    "must be { method: 'GET' | 'POST' | 'HEAD', path } with a path starting with '/'",
  ],
  envVar: [(v) => typeof v === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(v), 'must be an environment variable name'],
  keyMode: [(v) => v === 'live' || v === 'test', "must be 'live' or 'test'"],
  keyKind: [
    (v) => (Array.isArray(v) ? v.length > 0 && v.every((k) => KINDS.includes(k)) : KINDS.includes(v as string)),
    `must be one of ${KINDS.map((k) => `'${k}'`).join(', ')}, or a list of them`,
  ],
};

/** Checks the preset fields of client options: `[field, error]` for the first bad one, never echoing a value. */
export function validatePresetFields(options: object): [field: string, error: string] | undefined {
  const record = options as Record<string, unknown>;
  for (const [field, [test, error]] of Object.entries(FIELDS)) {
    if (record[field] !== undefined && !test(record[field])) return [field, error];
  }
  return undefined;
}
