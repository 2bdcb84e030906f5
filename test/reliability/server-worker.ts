/**
 * A fault server on its own thread (see {@link startServerThread}): its work runs on the other core
 * and its memory is not in the caller's heap, so the caller's `heapUsed` is the client's alone.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type FaultServerOptions, startFaultServer } from './fault-server.js';

const port = parentPort!;
const server = await startFaultServer(workerData as FaultServerOptions);
port.postMessage({ type: 'ready', url: server.url, adminKeyUrl: server.adminKeyUrl, key: server.currentKey() });
port.once('message', async () => {
  await server.close();
  port.postMessage({ type: 'closed', rotations: server.rotations, hits: server.hits, counts: server.counts });
  port.close();
});
