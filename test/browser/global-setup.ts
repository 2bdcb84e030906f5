// Node side of the browser tests: two real simulators on 127.0.0.1, a server for the calls that stream
// (its keys judged by the first simulator), and the keys the page uses.
import type { TestProject } from 'vitest/node';
import { startSimulator } from '../../src/testing/index.js';
import { startFleetApi } from '../helpers/fleet.js';
import { startStreamServer } from './stream-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    sim: { url: string; goodKey: string; expiredKey: string; freshKey: string; revokedKey: string };
    /** A simulator that answers every request after 3 s, for aborts in flight. */
    slowSim: { url: string; key: string };
    /** The key-rotation API of the broadcastKeyShare test (test/helpers/fleet.ts). */
    fleetApi: { url: string };
    /** Event streams and bytes (see stream-server.ts), for the simulator's keys. */
    streams: { url: string };
  }
}

export default async function setup(project: TestProject) {
  const sim = await startSimulator();
  const slowSim = await startSimulator({ faults: { latencyMs: 3_000 } });
  const expired = sim.issueKey({ label: 'expired' });
  sim.expireKey(expired.id);
  const revoked = sim.issueKey({ label: 'revoked' });
  sim.revokeKey(revoked.id);
  project.provide('sim', {
    url: sim.url,
    goodKey: sim.issueKey({ label: 'good' }).key,
    expiredKey: expired.key,
    freshKey: sim.issueKey({ label: 'fresh' }).key,
    revokedKey: revoked.key,
  });
  project.provide('slowSim', { url: slowSim.url, key: slowSim.issueKey().key });
  const fleetApi = await startFleetApi();
  project.provide('fleetApi', { url: fleetApi.url });
  const streams = await startStreamServer(sim.url);
  project.provide('streams', { url: streams.url });
  return async () => {
    await Promise.all([sim.close(), slowSim.close(), fleetApi.close(), streams.close()]);
  };
}
