import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classifyKeyError, type KeyErrorReason } from '../src/index.js';

interface CorpusCase {
  name: string;
  status: number;
  headers: Record<string, string>;
  body: string;
  expected: { keyError: boolean; reason?: KeyErrorReason; code?: string };
  source: string;
  note?: string;
}

const dir = new URL('./fixtures/key-errors/', import.meta.url);
const files = readdirSync(dir).filter((file) => file.endsWith('.json'));
const providers = files.map((file) => JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as { provider: string; cases: CorpusCase[] });
const cases = providers.flatMap(({ provider, cases }) => cases.map((c) => ({ ...c, provider })));

describe('key-error corpus', () => {
  it('covers at least 20 providers and 60 cases', () => {
    expect(providers.length).toBeGreaterThanOrEqual(20);
    expect(cases.length).toBeGreaterThanOrEqual(60);
  });

  it('has well-formed cases', () => {
    for (const c of cases) {
      expect(typeof c.status, c.name).toBe('number');
      expect(typeof c.body, c.name).toBe('string');
      expect(typeof c.expected.keyError, c.name).toBe('boolean');
      if (c.expected.keyError) expect(['expired', 'revoked', 'malformed', 'missing', 'unknown'], c.name).toContain(c.expected.reason);
    }
  });

  it.each(cases)('$provider: $name', ({ status, headers, body, expected }) => {
    const result = classifyKeyError({ status, headers, body });
    if (!expected.keyError) {
      expect(result).toBeNull();
      return;
    }
    expect(result).not.toBeNull();
    expect(result?.reason).toBe(expected.reason);
    if (expected.code !== undefined) expect(result?.code).toBe(expected.code);
  });
});
