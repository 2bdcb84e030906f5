import { AuthApiError } from '@supabase/auth-js';
import { PostgrestError } from '@supabase/postgrest-js';
import { createClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEY_ERROR_HEADER, rememberKeyError } from '../../src/fetch/key-error-registry.js';
import { keyErrorOf } from '../../src/index.js';
import { caught, hookError, keyCases, otherCases } from './sdk-cases.js';
import { GOTRUE_EXPIRED, startVendor, type VendorServer } from './vendors.js';

class NoWebSocket {
  constructor() {
    throw new Error('these tests open no realtime channel');
  }
}

const ANON = 'eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoiYW5vbiJ9.good-anon-signature';

describe('supabase-js', () => {
  let server: VendorServer;
  beforeAll(async () => {
    server = await startVendor('supabase', { keys: { [ANON]: 'ok' } });
  });
  afterAll(() => server.close());
  const client = (key = ANON) =>
    createClient(server.origin, key, {
      auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
      // Node 20 has no global WebSocket, which supabase-js' realtime client wants when it is created;
      // these tests open no channel, so a stand-in that is never constructed is enough.
      realtime: { transport: NoWebSocket as never },
    });

  it('works with a good key', async () => {
    server.override = undefined;
    const { data, error, status } = await client().from('todos').select();
    expect(error).toBeNull();
    expect(status).toBe(200);
    expect(data).toEqual([{ id: 1 }, { id: 2 }]);
  });

  it.each(keyCases('supabase'))('%s key: the { error, status } result gives the reason', async (reason, answer) => {
    server.override = answer;
    const result = await client().from('todos').select();
    server.override = undefined;
    expect(result.status).toBe(401);
    expect(keyErrorOf(result)).toMatchObject({ reason, status: 401 });
    // The error alone carries no status; a PostgREST JWT code (PGRST30x) still marks it.
    if (reason === 'expired') expect(keyErrorOf(result.error)?.reason).toBe('expired');
  });

  it('an unknown key, as the gateway judges it: malformed', async () => {
    const result = await client('eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoiYW5vbiJ9.unknown').from('todos').select();
    expect(keyErrorOf(result)?.reason).toBe('malformed');
  });

  it('throwOnError: PostgrestError for an expired JWT', async () => {
    server.override = keyCases('supabase').find(([reason]) => reason === 'expired')?.[1];
    const error = await caught(async () => client().from('todos').select().throwOnError());
    server.override = undefined;
    expect(error).toBeInstanceOf(PostgrestError);
    expect(keyErrorOf(error)).toMatchObject({ reason: 'expired', code: 'PGRST303' });
  });

  it('GoTrue: AuthApiError (403 bad_jwt) for an expired access token is a key error', async () => {
    server.override = GOTRUE_EXPIRED;
    const { error } = await client().auth.getUser('eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.expired-user-token');
    server.override = undefined;
    expect(error).toBeInstanceOf(AuthApiError);
    expect(keyErrorOf(error)).toMatchObject({ status: 403, code: 'bad_jwt', source: 'server' });
  });

  it.each(otherCases('supabase'))('%i is not a key error', async (status, answer) => {
    server.override = answer;
    const result = await client().from('todos').select();
    server.override = undefined;
    expect(result.status).toBe(status);
    expect(keyErrorOf(result)).toBeUndefined();
    expect(keyErrorOf(result.error)).toBeUndefined();
  });

  it('a table PostgREST does not know (404 PGRST205) is not a key error', async () => {
    const result = await client().from('nope').select();
    expect(result.status).toBe(404);
    expect(keyErrorOf(result)).toBeUndefined();
  });

  it('supabase-js results carry no headers: an answer with a keyguardFetch token is still classified from its body', async () => {
    const registered = hookError('malformed');
    const [, answer] = keyCases('supabase').find(([reason]) => reason === 'malformed')!;
    server.override = { ...answer, headers: { 'content-type': 'application/json', [KEY_ERROR_HEADER]: rememberKeyError(registered) } };
    const result = await client().from('todos').select();
    server.override = undefined;
    expect(keyErrorOf(result)?.reason).toBe('malformed');
  });
});
