import { redactingLogger } from '../internal/log.js';
import { Secrets } from '../internal/redact.js';
import type { KeyShare } from '../keys/key-share.js';
import { KeyState } from '../keys/key-state.js';
import type { KeyLintMode } from '../keys/lint.js';
import type { AuthPlacement, KeyErrorClassifier, KeyGrant, KeyProvider, Logger, OnKeyInvalid, PresetContext } from '../options.js';

/** What every stage of one client's or one keyguardFetch's pipeline shares: its key, its secrets, its logger. */
export interface PipelineContext {
  keys: KeyState;
  secrets: Secrets;
  logger: Logger;
  /** Where the key goes; several placements send it several times (some APIs want it twice). */
  auth: readonly AuthPlacement[];
  classifyKeyError: KeyErrorClassifier | undefined;
  maxKeyRefreshes: number;
  fetch: typeof fetch | undefined;
  /** A provider preset's key page and env var, for hints (keyguard/providers); undefined without one. */
  preset: PresetContext | undefined;
}

/** Names of the headers that carry the key, for redaction by name. */
export function credentialHeaderNames(auth: readonly AuthPlacement[]): string[] {
  return auth.flatMap((placement) => (placement.type === 'header' ? [placement.name.toLowerCase()] : []));
}

/** What both faces (createClient, keyguardFetch) resolve their options to before building a pipeline. */
export interface PipelineOptions {
  apiKey: string | KeyGrant | KeyProvider | undefined;
  onKeyInvalid: OnKeyInvalid | undefined;
  auth: AuthPlacement[];
  maxKeyRefreshes: number;
  refreshBeforeExpiryMs: number;
  /** Bounds one call of the provider or the hook. */
  refreshTimeoutMs: number;
  keyLint: KeyLintMode;
  logger: Logger;
  classifyKeyError: KeyErrorClassifier | undefined;
  fetch: typeof fetch | undefined;
  preset: PresetContext;
  keyShare: KeyShare | undefined;
}

/** One client's or one keyguardFetch's pipeline: its secrets, its redacting logger and its key state. */
export function createPipeline(options: PipelineOptions): PipelineContext {
  // A header placement's header is a credential header: redacted by name wherever headers are shown.
  const secrets = new Secrets(credentialHeaderNames(options.auth));
  const logger = redactingLogger(options.logger, secrets);
  const keys = new KeyState({
    apiKey: options.apiKey,
    onKeyInvalid: options.onKeyInvalid,
    refreshBeforeExpiryMs: options.refreshBeforeExpiryMs,
    refreshTimeoutMs: options.refreshTimeoutMs,
    maxKeyRefreshes: options.maxKeyRefreshes,
    keyLint: options.keyLint,
    logger,
    secrets,
    preset: options.preset,
    keyShare: options.keyShare,
  });
  return {
    keys,
    secrets,
    logger,
    auth: options.auth,
    classifyKeyError: options.classifyKeyError,
    maxKeyRefreshes: options.maxKeyRefreshes,
    fetch: options.fetch,
    preset: options.preset,
  };
}
