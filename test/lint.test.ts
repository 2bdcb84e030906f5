import { describe, expect, it } from 'vitest';
import { lintApiKey } from '../src/index.js';
import { hintFor } from '../src/keys/hints.js';
import { KEY_ERROR_REASONS } from '../src/types.js';

const REAL_KEYS = [
  'sk_live_4eC39HqLyjWDarjtT1zdp7dc',
  'AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY',
  'ghp_16C7e42F292c6912E7710c838347Ae178B4a',
  'xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy',
];
const REAL = REAL_KEYS[0] as string;

/** Every problem code of a result, and a check that no message leaks the key. */
function codesOf(key: unknown, mode?: 'fix' | 'strict' | 'off') {
  const result = lintApiKey(key, mode);
  if (typeof key === 'string' && key.trim().length >= 8) {
    for (const problem of result.problems) expect(problem.message).not.toContain(key.trim());
  }
  return result.problems.map((p) => p.code);
}

describe('lintApiKey: real keys', () => {
  it.each(REAL_KEYS)('%s is ok in every mode', (key) => {
    for (const mode of ['fix', 'strict', 'off'] as const) expect(lintApiKey(key, mode)).toEqual({ ok: true, key, problems: [] });
  });

  it("defaults to 'fix'", () => {
    expect(lintApiKey(` ${REAL}\n`)).toMatchObject({ ok: true, key: REAL });
  });
});

describe('lintApiKey: missing', () => {
  it.each([
    ['undefined', undefined, /No API key is set \(the key is undefined\)/],
    ['null', null, /No API key is set \(the key is null\)/],
    ['a number', 42, /must be a string, not a number/],
    ['an object', { key: REAL }, /must be a string, not an object/],
    ['an empty string', '', /empty string/],
    ['only whitespace', ' \n\t', /empty string/],
    ['the text "undefined"', 'undefined', /text "undefined" or "null"/],
    ['the text "null"', ' NULL ', /text "undefined" or "null"/],
  ])('%s is missing', (_, key, message) => {
    for (const mode of ['fix', 'strict'] as const) {
      const result = lintApiKey(key, mode);
      expect(result).toEqual({ ok: false, problems: [{ code: 'missing', message: expect.stringMatching(message), fixed: false }] });
    }
  });
});

describe('lintApiKey: malformed', () => {
  it.each([
    'YOUR_API_KEY',
    'your-api-key-here',
    'YOUR_OPENAI_API_KEY',
    '<api-key>',
    '<YOUR_KEY>',
    'xxxxxxxx',
    'sk-xxxxxxxxxxxx',
    'changeme',
    'sk-...',
    'sk_live_...',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: an unexpanded ${…} placeholder is exactly what this test feeds in.
    '${API_KEY}',
    '{{ api_key }}',
    'API_KEY',
  ])('the placeholder %s', (key) => {
    expect(codesOf(key, 'fix')).toEqual(['placeholder']);
    expect(lintApiKey(key).problems[0]?.message).toBe(
      'The key is a placeholder from an example, not a real key — paste the key from your provider dashboard.',
    );
    expect(lintApiKey(key).ok).toBe(false);
  });

  it.each([`'${REAL}'`, `"${REAL}"`, `\`${REAL}\``, `“${REAL}”`])('surrounding quotes: %s', (key) => {
    const result = lintApiKey(key);
    expect(result).toEqual({
      ok: false,
      problems: [{ code: 'quoted', message: 'The key is wrapped in quotes — remove them from your .env file.', fixed: false }],
    });
  });

  it('a Bearer prefix', () => {
    for (const key of [`Bearer ${REAL}`, `bearer  ${REAL}`]) {
      expect(lintApiKey(key)).toEqual({
        ok: false,
        problems: [
          {
            code: 'bearer-prefix',
            message: 'The key starts with "Bearer " — set only the key; keyguard adds the "Bearer " prefix itself.',
            fixed: false,
          },
        ],
      });
    }
  });

  it('a quoted key with a Bearer prefix reports both', () => {
    expect(codesOf(`"Bearer ${REAL}"`)).toEqual(['quoted', 'bearer-prefix']);
  });

  it('inner whitespace and newlines', () => {
    expect(lintApiKey('sk_live_4eC39Hq LyjWDarjtT1zdp7dc').problems).toEqual([
      { code: 'inner-whitespace', message: 'The key contains a space inside it — copy it again without spaces.', fixed: false },
    ]);
    expect(lintApiKey('sk_live_4eC39Hq\nLyjWDarjtT1zdp7dc').problems).toEqual([
      {
        code: 'inner-whitespace',
        message: 'The key contains a line break inside it — it was probably pasted across lines; copy it again as one line.',
        fixed: false,
      },
    ]);
    expect(lintApiKey('sk_live_4eC39Hq\tLyjWDarjtT1zdp7dc', 'strict').ok).toBe(false);
  });

  it.each([
    ['a zero-width space', 'sk_live_4eC39Hq\u200bLyjWDarjtT1zdp7dc', /invisible zero-width character \(U\+200B\)/],
    ['a smart quote', 'sk_live_4eC39Hq\u2019LyjWDarjtT1zdp7dc', /typographic \("smart"\) quote \(U\+2019\)/],
    ['an emoji', 'sk_live_4eC39Hq🔑LyjWDarjtT1zdp7dc', /non-ASCII character such as an accented letter or an emoji \(U\+1F511\)/],
    ['an accented letter', 'sk_live_4eC39Hqé', /non-ASCII character/],
    ['a control character', 'sk_live_4eC39Hq\u0000LyjWDarjtT1zdp7dc', /control character \(U\+0000\)/],
    ['an en dash', 'sk\u2013live_4eC39HqLyjWDarjtT1zdp7dc', /typographic dash/],
  ])('%s', (_, key, message) => {
    const result = lintApiKey(key);
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([{ code: 'invalid-character', message: expect.stringMatching(message), fixed: false }]);
    expect(result.problems[0]?.message).toMatch(/\), which an HTTP header cannot carry — copy the key again as plain text\.$/);
  });
});

describe('lintApiKey: surrounding whitespace', () => {
  it.each([`${REAL}\n`, `  ${REAL}`, `\t${REAL}\r\n`])("is trimmed under 'fix'", (key) => {
    expect(lintApiKey(key, 'fix')).toEqual({
      ok: true,
      key: REAL,
      problems: [
        {
          code: 'surrounding-whitespace',
          message:
            'The key had leading or trailing whitespace or a newline; it was trimmed — remove it where the key is stored (often a trailing newline in a .env file or secret).',
          fixed: true,
        },
      ],
    });
  });

  it.each([`${REAL}\n`, `  ${REAL}`])("is rejected under 'strict'", (key) => {
    expect(lintApiKey(key, 'strict')).toEqual({
      ok: false,
      problems: [
        {
          code: 'surrounding-whitespace',
          message: 'The key has leading or trailing whitespace or a newline — remove it where the key is stored.',
          fixed: false,
        },
      ],
    });
  });

  it("a trimmed key with another problem is still rejected under 'fix'", () => {
    const result = lintApiKey(` "${REAL}"\n`, 'fix');
    expect(result.ok).toBe(false);
    expect(result.key).toBeUndefined();
    expect(result.problems.map((p) => [p.code, p.fixed])).toEqual([
      ['surrounding-whitespace', true],
      ['quoted', false],
    ]);
  });
});

describe("lintApiKey: 'off' checks nothing", () => {
  it.each(['YOUR_API_KEY', `"${REAL}"`, `Bearer ${REAL}`, ` ${REAL}\n`, 'a b', 'undefined', ''])('passes %j as given', (key) => {
    expect(lintApiKey(key, 'off')).toEqual({ ok: true, key, problems: [] });
  });

  it('has no key to give when none was set', () => {
    expect(lintApiKey(undefined, 'off')).toEqual({ ok: true, problems: [] });
    expect(lintApiKey(42, 'off')).toEqual({ ok: true, problems: [] });
  });
});

describe('lint messages never contain the key', () => {
  it.each([
    ` ${REAL}\n`,
    `"${REAL}"`,
    `Bearer ${REAL}`,
    `${REAL.slice(0, 10)} ${REAL.slice(10)}`,
    `${REAL}\u200b`,
    `'Bearer ${REAL}\u2019 `,
  ])('%j', (key) => {
    for (const mode of ['fix', 'strict'] as const) {
      for (const problem of lintApiKey(key, mode).problems) {
        expect(problem.message).not.toContain(REAL);
        expect(problem.message).not.toContain(REAL.slice(0, 10));
        expect(problem.message).not.toContain(REAL.slice(10));
      }
    }
  });
});

describe('hintFor', () => {
  it.each(KEY_ERROR_REASONS)('%s has a next step that mentions onKeyInvalid', (reason) => {
    const hint = hintFor(reason);
    expect(hint.length).toBeGreaterThan(40);
    expect(hint).toMatch(/onKeyInvalid/);
    expect(hint.split(/(?<=\.)\s/).length).toBeLessThanOrEqual(2);
  });

  it('names the concrete next step for each reason', () => {
    expect(hintFor('expired')).toMatch(/create a new one/);
    expect(hintFor('revoked')).toMatch(/check its status in your provider dashboard/);
    expect(hintFor('malformed')).toMatch(/verify it for typos/);
    expect(hintFor('missing')).toMatch(/environment variable/);
    expect(hintFor('unknown')).toMatch(/verify the key for typos, check its status/);
  });
});
