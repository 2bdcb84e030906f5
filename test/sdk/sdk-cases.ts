/** What every real-SDK test checks: the vendor's key-error answers, its other errors, and a keyguardFetch token. */
import { InvalidApiKeyError } from '../../src/index.js';
import { hintFor } from '../../src/keys/hints.js';
import type { KeyErrorReason } from '../../src/types.js';
import { type Answer, KEY_ERROR_ANSWERS, type KeyCase, OTHER_ERRORS, type Vendor } from './vendors.js';

/** Each key-error answer of `vendor`, with the reason keyErrorOf must give for it. */
export function keyCases(vendor: Vendor): [KeyCase, Answer][] {
  return Object.entries(KEY_ERROR_ANSWERS[vendor]) as [KeyCase, Answer][];
}

/** The vendor's answers that are not key errors. */
export function otherCases(vendor: Vendor): [number, Answer][] {
  return Object.entries(OTHER_ERRORS[vendor]).map(([status, answer]) => [Number(status), answer]);
}

/** An error as keyguardFetch would register it for an answer it hands an SDK. */
export function hookError(reason: KeyErrorReason = 'expired'): InvalidApiKeyError {
  return new InvalidApiKeyError({
    reason,
    source: 'server',
    status: 401,
    code: 'from_the_hook',
    message: 'The key expired (as the hook saw it).',
    hint: hintFor(reason),
    keyHint: 'sk-…9f3a',
    requestId: 'req_hook',
  });
}

/** What an error caught from an SDK call is, or a failure when the call did not throw. */
export async function caught(call: () => Promise<unknown>): Promise<unknown> {
  try {
    await call();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}
