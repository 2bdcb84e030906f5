import {
  emptyStats,
  type KeyShare,
  type KeyShareOptions,
  type KeyShareResult,
  type KeyShareRotation,
  type KeyShareStats,
  memberId,
  type ResolvedShareOptions,
  recordRotation,
  resolveShareOptions,
  type SharedGrant,
} from './key-share.js';

/** Options of {@link broadcastKeyShare}. */
export type BroadcastKeyShareOptions = KeyShareOptions;

/** A {@link KeyShare} over `BroadcastChannel`, with counters for metrics. */
export interface BroadcastKeyShare extends KeyShare {
  /** What this member saw so far. */
  readonly stats: Readonly<KeyShareStats>;
  /** Closes the channel: this member stops sharing (its client rotates on its own from then on). */
  close(): void;
}

type Message =
  | { t: 'claim'; fp: string; id: string; running: boolean }
  | { t: 'done'; fp: string; ok: boolean; grant?: SharedGrant }
  | { t: 'ask'; fp: string };

interface Done {
  ok: boolean;
  grant?: SharedGrant;
  at: number;
}

interface Claim {
  id: string;
  seen: number;
  running: boolean;
}

/** The part of the Web Locks API used here (`navigator.locks`). */
interface Locks {
  request(
    name: string,
    options: { ifAvailable?: boolean; signal?: AbortSignal },
    run: (lock: unknown) => Promise<unknown>,
  ): Promise<unknown>;
}

/**
 * How long competing claims are collected before the lowest id wins (lease mode), and how long a lock
 * holder keeps the lock after posting its result. Generous, because a busy machine delays messages:
 * a shorter wait let two members each think they won.
 */
const SETTLE_MS = 150;
/** How long a member that got the lock after another holder waits for that holder's result message. */
const GRACE_MS = 100;
const NOT_AVAILABLE = Symbol('lock held');

const isMessage = (value: unknown): value is Message =>
  typeof value === 'object' && value !== null && typeof (value as Message).fp === 'string' && typeof (value as Message).t === 'string';

/**
 * A {@link KeyShare} for browser tabs, dedicated and shared workers, and Node worker threads of one
 * origin (or one process): members talk over `BroadcastChannel('keyguard:<name>')`. Where the Web
 * Locks API is present (`navigator.locks`, browsers), a lock per rejected key decides the winner
 * and is released by the browser when its holder closes; elsewhere (Node) members claim a lease by
 * message, renewed while the hook runs, and take over when it runs out. Without `BroadcastChannel`,
 * every rotation runs on the member alone. No key crosses the channel unless `shareKey` is true.
 *
 * @example
 * ```ts
 * import { broadcastKeyShare, createClient } from 'keyguard';
 *
 * const client = createClient({
 *   baseUrl: 'https://api.example.com/v1',
 *   apiKey: () => fetch('/session/api-key').then((res) => res.text()), // re-read with reason 'rotated'
 *   onKeyInvalid: () => fetch('/session/api-key', { method: 'POST' }).then((res) => res.text()),
 *   keyShare: broadcastKeyShare({ name: 'example-api' }),
 * });
 * ```
 */
export function broadcastKeyShare(options: BroadcastKeyShareOptions): BroadcastKeyShare {
  return new BroadcastShare(resolveShareOptions(options, 'broadcastKeyShare'));
}

class BroadcastShare implements BroadcastKeyShare {
  readonly name: string;
  readonly sharesKey: boolean;
  readonly stats = emptyStats();
  private readonly id = memberId();
  private channel: BroadcastChannel | undefined;
  private readonly results = new Map<string, Done>();
  private readonly claims = new Map<string, Claim>();
  private readonly wakers = new Map<string, Set<() => void>>();

  constructor(private readonly options: ResolvedShareOptions) {
    this.name = options.name;
    this.sharesKey = options.shareKey;
    if (typeof BroadcastChannel === 'function') {
      const channel = new BroadcastChannel(`keyguard:${options.name}`);
      channel.onmessage = (event: MessageEvent) => this.receive(event.data);
      // Node: an open channel must not keep the process or worker alive.
      (channel as { unref?: () => void }).unref?.();
      this.channel = channel;
    }
  }

  close(): void {
    this.channel?.close();
    this.channel = undefined;
    for (const set of this.wakers.values()) for (const wake of [...set]) wake();
  }

  async rotate(rotation: KeyShareRotation): Promise<KeyShareResult> {
    const { fingerprint } = rotation;
    let takeover = false;
    const record = (result: KeyShareResult): KeyShareResult => {
      const local = result.outcome === 'rotated-here' && result.local === true;
      recordRotation(this.stats, this.options, { outcome: result.outcome, fingerprint, local, takeover });
      return result;
    };
    const known = this.result(fingerprint);
    if (known) return record(known);
    if (!this.channel) return record({ outcome: 'rotated-here', grant: await rotation.run(), local: true });
    const locks = (globalThis.navigator as { locks?: Locks } | undefined)?.locks;
    if (locks && typeof locks.request === 'function') {
      try {
        return record(
          await this.withLock(locks, rotation, () => {
            takeover = true;
          }),
        );
      } catch (error) {
        if (rotation.signal.aborted || !(error instanceof Error) || error.name === 'AbortError') throw error;
        // Web Locks refused (an opaque origin, say): fall through to the lease.
      }
    }
    return record(
      await this.withLease(rotation, () => {
        takeover = true;
      }),
    );
  }

  /** Browsers: the first member to hold the lock rotates; the others wait in the lock's queue or for the result. */
  private async withLock(locks: Locks, rotation: KeyShareRotation, tookOver: () => void): Promise<KeyShareResult> {
    const { fingerprint, signal } = rotation;
    const lockName = `keyguard:${this.name}:${fingerprint}`;
    const first = await locks.request(lockName, { ifAvailable: true }, async (lock) =>
      lock ? (this.result(fingerprint) ?? this.holdAfter(await this.runHere(rotation))) : NOT_AVAILABLE,
    );
    if (first !== NOT_AVAILABLE) return first as KeyShareResult;
    // Someone holds the lock: wait for its result, or for the lock (released when its holder dies).
    const stop = new AbortController();
    const abort = () => stop.abort();
    signal.addEventListener('abort', abort, { once: true });
    const wakers = this.wakersOf(fingerprint);
    wakers.add(abort);
    try {
      return (await locks.request(lockName, { signal: stop.signal }, async () => {
        const ready = this.result(fingerprint) ?? (await this.ask(fingerprint));
        if (ready) return ready;
        tookOver();
        return this.holdAfter(await this.runHere(rotation));
      })) as KeyShareResult;
    } catch (error) {
      const ready = this.result(fingerprint);
      if (ready) return ready;
      throw signal.aborted ? signal.reason : error;
    } finally {
      signal.removeEventListener('abort', abort);
      wakers.delete(abort);
    }
  }

  /**
   * Keeps the lock a moment after the result was posted: a member that takes the lock next must
   * already have the message, or it would rotate the same key again (a lock can be granted before a
   * message posted earlier is delivered).
   */
  private async holdAfter(result: KeyShareResult): Promise<KeyShareResult> {
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    return result;
  }

  /** Asks the group for a result it may have missed; waits up to GRACE_MS for an answer. */
  private async ask(fingerprint: string): Promise<KeyShareResult | undefined> {
    this.post({ t: 'ask', fp: fingerprint });
    await this.wake(fingerprint, GRACE_MS, undefined);
    return this.result(fingerprint);
  }

  /** Elsewhere: claims by message; the lowest id among simultaneous claims wins; a silent claim expires after leaseMs. */
  private async withLease(rotation: KeyShareRotation, tookOver: () => void): Promise<KeyShareResult> {
    const { fingerprint, signal } = rotation;
    const { leaseMs } = this.options;
    const pollMs = Math.max(10, Math.min(250, Math.floor(leaseMs / 4)));
    let sawClaim = false;
    // Bounded: every round waits, and the caller's signal (the refresh timeout) ends the loop.
    while (!signal.aborted) {
      const ready = this.result(fingerprint);
      if (ready) return ready;
      if (!this.channel) return { outcome: 'rotated-here', grant: await rotation.run(), local: true };
      const claim = this.claims.get(fingerprint);
      if (claim && claim.id !== this.id && Date.now() - claim.seen < leaseMs) {
        sawClaim = true;
        await this.wake(fingerprint, pollMs, signal);
        continue;
      }
      this.claims.set(fingerprint, { id: this.id, seen: Date.now(), running: false });
      this.post({ t: 'claim', fp: fingerprint, id: this.id, running: false });
      await this.wake(fingerprint, SETTLE_MS, signal, true);
      if (this.result(fingerprint)) continue;
      if (this.claims.get(fingerprint)?.id !== this.id) continue;
      if (sawClaim) tookOver();
      return this.runHere(rotation, true);
    }
    throw signal.reason;
  }

  /** Runs the hook (renewing the lease by message in lease mode), then posts and keeps the outcome. */
  private async runHere(rotation: KeyShareRotation, lease = false): Promise<KeyShareResult> {
    const { fingerprint } = rotation;
    const renewal = () => {
      this.claims.set(fingerprint, { id: this.id, seen: Date.now(), running: true });
      this.post({ t: 'claim', fp: fingerprint, id: this.id, running: true });
    };
    if (lease) renewal();
    const renew = lease ? setInterval(renewal, Math.max(10, Math.floor(this.options.leaseMs / 3))) : undefined;
    try {
      const grant = await rotation.run();
      this.settle(fingerprint, grant ? { ok: true, ...(this.sharesKey ? { grant } : {}), at: Date.now() } : { ok: false, at: Date.now() });
      return { outcome: 'rotated-here', grant };
    } catch (error) {
      this.settle(fingerprint, { ok: false, at: Date.now() });
      throw error;
    } finally {
      clearInterval(renew);
    }
  }

  private settle(fingerprint: string, done: Done): void {
    this.results.set(fingerprint, done);
    this.claims.delete(fingerprint);
    this.post({ t: 'done', fp: fingerprint, ok: done.ok, ...(done.grant ? { grant: done.grant } : {}) });
  }

  private result(fingerprint: string): KeyShareResult | undefined {
    const now = Date.now();
    for (const [fp, done] of this.results) if (now - done.at > this.options.resultTtlMs) this.results.delete(fp);
    const done = this.results.get(fingerprint);
    if (!done) return undefined;
    if (!done.ok) return { outcome: 'failed' };
    return this.sharesKey && done.grant ? { outcome: 'received', grant: done.grant } : { outcome: 'received' };
  }

  private receive(data: unknown): void {
    if (!isMessage(data)) return;
    const { fp } = data;
    if (data.t === 'done') {
      const grant = data.grant && typeof data.grant.key === 'string' ? data.grant : undefined;
      this.results.set(fp, { ok: data.ok === true, ...(grant ? { grant } : {}), at: Date.now() });
      this.claims.delete(fp);
      for (const wake of [...(this.wakers.get(fp) ?? [])]) wake();
    } else if (data.t === 'ask') {
      const done = this.results.get(fp);
      if (done) this.post({ t: 'done', fp, ok: done.ok, ...(done.grant ? { grant: done.grant } : {}) });
    } else if (data.t === 'claim' && typeof data.id === 'string') {
      const now = Date.now();
      const held = this.claims.get(fp);
      const mine = held?.id === this.id && held.running;
      if (mine) return; // This member is running the hook: it keeps its claim.
      const fresh = held !== undefined && now - held.seen < this.options.leaseMs;
      // A running claim wins; else the lowest id among fresh claims.
      if (!fresh || held.id === data.id || data.running || (!held.running && data.id < held.id)) {
        this.claims.set(fp, { id: data.id, seen: now, running: data.running === true });
      }
    }
  }

  private post(message: Message): void {
    try {
      this.channel?.postMessage(message);
    } catch {
      // A closed channel: the others find out through the lease.
    }
  }

  private wakersOf(fingerprint: string): Set<() => void> {
    const wakers = this.wakers.get(fingerprint) ?? new Set<() => void>();
    this.wakers.set(fingerprint, wakers);
    return wakers;
  }

  /** Resolves after `ms`, on the next result for `fingerprint` (unless `full`), or when `signal` aborts. */
  private wake(fingerprint: string, ms: number, signal: AbortSignal | undefined, full = false): Promise<void> {
    return new Promise<void>((resolve) => {
      const wakers = this.wakersOf(fingerprint);
      const finish = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', finish);
        wakers.delete(finish);
        if (wakers.size === 0 && this.wakers.get(fingerprint) === wakers) this.wakers.delete(fingerprint);
        resolve();
      };
      const timer = setTimeout(finish, ms);
      signal?.addEventListener('abort', finish, { once: true });
      if (!full) wakers.add(finish);
    });
  }
}
