// Type tests (vitest typecheck): run by `vitest run`, they fail the suite when a public type drifts.
import { describe, expectTypeOf, test } from 'vitest';
import { z } from 'zod';
import { createClient, type InvalidApiKeyError, isApiError, isInvalidApiKeyError, type KeyErrorReason } from '../src/index.js';

const client = createClient({ baseUrl: 'https://api.example.com/v1', apiKey: 'sk_test_123' });
const User = z.object({ id: z.string(), age: z.coerce.number() });
type UserOut = { id: string; age: number };

describe('requests', () => {
  test('get() with a schema resolves to the schema output type', () => {
    expectTypeOf(client.get('/users/1', { schema: User })).resolves.toEqualTypeOf<UserOut>();
    expectTypeOf(client.post('/users', { body: { id: '1' }, schema: User })).resolves.toEqualTypeOf<UserOut>();
    expectTypeOf(client.request({ method: 'GET', path: '/users/1', schema: User })).resolves.toEqualTypeOf<UserOut>();
  });

  test('the output type, not the input type, of a transforming schema', () => {
    const Stamp = z.string().transform((value) => new Date(value));
    expectTypeOf(client.get('/now', { schema: Stamp })).resolves.toEqualTypeOf<Date>();
  });

  test('without a schema the result is unknown', () => {
    expectTypeOf(client.get('/users/1')).resolves.toBeUnknown();
    expectTypeOf(client.delete('/users/1', { query: { hard: true } })).resolves.toBeUnknown();
    expectTypeOf(client.request({ method: 'get', path: '/users' })).resolves.toBeUnknown();
  });
});

describe('endpoint()', () => {
  const getUser = client.endpoint({ method: 'GET', path: '/users/{id}', response: User });

  test('requires params for every {name} in the path', () => {
    expectTypeOf(getUser).parameter(0).toHaveProperty('params').toEqualTypeOf<Record<'id', string | number>>();
    expectTypeOf(getUser({ params: { id: '42' } })).resolves.toEqualTypeOf<UserOut>();
    // @ts-expect-error params is required
    void getUser({});
    // @ts-expect-error the input itself is required
    void getUser();
    // @ts-expect-error params.id is required
    void getUser({ params: {} });
  });

  test('several params, and none', () => {
    const getPost = client.endpoint({ method: 'GET', path: '/users/{userId}/posts/{postId}' });
    expectTypeOf(getPost).parameter(0).toHaveProperty('params').toEqualTypeOf<Record<'userId' | 'postId', string | number>>();
    expectTypeOf(getPost({ params: { userId: 1, postId: 2 } })).resolves.toBeUnknown();
    // @ts-expect-error postId is missing
    void getPost({ params: { userId: 1 } });

    const listUsers = client.endpoint({ method: 'GET', path: '/users', response: z.array(User) });
    expectTypeOf(listUsers()).resolves.toEqualTypeOf<UserOut[]>();
  });

  test('params, query and body schemas type the input', () => {
    const createPost = client.endpoint({
      method: 'POST',
      path: '/posts',
      body: z.object({ title: z.string() }),
      response: z.object({ id: z.string() }),
    });
    expectTypeOf(createPost({ body: { title: 'hi' } })).resolves.toEqualTypeOf<{ id: string }>();
    // @ts-expect-error title must be a string
    void createPost({ body: { title: 1 } });
  });
});

describe('errors', () => {
  test('reason is exactly the five reasons', () => {
    expectTypeOf<InvalidApiKeyError['reason']>().toEqualTypeOf<'expired' | 'revoked' | 'malformed' | 'missing' | 'unknown'>();
    expectTypeOf<KeyErrorReason>().toEqualTypeOf<'expired' | 'revoked' | 'malformed' | 'missing' | 'unknown'>();
    expectTypeOf<InvalidApiKeyError['source']>().toEqualTypeOf<'server' | 'client'>();
  });

  test('isInvalidApiKeyError narrows unknown', () => {
    const error: unknown = new Error('x');
    if (isInvalidApiKeyError(error)) {
      expectTypeOf(error).toEqualTypeOf<InvalidApiKeyError>();
      expectTypeOf(error.reason).toEqualTypeOf<KeyErrorReason>();
      expectTypeOf(error.status).toEqualTypeOf<number | undefined>();
    } else {
      expectTypeOf(error).toBeUnknown();
    }
    expectTypeOf(isInvalidApiKeyError).guards.toEqualTypeOf<InvalidApiKeyError>();
    if (isApiError(error)) expectTypeOf(error.status).toEqualTypeOf<number>();
  });

  test('onKeyInvalid receives the typed error', () => {
    createClient({
      baseUrl: 'https://api.example.com/v1',
      onKeyInvalid: (error) => {
        expectTypeOf(error).toEqualTypeOf<InvalidApiKeyError>();
        return error.reason === 'expired' ? 'sk_new' : undefined;
      },
    });
  });
});
