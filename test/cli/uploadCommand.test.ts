import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, lstatSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startDroppingProxy } from '../helpers/droppingProxy';
import { repoRoot } from '../helpers/repoRoot';
import { SFTP_TEST_PASSPHRASE, SFTP_TEST_PASSWORD, SFTP_TEST_USER, sshServerMissing, startSshServer, type SshServer } from '../helpers/sshServer';

/** `alma-sis upload`: the bundled dist/cli.js (which must load ssh2 from the bundle) against a real sshd. */

const cli = join(repoRoot(), 'dist', 'cli.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], cwd: string, env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const clean = { ...process.env };
    for (const name of ['ALMA_SIS_SFTP_PASSWORD', 'ALMA_SIS_SFTP_PASSPHRASE', 'SSH_AUTH_SOCK']) delete clean[name];
    const child = spawn(process.execPath, [cli, ...args], { cwd, env: { ...clean, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('alma-sis upload', { skip: sshServerMissing() }, () => {
  let server: SshServer;
  let dir: string;
  const bytes = randomBytes(300 * 1024);

  function writeConfig(sftp: Record<string, unknown>): void {
    const profile = {
      code: 'STUDENTS',
      sftp: {
        host: '127.0.0.1',
        port: server.port,
        username: SFTP_TEST_USER,
        hostKeyFingerprint: server.fingerprint,
        directory: server.remoteDir,
        importPath: 'import',
        synchronizePath: 'synchronize',
        ...sftp,
      },
    };
    writeFileSync(join(dir, 'alma-sis.config.json'), JSON.stringify({ profiles: [profile] }, null, 2));
  }

  function zip(name: string): string {
    writeFileSync(join(dir, name), bytes);
    return name;
  }

  before(async () => {
    server = await startSshServer();
    dir = mkdtempSync(join(tmpdir(), 'alma-sis-upload-cli-'));
  });
  after(async () => {
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('uploads with a password from the environment, never printing it', async () => {
    writeConfig({});
    const result = await run(['upload', zip('a.zip'), '--to', 'import'], dir, { ALMA_SIS_SFTP_PASSWORD: SFTP_TEST_PASSWORD });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /uploaded 307200 bytes to 127\.0\.0\.1:\/upload\/import\/a\.zip/);
    assert.ok(readFileSync(join(server.localDir, 'import', 'a.zip')).equals(bytes));
    assert.deepEqual(readdirSync(join(server.localDir, 'import')), ['a.zip']);
    assert.ok(!(result.stdout + result.stderr).includes(SFTP_TEST_PASSWORD));
  });

  it('uploads with a key and its passphrase from the environment to the synchronize folder', async () => {
    writeConfig({ privateKeyPath: server.encryptedKeyPath });
    writeFileSync(join(server.localDir, 'synchronize', 'pending.zip'), 'not fetched yet');
    const result = await run(['upload', zip('b.zip'), '--to', 'synchronize'], dir, { ALMA_SIS_SFTP_PASSPHRASE: SFTP_TEST_PASSPHRASE });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /note: Alma has not fetched 1 other zip there yet \(pending\.zip\)/);
    assert.ok(readFileSync(join(server.localDir, 'synchronize', 'b.zip')).equals(bytes));
    assert.ok(!(result.stdout + result.stderr).includes(SFTP_TEST_PASSPHRASE));
  });

  it('refuses a wrong host key with exit 2 and one line showing the fingerprint seen', async () => {
    writeConfig({ hostKeyFingerprint: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' });
    const result = await run(['upload', zip('c.zip'), '--to', 'import'], dir, { ALMA_SIS_SFTP_PASSWORD: SFTP_TEST_PASSWORD });
    assert.equal(result.code, 2);
    const lines = result.stderr.split('\n').filter((line) => line.startsWith('alma-sis:'));
    assert.equal(lines.length, 1, result.stderr);
    assert.ok(lines[0].includes(`the server showed ${server.fingerprint}`), lines[0]);
    assert.equal(existsSync(join(server.localDir, 'import', 'c.zip')), false);
    assert.ok(!(result.stdout + result.stderr).includes(SFTP_TEST_PASSWORD));
  });

  it('refuses a wrong password with exit 2, without echoing it', async () => {
    writeConfig({});
    const secret = 'Wrong-secret-never-printed-99';
    const result = await run(['upload', zip('d.zip'), '--to', 'import'], dir, { ALMA_SIS_SFTP_PASSWORD: secret });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^alma-sis: upload failed: .*refused the login/m);
    assert.ok(!(result.stdout + result.stderr).includes(secret));
  });

  it('refuses to overwrite an existing remote file', async () => {
    writeConfig({});
    writeFileSync(join(server.localDir, 'import', 'e.zip'), 'earlier upload');
    const result = await run(['upload', zip('e.zip'), '--to', 'import'], dir, { ALMA_SIS_SFTP_PASSWORD: SFTP_TEST_PASSWORD });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /already exists/);
    assert.equal(readFileSync(join(server.localDir, 'import', 'e.zip'), 'utf8'), 'earlier upload');
  });

  it('refuses to write through a link planted at the temporary name, exit 2 and one line', async () => {
    writeConfig({});
    const victim = join(server.localDir, 'victim.txt');
    writeFileSync(victim, 'precious');
    chownSync(victim, statSync(server.localDir).uid, 0);
    const temp = join(server.localDir, 'import', '.f.zip.part');
    symlinkSync('../victim.txt', temp);
    try {
      const result = await run(['upload', zip('f.zip'), '--to', 'import'], dir, { ALMA_SIS_SFTP_PASSWORD: SFTP_TEST_PASSWORD });
      assert.equal(result.code, 2, result.stderr);
      const lines = result.stderr.split('\n').filter((line) => line.startsWith('alma-sis:'));
      assert.deepEqual(lines, [
        'alma-sis: upload failed: /upload/import/.f.zip.part on 127.0.0.1 is a symbolic link, which this upload did not write: it is neither written through nor removed; remove it, then upload again',
      ]);
      assert.equal(readFileSync(victim, 'utf8'), 'precious');
      assert.ok(lstatSync(temp).isSymbolicLink());
      assert.equal(existsSync(join(server.localDir, 'import', 'f.zip')), false);
    } finally {
      rmSync(temp, { force: true });
      rmSync(victim, { force: true });
    }
  });

  it('escapes a local zip name that holds a line break, so it forges no output line', async () => {
    writeConfig({});
    const name = 'g\nalma-sis: upload failed: forged.zip';
    const shown = 'g\\nalma-sis: upload failed: forged.zip';
    const first = await run(['upload', zip(name), '--to', 'import'], dir, { ALMA_SIS_SFTP_PASSWORD: SFTP_TEST_PASSWORD });
    assert.equal(first.code, 0, first.stderr);
    assert.ok(readFileSync(join(server.localDir, 'import', name)).equals(bytes), 'the file keeps its real name on the server');
    const lines = first.stderr.split('\n').filter(Boolean);
    for (const line of lines) assert.match(line, /^(connecting|uploading|verifying|renaming|uploaded|note:) /, line);
    const uploaded = lines.filter((line) => line.startsWith('uploaded '));
    assert.deepEqual(uploaded, [`uploaded 307200 bytes to 127.0.0.1:/upload/import/${shown}`]);
    // Refused the second time (it exists): the failure line is one line too.
    const again = await run(['upload', name, '--to', 'import'], dir, { ALMA_SIS_SFTP_PASSWORD: SFTP_TEST_PASSWORD });
    assert.equal(again.code, 2);
    const failures = again.stderr.split('\n').filter((line) => line.startsWith('alma-sis:'));
    assert.equal(failures.length, 1, again.stderr);
    assert.ok(failures[0].startsWith(`alma-sis: upload failed: /upload/import/${shown} already exists`), failures[0]);
    rmSync(join(server.localDir, 'import', name));
  });

  it("escapes terminal sequences and line breaks in the server's file names on the note line", async () => {
    writeConfig({});
    const hostile = ['waiting\x1b]0;owned\x07.zip', 'later\nuploaded 1 bytes to x.zip'];
    for (const name of hostile) writeFileSync(join(server.localDir, 'synchronize', name), 'not fetched yet');
    try {
      const result = await run(['upload', zip('h.zip'), '--to', 'synchronize'], dir, { ALMA_SIS_SFTP_PASSWORD: SFTP_TEST_PASSWORD });
      assert.equal(result.code, 0, result.stderr);
      assert.doesNotMatch(result.stderr, /[\x1b\x07]/);
      const notes = result.stderr.split('\n').filter((line) => line.startsWith('note:'));
      assert.equal(notes.length, 1, result.stderr);
      assert.ok(notes[0].includes('later\\nuploaded 1 bytes to x.zip, '), notes[0]);
      assert.ok(notes[0].includes(' waiting\\x1b]0;owned\\x07.zip); its next run loads them too'), notes[0]);
      assert.equal(result.stderr.split('\n').filter((line) => line.startsWith('uploaded ')).length, 1);
    } finally {
      for (const name of [...hostile, 'h.zip']) rmSync(join(server.localDir, 'synchronize', name), { force: true });
    }
  });

  it('gives up on a server that goes silent mid-transfer, within the bound --timeout sets, leaving nothing', async () => {
    const proxy = await startDroppingProxy(server.port, { afterBytes: 128 * 1024, connections: Infinity, action: 'stall' });
    try {
      writeConfig({ port: proxy.port });
      const started = Date.now();
      const result = await run(['upload', zip('i.zip'), '--to', 'import', '--timeout', '1'], dir, { ALMA_SIS_SFTP_PASSWORD: SFTP_TEST_PASSWORD });
      const seconds = (Date.now() - started) / 1000;
      assert.equal(result.code, 2, result.stderr);
      const lines = result.stderr.split('\n').filter((line) => line.startsWith('alma-sis:'));
      assert.deepEqual(lines, [
        `alma-sis: upload failed: ${SFTP_TEST_USER}@127.0.0.1:${proxy.port} stopped answering: nothing came back for 1 s, so the connection was dropped (gave up after 4 attempts)`,
      ]);
      assert.equal(proxy.stalled, 4);
      // Four attempts of about 1.5 s and the waits of 1, 2 and 4 s between them, then the clean-up.
      assert.ok(seconds < 20, `took ${seconds} s`);
      assert.deepEqual(readdirSync(join(server.localDir, 'import')).filter((name) => name.includes('i.zip')), []);
    } finally {
      await proxy.close();
    }
  });

  it('takes --timeout in seconds, above 0', async () => {
    writeConfig({});
    for (const bad of ['0', '-1', 'soon', '1e3', '3601']) {
      const result = await run(['upload', 'a.zip', '--to', 'import', `--timeout=${bad}`], dir);
      assert.equal(result.code, 2);
      assert.match(result.stderr, /--timeout must be a number of seconds above 0 and at most 3600/);
    }
  });

  it('needs --to, one zip, and a profile with sftp settings', async () => {
    writeConfig({});
    assert.match((await run(['upload', 'a.zip'], dir)).stderr, /needs --to import or --to synchronize/);
    assert.match((await run(['upload', '--to', 'import'], dir)).stderr, /exactly one zip/);
    assert.match((await run(['upload', 'a.zip', '--to', 'elsewhere'], dir)).stderr, /expected import or synchronize/);
    writeFileSync(join(dir, 'alma-sis.config.json'), JSON.stringify({ profiles: [{ code: 'X' }] }));
    const result = await run(['upload', 'a.zip', '--to', 'import'], dir);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /profile X has no sftp settings/);
  });
});
