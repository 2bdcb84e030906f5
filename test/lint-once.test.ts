import { afterEach, expect, it } from 'vitest';
import { createClient } from '../src/index.js';
import { local } from './helpers/local-server.js';

const KEY = 'sk_test_review_0000000000abcd';
let close: (() => Promise<void>) | undefined;
afterEach(async () => close?.());

it('concurrent first requests with a key that needs trimming warn once (per key value), as before', async () => {
  const server = await local((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  });
  close = server.close;
  const warnings: string[] = [];
  const client = createClient({
    baseUrl: server.url,
    apiKey: `${KEY}\n`,
    logger: { warn: (line: unknown) => void warnings.push(String(line)) },
  });
  await Promise.all(Array.from({ length: 5 }, () => client.get('/ok')));
  expect(server.seen).toEqual(Array(5).fill(`Bearer ${KEY}`));
  expect(warnings.filter((line) => line.includes('trimmed'))).toHaveLength(1);
});
