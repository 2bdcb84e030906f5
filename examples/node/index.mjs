// keyguard in Node, against the local "API Service" simulator: a good call, an expired key
// rotated by onKeyInvalid (the request replays by itself), a burst that refreshes once,
// and a revoked key caught as a typed error. Run from the repository root:
//   npm run build && node examples/node/index.mjs
import { createClient, isInvalidApiKeyError } from 'keyguard';
import { startSimulator } from 'keyguard/testing';
import { z } from 'zod';

const Me = z.object({ keyId: z.string(), label: z.string().nullable(), expiresAt: z.number() });
const Item = z.object({ id: z.string(), name: z.string(), price: z.number() });

const sim = await startSimulator();
console.log(`simulator listening on ${sim.url}`);

try {
  // Your vault: it knows the current key and how to get the next one.
  let current = sim.issueKey({ label: 'example' });
  let rotations = 0;

  const client = createClient({
    baseUrl: sim.url,
    apiKey: { key: current.key, expiresAt: current.expiresAt },
    onKeyInvalid: async (error) => {
      rotations += 1;
      console.log(`  onKeyInvalid: ${error.reason} (status ${error.status}, key ${error.keyHint}) -> rotating`);
      current = sim.rotateKey(current.id);
      return { key: current.key, expiresAt: current.expiresAt };
    },
  });

  // 1. A good call, typed by its schema.
  const me = await client.get('/me', { schema: Me });
  console.log(`1. good call: key ${me.keyId} (${me.label})`);
  const created = await client.post('/items', { body: { name: 'widget', price: 3 }, schema: Item, idempotencyKey: 'create-widget' });
  console.log(`   created item ${created.id} "${created.name}"`);

  // 2. The key expires mid-run: the hook returns a new key and the request replays.
  sim.expireKey(current.id);
  const again = await client.get(`/items/${created.id}`, { schema: Item });
  console.log(`2. after expiry: got "${again.name}" with the rotated key; onKeyInvalid ran ${rotations} time(s)`);

  // 3. A burst of 10 concurrent requests with an expired key refreshes once.
  sim.expireKey(current.id);
  const before = rotations;
  await Promise.all(Array.from({ length: 10 }, () => client.get('/me', { schema: Me })));
  console.log(`3. burst of 10: onKeyInvalid ran ${rotations - before} time(s)`);

  // 4. A revoked key with no hook: a typed error, never the key in clear.
  const revoked = sim.issueKey({ label: 'revoked' });
  sim.revokeKey(revoked.id);
  try {
    await createClient({ baseUrl: sim.url, apiKey: revoked.key }).get('/me');
  } catch (error) {
    if (!isInvalidApiKeyError(error)) throw error;
    console.log(`4. revoked: ${error.name} reason=${error.reason} keyHint=${error.keyHint}`);
    console.log(`   hint: ${error.hint}`);
  }

  // 5. A mistyped key is caught before anything is sent.
  try {
    await createClient({ baseUrl: sim.url, apiKey: 'YOUR_API_KEY' }).get('/me');
  } catch (error) {
    if (!isInvalidApiKeyError(error)) throw error;
    console.log(`5. placeholder key: reason=${error.reason} source=${error.source}`);
  }

  const stats = sim.stats();
  console.log(`simulator saw ${stats.requests} requests; key errors: ${JSON.stringify(stats.keyErrors)}`);
} finally {
  await sim.close();
}
