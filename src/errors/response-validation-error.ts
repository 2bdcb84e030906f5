import { KeyguardError } from './keyguard-error.js';

/** One problem the schema found, as Standard Schema reports it. */
export interface ValidationIssue {
  /** What is wrong, in the schema library's words. */
  readonly message: string;
  /** Where in the body, from the root: keys and indexes, plain or as `{ key }` segments. Absent for the body as a whole. */
  readonly path?:
    | ReadonlyArray<
        | PropertyKey
        | {
            /** One key or index of the path. */
            readonly key: PropertyKey;
          }
      >
    | undefined;
}

/** The response body did not match the request's `schema` (or was not valid JSON). */
export class ResponseValidationError extends KeyguardError {
  /** Pinned (a getter: not enumerable, not writable) so a bundler that renames the class (esbuild: `_ResponseValidationError`) keeps its name. */
  static override get name(): string {
    return 'ResponseValidationError';
  }
  /** Always `'ResponseValidationError'`. */
  override name = 'ResponseValidationError';

  constructor(
    /** The request's method, e.g. `GET`. */
    readonly method: string,
    /** The request's URL, with a key in the query string redacted. */
    readonly url: string,
    /** What the schema found wrong; a body that is not valid JSON, or a schema that throws, gives a single issue without a `path`. */
    readonly issues: readonly ValidationIssue[],
  ) {
    const first = issues[0];
    const where = first?.path?.length ? ` at ${first.path.map((p) => String(typeof p === 'object' ? p.key : p)).join('.')}` : '';
    super(`The response of ${method} ${url} did not match the schema${where}: ${first?.message ?? 'invalid'}.`);
  }
}
