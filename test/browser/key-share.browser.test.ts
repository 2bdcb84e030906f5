// broadcastKeyShare in Chromium: the test page and a same-origin iframe (two browsing contexts, each
// its own JavaScript realm) share one rotation through BroadcastChannel and Web Locks.
import { expect, inject, test } from 'vitest';
import { type PageReport, startPageMember } from './fleet-page-member.js';

const fleetApi = inject('fleetApi');

test('two same-origin pages on broadcastKeyShare: one hook call, every request succeeds', async () => {
  expect(typeof navigator.locks?.request).toBe('function'); // The Web Locks path, not the lease.
  const name = `pages-${Math.random().toString(36).slice(2)}`;
  const memberUrl = new URL('./fleet-page-member.ts', import.meta.url).href;

  // The second page: a same-origin iframe that runs its own member and answers over postMessage.
  const frame = document.createElement('iframe');
  frame.srcdoc = `<script type="module">
    const { startPageMember } = await import(${JSON.stringify(memberUrl)});
    const member = await startPageMember(${JSON.stringify(fleetApi.url)}, ${JSON.stringify(name)});
    window.addEventListener('message', async (event) => {
      if (event.data?.type === 'burst') parent.postMessage({ type: 'report', report: await member.burst(event.data.requests) }, '*');
    });
    parent.postMessage({ type: 'ready' }, '*');
  </script>`;
  const messages: { type: string; report?: PageReport }[] = [];
  const next = (type: string) =>
    new Promise<{ type: string; report?: PageReport }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${type} from the iframe`)), 10_000);
      const check = () => {
        const found = messages.find((m) => m.type === type);
        if (!found) return setTimeout(check, 10);
        clearTimeout(timer);
        messages.splice(messages.indexOf(found), 1);
        resolve(found);
      };
      check();
    });
  window.addEventListener('message', (event) => messages.push(event.data));
  document.body.append(frame);
  await next('ready');
  const here = await startPageMember(fleetApi.url, name);
  try {
    const before = (await (await fetch(`${fleetApi.url}/stats`)).json()) as { rotations: number };
    await fetch(`${fleetApi.url}/expire`, { method: 'POST' });

    frame.contentWindow?.postMessage({ type: 'burst', requests: 10 }, '*');
    const [mine, theirs] = await Promise.all([here.burst(10), next('report').then((m) => m.report as PageReport)]);

    expect(mine.ok + theirs.ok).toBe(20);
    expect(mine.hookCalls + theirs.hookCalls).toBe(1);
    expect(mine.rotatedHere + theirs.rotatedHere).toBe(1);
    expect(mine.received + theirs.received).toBe(1);
    const after = (await (await fetch(`${fleetApi.url}/stats`)).json()) as { rotations: number };
    expect(after.rotations - before.rotations).toBe(1);
  } finally {
    here.close();
    frame.remove();
  }
});
