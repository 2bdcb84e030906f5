/**
 * The Standard Schema interface (https://standardschema.dev), copied as its authors
 * recommend so keyguard has no dependency for it. zod 4, valibot and arktype schemas
 * all implement it.
 */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  /** The Standard Schema properties, under a key that will not clash with the library's own API. */
  readonly '~standard': StandardSchemaV1.Props<Input, Output>;
}

export declare namespace StandardSchemaV1 {
  /** The properties under `~standard`. */
  export interface Props<Input = unknown, Output = Input> {
    /** The version of the Standard Schema spec: `1`. */
    readonly version: 1;
    /** The schema library's name, e.g. `zod`. */
    readonly vendor: string;
    /** Validates an unknown value, synchronously or asynchronously. */
    readonly validate: (value: unknown) => Result<Output> | Promise<Result<Output>>;
    /** The input and output types; exists at the type level only, for inference. */
    readonly types?: Types<Input, Output> | undefined;
  }
  /** What `validate` returns: the output value, or the issues. */
  export type Result<Output> = SuccessResult<Output> | FailureResult;
  /** A value that passed validation. */
  export interface SuccessResult<Output> {
    /** The validated (and possibly transformed) value. */
    readonly value: Output;
    /** Always absent on success. */
    readonly issues?: undefined;
  }
  /** A value that failed validation. */
  export interface FailureResult {
    /** What was wrong. */
    readonly issues: ReadonlyArray<Issue>;
  }
  /** One validation problem. */
  export interface Issue {
    /** What is wrong, in the schema library's words. */
    readonly message: string;
    /** Where in the value, from the root; absent for the value as a whole. */
    readonly path?: ReadonlyArray<PropertyKey | PathSegment> | undefined;
  }
  /** A path segment given as an object. */
  export interface PathSegment {
    /** The key or index of this segment. */
    readonly key: PropertyKey;
  }
  /** The schema's input and output types. */
  export interface Types<Input = unknown, Output = Input> {
    /** The type the schema accepts. */
    readonly input: Input;
    /** The type the schema produces. */
    readonly output: Output;
  }
  /** The input type of a schema. */
  export type InferInput<Schema extends StandardSchemaV1> = NonNullable<Schema['~standard']['types']>['input'];
  /** The output type of a schema: what a request with this `schema` resolves to. */
  export type InferOutput<Schema extends StandardSchemaV1> = NonNullable<Schema['~standard']['types']>['output'];
}
