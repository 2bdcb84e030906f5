// broadcastKeyShare across real Node worker threads (BroadcastChannel; Node has no navigator.locks,
// so the members claim leases by message).
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { broadcastKeyShare, ConfigError, createClient, type KeyShareStats } from '../src/index.js';
import { type FleetApi, startFleetApi } from './helpers/fleet.js';

interface Report {
  ok: number;
  hookCalls: number;
  reasons: string[];
  stats: KeyShareStats;
  logs: string[];
}

let api: FleetApi | undefined;
let workers: Worker[] = [];
afterEach(async () => {
  await Promise.all(
    workers.map(async (worker) => {
      const exited = once(worker, 'exit');
      worker.postMessage({ type: 'exit' });
      const timer = setTimeout(() => void worker.terminate(), 5000);
      await exited;
      clearTimeout(timer);
    }),
  );
  workers = [];
  await api?.close();
});

let group = 0;
async function startWorkers(count: number, options: { leaseMs?: number; shareKey?: boolean } = {}) {
  api = await startFleetApi();
  group += 1;
  const workerData = { apiUrl: api.url, name: `workers-${group}-${Math.random().toString(36).slice(2)}`, ...options };
  workers = await Promise.all(
    Array.from({ length: count }, async () => {
      const worker = new Worker(new URL('./helpers/broadcast-worker.mjs', import.meta.url), { workerData });
      const [message] = (await once(worker, 'message')) as [{ type: string }];
      expect(message.type).toBe('ready');
      return worker;
    }),
  );
  return workers;
}

function burst(worker: Worker, requests: number): Promise<Report> {
  const report = once(worker, 'message') as Promise<[Report]>;
  worker.postMessage({ type: 'burst', requests });
  return report.then(([r]) => r);
}

describe('broadcastKeyShare across worker threads', { timeout: 60_000 }, () => {
  it('3 worker threads × 10 requests on a rejected key: one hook call, every request succeeds', async () => {
    const members = await startWorkers(3);
    await Promise.all(members.map((w) => burst(w, 1)));
    api?.expireCurrent();
    const reports = await Promise.all(members.map((w) => burst(w, 10)));

    expect(reports.reduce((n, r) => n + r.ok, 0)).toBe(30);
    expect(reports.reduce((n, r) => n + r.hookCalls, 0)).toBe(1);
    expect(api?.rotations).toHaveLength(1);
    expect(reports.map((r) => r.stats.rotatedHere).sort()).toEqual([0, 0, 1]);
    const receivers = reports.filter((r) => r.stats.received === 1);
    expect(receivers).toHaveLength(2);
    for (const r of receivers) {
      expect(r.reasons).toEqual(['initial', 'rotated']);
      expect(r.logs.some((line) => line.endsWith(': received, re-reading apiKey.'))).toBe(true);
    }
  });

  it('shareKey: true carries the key to the other threads (no provider)', async () => {
    const members = await startWorkers(3, { shareKey: true });
    api?.expireCurrent();
    const reports = await Promise.all(members.map((w) => burst(w, 5)));
    expect(reports.reduce((n, r) => n + r.ok, 0)).toBe(15);
    expect(reports.reduce((n, r) => n + r.hookCalls, 0)).toBe(1);
    for (const r of reports) expect(r.reasons).toEqual([]);
  });
});

describe('keyShare option checks', () => {
  it('a share that carries no key needs a provider as apiKey: ConfigError at createClient', () => {
    const keyShare = broadcastKeyShare({ name: 'config-check' });
    try {
      expect(() => createClient({ baseUrl: 'http://127.0.0.1:1', apiKey: 'sk-static-key-0123456789', keyShare })).toThrow(ConfigError);
      expect(() => createClient({ baseUrl: 'http://127.0.0.1:1', apiKey: 'sk-static-key-0123456789', keyShare })).toThrow(/apiKey/);
      expect(() => createClient({ baseUrl: 'http://127.0.0.1:1', apiKey: () => 'sk-provided-0123456789', keyShare })).not.toThrow();
      const carrying = broadcastKeyShare({ name: 'config-check-2', shareKey: true });
      expect(() => createClient({ baseUrl: 'http://127.0.0.1:1', apiKey: 'sk-static-key-0123456789', keyShare: carrying })).not.toThrow();
      carrying.close();
    } finally {
      keyShare.close();
    }
  });

  it('bad share options and a keyShare that is not one are ConfigErrors naming the option', () => {
    expect(() => broadcastKeyShare({ name: '' })).toThrow(/"name"/);
    expect(() => broadcastKeyShare({ name: 'ok', leaseMs: -1 })).toThrow(/"leaseMs"/);
    expect(() => broadcastKeyShare({ name: 'ok', shareKey: 'yes' as never })).toThrow(/"shareKey"/);
    expect(() => createClient({ baseUrl: 'http://127.0.0.1:1', apiKey: () => 'k', keyShare: {} as never })).toThrow(/"keyShare"/);
  });
});
