// The only public surface of `keyguard`: everything users import is re-exported here.

export type { ErrorResponse, KeyErrorClassification } from './classify/classify.js';
export { classifyKeyError } from './classify/classify.js';
export type {
  Client,
  Endpoint,
  EndpointDefinition,
  EndpointInput,
  FullRequest,
  HttpMethod,
  Query,
  RequestOptions,
  ResponseInfo,
  ResponseOf,
  ResponseType,
  ResultOf,
} from './client.js';
export { createClient } from './client.js';
export type { AfterResponseHook, BeforeRequestHook, BeforeRetryHook, BeforeRetryState, ClientHooks } from './core/hooks.js';
export type { EventData, ServerSentEvent, SseOptions } from './core/sse.js';
export type { ApiErrorInit } from './errors/api-error.js';
export {
  ApiError,
  BadRequestError,
  ConflictError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  ServerError,
} from './errors/api-error.js';
export { ConfigError } from './errors/config-error.js';
export { ConnectionError } from './errors/connection-error.js';
export { isApiError, isInvalidApiKeyError, isKeyguardError } from './errors/guards.js';
export type { InvalidApiKeyErrorInit, RedactedResponse } from './errors/invalid-api-key-error.js';
export { InvalidApiKeyError } from './errors/invalid-api-key-error.js';
export { KeyguardError } from './errors/keyguard-error.js';
export { ResponseTooLargeError } from './errors/response-too-large-error.js';
export type { ValidationIssue } from './errors/response-validation-error.js';
export { ResponseValidationError } from './errors/response-validation-error.js';
export { TimeoutError } from './errors/timeout-error.js';
export type { KeyguardFetchOptions } from './fetch/fetch-options.js';
export { keyErrorOf } from './fetch/key-error-of.js';
export { keyguardFetch } from './fetch/keyguard-fetch.js';
export type { BroadcastKeyShare, BroadcastKeyShareOptions } from './keys/broadcast-share.js';
export { broadcastKeyShare } from './keys/broadcast-share.js';
export { keyHint } from './keys/fingerprint.js';
export type {
  KeyShare,
  KeyShareEvent,
  KeyShareOptions,
  KeyShareResult,
  KeyShareRotation,
  KeyShareStats,
  SharedGrant,
} from './keys/key-share.js';
export type { KeyLintMode, KeyLintResult, KeyProblem } from './keys/lint.js';
export { lintApiKey } from './keys/lint.js';
export type {
  AuthPlacement,
  ClientOptions,
  KeyCheck,
  KeyCheckProblem,
  KeyErrorClassifier,
  KeyGrant,
  KeyProvider,
  KeyProviderReason,
  KeySupply,
  KeysHint,
  Logger,
  OnKeyInvalid,
  RetryOptions,
} from './options.js';
export type { StandardSchemaV1 } from './standard-schema.js';
export type { KeyErrorReason } from './types.js';
