import type { Secrets } from '../internal/redact.js';
import type { KeyState } from '../keys/key-state.js';
import type { AuthPlacement, KeyErrorClassifier, Logger, PresetContext } from '../options.js';

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

/** Response headers as a plain object: credential headers (also the ones named in `auth`, known to `secrets`) and echoed keys redacted. */
export function redactHeaders(ctx: Pick<PipelineContext, 'secrets'>, headers: Headers): Record<string, string> {
  return ctx.secrets.headers(headers);
}
