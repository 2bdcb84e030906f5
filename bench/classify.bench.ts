// Run with: npx vitest bench --run bench/classify.bench.ts
import { bench, describe } from 'vitest';
import { classifyKeyError } from '../src/index.js';

const MB = 1024 * 1024;
const hugeJsonText = `{"error":{"message":"Invalid API key","code":"invalid_api_key"},"data":"${'x'.repeat(5 * MB)}"}`;
const hugeHtml = `<html><head><title>401 Unauthorized</title></head><body>${'<p>lorem ipsum</p>'.repeat((5 * MB) / 18)}</body></html>`;
const hostileText = '<'.repeat(5 * MB);
const hugeObject = {
  error: { message: 'The API key has expired', code: 'key_expired' },
  data: Array.from({ length: 100_000 }, (_, i) => ({ id: i, name: `item ${i}`, note: 'lorem ipsum dolor' })), // ~5 MB as JSON
  wide: Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`k${i}`, 'invalid token'])),
};
const longChallenge = `Bearer ${'a-'.repeat(2500)}`;
const small = '{"error":{"message":"Incorrect API key provided: sk-…1234","type":"invalid_request_error","code":"invalid_api_key"}}';

describe('classifyKeyError', () => {
  bench('small JSON error (typical)', () => {
    classifyKeyError({ status: 401, body: small });
  });
  bench('5 MB JSON text', () => {
    classifyKeyError({ status: 401, body: hugeJsonText });
  });
  bench('5 MB HTML', () => {
    classifyKeyError({ status: 401, body: hugeHtml });
  });
  bench('5 MB of "<"', () => {
    classifyKeyError({ status: 403, body: hostileText });
  });
  bench('4 KiB WWW-Authenticate of one long word', () => {
    classifyKeyError({ status: 401, headers: { 'www-authenticate': longChallenge }, body: '' });
  });
  bench('~5 MB object', () => {
    classifyKeyError({ status: 401, body: hugeObject });
  });
});
