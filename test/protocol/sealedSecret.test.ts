import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isSealedSecret, sealSecret, SecretOpener } from '../../server/src/protocol/sealedSecret';

test('a sealed secret opens with the receiver\'s key only, and its text shows nothing of the secret', () => {
  const server = new SecretOpener();
  const secret = 'Pw-ünïcode-and-long-'.repeat(20);
  const sealed = sealSecret(secret, server.publicKey);
  assert.ok(isSealedSecret(sealed));
  assert.equal(server.open(sealed), secret);
  assert.ok(!JSON.stringify(sealed).includes('Pw-'));
  // Each message has its own key and nonce: the same secret never looks the same twice.
  const again = sealSecret(secret, server.publicKey);
  assert.notEqual(again.data, sealed.data);
  assert.notEqual(again.key, sealed.key);
  assert.throws(() => new SecretOpener().open(sealed));
});

test('an altered sealed secret is refused, not opened to something else', () => {
  const server = new SecretOpener();
  const sealed = sealSecret('secret', server.publicKey);
  const flipped = Buffer.from(sealed.data, 'base64');
  flipped[0] ^= 1;
  assert.throws(() => server.open({ ...sealed, data: flipped.toString('base64') }));
  assert.throws(() => server.open({ ...sealed, tag: Buffer.alloc(16).toString('base64') }));
  assert.ok(!isSealedSecret({ key: 'k', iv: 'i', data: 'd' }));
  assert.ok(!isSealedSecret('secret'));
});
