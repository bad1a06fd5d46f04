import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/*
 * A real OpenSSH sshd on 127.0.0.1 for the upload tests: its own host key, a client key (plain and
 * passphrase-protected), password login for one system user, chrooted to internal-sftp. Creating
 * the user and the root-owned chroot needs root, so the tests skip elsewhere (see sshServerMissing).
 */

const SSHD = '/usr/sbin/sshd';
export const SFTP_TEST_USER = 'almasis-sftptest';
/** A throwaway password for the loopback-only, sftp-only test user; tests check it is never printed. */
export const SFTP_TEST_PASSWORD = 'Pw-never-printed-7c1e9a';
export const SFTP_TEST_PASSPHRASE = 'Pp-never-printed-52bd04';

export interface SshServer {
  port: number;
  /** `SHA256:...` of the host key, as ssh-keygen -lf prints it. */
  fingerprint: string;
  /** An unencrypted client key, and one encrypted with SFTP_TEST_PASSPHRASE. */
  clientKeyPath: string;
  encryptedKeyPath: string;
  /** The upload folder as the SFTP client sees it (holds import/ and synchronize/). */
  remoteDir: string;
  /** The same folder on the local disk. */
  localDir: string;
  log(): string;
  stop(): Promise<void>;
}

/** Why the sshd tests cannot run here, or undefined when they can. */
export function sshServerMissing(): string | undefined {
  if (!existsSync(SSHD)) return `${SSHD} is not installed (apt-get install openssh-server; .ci/run installs it)`;
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    return 'the sshd tests need root (they create a system user and a root-owned chroot under /srv)';
  }
  return undefined;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function ensureUser(): number {
  const uid = () => Number(execFileSync('id', ['-u', SFTP_TEST_USER], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  try {
    return uid();
  } catch {
    try {
      execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', SFTP_TEST_USER], { stdio: 'ignore' });
    } catch {
      // Another test file may have created it at the same moment.
    }
    return uid();
  }
}

function waitForPort(port: number, child: ChildProcess, logPath: string): Promise<void> {
  const deadline = Date.now() + 20000;
  return new Promise((resolve, reject) => {
    const probe = () => {
      if (child.exitCode !== null) return reject(new Error(`sshd exited: ${readFileSync(logPath, 'utf8')}`));
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`sshd did not listen on ${port}: ${readFileSync(logPath, 'utf8')}`));
        else setTimeout(probe, 50);
      });
    };
    probe();
  });
}

export async function startSshServer(): Promise<SshServer> {
  const port = await freePort();
  const uid = ensureUser();
  execFileSync('chpasswd', { input: `${SFTP_TEST_USER}:${SFTP_TEST_PASSWORD}\n` });
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });

  const state = mkdtempSync(join(tmpdir(), 'alma-sis-sshd-'));
  chmodSync(state, 0o755);
  const keygen = (file: string, passphrase = '') => execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', 'alma-sis-test', '-f', file]);
  const hostKey = join(state, 'host_ed25519');
  const clientKeyPath = join(state, 'client_ed25519');
  const encryptedKeyPath = join(state, 'client_encrypted_ed25519');
  keygen(hostKey);
  keygen(clientKeyPath);
  keygen(encryptedKeyPath, SFTP_TEST_PASSPHRASE);
  const authorizedKeys = join(state, 'authorized_keys');
  writeFileSync(authorizedKeys, readFileSync(`${clientKeyPath}.pub`, 'utf8') + readFileSync(`${encryptedKeyPath}.pub`, 'utf8'), { mode: 0o644 });
  const fingerprint = execFileSync('ssh-keygen', ['-lf', `${hostKey}.pub`], { encoding: 'utf8' }).split(' ')[1];

  // Every component of a chroot must be root-owned and not writable by others: not under /tmp.
  const chroot = `/srv/alma-sis-test-${port}`;
  const localDir = join(chroot, 'upload');
  mkdirSync(localDir, { recursive: true });
  chownSync(chroot, 0, 0);
  chmodSync(chroot, 0o755);
  for (const dir of [localDir, join(localDir, 'import'), join(localDir, 'synchronize')]) {
    mkdirSync(dir, { recursive: true });
    chownSync(dir, uid, 0);
    chmodSync(dir, 0o755);
  }

  const config = join(state, 'sshd_config');
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `PidFile ${join(state, 'sshd.pid')}`,
      `AuthorizedKeysFile ${authorizedKeys}`,
      `AllowUsers ${SFTP_TEST_USER}`,
      'PubkeyAuthentication yes',
      'PasswordAuthentication yes',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      'PermitRootLogin no',
      'X11Forwarding no',
      'AllowTcpForwarding no',
      'PrintMotd no',
      'LogLevel VERBOSE',
      'Subsystem sftp internal-sftp',
      `ChrootDirectory ${chroot}`,
      'ForceCommand internal-sftp -d /upload',
      '',
    ].join('\n'),
  );
  const logPath = join(state, 'sshd.log');
  const logFd = openSync(logPath, 'a');
  // An absolute path: sshd re-executes itself.
  const child = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', logFd, logFd] });
  // A test run that ends early must not leave an sshd behind.
  const killOnExit = () => child.kill('SIGTERM');
  process.once('exit', killOnExit);
  await waitForPort(port, child, logPath);

  return {
    port,
    fingerprint,
    clientKeyPath,
    encryptedKeyPath,
    remoteDir: '/upload',
    localDir,
    log: () => readFileSync(logPath, 'utf8'),
    stop: async () => {
      process.off('exit', killOnExit);
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(chroot, { recursive: true, force: true });
      rmSync(state, { recursive: true, force: true });
    },
  };
}

/** Every file under the upload folder, as `import/name`, sorted. */
export function remoteFiles(server: SshServer): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(server.localDir, { withFileTypes: true })) {
    if (!entry.isDirectory()) found.push(entry.name);
    else for (const name of readdirSync(join(server.localDir, entry.name))) found.push(`${entry.name}/${name}`);
  }
  return found.sort();
}
