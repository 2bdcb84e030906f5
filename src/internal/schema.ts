import type { StandardSchemaV1 } from '../standard-schema.js';
import { messageOf } from './message.js';

/**
 * Runs any Standard Schema and never throws: a schema that throws, or returns something that
 * is not a Standard Schema result, becomes one issue saying so.
 */
export async function validate(schema: StandardSchemaV1, value: unknown): Promise<StandardSchemaV1.Result<unknown>> {
  try {
    const result = await schema['~standard'].validate(value);
    if (typeof result === 'object' && result !== null && (result.issues === undefined ? 'value' in result : Array.isArray(result.issues))) {
      return result;
    }
    return { issues: [{ message: 'the schema returned something that is not a Standard Schema result' }] };
  } catch (error) {
    return { issues: [{ message: `the schema threw: ${messageOf(error)}` }] };
  }
}
