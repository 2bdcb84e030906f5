// The request id of an answer, read from whichever header the API uses. Its own file, with no imports of
// the pipeline, so that keyErrorOf can use it without pulling the pipeline along.
import type { Secrets } from '../internal/redact.js';

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
