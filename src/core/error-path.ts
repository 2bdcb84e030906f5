// What only a failed answer needs: the classifier (is it a key error, and why; the API's code and
// message), the hints (what to do next), the deep redaction of bodies and causes, and the full key checks
// with their messages (a key that is not plainly clean, see key-looks-clean.ts). The pipeline loads this module with one dynamic import on
// its first answer that may be a key error (see load-error-path.ts), so the chunk an app loads up front
// for createClient or keyguardFetch does not carry it. The public classifyKeyError and keyErrorOf
// import the classifier statically: an app that calls them pays for it, and shares this same copy.
// This file imports verdict.ts, never classify.ts: src/index.ts imports classify.ts, and a bundler
// that finds a lazily loaded file on the entry's static import graph loads it up front (esbuild does).
export { classifyAnswer, describeErrorBody } from '../classify/verdict.js';
export { keyErrorAnswer, redactedAnswer } from '../fetch/declined.js';
export { redactError, redactValue } from '../internal/redact-deep.js';
export { hintFor } from '../keys/hints.js';
export { lintKey } from '../keys/lint-rules.js';
export { lintRejection, pastExpiry, providerFailed, serverKeyError, unsendableKey } from './key-errors.js';
