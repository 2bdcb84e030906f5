import { describe, expect, it } from 'vitest';
import { lintApiKey } from '../../src/index.js';

/** Best of three wall-clock runs, in milliseconds: a slow run on a busy machine does not count against it. */
function bestOf3(run: () => void): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 3; i += 1) {
    const start = performance.now();
    run();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

const KiB = 1024;
const fill = (unit: string, size: number) => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);

/** Inputs that make a backtracking check slow, each sized `size`: runs of whitespace inside, at the edges, and the shapes every check looks for. */
function hostileInputs(size: number): Array<[string, string, string]> {
  const inner = (unit: string) => `sk_${fill(unit, size)}x`;
  return [
    ['inner spaces', inner(' '), 'inner-whitespace'],
    ['inner tabs', inner('\t'), 'inner-whitespace'],
    ['inner newlines', inner('\n'), 'inner-whitespace'],
    ['inner CRLF', inner('\r\n'), 'inner-whitespace'],
    ['mixed whitespace', inner(' \t\n\r\v\f'), 'inner-whitespace'],
    ['only spaces', fill(' ', size), 'missing'],
    ['spaces around a key', `${fill(' ', size / 2)}sk_live_abc${fill(' ', size / 2)}`, 'surrounding-whitespace'],
    ['spaces then a letter, repeated', fill(' a', size), 'inner-whitespace'],
    ['quoted spaces', `"${fill(' ', size)}x"`, 'quoted'],
    ['nested quotes', fill('"\'', size), ''],
    ['unbalanced quotes', `"${fill('\'"', size)}`, 'quoted'],
    ['bearer and spaces', `Bearer ${fill(' ', size)}x`, 'bearer-prefix'],
    ['repeated bearer', fill('Bearer ', size), 'bearer-prefix'],
    ['placeholder letters', `your-${fill('a-', size)}`, ''],
    ['placeholder words', `your ${fill('api ', size)}key`, 'inner-whitespace'],
    ['placeholder x run', `sk-${fill('x', size)}`, 'placeholder'],
    ['placeholder dots', `${fill('ab-', size)}...`, ''],
    ['angle brackets', `<${fill('<', size)}`, ''],
    ['square brackets', `[${fill('[', size)}`, ''],
    ['braces', `\${${fill('{', size)}`, ''],
    ['insert prefix', `insert-${fill(' ', size)}`, 'placeholder'],
    ['non-ASCII', fill('é ', size), 'invalid-character'],
    ['zero-width', fill('a\u200b', size), 'invalid-character'],
    ['text undefined padded', `${fill(' ', size)}undefined${fill(' ', size)}`, 'missing'],
    ['plain long key', `sk_${fill('a', size)}`, ''],
    ['short placeholder prefix, long mask', `sk_live_${fill('*', size)}`, 'placeholder'],
    ['mask then text', `${fill('x', size)}y`, ''],
  ];
}

describe('lintApiKey runs in linear time', () => {
  it.each(hostileInputs(64 * KiB))('64 KiB of %s: under 50 ms', (_, input, code) => {
    const result = lintApiKey(input, 'fix');
    if (code) expect(result.problems.map((p) => p.code)).toContain(code);
    else expect(result).toEqual({ ok: true, key: input, problems: [] });
    const strict = bestOf3(() => lintApiKey(input, 'strict'));
    const fix = bestOf3(() => lintApiKey(input, 'fix'));
    expect(Math.max(strict, fix)).toBeLessThan(50);
  });

  it('1 MiB inputs take at most about 16 times as long as 64 KiB ones (linear, not quadratic)', () => {
    const small = hostileInputs(64 * KiB);
    const large = hostileInputs(1024 * KiB);
    for (const [i, [name, input]] of large.entries()) {
      const smallInput = (small[i] as [string, string, string])[1];
      const smallTime = bestOf3(() => lintApiKey(smallInput, 'strict'));
      const largeTime = bestOf3(() => lintApiKey(input, 'strict'));
      // Quadratic would be 256 times; allow noise and a fixed overhead, never the square.
      expect(largeTime, name).toBeLessThan(Math.max(16 * 4 * smallTime, 50 * 16));
    }
  });
});
