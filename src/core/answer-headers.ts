// What keyguard shows of an answer's headers: a redacted copy, and the request id. Its own file, with no
// imports of the pipeline, so the lazily loaded error path can use it without pulling the pipeline along.
import type { Secrets } from '../internal/redact.js';

/** Response headers as a plain object: credential headers (also the ones named in `auth`, known to `secrets`) and echoed keys redacted. */
export function redactHeaders(ctx: { secrets: Secrets }, headers: Headers): Record<string, string> {
  return ctx.secrets.headers(headers);
}

/** Response headers that carry a request id, most common first (also read by keyErrorOf). */
export const REQUEST_ID_HEADERS = [
  'x-request-id',
  'request-id',
  'x-amzn-requestid',
  'x-amz-request-id',
  'x-correlation-id',
  'x-github-request-id',
  'cf-ray',
];

/** The answer's request id (the first of {@link REQUEST_ID_HEADERS} it has), redacted. */
export function requestIdOf(headers: Headers, ctx: { secrets: Secrets }): string | undefined {
  for (const name of REQUEST_ID_HEADERS) {
    const value = headers.get(name);
    if (value) return ctx.secrets.text(value);
  }
  return undefined;
}
