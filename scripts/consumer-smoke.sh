#!/usr/bin/env bash
# `npm run test:consumer`: installs the packed tarball into a fresh project, the way a user
# would, and uses it from ESM, from CJS (both copies side by side), and from TypeScript under
# moduleResolution NodeNext and Bundler. Set KEYGUARD_SKIP_BUILD=1 when dist/ is fresh.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

work=$(mktemp -d "${TMPDIR:-/tmp}/keyguard-consumer.XXXXXX")
trap 'rm -rf "$work"' EXIT

step() { printf '\n--> %s\n' "$*"; }

if [[ "${KEYGUARD_SKIP_BUILD:-}" != 1 ]]; then
  step 'npm run build'
  npm run build --silent >/dev/null
fi

step 'npm pack'
tarball=$(npm pack --silent --pack-destination "$work" | tail -n 1)
tarball="$work/$tarball"

# The versions this repo tests with, so npm finds them in its cache (works offline once installed here).
version() { node -p "require('$root/node_modules/$1/package.json').version"; }

step 'fresh project: npm install keyguard.tgz zod msw typescript'
app="$work/app"
mkdir -p "$app"
cd "$app"
cat >package.json <<'JSON'
{ "name": "keyguard-consumer", "version": "0.0.0", "private": true }
JSON
npm install --prefer-offline --no-audit --no-fund --silent \
  "$tarball" "zod@$(version zod)" "msw@$(version msw)" "typescript@$(version typescript)"

step 'ESM: import, a call, and a key error thrown by the CJS copy'
node --input-type=module -e "
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { createClient, isInvalidApiKeyError, isKeyguardError, InvalidApiKeyError } from 'keyguard';
import { keyErrorResponse, startSimulator } from 'keyguard/testing';

const cjs = createRequire(process.cwd() + '/')('keyguard');
assert.notEqual(cjs.createClient, createClient, 'ESM and CJS are two copies');

const sim = await startSimulator();
try {
  const { key } = sim.issueKey();
  const me = await createClient({ baseUrl: sim.url, apiKey: key }).get('/me');
  assert.equal(typeof me.keyId, 'string');

  // The CJS copy throws; the ESM copy's guards still recognise the error.
  const wire = keyErrorResponse('revoked', 'envelope');
  const client = cjs.createClient({
    baseUrl: 'https://api.example.com/v1',
    apiKey: 'sk_live_0123456789abcdef',
    fetch: async () => new Response(JSON.stringify(wire.body), { status: wire.status, headers: wire.headers }),
  });
  const error = await client.get('/me').then(() => assert.fail('resolved'), (e) => e);
  assert.ok(!(error instanceof InvalidApiKeyError), 'thrown by the other copy');
  assert.ok(error instanceof cjs.InvalidApiKeyError);
  assert.ok(isInvalidApiKeyError(error) && isKeyguardError(error));
  assert.equal(error.reason, 'revoked');
  assert.ok(!JSON.stringify(error).includes('sk_live_0123456789abcdef'));
} finally {
  await sim.close();
}
console.log('ESM ok');
"

step 'CJS: require, and an ESM error recognised by the CJS guards'
node -e "
const assert = require('node:assert/strict');
const { createClient, isInvalidApiKeyError } = require('keyguard');
const { startSimulator } = require('keyguard/testing');
(async () => {
  const esm = await import('keyguard');
  assert.notEqual(esm.createClient, createClient);
  const sim = await startSimulator();
  try {
    const { key } = sim.issueKey();
    const me = await createClient({ baseUrl: sim.url, apiKey: key }).get('/me');
    assert.equal(typeof me.keyId, 'string');
    sim.expireKey(key);
    const error = await esm.createClient({ baseUrl: sim.url, apiKey: key }).get('/me').then(() => assert.fail('resolved'), (e) => e);
    assert.ok(isInvalidApiKeyError(error));
    assert.equal(error.reason, 'expired');
  } finally {
    await sim.close();
  }
  console.log('CJS ok');
})().catch((error) => { console.error(error); process.exit(1); });
"

step 'keyguard/testing/simulator works without msw installed (ESM and CJS)'
mv node_modules/msw "$work/msw.aside"
node --input-type=module -e "
import assert from 'node:assert/strict';
import { createClient } from 'keyguard';
import { startSimulator, keyErrorResponse } from 'keyguard/testing/simulator';
const sim = await startSimulator({ format: 'problem' });
try {
  const { key } = sim.issueKey();
  sim.revokeKey(key);
  const error = await createClient({ baseUrl: sim.url, apiKey: key }).get('/me').then(() => assert.fail('resolved'), (e) => e);
  assert.equal(error.reason, 'revoked');
  assert.equal(keyErrorResponse('missing', 'rfc6750').status, 401);
} finally {
  await sim.close();
}
console.log('simulator without msw (ESM) ok');
"
node -e "
const { startSimulator } = require('keyguard/testing/simulator');
startSimulator().then((sim) => sim.close()).then(() => console.log('simulator without msw (CJS) ok'), (e) => { console.error(e); process.exit(1); });
"
mv "$work/msw.aside" node_modules/msw

step 'TypeScript: tsc --noEmit under NodeNext (CJS and ESM files) and Bundler'
cat >consumer.ts <<'TS'
import { createClient, isInvalidApiKeyError, type KeyErrorReason } from 'keyguard';
import { keyErrorResponse, startSimulator } from 'keyguard/testing';
import { z } from 'zod';

const User = z.object({ id: z.string(), name: z.string() });

export async function main(): Promise<string> {
  const sim = await startSimulator();
  const client = createClient({ baseUrl: sim.url, apiKey: sim.issueKey().key, onKeyInvalid: (error) => (error.reason === 'expired' ? 'sk_new' : undefined) });
  const user = await client.get('/users/1', { schema: User });
  const name: string = user.name;
  const raw = await client.get('/users/1');
  // @ts-expect-error without a schema the result is unknown
  raw.name;
  const getUser = client.endpoint({ method: 'GET', path: '/users/{id}', response: User });
  // @ts-expect-error params.id is required
  void getUser({});
  await getUser({ params: { id: '1' } });
  try {
    await client.get('/me');
  } catch (error) {
    if (isInvalidApiKeyError(error)) {
      const reason: KeyErrorReason = error.reason;
      return reason;
    }
  }
  await sim.close();
  return name + keyErrorResponse('expired', 'classic').status;
}
TS
cp consumer.ts consumer.mts
cat >tsconfig.nodenext.json <<'JSON'
{
  "compilerOptions": {
    "target": "ES2022", "module": "NodeNext", "moduleResolution": "NodeNext",
    "lib": ["ES2022", "DOM"], "types": [], "strict": true, "noEmit": true, "skipLibCheck": false
  },
  "files": ["consumer.ts", "consumer.mts"]
}
JSON
cat >tsconfig.bundler.json <<'JSON'
{
  "compilerOptions": {
    "target": "ES2022", "module": "ESNext", "moduleResolution": "Bundler",
    "lib": ["ES2022", "DOM"], "types": [], "strict": true, "noEmit": true, "skipLibCheck": false
  },
  "files": ["consumer.ts"]
}
JSON
npx tsc -p tsconfig.nodenext.json
echo 'NodeNext ok'
npx tsc -p tsconfig.bundler.json
echo 'Bundler ok'

printf '\nconsumer smoke test passed\n'
