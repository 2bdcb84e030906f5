import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { createClient, RateLimitError, ServerError } from '../../src/index.js';
import { BASE, useMsw } from '../helpers/msw.js';

const server = useMsw();
const HUGE = '9'.repeat(400);

async function failWith(status: number, headers: Record<string, string>) {
  let calls = 0;
  server.use(
    http.get(`${BASE}/limited`, () => {
      calls += 1;
      return HttpResponse.json({ error: 'slow down' }, { status, headers });
    }),
  );
  const started = performance.now();
  const error = await createClient({ baseUrl: BASE, apiKey: 'sk_test_abcdef123456', retry: { retries: 3 } })
    .get('/limited')
    .catch((e: unknown) => e);
  return { error: error as RateLimitError, calls, ms: performance.now() - started };
}

describe('a huge Retry-After stays finite and capped', () => {
  it.each([
    ['Retry-After of 400 digits', { 'retry-after': HUGE }],
    ['Retry-After of 400 digits with a fraction', { 'retry-after': `${HUGE}.5` }],
    ['retry-after-ms of 400 digits', { 'retry-after-ms': HUGE }],
    ['both', { 'retry-after-ms': HUGE, 'retry-after': HUGE }],
    ['Retry-After of 20 digits (past the safe integers once in ms)', { 'retry-after': '12345678901234567890' }],
  ])('%s: a RateLimitError at once, retryAfterMs = Number.MAX_SAFE_INTEGER', async (_, headers) => {
    const { error, calls, ms } = await failWith(429, headers);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(Number.isFinite(error.retryAfterMs)).toBe(true);
    expect(error.retryAfterMs).toBe(Number.MAX_SAFE_INTEGER);
    // Over maxRetryAfterMs: thrown at once, never waited for.
    expect(calls).toBe(1);
    expect(error.attempts).toBe(1);
    expect(ms).toBeLessThan(2000);
    expect(JSON.parse(JSON.stringify(error)).retryAfterMs).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('a 503 with a huge Retry-After is a ServerError with the same cap', async () => {
    const { error, calls } = await failWith(503, { 'retry-after': HUGE });
    expect(error).toBeInstanceOf(ServerError);
    expect(error.retryAfterMs).toBe(Number.MAX_SAFE_INTEGER);
    expect(calls).toBe(1);
  });

  it('a tiny fraction of 400 digits is a short, finite wait', async () => {
    const { error } = await failWith(429, { 'retry-after-ms': `0.${'0'.repeat(398)}1` });
    expect(error.retryAfterMs).toBe(1);
  });

  it('ordinary values are unchanged', async () => {
    expect((await failWith(429, { 'retry-after': '120' })).error.retryAfterMs).toBe(120_000);
    expect((await failWith(429, { 'retry-after-ms': '61000.2' })).error.retryAfterMs).toBe(61_001);
  });
});
