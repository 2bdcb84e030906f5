import fc from 'fast-check';
import { expect, it } from 'vitest';
import { lintApiKey } from '../src/index.js';
import { keyLooksClean } from '../src/keys/key-looks-clean.js';

const words = [
  'your',
  'YOUR_',
  'api',
  'key',
  'token',
  'secret',
  'here',
  '<',
  '>',
  '[',
  ']',
  '{{',
  '}}',
  '${',
  '}',
  '$',
  'sk-',
  'sk_live_',
  'x',
  'X',
  '*',
  '.',
  '…',
  '"',
  "'",
  '`',
  'Bearer',
  ' ',
  '\t',
  '\n',
  'undefined',
  'null',
  'change',
  'me',
  'replace',
  'insert',
  '-',
  '_',
  'todo',
  'dummy',
  'example',
  'placeholder',
  'a',
  'Z',
  '9',
  '\u00a0',
  '\ufeff',
  '“',
  '”',
];
const token = fc.oneof(fc.constantFrom(...words), fc.string({ unit: 'grapheme-ascii', maxLength: 4 }));

it('keyLooksClean(key) implies lintApiKey(key, strict) finds nothing', () => {
  fc.assert(
    fc.property(
      fc.array(token, { maxLength: 8 }).map((parts) => parts.join('')),
      (key) => {
        if (keyLooksClean(key)) expect(lintApiKey(key, 'strict')).toEqual({ ok: true, key, problems: [] });
      },
    ),
    { numRuns: 20_000 },
  );
});
