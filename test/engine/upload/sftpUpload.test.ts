import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
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

  describe('a hostile folder: whoever else can write there', () => {
    const importDir = () => join(server.localDir, 'import');
    /** A file the SFTP user may write, outside the upload folders: what a planted link aims at. */
    function victim(): string {
      const path = join(server.localDir, 'victim.txt');
      writeFileSync(path, 'precious');
      chownSync(path, statSync(server.localDir).uid, 0);
      return path;
    }
    function names(): { name: string; temp: string; final: string } {
      newZip();
      const name = `feed-${counter}.zip`;
      return { name, temp: join(importDir(), temporaryName(name)), final: join(importDir(), name) };
    }

    it('never writes through a link planted at the temporary name, nor publishes it', async () => {
      const target = victim();
      const { temp, final } = names();
      symlinkSync('../victim.txt', temp);
      try {
        const error = await refused(uploadZip(request()));
        assert.equal(error.reason, 'interference');
        assert.match(error.message, /is a symbolic link, which this upload did not write: it is neither written through nor removed/);
        assert.equal(readFileSync(target, 'utf8'), 'precious');
        assert.ok(lstatSync(temp).isSymbolicLink(), 'the planted link is left as it was');
        assert.equal(existsSync(final), false);
      } finally {
        rmSync(temp, { force: true });
        rmSync(target, { force: true });
      }
    });

    it('does not create the file a dangling link at the temporary name points to', async () => {
      const { temp, final } = names();
      const planted = join(server.localDir, 'planted.zip');
      symlinkSync('../planted.zip', temp);
      try {
        const error = await refused(uploadZip(request()));
        assert.equal(error.reason, 'interference');
        assert.equal(existsSync(planted), false);
        assert.equal(existsSync(final), false);
      } finally {
        rmSync(temp, { force: true });
      }
    });

    it('refuses a folder at the temporary name and leaves it', async () => {
      const { temp, final } = names();
      mkdirSync(temp);
      try {
        const error = await refused(uploadZip(request()));
        assert.equal(error.reason, 'interference');
        assert.match(error.message, /is a folder/);
        assert.ok(statSync(temp).isDirectory());
        assert.equal(existsSync(final), false);
      } finally {
        rmSync(temp, { recursive: true, force: true });
      }
    });

    it("removes a regular leftover of a crashed run at the temporary name and uploads afresh", async () => {
      const { name, temp } = names();
      writeFileSync(temp, 'the first half of an earlier attempt');
      chownSync(temp, statSync(server.localDir).uid, 0);
      const result = await uploadZip(request());
      assert.equal(result.attempts, 1);
      assert.ok(landed(name).equals(bytes));
      assert.equal(existsSync(temp), false);
    });

    it('does not rename a temporary file replaced by a link after it was written', async () => {
      const target = victim();
      const { temp, final } = names();
      const link = join(importDir(), 'swap.link');
      symlinkSync('../victim.txt', link);
      try {
        const error = await refused(
          uploadZip(request(), {
            // Runs after the last byte is answered and before the name is checked again.
            onProgress: (p) => p.phase === 'verifying' && renameSync(link, temp),
          }),
        );
        assert.equal(error.reason, 'interference');
        assert.match(error.message, /was replaced by a symbolic link .* while it was written: not renaming it/);
        assert.equal(existsSync(final), false);
        assert.equal(readFileSync(target, 'utf8'), 'precious');
      } finally {
        rmSync(temp, { force: true });
        rmSync(link, { force: true });
        rmSync(target, { force: true });
      }
    });

    it('takes back what the rename published when a link was swapped in just before it', async () => {
      const target = victim();
      const { temp, final } = names();
      const link = join(importDir(), 'swap.link');
      symlinkSync('../victim.txt', link);
      try {
        const error = await refused(uploadZip(request(), { onProgress: (p) => p.phase === 'renaming' && renameSync(link, temp) }));
        assert.equal(error.reason, 'interference');
        assert.match(error.message, /is not the file written \(a symbolic link\); removed it/);
        assert.equal(existsSync(final), false);
        assert.equal(existsSync(temp), false);
        assert.equal(readFileSync(target, 'utf8'), 'precious');
      } finally {
        rmSync(link, { force: true });
        rmSync(target, { force: true });
      }
    });

    it("takes back another user's file of the same size swapped in just before the rename", async () => {
      const { temp, final } = names();
      const forged = join(importDir(), 'forged.bin');
      // Root's file, the same size as the zip: only its owner (and time) tell it apart.
      writeFileSync(forged, Buffer.alloc(bytes.length, 0x41));
      try {
        const error = await refused(uploadZip(request(), { onProgress: (p) => p.phase === 'renaming' && renameSync(forged, temp) }));
        assert.equal(error.reason, 'interference');
        assert.match(error.message, new RegExp(`is not the file written \\(a file of ${bytes.length} bytes\\); removed it`));
        assert.equal(existsSync(final), false);
      } finally {
        rmSync(forged, { force: true });
      }
    });
  });

  describe('stalled servers: each attempt ends in bounded time, nothing is left', () => {
    async function timed<T>(work: Promise<T>): Promise<{ value: T; seconds: number }> {
      const started = Date.now();
      const value = await work;
      return { value, seconds: (Date.now() - started) / 1000 };
    }
    function nothingLeft(name: string): void {
      assert.equal(existsSync(join(server.localDir, 'import', name)), false);
      assert.equal(existsSync(join(server.localDir, 'import', temporaryName(name))), false);
    }

    it('gives up on a peer that accepts the TCP connection and never sends a banner', async () => {
      newZip();
      const proxy = await startDroppingProxy(server.port, { afterBytes: 0, connections: Infinity, action: 'stall' });
      try {
        const { value: error, seconds } = await timed(
          refused(uploadZip(request({ port: proxy.port }), { readyTimeoutMs: 800, retry: { attempts: 2, initialDelayMs: 20 } })),
        );
        assert.equal(error.reason, 'connection');
        assert.match(error.message, /did not complete the SSH handshake within 0\.8 s .*\(gave up after 2 attempts\)$/);
        assert.doesNotMatch(error.message, /\n/);
        assert.deepEqual(proxy.toClient, [0, 0]);
        assert.ok(seconds >= 1.6 && seconds < 4, `took ${seconds} s`);
        nothingLeft(`feed-${counter}.zip`);
      } finally {
        await proxy.close();
      }
    });

    it('bounds the whole handshake, however steadily a peer trickles its banner', async () => {
      newZip();
      // A byte every 200 ms: far more often than the timeout, so a timer that bytes reset would never fire.
      const proxy = await startDroppingProxy(server.port, { afterBytes: Infinity, connections: 0, trickleMs: 200 });
      try {
        const { value: error, seconds } = await timed(
          refused(uploadZip(request({ port: proxy.port }), { readyTimeoutMs: 1500, retry: { attempts: 2, initialDelayMs: 20 } })),
        );
        assert.equal(error.reason, 'connection');
        assert.match(error.message, /did not complete the SSH handshake within 1\.5 s/);
        assert.ok(proxy.toClient.every((n) => n >= 5), `bytes trickled per connection: ${proxy.toClient.join(', ')}`);
        assert.ok(seconds >= 3 && seconds < 6, `took ${seconds} s`);
        nothingLeft(`feed-${counter}.zip`);
      } finally {
        await proxy.close();
      }
    });

    it('drops a connection that goes silent mid-transfer and completes on the next', async () => {
      newZip();
      const proxy = await startDroppingProxy(server.port, { afterBytes: 512 * 1024, connections: 1, action: 'stall' });
      const reasons: string[] = [];
      try {
        const { value: result, seconds } = await timed(
          uploadZip(request({ port: proxy.port }), {
            stallTimeoutMs: 1000,
            retry: FAST_RETRY,
            onProgress: (p) => p.phase === 'waiting' && reasons.push(p.reason ?? ''),
          }),
        );
        assert.equal(proxy.stalled, 1);
        assert.equal(result.attempts, 2);
        assert.equal(reasons.length, 1);
        assert.match(reasons[0], /stopped answering: nothing came back for 1 s, so the connection was dropped/);
        assert.ok(seconds < 6, `took ${seconds} s`);
        assert.ok(landed(`feed-${counter}.zip`).equals(bytes));
        assert.equal(existsSync(join(server.localDir, 'import', temporaryName(`feed-${counter}.zip`))), false);
      } finally {
        await proxy.close();
      }
    });

    it('gives up on a server that goes silent mid-transfer every time, removing its partial file', async () => {
      newZip();
      const name = `feed-${counter}.zip`;
      const proxy = await startDroppingProxy(server.port, { afterBytes: 512 * 1024, connections: Infinity, action: 'stall' });
      let partial = false;
      try {
        const { value: error, seconds } = await timed(
          refused(
            uploadZip(request({ port: proxy.port }), {
              stallTimeoutMs: 1000,
              retry: { ...FAST_RETRY, attempts: 2 },
              onProgress: (p) => {
                if (p.phase === 'waiting') partial ||= existsSync(join(server.localDir, 'import', temporaryName(name)));
              },
            }),
          ),
        );
        assert.equal(error.reason, 'connection');
        assert.match(error.message, /stopped answering: nothing came back for 1 s, so the connection was dropped \(gave up after 2 attempts\)$/);
        assert.ok(partial, 'the stalled attempt had left a partial temporary file to clean up');
        assert.equal(proxy.stalled, 2);
        assert.ok(seconds < 8, `took ${seconds} s`);
        nothingLeft(name);
      } finally {
        await proxy.close();
      }
    });
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
