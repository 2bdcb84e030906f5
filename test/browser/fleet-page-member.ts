// A keyguard client on broadcastKeyShare, started in a page (the test page or a same-origin iframe).
import { broadcastKeyShare, createClient } from '../../src/index.js';

export interface PageReport {
  ok: number;
  hookCalls: number;
  reasons: string[];
  rotatedHere: number;
  received: number;
}

export async function startPageMember(apiUrl: string, name: string) {
  const share = broadcastKeyShare({ name });
  let hookCalls = 0;
  const reasons: string[] = [];
  const current = async () => ((await (await fetch(`${apiUrl}/current`)).json()) as { key: string }).key;
  const client = createClient({
    baseUrl: apiUrl,
    apiKey: async ({ reason }) => {
      reasons.push(reason);
      return current();
    },
    onKeyInvalid: async () => {
      hookCalls += 1;
      return ((await (await fetch(`${apiUrl}/rotate`, { method: 'POST' })).json()) as { key: string }).key;
    },
    keyShare: share,
    retry: false,
  });
  await client.get('/me');
  return {
    async burst(requests: number): Promise<PageReport> {
      const results = await Promise.allSettled(Array.from({ length: requests }, () => client.get('/me')));
      return {
        ok: results.filter((r) => r.status === 'fulfilled').length,
        hookCalls,
        reasons,
        rotatedHere: share.stats.rotatedHere,
        received: share.stats.received,
      };
    },
    close: () => share.close(),
  };
}
