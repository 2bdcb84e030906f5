/**
 * `keyguard/testing`: helpers for your own tests — msw handlers that answer like an API whose
 * key is expired, revoked, malformed or missing, and the "API Service" simulator. msw (an
 * optional peer dependency) is needed for this entry; `keyguard/testing/simulator` has the
 * simulator without it. Node.js only.
 * @packageDocumentation
 */

export type { KeyAuthLocation, KeyErrorHandlerOptions, RejectKeysOptions } from './handlers.js';
export { expiredKeyHandler, keyErrorHandler, malformedKeyHandler, missingKeyHandler, rejectKeys, revokedKeyHandler } from './handlers.js';
export * from './simulator-entry.js';
