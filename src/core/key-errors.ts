// What each InvalidApiKeyError the pipeline builds says: its reason, message and hint. Only a rejected key
// needs this, so it is part of the error path (error-path.ts), loaded on the first one. It returns plain
// descriptions and the pipeline constructs the errors, so this chunk shares no class or helper with the
// code an app loads up front (a bundler would split what both use into one more chunk, loaded up front).
import type { ErrorResponse } from '../classify/classify.js';
import type { InvalidApiKeyErrorInit } from '../errors/invalid-api-key-error.js';
import type { Secrets } from '../internal/redact.js';
import { redactValue } from '../internal/redact-deep.js';
import { hintFor } from '../keys/hints.js';
import type { KeyLintResult } from '../keys/lint-rules.js';
import type { KeyProviderReason } from '../options.js';
import type { KeyErrorReason } from '../types.js';

/** What a key error says; the pipeline adds the request (method, URL, key hint, request id) and the preset's key page. */
export type KeyErrorDescription = Pick<InvalidApiKeyErrorInit, 'reason' | 'source' | 'message' | 'hint' | 'status' | 'code' | 'response'>;

/** A key error's message when the API sent no text of its own (also used by keyErrorOf). */
export const DEFAULT_MESSAGES: Record<KeyErrorReason, string> = {
  expired: 'The API key has expired.',
  revoked: 'The API key has been revoked or disabled.',
  malformed: 'The API does not recognise this API key.',
  missing: 'The API received no API key.',
  unknown: 'The API rejected the API key.',
};

/** What the classifier made of an answer: the reason, and the API's own code and message. */
export interface KeyVerdict {
  reason: KeyErrorReason;
  description: { code?: string; message?: string };
}

/** The API rejected the key: its answer redacted, with the reason and what to do next. */
export function serverKeyError(secrets: Secrets, verdict: KeyVerdict, response: ErrorResponse & { headers: Headers }): KeyErrorDescription {
  const described = verdict.description;
  return {
    reason: verdict.reason,
    source: 'server',
    status: response.status,
    code: described.code === undefined ? undefined : secrets.text(described.code),
    message: secrets.text(described.message ?? DEFAULT_MESSAGES[verdict.reason]),
    hint: hintFor(verdict.reason, described),
    response: { status: response.status, headers: secrets.headers(response.headers), body: redactValue(secrets, response.body) },
  };
}

/** A key that failed the client-side checks: nothing was sent. */
export function lintRejection(lint: KeyLintResult): KeyErrorDescription {
  const problem = lint.problems.find((p) => !p.fixed);
  const reason: KeyErrorReason = problem?.code === 'missing' ? 'missing' : 'malformed';
  return {
    reason,
    source: 'client',
    code: problem?.code,
    message: `The API key was not sent: ${problem?.message ?? 'it failed the client-side checks.'}`,
    hint: reason === 'missing' ? hintFor('missing') : `${problem?.message} Or return a corrected key from onKeyInvalid.`,
  };
}

/** A grant whose `expiresAt` has passed: not sent, it goes through the hook like a server rejection. */
export function pastExpiry(): KeyErrorDescription {
  return {
    reason: 'expired',
    source: 'client',
    message: 'The API key was not sent: its grant expired (expiresAt is in the past).',
    hint: hintFor('expired'),
  };
}

/** The key provider threw (or answered something that is not a key) while loading or refreshing the key. */
export function providerFailed(reason: KeyProviderReason): KeyErrorDescription {
  return {
    reason: 'missing',
    source: 'client',
    message: `The key provider failed (${reason === 'initial' ? 'loading the key' : 'refreshing the key'}), so no key could be sent.`,
    hint: 'Check the key provider passed as apiKey: it threw or returned something that is not a key.',
  };
}

/** A key a header cannot carry (only reachable with keyLint: 'off'): not sent. */
export function unsendableKey(): KeyErrorDescription {
  return {
    reason: 'malformed',
    source: 'client',
    code: 'invalid-character',
    message: 'The API key was not sent: it contains characters an HTTP header cannot carry.',
    hint: 'Copy the key again as plain text (no line breaks or invisible characters), or return a corrected key from onKeyInvalid.',
  };
}
