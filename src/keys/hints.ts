import type { KeyErrorReason } from '../types.js';

/** The next step for each reason: one or two sentences, never the key. */
const HINTS: Record<KeyErrorReason, string> = {
  expired: 'The key expired: create a new one in your provider dashboard and update your application, or return it from onKeyInvalid.',
  revoked:
    'The key was revoked or disabled: check its status in your provider dashboard, then create a new key and update your application, or return it from onKeyInvalid.',
  malformed:
    'The API does not recognise this key: verify it for typos and that it belongs to this API and environment (live/test), then update your application, or return the right key from onKeyInvalid.',
  missing:
    'No key reached the API: set apiKey (check that the environment variable is loaded), or return a key from your key provider or onKeyInvalid.',
  unknown:
    'The API rejected the key without saying why: verify the key for typos, check its status in your provider dashboard, and create a new one if needed (or return it from onKeyInvalid).',
};

/** What a user should do next for a key rejected with `reason`. */
export function hintFor(reason: KeyErrorReason): string {
  return HINTS[reason];
}
