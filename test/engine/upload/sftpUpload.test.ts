import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import SftpClient from 'ssh2-sftp-client';
import type { SftpSettings } from '../../../server/src/engine/config/types';
import { hostKeyFingerprint } from '../../../server/src/engine/upload/hostKey';
import {
  remoteFolder,
  temporaryName,
  UploadError,
  uploadZip,
  type UploadOptions,
  type UploadProgress,
  type UploadRequest,
} from '../../../server/src/engine/upload/sftpUpload';
import { startDroppingProxy } from '../../helpers/droppingProxy';
import { missingTool } from '../../helpers/prerequisites';
import {
  remoteFiles,
  SFTP_TEST_PASSPHRASE,
  SFTP_TEST_PASSWORD,
  SFTP_TEST_USER,
  sshServerMissing,
  startSshServer,
  type SshServer,
} from '../../helpers/sshServer';

const FAST_RETRY = { initialDelayMs: 20, maxDelayMs: 50 };

describe('remote paths and names', () => {
  const sftp: SftpSettings = { host: 'h', username: 'u', directory: '/incoming/sis', importPath: 'import', synchronizePath: 'sync/daily' };

  it('joins directory and the target folder with posix separators', () => {
    assert.equal(remoteFolder(sftp, 'import'), '/incoming/sis/import');
    assert.equal(remoteFolder(sftp, 'synchronize'), '/incoming/sis/sync/daily');
    assert.equal(remoteFolder({ ...sftp, directory: undefined }, 'import'), 'import');
  });

  it('refuses a folder that climbs out with .., and a missing target folder', () => {
    assert.throws(() => remoteFolder({ ...sftp, importPath: '../etc' }, 'import'), /importPath "..\/etc" contains ".."/);
    assert.throws(() => remoteFolder({ ...sftp, directory: '/a/../b' }, 'import'), /directory/);
    assert.throws(() => remoteFolder({ ...sftp, synchronizePath: undefined }, 'synchronize'), /no synchronizePath/);
  });

  it('writes under a hidden name that does not end in .zip', () => {
    assert.equal(temporaryName('students.zip'), '.students.zip.part');
    assert.doesNotMatch(temporaryName('students.zip'), /\.zip$/i);
  });

  it('computes the fingerprint ssh-keygen prints: SHA256 and unpadded base64', () => {
    assert.equal(hostKeyFingerprint(Buffer.from('abc')), 'SHA256:ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0');
  });
});

describe('bounded waits', () => {
  it('gives up on a server that accepts the connection but never speaks SSH', async () => {
    const silent = createServer((socket) => socket.on('error', () => undefined));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const dir = mkdtempSync(join(tmpdir(), 'alma-sis-upload-silent-'));
    try {
      const zip = join(dir, 'feed.zip');
      writeFileSync(zip, 'PK');
      const port = (silent.address() as { port: number }).port;
      const attempts: number[] = [];
      const upload = uploadZip(
        {
          localPath: zip,
          target: 'import',
          baseDir: dir,
          credentials: { password: 'x' },
          sftp: { host: '127.0.0.1', port, username: 'u', hostKeyFingerprint: hostKeyFingerprint(Buffer.from('k')), importPath: 'import' },
        },
        { readyTimeoutMs: 300, retry: { attempts: 2, initialDelayMs: 10 }, onProgress: (p) => p.phase === 'connecting' && attempts.push(p.attempt) },
      );
      await assert.rejects(upload, (error: unknown) => error instanceof UploadError && error.reason === 'connection' && /gave up after 2 attempts/.test(error.message));
      assert.deepEqual(attempts, [1, 2]);
    } finally {
      silent.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const missing = sshServerMissing();

describe('uploadZip against a real sshd on loopback', { skip: missing }, () => {
  let server: SshServer;
  let dir: string;
  let zipPath: string;
  let bytes: Buffer;
  let counter = 0;

  before(async () => {
    server = await startSshServer();
    dir = mkdtempSync(join(tmpdir(), 'alma-sis-upload-'));
    bytes = randomBytes(2 * 1024 * 1024);
  });
  after(async () => {
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** A fresh zip name per test, so tests never see each other's files. */
  function newZip(): string {
    zipPath = join(dir, `feed-${++counter}.zip`);
    writeFileSync(zipPath, bytes);
    return zipPath;
  }

  function request(overrides: Partial<SftpSettings> = {}, credentials: UploadRequest['credentials'] = {}): UploadRequest {
    return {
      localPath: zipPath,
      target: 'import',
      baseDir: dir,
      credentials,
      sftp: {
        host: '127.0.0.1',
        port: server.port,
        username: SFTP_TEST_USER,
        privateKeyPath: server.clientKeyPath,
        hostKeyFingerprint: server.fingerprint,
        directory: server.remoteDir,
        importPath: 'import',
        synchronizePath: 'synchronize',
        ...overrides,
      },
    };
  }

  async function refused(promise: Promise<unknown>): Promise<UploadError> {
    try {
      await promise;
    } catch (error) {
      assert.ok(error instanceof UploadError, `expected an UploadError, got ${String(error)}`);
      return error;
    }
    assert.fail('expected the upload to be refused');
  }

  function landed(name: string): Buffer {
    return readFileSync(join(server.localDir, 'import', name));
  }

  it('lands the exact bytes under the final name and nothing else, reporting progress to 100%', async () => {
    newZip();
    const seen: UploadProgress[] = [];
    const result = await uploadZip(request(), { onProgress: (p) => seen.push(p) });
    assert.equal(result.remotePath, '/upload/import/feed-1.zip');
    assert.equal(result.bytes, bytes.length);
    assert.equal(result.attempts, 1);
    assert.equal(result.hostFingerprint, server.fingerprint);
    assert.deepEqual(result.otherZips, []);
    assert.deepEqual(remoteFiles(server), ['import/feed-1.zip']);
    assert.ok(landed('feed-1.zip').equals(bytes));
    const uploading = seen.filter((p) => p.phase === 'uploading');
    assert.ok(uploading.length > 2);
    assert.equal(uploading.at(-1)?.bytesDone, bytes.length);
    assert.equal(uploading.at(-1)?.percent, 100);
    assert.deepEqual([...new Set(seen.map((p) => p.phase))], ['connecting', 'uploading', 'verifying', 'renaming']);
  });

  it('uploads to the synchronize folder when asked, naming the zips still waiting there', async () => {
    newZip();
    writeFileSync(join(server.localDir, 'synchronize', 'waiting.zip'), 'earlier');
    writeFileSync(join(server.localDir, 'synchronize', 'done.zip.handled'), 'processed');
    const result = await uploadZip({ ...request(), target: 'synchronize' });
    rmSync(join(server.localDir, 'synchronize', 'waiting.zip'));
    rmSync(join(server.localDir, 'synchronize', 'done.zip.handled'));
    assert.deepEqual(result.otherZips, ['waiting.zip']);
    assert.equal(result.remotePath, `/upload/synchronize/feed-${counter}.zip`);
    assert.ok(readFileSync(join(server.localDir, 'synchronize', `feed-${counter}.zip`)).equals(bytes));
    rmSync(join(server.localDir, 'synchronize', `feed-${counter}.zip`));
  });

  it('refuses a host key that does not match, before any credential is sent, showing the key seen', async () => {
    newZip();
    const before = remoteFiles(server);
    const logBefore = server.log().length;
    const wrong = hostKeyFingerprint(Buffer.from('another server'));
    const error = await refused(uploadZip(request({ hostKeyFingerprint: wrong }, { password: SFTP_TEST_PASSWORD })));
    assert.equal(error.reason, 'host-key-mismatch');
    assert.equal(error.seenFingerprint, server.fingerprint);
    assert.ok(error.message.includes(server.fingerprint), error.message);
    assert.ok(!error.message.includes(SFTP_TEST_PASSWORD));
    assert.deepEqual(remoteFiles(server), before);
    // sshd logs every authentication attempt (LogLevel VERBOSE): there was none.
    const log = server.log().slice(logBefore);
    assert.doesNotMatch(log, /Accepted|Failed|Postponed|userauth/i);
  });

  it('refuses a server whose key is not pinned, returning its fingerprint for first-contact trust', async () => {
    newZip();
    const error = await refused(uploadZip(request({ hostKeyFingerprint: undefined })));
    assert.equal(error.reason, 'host-key-unknown');
    assert.equal(error.seenFingerprint, server.fingerprint);
    assert.match(error.message, /not pinned: its fingerprint is SHA256:/);
    assert.equal(remoteFiles(server).includes(`import/feed-${counter}.zip`), false);
  });

  it('never overwrites a remote file of the same name, and leaves no temporary file', async () => {
    newZip();
    const existing = join(server.localDir, 'import', `feed-${counter}.zip`);
    writeFileSync(existing, 'already there');
    const error = await refused(uploadZip(request()));
    assert.equal(error.reason, 'exists');
    assert.match(error.message, /already exists .* not overwritten/);
    assert.equal(readFileSync(existing, 'utf8'), 'already there');
    assert.equal(existsSync(join(server.localDir, 'import', temporaryName(`feed-${counter}.zip`))), false);
    rmSync(existing);
  });

  it('logs in through an ssh agent holding the key', { skip: missingTool('ssh-agent', 'openssh-client', ['-h']) }, async () => {
    newZip();
    const socket = join(dir, 'agent.sock');
    const agent = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
    try {
      for (let i = 0; i < 100 && !existsSync(socket); i++) await new Promise((resolve) => setTimeout(resolve, 20));
      execFileSync('ssh-add', [server.clientKeyPath], { env: { ...process.env, SSH_AUTH_SOCK: socket }, stdio: 'ignore' });
      await uploadZip(request({ privateKeyPath: undefined }, { agent: socket }));
      assert.ok(landed(`feed-${counter}.zip`).equals(bytes));
    } finally {
      agent.kill();
    }
  });

  it("relies on OpenSSH's SFTP rename refusing to replace an existing file", async () => {
    const client = new SftpClient('rename-check', { error: () => undefined, end: () => undefined, close: () => undefined });
    await client.connect({
      host: '127.0.0.1',
      port: server.port,
      username: SFTP_TEST_USER,
      privateKey: readFileSync(server.clientKeyPath),
      hostVerifier: (key: Buffer) => hostKeyFingerprint(key) === server.fingerprint,
    });
    try {
      await client.put(Buffer.from('new'), '/upload/import/.clobber.zip.part');
      await client.put(Buffer.from('old'), '/upload/import/clobber.zip');
      await assert.rejects(client.rename('/upload/import/.clobber.zip.part', '/upload/import/clobber.zip'));
      assert.equal(readFileSync(join(server.localDir, 'import', 'clobber.zip'), 'utf8'), 'old');
    } finally {
      await client.delete('/upload/import/.clobber.zip.part', true);
      await client.delete('/upload/import/clobber.zip', true);
      await client.end();
    }
  });

  it('logs in with a password, and a wrong one is refused without showing it', async () => {
    newZip();
    await uploadZip(request({ privateKeyPath: undefined }, { password: SFTP_TEST_PASSWORD }));
    assert.ok(landed(`feed-${counter}.zip`).equals(bytes));
    newZip();
    const wrong = 'not-the-password-31f';
    const error = await refused(uploadZip(request({ privateKeyPath: undefined }, { password: wrong })));
    assert.equal(error.reason, 'authentication');
    assert.ok(!error.message.includes(wrong));
    assert.match(error.message, /refused the login \(tried: password\)/);
  });

  it('logs in with a passphrase-protected key, and says so when the passphrase is missing', async () => {
    newZip();
    await uploadZip(request({ privateKeyPath: server.encryptedKeyPath }, { passphrase: SFTP_TEST_PASSPHRASE }));
    assert.ok(landed(`feed-${counter}.zip`).equals(bytes));
    newZip();
    const error = await refused(uploadZip(request({ privateKeyPath: server.encryptedKeyPath })));
    assert.equal(error.reason, 'authentication');
    assert.match(error.message, /passphrase/);
  });

  it('retries a connection cut mid-transfer from byte 0 and completes, with no partial .zip on the way', async () => {
    newZip();
    const proxy = await startDroppingProxy(server.port, { afterBytes: 512 * 1024, connections: 1 });
    const zipsWhileRetrying: string[][] = [];
    try {
      const options: UploadOptions = {
        retry: FAST_RETRY,
        onProgress: (p) => {
          if (p.phase === 'waiting') zipsWhileRetrying.push(remoteFiles(server).filter((f) => f.endsWith('.zip')));
        },
      };
      const result = await uploadZip(request({ port: proxy.port }), options);
      assert.equal(proxy.dropped, 1);
      assert.equal(result.attempts, 2);
      assert.deepEqual(zipsWhileRetrying, [remoteFiles(server).filter((f) => f.endsWith('.zip') && f !== `import/feed-${counter}.zip`)]);
      assert.ok(landed(`feed-${counter}.zip`).equals(bytes));
      assert.equal(existsSync(join(server.localDir, 'import', temporaryName(`feed-${counter}.zip`))), false);
    } finally {
      await proxy.close();
    }
  });

  it('gives up after its attempts when every connection drops, leaving neither the zip nor the temporary file', async () => {
    newZip();
    const proxy = await startDroppingProxy(server.port, { afterBytes: 512 * 1024, connections: Infinity });
    try {
      const error = await refused(uploadZip(request({ port: proxy.port }), { retry: { ...FAST_RETRY, attempts: 3 } }));
      assert.equal(error.reason, 'connection');
      assert.match(error.message, /gave up after 3 attempts/);
      assert.equal(proxy.dropped, 3);
      const name = `feed-${counter}.zip`;
      assert.equal(existsSync(join(server.localDir, 'import', name)), false);
      assert.equal(existsSync(join(server.localDir, 'import', temporaryName(name))), false);
    } finally {
      await proxy.close();
    }
  });

  it('stops when cancelled mid-transfer and removes the temporary file', async () => {
    newZip();
    const controller = new AbortController();
    const error = await refused(
      uploadZip(request(), {
        signal: controller.signal,
        onProgress: (p) => {
          if (p.phase === 'uploading' && p.bytesDone > 0) controller.abort();
        },
      }),
    );
    assert.equal(error.reason, 'cancelled');
    const name = `feed-${counter}.zip`;
    assert.equal(existsSync(join(server.localDir, 'import', name)), false);
    assert.equal(existsSync(join(server.localDir, 'import', temporaryName(name))), false);
  });

  it('refuses a missing remote folder and a local file that is not a zip', async () => {
    newZip();
    const error = await refused(uploadZip(request({ importPath: 'nowhere' })));
    assert.equal(error.reason, 'remote-folder');
    const text = join(dir, 'feed.xml');
    writeFileSync(text, '<users/>');
    const notZip = await refused(uploadZip({ ...request(), localPath: text }));
    assert.equal(notZip.reason, 'local-file');
  });
});
