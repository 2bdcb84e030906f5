/** Why a key was rejected; docs/key-errors.md defines each reason. */
export type KeyErrorReason = 'expired' | 'revoked' | 'malformed' | 'missing' | 'unknown';

/** Every reason, in the order the docs list them. */
export const KEY_ERROR_REASONS: readonly KeyErrorReason[] = ['expired', 'revoked', 'malformed', 'missing', 'unknown'];
