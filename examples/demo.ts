/**
 * `npm run demo`: keyguard against the local "API Service" simulator — no account, no network.
 *
 * It tells one short story through the public SDK: a good call, a key that expires mid-run
 * and is rotated by `onKeyInvalid`, a burst of 100 requests that refreshes the key once, a
 * revoked key caught as a typed error, a mistyped key caught before sending, every wire
 * format being classified, and the real openai SDK getting the same key flow through
 * `keyguardFetch` (an expiry, a burst, a streamed answer). Keys are only ever shown as
 * fingerprints (`keyHint`).
 *
 * Each step also checks what it prints; if one does not hold, the demo exits with code 1.
 */
import OpenAI from 'openai';
import { createClient, type InvalidApiKeyError, isInvalidApiKeyError, keyguardFetch, keyHint } from '../src/index.js';
import { KEY_ERROR_FORMATS, type KeyRecord, type Simulator, startSimulator } from '../src/testing/index.js';
import { createApiService } from './api-service.js';

const say = (text = '') => console.log(text);
/** An aligned "label   value" line under a step. */
const row = (label: string, value: string | number) => say(`   ${label.padEnd(18)}${value}`);
const step = (n: number, title: string) => say(`\n${n}. ${title}`);

function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(`demo check failed: ${what}`);
}

/** Runs `fn` and returns the InvalidApiKeyError it rejects with (anything else is a failure). */
async function keyErrorOf(fn: () => Promise<unknown>): Promise<InvalidApiKeyError> {
  try {
    await fn();
  } catch (error) {
    if (isInvalidApiKeyError(error)) return error as InvalidApiKeyError;
    throw error;
  }
  throw new Error('demo check failed: expected an InvalidApiKeyError');
}

async function main(sim: Simulator): Promise<void> {
  say('keyguard demo: the "API Service" simulator and the keyguard SDK, in one process');
  row('simulator', sim.url);

  // The key we hold, and a hook that asks the service for its successor when the key is rejected.
  let current: KeyRecord = sim.issueKey({ label: 'demo' });
  let refreshes = 0;
  const api = createApiService({
    baseUrl: sim.url,
    apiKey: current, // a KeyRecord { id, key, expiresAt } is a ready-made KeyGrant
    onKeyInvalid: (error) => {
      refreshes += 1;
      current = sim.rotateKey(current.id);
      say(`   onKeyInvalid      reason: ${error.reason}, key ${error.keyHint} -> rotated to ${keyHint(current.key)}`);
      return current;
    },
  });

  // 1. A good call.
  step(1, 'A good call');
  sim.resetStats();
  const me = await api.me();
  row('GET /me', `200 ${me.keyId} (label: ${me.label}) with key ${keyHint(current.key)}`);
  row('server requests', sim.stats().requests);
  check(me.keyId === current.id && sim.stats().requests === 1, 'the good call');

  // 2. The key expires between two calls; the hook rotates it and the request is replayed.
  step(2, 'The key expires mid-run');
  sim.resetStats();
  sim.expireKey(current.id);
  row('sim.expireKey', keyHint(current.key));
  const again = await api.me();
  row('GET /me', `200 after replay, now with key ${keyHint(current.key)}`);
  const { requests, keyErrors } = sim.stats();
  row('server requests', `${requests} (${keyErrors.expired} rejected as expired, ${requests - keyErrors.expired} ok)`);
  row('refreshes:', refreshes);
  check(again.keyId === current.id && requests === 2 && refreshes === 1, 'the expiry replay');

  // 3. 100 requests in flight when the key expires: one refresh, every request replayed.
  step(3, 'A burst of 100 concurrent requests with an expired key');
  sim.resetStats();
  refreshes = 0;
  sim.expireKey(current.id);
  const burst = await Promise.allSettled(Array.from({ length: 100 }, () => api.me()));
  const ok = burst.filter((r) => r.status === 'fulfilled').length;
  row('ok', `${ok} of ${burst.length}`);
  row('refreshes:', refreshes);
  row('server requests', `${sim.stats().requests} (${sim.stats().keyErrors.expired} expired + ${ok} replayed)`);
  check(ok === 100 && refreshes === 1 && sim.stats().requests <= 200, 'the burst');

  // 4. A revoked key, and no hook to replace it: a typed error with a reason and a next step.
  step(4, 'A revoked key (no onKeyInvalid here)');
  sim.resetStats();
  const revoked = sim.issueKey({ label: 'revoked' });
  sim.revokeKey(revoked.id);
  const plain = createClient({ baseUrl: sim.url, apiKey: revoked.key });
  const revokedError = await keyErrorOf(() => plain.get('/me'));
  row('error', `${revokedError.name} (status ${revokedError.status}, source: ${revokedError.source})`);
  row('reason:', revokedError.reason);
  row('key', revokedError.keyHint ?? '-');
  row('request id', revokedError.requestId ?? '-');
  row('hint', revokedError.hint);
  check(revokedError.reason === 'revoked' && revokedError.status === 401, 'the revoked key');

  // 5. A key pasted with its quotes from a .env file: caught before anything is sent.
  step(5, 'A key pasted with quotes');
  sim.resetStats();
  const pasted = sim.issueKey({ label: 'pasted' });
  const quoted = createClient({ baseUrl: sim.url, apiKey: `"${pasted.key}"` });
  const quotedError = await keyErrorOf(() => quoted.get('/me'));
  row('error', `${quotedError.name} (source: ${quotedError.source}, code: ${quotedError.code})`);
  row('reason:', quotedError.reason);
  row('key', quotedError.keyHint ?? '-');
  row('hint', quotedError.hint);
  row('server requests', sim.stats().requests);
  check(quotedError.source === 'client' && quotedError.reason === 'malformed' && sim.stats().requests === 0, 'the quoted key');

  // 6. The same four rejections in each wire format, as the client classifies them.
  step(6, 'One rejection per wire format and server-side reason, classified by the client');
  const expiredKey = sim.issueKey();
  sim.expireKey(expiredKey.id);
  const revokedKey = sim.issueKey();
  sim.revokeKey(revokedKey.id);
  const senders = {
    expired: createClient({ baseUrl: sim.url, apiKey: expiredKey.key }),
    revoked: createClient({ baseUrl: sim.url, apiKey: revokedKey.key }),
    malformed: createClient({ baseUrl: sim.url, apiKey: 'sk_live_never_issued_0042' }),
  };
  const columns = ['expired', 'revoked', 'malformed', 'missing'] as const;
  say(`   ${'format'.padEnd(10)}${columns.map((c) => c.padEnd(11)).join('')}`.trimEnd());
  for (const format of KEY_ERROR_FORMATS) {
    sim.setFormat(format);
    const cells: string[] = [];
    for (const sent of columns) {
      const error =
        sent === 'missing'
          ? await keyErrorOf(() => senders.expired.get('/me', { auth: false })) // sends no key at all
          : await keyErrorOf(() => senders[sent].get('/me'));
      cells.push(error.reason);
      check(error.reason === (format === 'vague' && sent !== 'missing' ? 'unknown' : sent), `${format}/${sent}`);
    }
    say(`   ${format.padEnd(10)}${cells.map((c) => c.padEnd(11)).join('')}`.trimEnd());
  }
  say(`   ('vague' says "not valid or has expired" for all three, so the client reports 'unknown')`);

  await openAiChapter(sim);
}

/** The simulator's streamed chat answer: one word a chunk. */
const ANSWER = ['Hello', ' from', ' the', ' keyguard', ' simulator', '.'];

/** 7. The real openai SDK, given keyguard's key flow by one option: `fetch: keyguardFetch(...)`. */
async function openAiChapter(sim: Simulator): Promise<void> {
  step(7, 'The openai SDK through keyguardFetch');
  // The simulator's POST /v1/chat/completions answers in OpenAI's shape; 'envelope' rejections are
  // OpenAI's error body ({ error: { type, code, message } }).
  sim.setFormat('envelope');
  sim.resetStats();
  const PLACEHOLDER = 'set-by-keyguard';
  let key: KeyRecord = sim.issueKey({ label: 'openai' });
  let hookCalls = 0;
  const openai = new OpenAI({
    apiKey: PLACEHOLDER, // never sent: keyguardFetch puts the real key in its place
    baseURL: sim.url,
    maxRetries: 0,
    fetch: keyguardFetch({
      apiKey: key,
      baseUrl: sim.url,
      onKeyInvalid: (error) => {
        hookCalls += 1;
        key = sim.rotateKey(key.id);
        say(`   onKeyInvalid      reason: ${error.reason}, key ${error.keyHint} -> rotated to ${keyHint(key.key)}`);
        return key;
      },
    }),
  });
  const ask = () => openai.chat.completions.create({ model: 'gpt-demo', messages: [{ role: 'user', content: 'What does keyguard do?' }] });
  const requests = () => sim.stats().requests;
  row('openai SDK', `new OpenAI({ apiKey: '${PLACEHOLDER}', baseURL: ${sim.url}, fetch: keyguardFetch(...) })`);

  // The key expires; the SDK never sees the 401: the hook rotates the key and the call is replayed.
  sim.expireKey(key.id);
  let before = requests();
  const answer = await ask();
  row('chat.completions', `200 "${answer.choices[0]?.message.content}" after replay`);
  row('server requests', `${requests() - before} (1 rejected as expired, 1 ok)`);
  row('hook calls', hookCalls);
  check(answer.choices[0]?.message.content === ANSWER.join('') && hookCalls === 1, 'the openai expiry replay');

  // 50 SDK calls in flight when the key expires: one hook call for all of them.
  const BURST = 50;
  sim.expireKey(key.id);
  hookCalls = 0;
  before = requests();
  const burst = await Promise.allSettled(Array.from({ length: BURST }, ask));
  const ok = burst.filter((r) => r.status === 'fulfilled').length;
  row('burst ok', `${ok} of ${BURST}`);
  row('hook calls', hookCalls);
  row('server requests', `${requests() - before} (${BURST} expired + ${ok} replayed)`);
  check(ok === BURST && hookCalls === 1 && requests() - before === 2 * BURST, 'the openai burst');

  // A streamed answer: each chunk is printed when it arrives, not when the stream ends.
  const start = performance.now();
  const stream = await openai.chat.completions.create({
    model: 'gpt-demo',
    messages: [{ role: 'user', content: 'Say it slowly.' }],
    stream: true,
    // The simulator's own parameter: 40 ms between chunks (the SDK sends unknown fields as they are).
    ...({ delay_ms: 40 } as object),
  });
  const arrivals: number[] = [];
  let text = '';
  for await (const chunk of stream) {
    const piece = chunk.choices[0]?.delta?.content;
    if (!piece) continue;
    const at = performance.now() - start;
    arrivals.push(at);
    text += piece;
    row('chunk', `+${at.toFixed(0).padStart(3)} ms  ${JSON.stringify(piece)}`);
  }
  row('streamed', `${arrivals.length} chunks over ${((arrivals.at(-1) ?? 0) - (arrivals[0] ?? 0)).toFixed(0)} ms`);
  // The placeholder would have been rejected as a key the API does not know (malformed or missing).
  const { keyErrors } = sim.stats();
  const unknownKeys = keyErrors.malformed + keyErrors.missing;
  row('placeholder sent', `${unknownKeys} times (keys the API did not know)`);
  check(text === ANSWER.join('') && arrivals.length === ANSWER.length, 'the streamed answer');
  check((arrivals.at(-1) ?? 0) - (arrivals[0] ?? 0) >= 20 * (ANSWER.length - 1), 'chunks arrive as they are sent');
  check(unknownKeys === 0 && keyErrors.expired === 1 + BURST, 'the placeholder key never leaves the process');
}

const sim = await startSimulator();
try {
  await main(sim);
  say('\nDone.');
} catch (error) {
  console.error(`\n${error instanceof Error ? error.stack : String(error)}`);
  process.exitCode = 1;
} finally {
  await sim.close();
}
