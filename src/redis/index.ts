// keyguard/redis: a KeyShare over the user's own Redis client (node-redis v4/v5 or ioredis).
// This entry imports no Redis client: it detects the client's API and sends raw commands.

import { ConfigError } from '../errors/config-error.js';
import {
  bounded,
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
} from '../keys/key-share.js';

export type {
  KeyShare,
  KeyShareEvent,
  KeyShareOptions,
  KeyShareResult,
  KeyShareRotation,
  KeyShareStats,
  SharedGrant,
} from '../keys/key-share.js';

/**
 * The user's connected Redis client: node-redis v4/v5 (`createClient()` after `connect()`) or
 * ioredis (`new Redis()`). Typed loosely so neither package is needed to compile against this entry.
 */
export type RedisLike = object;

/** Options of {@link redisKeyShare}. */
export interface RedisKeyShareOptions extends KeyShareOptions {
  /** A connected node-redis (v4/v5) or ioredis client. keyguard duplicates it once for pub/sub while a member waits. */
  redis: RedisLike;
  /** How often a waiting member checks Redis when no message arrives. @default min(250, leaseMs / 4) */
  pollMs?: number;
}

/** A {@link KeyShare} over Redis, with counters for metrics. */
export interface RedisKeyShare extends KeyShare {
  /** What this member saw so far. */
  readonly stats: Readonly<KeyShareStats>;
  /** Closes the pub/sub connection keyguard opened (the user's own client stays open). */
  close(): Promise<void>;
}

/** A pub/sub connection: `ready` settles once subscribed; `close` works at any time, also before that. */
interface Subscriber {
  ready: Promise<void>;
  close(): Promise<void>;
}

interface Driver {
  command(args: string[]): Promise<unknown>;
  subscribe(channel: string, onMessage: (message: string) => void): Subscriber;
}

type Fn = (...args: unknown[]) => unknown;
const ignore = () => {};

/** Detects ioredis (`call`) or node-redis (`sendCommand(array)` + `connect`) by shape. */
function driverFor(redis: unknown): Driver {
  const client = redis as Record<string, unknown> | null;
  if (typeof client !== 'object' || client === null || typeof client.duplicate !== 'function')
    throw new ConfigError('redis', 'must be a connected node-redis (v4/v5) or ioredis client');
  const duplicate = () => (client.duplicate as Fn).call(client) as Record<string, Fn>;
  if (typeof client.call === 'function') {
    // ioredis: call(command, ...args); a duplicate connects by itself and emits 'message'.
    return {
      command: (args) => Promise.resolve((client.call as Fn).apply(client, args)),
      subscribe(channel, onMessage) {
        const sub = duplicate();
        sub.on?.call(sub, 'error', ignore);
        sub.on?.call(sub, 'message', (ch: unknown, message: unknown) => {
          if (ch === channel) onMessage(String(message));
        });
        const close = async () => {
          sub.disconnect?.call(sub);
        };
        const ready = Promise.resolve()
          .then(() => sub.subscribe?.call(sub, channel))
          .then(ignore);
        return { ready, close };
      },
    };
  }
  if (typeof client.sendCommand === 'function' && typeof client.connect === 'function') {
    // node-redis v4/v5: sendCommand([...]); a duplicate must be connected; subscribe(channel, listener).
    return {
      command: (args) => Promise.resolve((client.sendCommand as Fn).call(client, args)),
      subscribe(channel, onMessage) {
        const sub = duplicate();
        sub.on?.call(sub, 'error', ignore);
        let closed = false;
        const close = async () => {
          closed = true;
          try {
            await (sub.destroy ?? sub.disconnect)?.call(sub);
          } catch {
            // Not open (yet, or any more).
          }
        };
        const ready = Promise.resolve()
          .then(() => sub.connect?.call(sub))
          .then(() => {
            if (closed) return close();
            return sub.subscribe?.call(sub, channel, (message: unknown) => onMessage(String(message)));
          })
          .then(ignore);
        return { ready, close };
      },
    };
  }
  throw new ConfigError('redis', 'must be a node-redis (v4/v5) or ioredis client (neither API was found on it)');
}

// Renews or releases a lease only while this member still holds it.
const RENEW = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end";
const RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";

interface Done {
  ok: boolean;
  grant?: SharedGrant;
}

function parseDone(value: unknown): Done | undefined {
  if (value === null || value === undefined) return undefined;
  try {
    const parsed = JSON.parse(String(value)) as Done;
    if (typeof parsed !== 'object' || parsed === null || typeof parsed.ok !== 'boolean') return undefined;
    const grant = parsed.grant;
    if (grant !== undefined && (typeof grant !== 'object' || grant === null || typeof grant.key !== 'string')) return { ok: parsed.ok };
    return parsed;
  } catch {
    return undefined;
  }
}

class Unreachable {
  constructor(readonly cause: unknown) {}
}

/**
 * A {@link KeyShare} over Redis, for processes and machines. Per rejected key (its fingerprint):
 * the first member claims a lease (`SET keyguard:<name>:lease:<fp> <member> NX PX leaseMs`, renewed
 * while its hook runs), runs the hook, stores the outcome (`keyguard:<name>:done:<fp>`, expiring after
 * `resultTtlMs`) and publishes on `keyguard:<name>:rotated`; the others wait (pub/sub, polling as the
 * fallback) and take over when the lease runs out. When Redis does not answer within `fallbackMs`,
 * the member rotates on its own. No key is written to Redis unless `shareKey` is true.
 *
 * @example
 * ```ts
 * import { createClient as createRedis } from 'redis';
 * import { createClient } from 'keyguard';
 * import { redisKeyShare } from 'keyguard/redis';
 *
 * const redis = await createRedis({ url: process.env.REDIS_URL }).connect();
 * const client = createClient({
 *   baseUrl: 'https://api.example.com/v1',
 *   apiKey: () => vault.read(), // re-read with reason 'rotated' after another member rotated
 *   onKeyInvalid: (error) => vault.rotate(error.reason), // runs in one member of the fleet per rejected key
 *   keyShare: redisKeyShare({ redis, name: 'example-api' }),
 * });
 * ```
 */
export function redisKeyShare(options: RedisKeyShareOptions): RedisKeyShare {
  const resolved = resolveShareOptions(options, 'redisKeyShare');
  const driver = driverFor(options.redis);
  const pollMs = options.pollMs === undefined ? Math.max(10, Math.min(250, Math.floor(resolved.leaseMs / 4))) : checkPoll(options.pollMs);
  return new RedisShare(resolved, driver, pollMs);
}

function checkPoll(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 5 || value > 60_000)
    throw new ConfigError('pollMs', 'must be a number of milliseconds from 5 to 60000');
  return value;
}

class RedisShare implements RedisKeyShare {
  readonly name: string;
  readonly sharesKey: boolean;
  readonly stats = emptyStats();
  private readonly id = memberId();
  private readonly prefix: string;
  private readonly channel: string;
  private readonly wakers = new Map<string, Set<() => void>>();
  private subscriber: Subscriber | undefined;
  private waiting = 0;

  constructor(
    private readonly options: ResolvedShareOptions,
    private readonly driver: Driver,
    private readonly pollMs: number,
  ) {
    this.name = options.name;
    this.sharesKey = options.shareKey;
    this.prefix = `keyguard:${options.name}:`;
    this.channel = `${this.prefix}rotated`;
  }

  async rotate(rotation: KeyShareRotation): Promise<KeyShareResult> {
    const { fingerprint } = rotation;
    const record = (result: KeyShareResult, takeover = false): KeyShareResult => {
      const local = result.outcome === 'rotated-here' && result.local === true;
      recordRotation(this.stats, this.options, { outcome: result.outcome, fingerprint, local, takeover });
      return result;
    };
    try {
      const done = await this.read(fingerprint);
      if (done) return record(this.received(done));
      if (await this.claim(fingerprint)) {
        const late = await this.afterClaim(fingerprint);
        return record(late ? this.received(late) : await this.runHere(rotation));
      }
      this.waiting += 1;
      try {
        const outcome = await this.waitFor(rotation);
        if (outcome === 'claimed') {
          const late = await this.afterClaim(fingerprint);
          return late ? record(this.received(late)) : record(await this.runHere(rotation), true);
        }
        return record(this.received(outcome));
      } finally {
        this.waiting -= 1;
        if (this.waiting === 0) this.closeSubscriber();
      }
    } catch (thrown) {
      if (!(thrown instanceof Unreachable)) throw thrown;
      // Redis is down or slow: this member rotates on its own (the process's single flight still holds).
      return record({ outcome: 'rotated-here', grant: await rotation.run(), local: true });
    }
  }

  async close(): Promise<void> {
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    await subscriber?.close();
  }

  private received(done: Done): KeyShareResult {
    if (!done.ok) return { outcome: 'failed' };
    return this.sharesKey && done.grant ? { outcome: 'received', grant: done.grant } : { outcome: 'received' };
  }

  /** One command, bounded by `fallbackMs`; an error or a timeout means "Redis unreachable". */
  private async command(args: string[]): Promise<unknown> {
    try {
      return await bounded(this.driver.command(args), this.options.fallbackMs, 'Redis');
    } catch (error) {
      throw new Unreachable(error);
    }
  }

  private async read(fingerprint: string): Promise<Done | undefined> {
    return parseDone(await this.command(['GET', `${this.prefix}done:${fingerprint}`]));
  }

  private async claim(fingerprint: string): Promise<boolean> {
    const answer = await this.command(['SET', `${this.prefix}lease:${fingerprint}`, this.id, 'NX', 'PX', String(this.options.leaseMs)]);
    return answer === 'OK';
  }

  /**
   * An owner may have published and released its lease between this member's read and its claim:
   * read again once the lease is ours, and hand it back when the outcome is already there.
   */
  private async afterClaim(fingerprint: string): Promise<Done | undefined> {
    const done = await this.read(fingerprint);
    if (done) await this.command(['EVAL', RELEASE, '1', `${this.prefix}lease:${fingerprint}`, this.id]).catch(ignore);
    return done;
  }

  /** Runs the hook under a renewed lease, then stores and publishes the outcome (best effort). */
  private async runHere(rotation: KeyShareRotation): Promise<KeyShareResult> {
    const lease = `${this.prefix}lease:${rotation.fingerprint}`;
    const { leaseMs } = this.options;
    const renew = setInterval(
      () => void this.driver.command(['EVAL', RENEW, '1', lease, this.id, String(leaseMs)]).catch(ignore),
      Math.max(10, Math.floor(leaseMs / 3)),
    );
    let done: Done;
    try {
      const grant = await rotation.run();
      done = grant ? { ok: true, ...(this.sharesKey ? { grant } : {}) } : { ok: false };
      await this.publish(rotation.fingerprint, done, lease);
      return { outcome: 'rotated-here', grant };
    } catch (error) {
      await this.publish(rotation.fingerprint, { ok: false }, lease);
      throw error;
    } finally {
      clearInterval(renew);
    }
  }

  private async publish(fingerprint: string, done: Done, lease: string): Promise<void> {
    try {
      await this.command(['SET', `${this.prefix}done:${fingerprint}`, JSON.stringify(done), 'PX', String(this.options.resultTtlMs)]);
      await this.command(['PUBLISH', this.channel, fingerprint]);
      await this.command(['EVAL', RELEASE, '1', lease, this.id]);
    } catch {
      // The others find out by polling, or take over once the lease runs out.
    }
  }

  /** Waits for the outcome, or for the lease to run out (then claims it). Rejects with Unreachable when Redis fails. */
  private async waitFor(rotation: KeyShareRotation): Promise<Done | 'claimed'> {
    const { fingerprint, signal } = rotation;
    this.ensureSubscriber();
    const lease = `${this.prefix}lease:${fingerprint}`;
    // Bounded: each round takes at least pollMs, and the caller's signal (the refresh timeout) ends it.
    while (!signal.aborted) {
      await this.wake(fingerprint, signal);
      const done = await this.read(fingerprint);
      if (done) return done;
      const holder = await this.command(['GET', lease]);
      if ((holder === null || holder === undefined) && (await this.claim(fingerprint))) return 'claimed';
    }
    throw signal.reason;
  }

  /** Resolves on the next message for `fingerprint`, after `pollMs`, or when `signal` aborts. */
  private wake(fingerprint: string, signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      const wakers = this.wakers.get(fingerprint) ?? new Set<() => void>();
      this.wakers.set(fingerprint, wakers);
      const finish = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', finish);
        wakers.delete(finish);
        if (wakers.size === 0 && this.wakers.get(fingerprint) === wakers) this.wakers.delete(fingerprint);
        resolve();
      };
      const timer = setTimeout(finish, this.pollMs);
      signal.addEventListener('abort', finish, { once: true });
      wakers.add(finish);
    });
  }

  private ensureSubscriber(): void {
    if (this.subscriber) return;
    const subscriber = this.driver.subscribe(this.channel, (fingerprint) => {
      for (const wake of [...(this.wakers.get(fingerprint) ?? [])]) wake();
    });
    subscriber.ready.catch(() => {
      // No pub/sub: polling alone finds the outcome. Try again on the next wait.
      if (this.subscriber === subscriber) this.subscriber = undefined;
      void subscriber.close().catch(ignore);
    });
    this.subscriber = subscriber;
  }

  private closeSubscriber(): void {
    void this.close().catch(ignore);
  }
}
