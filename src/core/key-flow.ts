import { isApiError } from '../errors/guards.js';
import { InvalidApiKeyError } from '../errors/invalid-api-key-error.js';
import type { KeyState, Lease } from '../keys/key-state.js';
import type { Logger } from '../options.js';

/** How one attempt ended: the four cases every later stage branches on. */
export type Outcome<T> =
  /** An answer to hand over (for the client, the parsed body; for keyguardFetch, the Response). */
  | { kind: 'value'; value: T }
  /** The key was rejected (by the server, or by the checks before sending). `answer`: what keyguardFetch hands the SDK if no new key comes. */
  | { kind: 'key-error'; error: InvalidApiKeyError; answer?: T }
  /** A failure a retry may fix: no response, a timeout, a retryable status. */
  | { kind: 'transient'; error: unknown }
  /** Any other failure: thrown as it is. */
  | { kind: 'final'; error: unknown };

/**
 * The key side of one request, across all its attempts: leases the current key, and after a key error
 * replaces it once for every request that failed with it (the single flight in KeyState) and replays,
 * at most `maxReplays` times. A request that cannot be replayed (a stream body, no replays left) still
 * has the rejected key replaced, for the requests after it.
 */
export class KeySession {
  private replays = 0;
  private checkedExpiring = false;

  constructor(
    private readonly keys: KeyState,
    private readonly maxReplays: number,
    private readonly replayable: boolean,
    private readonly signal: AbortSignal | undefined,
    private readonly logger: Logger,
  ) {}

  /** Runs `attempt` with the current key (or none when `useKey` is false), replaying it after key errors. */
  async run<T>(useKey: boolean, attempt: (key: string | undefined) => Promise<Outcome<T>>): Promise<Outcome<T>> {
    if (!useKey) return attempt(undefined);
    this.keys.begin();
    let accepted = false;
    try {
      // Bounded: every pass returns, or uses one of maxReplays replays.
      for (;;) {
        let lease: Lease;
        try {
          lease = await this.keys.acquire(this.signal, !this.checkedExpiring);
        } catch (error) {
          if (error instanceof InvalidApiKeyError) return { kind: 'key-error', error }; // The key provider failed.
          throw error; // The caller's abort.
        }
        this.checkedExpiring = true; // An expiring grant is refreshed once per request.
        const outcome: Outcome<T> = lease.rejection ? { kind: 'key-error', error: lease.rejection } : await attempt(lease.key);
        if (outcome.kind !== 'key-error') {
          // Any answer from the server that is not a key error means the key was accepted.
          accepted = outcome.kind === 'value' || (outcome.kind === 'final' && isApiError(outcome.error));
          return outcome;
        }
        const mayReplay = this.replays < this.maxReplays && this.replayable;
        // A request asks for new keys only while it may replay, and once even when it may not (a stream
        // body, maxKeyRefreshes 0), so the requests after it do not meet the rejected key again.
        if (!mayReplay && this.replays > 0) return outcome;
        const failure = await this.keys.replace(lease, outcome.error, this.signal);
        if (failure) return { ...outcome, error: failure };
        if (!mayReplay) return outcome;
        this.replays += 1;
        this.logger.debug?.('keyguard: replaying the request with the new key.');
      }
    } finally {
      this.keys.settle(accepted);
    }
  }
}
