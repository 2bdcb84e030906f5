/**
 * `keyguard/testing/simulator`: the "API Service" simulator and the key-error wire formats,
 * without msw — for integration tests in projects that do not use msw. Node.js only.
 * @packageDocumentation
 */

export type { KeyErrorFormat, KeyErrorWireResponse, SimulatedKeyErrorReason } from './formats.js';
export { KEY_ERROR_FORMATS, keyErrorResponse } from './formats.js';
export type { FaultKind, Faults, Item, KeyRecord, Simulator, SimulatorOptions, SimulatorStats } from './simulator.js';
export { startSimulator } from './simulator.js';
export type { VendorName } from './vendors.js';
export { VENDORS, vendorKeyErrorResponse } from './vendors.js';
