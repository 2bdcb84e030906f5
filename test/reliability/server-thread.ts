import { Worker } from 'node:worker_threads';
import type { FaultKind, FaultServerOptions } from './fault-server.js';

export interface ServerThread {
  url: string;
  adminKeyUrl: string;
  /** The key the server accepted when it started. */
  initialKey: string;
  /** Closes the server (every socket and timer) and ends the thread; resolves with its final counts. */
  close(): Promise<{ rotations: number; hits: number; counts: Record<FaultKind, number> }>;
}

/**
 * Starts a fault server (fault-server.ts) in a worker thread. The worker loads TypeScript through
 * tsx's API: a worker does not inherit `--import tsx` hooks on Node 20.
 */
export async function startServerThread(options: FaultServerOptions): Promise<ServerThread> {
  const entry = new URL('./server-worker.ts', import.meta.url).href;
  const worker = new Worker(`import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry)}); })`, {
    eval: true,
    workerData: options,
  });
  const next = <T>() =>
    new Promise<T>((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      worker.once('error', onError);
      worker.once('message', (message: T) => {
        worker.off('error', onError);
        resolve(message);
      });
    });
  const ready = await next<{ url: string; adminKeyUrl: string; key: string }>();
  return {
    url: ready.url,
    adminKeyUrl: ready.adminKeyUrl,
    initialKey: ready.key,
    close: async () => {
      const closed = next<{ rotations: number; hits: number; counts: Record<FaultKind, number> }>();
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.postMessage('close');
      const stats = await closed;
      await exited;
      return stats;
    },
  };
}
