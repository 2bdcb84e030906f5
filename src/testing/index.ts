/**
 * `keyguard/testing`: helpers for your own tests. msw is needed only for the handlers.
 * @packageDocumentation
 */

/** How a simulated API words a key rejection: `classic`, `vague`, `envelope`, `rfc6750` or `problem`. */
export type { KeyErrorFormat } from './formats.js';
/** A reason a server can state: every `KeyErrorReason` but `unknown`. */
export type { SimulatedKeyErrorReason } from './formats.js';
/** The `{ status, headers, body }` that {@link keyErrorResponse} returns. */
export type { KeyErrorWireResponse } from './formats.js';
/** Every {@link KeyErrorFormat}, for tests that loop over them. */
export { KEY_ERROR_FORMATS } from './formats.js';
/** The exact wire answer of an API that rejects a key for a reason, in a format. */
export { keyErrorResponse } from './formats.js';

/** Starts the "API Service" simulator, a real HTTP server on 127.0.0.1. */
export { startSimulator } from './simulator.js';
/** The running simulator, its options, and what it returns. */
export type { Simulator, SimulatorOptions, SimulatorStats, KeyRecord, Item } from './simulator.js';
/** Random faults (`setFaults`) and scripted ones (`failNext`). */
export type { Faults, FaultKind } from './simulator.js';

/** An msw handler that answers with a key error for a reason. */
export { keyErrorHandler } from './handlers.js';
/** Shorthands for {@link keyErrorHandler} with a fixed reason. */
export { expiredKeyHandler, revokedKeyHandler, malformedKeyHandler, missingKeyHandler } from './handlers.js';
/** An msw handler that lets only some keys through, to test rotation. */
export { rejectKeys } from './handlers.js';
/** Options of the msw helpers. */
export type { KeyErrorHandlerOptions, RejectKeysOptions, KeyAuthLocation } from './handlers.js';
