import { inspect } from 'node:util';

/**
 * For a child script whose parent (see runChild) checks that it ends on its own: `process.exit`
 * throws, every unhandled rejection is counted and written to stderr, and `beforeExit` — which fires
 * only once the event loop ran dry, never after `process.exit` — runs `onDry` and prints `BEFORE_EXIT`.
 */
export function guardChild(onDry?: () => void): { readonly unhandled: number } {
  process.exit = ((code?: number) => {
    throw new Error(`process.exit(${code}) was called: the child must exit on its own`);
  }) as typeof process.exit;
  const state = { unhandled: 0 };
  process.on('unhandledRejection', (reason) => {
    state.unhandled += 1;
    process.stderr.write(`unhandled rejection: ${inspect(reason)}\n`);
  });
  process.once('beforeExit', () => {
    onDry?.();
    process.stdout.write('BEFORE_EXIT\n');
  });
  return state;
}
