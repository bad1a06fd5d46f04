import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
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
