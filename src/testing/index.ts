/**
 * `keyguard/testing`: helpers for your own tests. msw is needed only for the handlers.
 * @packageDocumentation
 */

/** How a simulated API words a key rejection: `classic`, `vague`, `envelope`, `rfc6750` or `problem`. */
/** A reason a server can state: every `KeyErrorReason` but `unknown`. */
/** The `{ status, headers, body }` that {@link keyErrorResponse} returns. */
export type { KeyErrorFormat, KeyErrorWireResponse, SimulatedKeyErrorReason } from './formats.js';
/** Every {@link KeyErrorFormat}, for tests that loop over them. */
/** The exact wire answer of an API that rejects a key for a reason, in a format. */
export { KEY_ERROR_FORMATS, keyErrorResponse } from './formats.js';
/** Options of the msw helpers. */
export type { KeyAuthLocation, KeyErrorHandlerOptions, RejectKeysOptions } from './handlers.js';
/** An msw handler that answers with a key error for a reason. */
/** Shorthands for {@link keyErrorHandler} with a fixed reason. */
/** An msw handler that lets only some keys through, to test rotation. */
export { expiredKeyHandler, keyErrorHandler, malformedKeyHandler, missingKeyHandler, rejectKeys, revokedKeyHandler } from './handlers.js';
/** The running simulator, its options, and what it returns. */
/** Random faults (`setFaults`) and scripted ones (`failNext`). */
export type { FaultKind, Faults, Item, KeyRecord, Simulator, SimulatorOptions, SimulatorStats } from './simulator.js';
/** Starts the "API Service" simulator, a real HTTP server on 127.0.0.1. */
export { startSimulator } from './simulator.js';
