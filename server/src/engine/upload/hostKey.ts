import { createHash } from 'node:crypto';

/**
 * The OpenSSH fingerprint of a host key blob, as `ssh-keygen -lf` prints it: `SHA256:` and the
 * unpadded base64 of the SHA-256 of the key blob.
 */
export function hostKeyFingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** Equal fingerprints; a pinned value copied with base64 padding still matches. */
export function sameFingerprint(pinned: string, seen: string): boolean {
  return pinned.trim().replace(/=+$/, '') === seen;
}
