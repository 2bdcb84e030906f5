import type { Server } from 'node:http';

/** The late answers a test server schedules, so closing it can cancel every one. */
export function serverTimers() {
  const timers = new Set<ReturnType<typeof setTimeout>>();
  return {
    /** Runs `run` after `ms` (at once for 0 or less). */
    later(ms: number, run: () => void): void {
      if (ms <= 0) {
        run();
        return;
      }
      const timer = setTimeout(() => {
        timers.delete(timer);
        run();
      }, ms);
      timers.add(timer);
    },
    clear(): void {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}

/** Stops listening, drops every connection (idle or mid-answer) and cancels the server's pending answers. */
export function closeServer(server: Server, timers: { clear(): void }): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    timers.clear();
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}
