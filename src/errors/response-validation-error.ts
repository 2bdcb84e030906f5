import { KeyguardError } from './keyguard-error.js';

/** One problem the schema found, as Standard Schema reports it. */
export interface ValidationIssue {
  readonly message: string;
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined;
}

/** The response body did not match the request's `schema` (or was not valid JSON). */
export class ResponseValidationError extends KeyguardError {
  override name = 'ResponseValidationError';

  constructor(
    readonly method: string,
    readonly url: string,
    readonly issues: readonly ValidationIssue[],
  ) {
    const first = issues[0];
    const where = first?.path?.length ? ` at ${first.path.map((p) => String(typeof p === 'object' ? p.key : p)).join('.')}` : '';
    super(`The response of ${method} ${url} did not match the schema${where}: ${first?.message ?? 'invalid'}.`);
  }
}
