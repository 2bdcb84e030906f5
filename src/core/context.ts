import { REDACTED, type Secrets } from '../internal/redact.js';
import type { KeyState } from '../keys/key-state.js';
import type { AuthPlacement, KeyErrorClassifier, Logger } from '../options.js';

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
}

/** Names of the headers that carry the key, for redaction by name. */
export function credentialHeaderNames(auth: readonly AuthPlacement[]): string[] {
  return auth.flatMap((placement) => (placement.type === 'header' ? [placement.name.toLowerCase()] : []));
}

/** Response headers as a plain object: credential headers (also the ones named in `auth`) and echoed keys redacted. */
export function redactHeaders(ctx: Pick<PipelineContext, 'secrets' | 'auth'>, headers: Headers): Record<string, string> {
  const out = ctx.secrets.headers(headers);
  for (const name of credentialHeaderNames(ctx.auth)) if (name in out) out[name] = REDACTED;
  return out;
}
