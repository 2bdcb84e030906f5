/** Why a key was rejected. See SPEC §4. */
export type KeyErrorReason = 'expired' | 'revoked' | 'malformed' | 'missing' | 'unknown';

/** Every reason, in the order the docs list them. */
export const KEY_ERROR_REASONS: readonly KeyErrorReason[] = ['expired', 'revoked', 'malformed', 'missing', 'unknown'];
