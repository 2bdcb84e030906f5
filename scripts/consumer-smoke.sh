#!/usr/bin/env bash
# `npm run test:consumer`: installs the packed tarball into a fresh project, the way a user
# would, and uses it from ESM, from CJS (both copies side by side), and from TypeScript under
# moduleResolution NodeNext and Bundler. `npm pack` builds dist/ first (the `prepack` script), as
# `npm publish` does; set KEYGUARD_SKIP_BUILD=1 when dist/ is fresh to pack it as it is.
# MSW_VERSION picks the msw that keyguard/testing is tried with (default: the repo's msw 2; msw 3
# needs Node >= 22.12). The `node` on PATH is the Node it runs on (.ci/run runs it on 20, 22, 24).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

work=$(mktemp -d "${TMPDIR:-/tmp}/keyguard-consumer.XXXXXX")
trap 'rm -rf "$work"' EXIT

step() { printf '\n--> %s\n' "$*"; }

step "node $(node --version)"
if [[ "${KEYGUARD_SKIP_BUILD:-}" == 1 ]]; then
  step 'npm pack --ignore-scripts (dist/ as it is)'
  tarball=$(npm pack --silent --ignore-scripts --pack-destination "$work" | tail -n 1)
else
  step 'npm pack (prepack builds dist/)'
  tarball=$(npm pack --silent --pack-destination "$work" 2>/dev/null | tail -n 1)
fi
tarball="$work/$tarball"
tar -tzf "$tarball" >"$work/files.txt"
grep -qx 'package/dist/index.js' "$work/files.txt" || { echo "the tarball has no dist/index.js" >&2; exit 1; }

# The versions this repo tests with, so npm finds them in its cache (works offline once installed here).
version() { node -p "require('$root/node_modules/$1/package.json').version"; }

msw_version=${MSW_VERSION:-$(version msw)}
step "fresh project: npm install keyguard.tgz zod msw@$msw_version typescript"
app="$work/app"
mkdir -p "$app"
cd "$app"
cat >package.json <<'JSON'
{ "name": "keyguard-consumer", "version": "0.0.0", "private": true }
JSON
npm install --prefer-offline --no-audit --no-fund --silent \
  "$tarball" "zod@$(version zod)" "msw@$msw_version" "typescript@$(version typescript)"

step 'keyguard/testing handlers under this msw: a rejected key becomes an InvalidApiKeyError'
node --input-type=module -e "
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { setupServer } from 'msw/node';
import { createClient } from 'keyguard';
import { rejectKeys, revokedKeyHandler } from 'keyguard/testing';
const good = 'sk_test_good_0123456789abcdef';
const server = setupServer(rejectKeys({ url: 'https://api.example.test/*', validKeys: [good], reason: 'expired' }));
server.listen({ onUnhandledRequest: 'error' });
try {
  const error = await createClient({ baseUrl: 'https://api.example.test/v1', apiKey: 'sk_test_old_0123456789abcdef' })
    .get('/me').then(() => assert.fail('resolved'), (e) => e);
  assert.equal(error.name, 'InvalidApiKeyError');
  assert.equal(error.reason, 'expired');
  server.use(revokedKeyHandler({ url: 'https://api.example.test/v1/revoked' }));
  const revoked = await createClient({ baseUrl: 'https://api.example.test/v1', apiKey: good })
    .get('/revoked').then(() => assert.fail('resolved'), (e) => e);
  assert.equal(revoked.reason, 'revoked');
} finally {
  server.close();
}
console.log('keyguard/testing with msw', createRequire(process.cwd() + '/')('msw/package.json').version, 'ok');
"

step 'one zod in an app: an app bundle with its own zod and keyguard has zod core once'
if grep -l 'Encountered Promise during synchronous parse' node_modules/keyguard/dist/index.js node_modules/keyguard/dist/index.cjs; then
  echo 'keyguard dist carries its own zod core' >&2
  exit 1
fi
cat >zod-app.mjs <<'JS'
import { z } from 'zod';
import { createClient } from 'keyguard';
const User = z.object({ id: z.number(), name: z.string() });
export const user = () => createClient({ baseUrl: 'https://api.example.test/v1' }).get('/users/1', { schema: User });
JS
"$root/node_modules/.bin/esbuild" zod-app.mjs --bundle --minify --format=esm --platform=browser --log-level=error --outfile=zod-app.bundle.js
copies=$(grep -o 'Encountered Promise during synchronous parse' zod-app.bundle.js | wc -l)
[[ "$copies" == 1 ]] || { echo "zod core appears $copies times in an app bundle with zod and keyguard" >&2; exit 1; }
echo 'zod core once ok'

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
