import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { UploadError, uploadZip } from '../../../server/src/engine';

// What an upload reads on this machine is refused before any connection is tried: these need no sshd.

const dir = mkdtempSync(join(tmpdir(), 'alma-sis-upload-local-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const zip = join(dir, 'feed.zip');
writeFileSync(zip, 'PK\u0005\u0006' + '\u0000'.repeat(18));

async function failure(privateKeyPath: string): Promise<UploadError> {
  // Port 9 on loopback (discard): nothing is expected to answer, and nothing should be tried.
  const sftp = { host: '127.0.0.1', port: 9, username: 'nobody', privateKeyPath, hostKeyFingerprint: `SHA256:${'A'.repeat(43)}`, directory: '/upload', synchronizePath: 'sync' };
  const started = Date.now();
  const error = await uploadZip({ localPath: zip, sftp, target: 'synchronize', credentials: {}, baseDir: dir }).then(
    () => assert.fail('the upload should have been refused'),
    (e: unknown) => e,
  );
  assert.ok(Date.now() - started < 10_000, 'refused at once, not after a connection attempt');
  assert.ok(error instanceof UploadError, String(error));
  return error;
}

test('a private key path at a device is refused at once, not read without end', async () => {
  const error = await failure('/dev/zero');
  assert.match(error.message, /cannot read the private key \/dev\/zero: .*not a regular file/);
});

test('a missing private key is refused with its path', async () => {
  const error = await failure(join(dir, 'missing_ed25519'));
  assert.match(error.message, /cannot read the private key .*missing_ed25519: .*does not exist/);
});
