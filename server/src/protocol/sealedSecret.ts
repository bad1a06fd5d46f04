import { createCipheriv, createDecipheriv, createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';

/**
 * A password or key passphrase on its way from the editor's secret storage to the language
 * server, which does the upload. LSP messages are written to the output channel and its log file
 * when `alma-sis.trace.server` is "verbose", so the secret never travels in the clear: the server
 * publishes an X25519 public key at start (capabilities.experimental), the client seals each
 * secret to it with a key of its own for that message, and only the server process can open it.
 */
export interface SealedSecret {
  /** The sender's one-message public key, SPKI DER, base64. */
  key: string;
  iv: string;
  data: string;
  tag: string;
}

const INFO = Buffer.from('alma-sis sealed secret v1');

function aesKey(shared: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', shared, Buffer.alloc(0), INFO, 32));
}

function publicKeyOf(base64: string): KeyObject {
  return createPublicKey({ key: Buffer.from(base64, 'base64'), format: 'der', type: 'spki' });
}

export function sealSecret(secret: string, recipientPublicKey: string): SealedSecret {
  const mine = generateKeyPairSync('x25519');
  const shared = diffieHellman({ privateKey: mine.privateKey, publicKey: publicKeyOf(recipientPublicKey) });
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', aesKey(shared), iv);
  const data = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return {
    key: mine.publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
    iv: iv.toString('base64'),
    data: data.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
  };
}

/** The receiving end: one key pair for the life of the server process. */
export class SecretOpener {
  private readonly pair = generateKeyPairSync('x25519');

  get publicKey(): string {
    return this.pair.publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
  }

  /** The secret; throws when it was sealed to another key or altered on the way. */
  open(sealed: SealedSecret): string {
    const shared = diffieHellman({ privateKey: this.pair.privateKey, publicKey: publicKeyOf(sealed.key) });
    const decipher = createDecipheriv('aes-256-gcm', aesKey(shared), Buffer.from(sealed.iv, 'base64'));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]).toString('utf8');
  }
}

export function isSealedSecret(value: unknown): value is SealedSecret {
  if (value === null || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return ['key', 'iv', 'data', 'tag'].every((field) => typeof v[field] === 'string');
}
