import { KeyguardError } from './keyguard-error.js';

/** `createClient` (or a request) got an option it cannot use. `option` names it. */
export class ConfigError extends KeyguardError {
  /** Pinned (a getter: not enumerable, not writable) so a bundler that renames the class (esbuild: `_ConfigError`) keeps its name. */
  static override get name(): string {
    return 'ConfigError';
  }
  /** Always `'ConfigError'`. */
  override name = 'ConfigError';

  constructor(
    /** The option's path, e.g. `baseUrl` or `retry.retries`. */
    readonly option: string,
    problem: string,
    options?: { cause?: unknown },
  ) {
    super(`Invalid option "${option}": ${problem}.`, options);
  }
}
