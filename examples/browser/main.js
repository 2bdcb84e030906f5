// The page's code: bundled on the fly by serve.mjs (esbuild), so `keyguard` resolves like in any app.
import { createClient, isInvalidApiKeyError } from 'keyguard';

const log = document.querySelector('#log');
const print = (line) => {
  log.textContent = log.textContent === 'Loading…' ? line : `${log.textContent}\n${line}`;
};

// Your backend hands the page a short-lived key and, on request, the next one.
const { apiUrl, key } = await (await fetch('/session')).json();
let hookCalls = 0;

const client = createClient({
  baseUrl: apiUrl,
  apiKey: key,
  onKeyInvalid: async (error) => {
    hookCalls += 1;
    print(`onKeyInvalid #${hookCalls}: ${error.reason} (${error.status}, key ${error.keyHint}) — asking the backend for a new key`);
    const next = await (await fetch('/session/rotate', { method: 'POST' })).json();
    return next.key;
  },
});

async function call() {
  try {
    const me = await client.get('/me');
    print(`GET /me → 200 ${JSON.stringify(me)}`);
  } catch (error) {
    print(isInvalidApiKeyError(error) ? `key error: ${error.reason} — ${error.hint}` : `error: ${error}`);
  }
}

document.querySelector('#call').addEventListener('click', call);
document.querySelector('#expire').addEventListener('click', async () => {
  await fetch('/session/expire', { method: 'POST' });
  print('the server expired the key; the next call rotates it');
});
document.querySelector('#abort').addEventListener('click', async () => {
  const controller = new AbortController();
  const pending = client.get('/items', { signal: controller.signal });
  controller.abort();
  try {
    await pending;
  } catch (error) {
    print(`aborted: ${error.name}`);
  }
});

// The scripted run, so the page shows the whole story at once.
await call();
await fetch('/session/expire', { method: 'POST' });
print('the server expired the key');
await call();
print(`done: onKeyInvalid ran ${hookCalls} time(s)`);
document.body.dataset.done = 'true';
