import { loadErrorPath, redactCause } from '../core/load-error-path.js';
import { InvalidApiKeyError } from '../errors/invalid-api-key-error.js';
import { abortable, withTimeout } from '../internal/abort.js';
import type { Secrets } from '../internal/redact.js';
import type { KeyGrant, KeyProvider, KeyProviderReason, Logger, OnKeyInvalid, PresetContext } from '../options.js';
import { withKeysUrl, withPresetCheck } from '../providers/hooks.js'; // provider presets
import { keyHint } from './fingerprint.js';
import { toGrant } from './grant.js';
import { keyLooksClean } from './key-looks-clean.js';
import { checkKeyShare, type KeyShare, keyFingerprint, type SharedGrant } from './key-share.js';
import type { KeyLintMode, KeyLintResult } from './lint-rules.js';

/** The key one attempt uses, and which version of the client's key it was. */
export interface Lease {
  /** The key to send (trimmed under `keyLint: 'fix'`); undefined when `rejection` is set. */
  key: string | undefined;
  /** Bumped on every replacement: tells whether a rejected key is still the current one. */
  version: number;
  /** Failed refreshes seen when this lease was taken; a request shares only failures that happened after. */
  failures: number;
  /** Set when client-side checks rejected the key: nothing may be sent. */
  rejection?: InvalidApiKeyError;
}

/** How a shared replacement failed: with what the hook threw, or with "no replacement". */
class RefreshFailure {
  constructor(
    readonly hasCause: boolean,
    readonly cause: unknown,
  ) {}
}
const NO_REPLACEMENT = Symbol('no replacement');

interface Current {
  key: string | undefined;
  expiresAt?: number;
}

interface KeyStateOptions {
  apiKey: string | KeyGrant | KeyProvider | undefined;
  onKeyInvalid: OnKeyInvalid | undefined;
  refreshBeforeExpiryMs: number;
  refreshTimeoutMs: number;
  /** Bounds the rotations one burst of failing requests may run: a request is replayed at most this often. */
  maxKeyRefreshes: number;
  keyLint: KeyLintMode;
  logger: Logger;
  secrets: Secrets;
  /** Provider preset: its key check and keys page (keyguard/providers). */
  preset?: PresetContext | undefined;
  /** Shares rotations with other processes/tabs (see key-share.ts); checked against `apiKey` here. */
  keyShare?: KeyShare | undefined;
}

/**
 * The client's one current key, and the single-flight refresh that replaces it.
 * A refresh belongs to no caller: it runs under its own timeout, and each waiter
 * can abort only its own wait.
 */
export class KeyState {
  private current: Current | undefined;
  private version = 0;
  private failures = 0;
  /** The last failed replacement: requests already in flight with that key version share it. */
  private lastFailure: { version: number; failures: number; failure: RefreshFailure } | undefined;
  /** The one replacement in flight (after a rejection) and the one provider load in flight. */
  private refresh: { version: number; promise: Promise<void> } | undefined;
  private loading: { version: number; promise: Promise<void> } | undefined;
  /** The lint verdict for the last key value seen, or the full checks still under way for it. */
  private lint: { key: string | undefined; result: KeyLintResult | Promise<KeyLintResult> } | undefined;
  private readonly provider: KeyProvider | undefined;
  /**
   * Replacements since a request last got an answer that was not a key error. Against an API that
   * rejects every key, a burst stops asking for new keys after `maxKeyRefreshes` (at least 1) of them;
   * the count starts again after a success, or once every request in flight has settled.
   */
  private streak = 0;
  private inFlight = 0;
  private readonly share: KeyShare | undefined;

  constructor(private readonly options: KeyStateOptions) {
    const { apiKey } = options;
    this.share = checkKeyShare(options.keyShare, apiKey);
    this.provider = typeof apiKey === 'function' ? apiKey : undefined;
    if (!this.provider) this.current = toGrant(apiKey, 'apiKey') ?? { key: undefined };
    options.secrets.add(this.current?.key);
  }

  /** Replaces the key at runtime; requests already rejected with the old one replay with this one. */
  set(supply: string | KeyGrant): void {
    const grant = toGrant(supply, 'setApiKey');
    this.install(grant ?? { key: undefined });
  }

  /**
   * The key for the next attempt: loads it from the provider the first time,
   * refreshes a grant near its expiry (once per request), and lints it.
   */
  async acquire(signal: AbortSignal | undefined, mayRefreshExpiring: boolean): Promise<Lease> {
    // A grant that has just arrived is used as it is, even when it is already near its expiry.
    let fresh = false;
    if (!this.current) {
      await this.singleFlight('initial', signal);
      fresh = true;
    }
    const expiresAt = this.current?.expiresAt;
    const expiring = expiresAt !== undefined && expiresAt - Date.now() < this.options.refreshBeforeExpiryMs;
    if (expiring && this.provider && mayRefreshExpiring && !fresh) {
      // A failed early refresh is not fatal: the old key has not expired yet.
      await this.singleFlight('expiring', signal).catch((error: unknown) => {
        if (signal?.aborted) throw error;
        this.options.logger.warn?.('keyguard: refreshing an expiring key failed; using the current key until it is rejected.');
      });
    }
    const lease: Lease = { key: undefined, version: this.version, failures: this.failures };
    const key = this.current?.key;
    // No await for a key already checked or plainly clean: a success costs no extra microtask.
    const lint = this.quickLint(key) ?? (await abortable(this.fullLint(key), signal));
    // A rejection's hint comes with the classifier's chunk (load-error-path.ts): only a rejected key loads it.
    if (!lint.ok) lease.rejection = await this.clientRejection(lint, key, signal);
    else if (!this.provider && expiresAt !== undefined && expiresAt <= Date.now()) lease.rejection = await this.pastExpiry(key, signal);
    else lease.key = lint.key;
    return lease;
  }

  /** Marks a request in flight; `settle` ends it. Together they delimit a burst for the rotation bound. */
  begin(): void {
    this.inFlight += 1;
  }

  /** Ends a request begun with `begin`; `accepted` when its key got an answer that was not a key error. */
  settle(accepted: boolean): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    if (accepted || this.inFlight === 0) this.streak = 0;
  }

  /**
   * Makes a new key current after `lease` was rejected with `error`. Resolves to `undefined` for
   * "replay with the current key", or to the error to fail with: `error` itself when there is no
   * replacement, or a copy of it whose `cause` is what the hook threw. Rejects only on the caller's abort.
   */
  async replace(lease: Lease, error: InvalidApiKeyError, signal: AbortSignal | undefined): Promise<InvalidApiKeyError | undefined> {
    if (lease.version !== this.version) return undefined; // Already replaced by another request: just replay.
    if (!this.options.onKeyInvalid && !this.provider) return error; // Nothing can replace it: no refresh to run or share.
    const failed = this.lastFailure;
    let failure: RefreshFailure | undefined;
    if (failed && failed.version === lease.version && failed.failures > lease.failures) {
      failure = failed.failure; // The burst this request belongs to already failed: do not ask again.
    } else if (this.refresh?.version !== this.version && this.streak >= Math.max(1, this.options.maxKeyRefreshes)) {
      this.options.logger.warn?.(
        `keyguard: ${this.streak} new keys in a row were rejected as well; not asking for another until a request succeeds or the burst settles.`,
      );
      return error;
    } else {
      if (this.refresh?.version !== this.version) {
        const promise: Promise<void> = this.runReplacement(error).finally(() => {
          if (this.refresh?.promise === promise) this.refresh = undefined;
        });
        promise.catch(() => {}); // Waiters handle the failure; a refresh nobody waits for any more must not be "unhandled".
        this.refresh = { version: this.version, promise };
      }
      try {
        await abortable(this.refresh.promise, signal);
        return undefined;
      } catch (thrown) {
        if (!(thrown instanceof RefreshFailure)) throw thrown; // The caller's own abort.
        failure = thrown;
      }
    }
    // The key was replaced (setApiKey) while the hook ran: replay with it after all.
    if (lease.version !== this.version) return undefined;
    // Each request rejects with its own error (its URL, status, request id), sharing the cause.
    return failure.hasCause ? error.withCause(failure.cause) : error;
  }

  private async runReplacement(error: InvalidApiKeyError): Promise<void> {
    const version = this.version;
    const rejected = this.current?.key;
    const { onKeyInvalid } = this.options;
    const log = this.options.logger;
    log.info?.(
      `keyguard: key ${error.keyHint ?? '(none)'} rejected (${error.reason}); ${onKeyInvalid ? 'calling onKeyInvalid' : 'asking the key provider'}.`,
    );
    try {
      const replace = async (): Promise<SharedGrant | undefined> =>
        toGrant(
          await this.withTimeout((signal) =>
            onKeyInvalid ? onKeyInvalid(error) : this.provider ? this.provider({ reason: error.reason, signal }) : undefined,
          ),
          onKeyInvalid ? 'onKeyInvalid' : 'apiKey',
        );
      const grant = this.share && rejected !== undefined ? await this.shared(this.share, rejected, error, replace) : await replace();
      // Never loop on the same key, also not on the same key with whitespace around it (trimmed before sending).
      if (!grant || grant.key.trim() === rejected?.trim()) throw NO_REPLACEMENT;
      // setApiKey() during the hook is newer than the hook's answer: keep it.
      if (this.version === version) {
        this.install(grant);
        this.streak += 1;
      }
      log.info?.(`keyguard: key replaced with ${keyHint(grant.key)}.`);
    } catch (thrown) {
      const failure =
        thrown === NO_REPLACEMENT
          ? new RefreshFailure(false, undefined)
          : new RefreshFailure(true, redactCause(this.options.secrets, thrown));
      this.failures += 1;
      this.lastFailure = { version, failures: this.failures, failure };
      throw failure;
    }
  }

  // #region key share: one rotation for a group of processes/tabs (see key-share.ts)
  /**
   * The replacement through the key share: `replace` runs in exactly one member of the group; the
   * others take the key it published, or re-read theirs via the provider (reason 'rotated').
   */
  private async shared(
    share: KeyShare,
    rejected: string,
    error: InvalidApiKeyError,
    replace: () => Promise<SharedGrant | undefined>,
  ): Promise<SharedGrant | undefined> {
    // Without WebCrypto (an insecure browser context) there is no fingerprint: rotate alone.
    const fingerprint = await keyFingerprint(rejected);
    if (!fingerprint) return replace();
    const result = await this.withTimeout((signal) => share.rotate({ fingerprint, reason: error.reason, run: replace, signal }));
    const grant = result.outcome === 'failed' ? undefined : result.grant;
    const reread = result.outcome === 'received' && !grant;
    // One line per rotation: rotated-here (local: the share was unreachable), received, or failed.
    this.options.logger.info?.(
      `keyguard: key share "${share.name}": ${result.outcome}${result.outcome === 'rotated-here' && result.local ? ' (local)' : reread ? ', re-reading apiKey' : ''}.`,
    );
    const provider = this.provider;
    if (!reread || !provider) return grant;
    return toGrant(await this.withTimeout((signal) => provider({ reason: 'rotated', signal })), 'apiKey');
  }
  // #endregion

  /** Loads a key from the provider, once for all concurrent callers. */
  private singleFlight(reason: KeyProviderReason, signal: AbortSignal | undefined): Promise<void> {
    if (this.loading?.version !== this.version) {
      const promise: Promise<void> = this.load(reason).finally(() => {
        if (this.loading?.promise === promise) this.loading = undefined;
      });
      promise.catch(() => {});
      this.loading = { version: this.version, promise };
    }
    return abortable(this.loading.promise, signal);
  }

  private async load(reason: KeyProviderReason): Promise<void> {
    const provider = this.provider;
    if (!provider) return;
    const version = this.version;
    try {
      const grant = toGrant(await this.withTimeout((signal) => provider({ reason, signal })), 'apiKey');
      // setApiKey() while the provider was loading is newer than the provider's answer: keep it.
      if (this.version !== version) return;
      // No answer to an early refresh keeps the still-valid key.
      if (!grant && reason === 'expiring') return;
      this.install(grant ?? { key: undefined });
    } catch (cause) {
      if (this.version !== version) return;
      const redacted = redactCause(this.options.secrets, cause);
      const described = (await loadErrorPath(this.options.logger)).providerFailed(reason);
      // setApiKey() while this failure was being described is newer still: keep it, fail nothing.
      if (this.version !== version) return;
      throw new InvalidApiKeyError({ ...described, cause: redacted });
    }
  }

  private install(grant: { key: string | undefined; expiresAt?: number }): void {
    this.options.secrets.add(grant.key);
    // The same key again (a config reload, a provider's cached answer) is not a replacement:
    // a request rejected with it must still reach the hook.
    const same = this.current !== undefined && this.current.key === grant.key;
    this.current = grant;
    if (!same) this.version += 1;
  }

  /** Runs a user callback under the refresh timeout, so a hung hook cannot hold every waiter forever. */
  private withTimeout<T>(run: (signal: AbortSignal) => T | Promise<T>): Promise<T> {
    const ms = this.options.refreshTimeoutMs;
    // A refresh belongs to no request: once they have all settled (or aborted), it must not keep the process alive.
    return withTimeout(run, ms, () => new Error(`The key refresh did not settle within ${ms} ms.`), { unref: true });
  }

  /**
   * The lint verdict for `key` when it needs no full checks: the one already made for this key value, or
   * "clean" for a plainly clean key (nearly every one). Undefined when the full checks must decide.
   */
  private quickLint(key: string | undefined): KeyLintResult | undefined {
    if (this.lint && this.lint.key === key) return this.lint.result instanceof Promise ? undefined : this.lint.result;
    const mode = this.options.keyLint;
    if (mode !== 'off' && !keyLooksClean(key)) return undefined;
    const result = this.checked({ ok: true, key, problems: [] });
    this.lint = { key, result };
    return result;
  }

  /**
   * The full key checks, which come with the error path (load-error-path.ts): one run per key value, shared
   * by every request that asks while it is under way (so the trimming warning comes once).
   */
  private fullLint(key: string | undefined): Promise<KeyLintResult> {
    if (this.lint && this.lint.key === key && this.lint.result instanceof Promise) return this.lint.result;
    const pending = loadErrorPath(this.options.logger).then((path) => {
      const result = this.checked(path.lintKey(key, this.options.keyLint));
      // Kept unless another key value was checked meanwhile (setApiKey).
      if (this.lint?.result === pending) this.lint = { key, result };
      return result;
    });
    this.lint = { key, result: pending };
    return pending;
  }

  /** Adds the preset's check, and warns when the key had to be trimmed (once per key value: the caller keeps the verdict). */
  private checked(lint: KeyLintResult): KeyLintResult {
    const result = withPresetCheck(lint, this.options.preset, this.options.keyLint);
    if (result.ok && result.problems.length) {
      this.options.logger.warn?.(`keyguard: ${result.problems.map((p) => p.message).join(' ')}`);
    }
    return result;
  }

  /** A grant whose `expiresAt` has passed is not sent: it goes through the hook like a server rejection. */
  private async pastExpiry(key: string | undefined, signal: AbortSignal | undefined): Promise<InvalidApiKeyError> {
    const described = (await loadErrorPath(this.options.logger, signal)).pastExpiry();
    return new InvalidApiKeyError({
      ...described,
      hint: withKeysUrl(described.hint, this.options.preset),
      keyHint: key ? keyHint(key) : undefined,
    });
  }

  private async clientRejection(
    lint: KeyLintResult,
    key: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<InvalidApiKeyError> {
    const described = (await loadErrorPath(this.options.logger, signal)).lintRejection(lint);
    return new InvalidApiKeyError({
      ...described,
      hint: withKeysUrl(described.hint, this.options.preset),
      keyHint: key && described.reason !== 'missing' ? keyHint(key) : undefined,
    });
  }
}
