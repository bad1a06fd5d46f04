import { constants } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, isAbsolute, posix, resolve } from 'node:path';
import type { Stats } from 'ssh2';
import type SftpClient from 'ssh2-sftp-client';
import { ConfigError, readConfigText } from '../config/jsonInput';
import type { SftpSettings } from '../config/types';
import { hostKeyFingerprint, sameFingerprint } from './hostKey';
import { CREATE_NEW, kindOf, NO_SUCH_FILE, sameFile, SftpSession, statusCode } from './sftpSession';

/*
 * Puts a zip where Alma's SIS job picks it up, so that Alma never sees half a file and nothing
 * already there is replaced: the bytes go to a hidden temporary name that does not end in .zip
 * (Alma fetches *.zip), the remote size is compared with the local one, and only then is the file
 * renamed to its final name. OpenSSH's SFTP rename (protocol v3, not posix-rename@openssh.com)
 * refuses to replace an existing file, so a name that appears meanwhile is not clobbered either.
 *
 * Whoever else can write to the folder is not trusted: the temporary file is created new (O_EXCL,
 * so a link planted at its name is never written through), checked again before the rename, and
 * what the rename published is checked once more; a server that stops answering is dropped.
 */

export type UploadTarget = 'import' | 'synchronize';

/** Secrets handed in by the adapter (environment, secret storage); never logged or put in a message. */
export interface SftpCredentials {
  password?: string;
  passphrase?: string;
  /** An ssh agent socket (SSH_AUTH_SOCK). */
  agent?: string;
}

export interface UploadRequest {
  /** The local zip; its file name is the remote name. */
  localPath: string;
  sftp: SftpSettings;
  target: UploadTarget;
  credentials: SftpCredentials;
  /** The folder a relative privateKeyPath is resolved against (the configuration's folder). */
  baseDir: string;
}

export type UploadPhase = 'connecting' | 'uploading' | 'verifying' | 'renaming' | 'waiting' | 'cleaning';

export interface UploadProgress {
  phase: UploadPhase;
  bytesDone: number;
  bytesTotal: number;
  /** 0 to 100, whole numbers. */
  percent: number;
  /** 1-based; the upload starts over from byte 0 on every attempt. */
  attempt: number;
  attempts: number;
  /** While waiting before a retry: why the last attempt failed. */
  reason?: string;
}

export interface RetryPolicy {
  /** Attempts in all, including the first. */
  attempts: number;
  /** The wait before the second attempt; doubled for each later one. */
  initialDelayMs: number;
  maxDelayMs: number;
}

export interface UploadOptions {
  onProgress?: (progress: UploadProgress) => void;
  signal?: AbortSignal;
  retry?: Partial<RetryPolicy>;
  /**
   * The SSH handshake (TCP connect, banner, key exchange, login) must finish within this, however
   * the peer paces its bytes. Default DEFAULT_TIMEOUTS.readyMs.
   */
  readyTimeoutMs?: number;
  /**
   * After the login, the longest silence while an answer is awaited; the connection is then
   * dropped, and the attempt counts as a lost connection. Default DEFAULT_TIMEOUTS.stallMs.
   */
  stallTimeoutMs?: number;
}

export interface UploadResult {
  /** The final remote path. */
  remotePath: string;
  bytes: number;
  attempts: number;
  hostFingerprint: string;
  /**
   * Other zips waiting in the folder: Alma renames what it has processed (`.handled`, `.old`), so
   * these are files its job has not fetched yet and will load in the same run.
   */
  otherZips: string[];
}

export type UploadFailure =
  | 'configuration'
  | 'local-file'
  | 'host-key-unknown'
  | 'host-key-mismatch'
  | 'authentication'
  | 'remote-folder'
  | 'exists'
  | 'connection'
  | 'size-mismatch'
  /**
   * Something this upload did not write is at its temporary name (a link, a folder), or what was
   * about to be renamed or was renamed is not the file written: not retried.
   */
  | 'interference'
  | 'remote'
  | 'cancelled';

/** Why an upload did not happen, in a message fit to show as it is (never holding a secret). */
export class UploadError extends Error {
  constructor(
    readonly reason: UploadFailure,
    message: string,
    /** The server's fingerprint, when one was seen: the editor offers to trust it on first contact. */
    readonly seenFingerprint?: string,
  ) {
    super(message);
    this.name = 'UploadError';
  }
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, initialDelayMs: 1000, maxDelayMs: 15000 };
/**
 * 20 s for the whole handshake; 30 s of silence while an answer is awaited (a server that scans
 * the file on close or renames on slow storage stays within it; a dead route does not).
 */
export const DEFAULT_TIMEOUTS = { readyMs: 20000, stallMs: 30000 } as const;
/** SSH keep-alives, so that an idle NAT mapping stays open and a dead peer is noticed even then. */
const KEEPALIVE = { keepaliveInterval: 10000, keepaliveCountMax: 3 };
/** As ssh2's fastPut: 32 KiB writes, 64 in flight (2 MiB), so a long round trip does not cap the rate. */
const CHUNK_BYTES = 32 * 1024;
const IN_FLIGHT = 64;
/** Socket-level failures that a new connection may get past. */
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/** The remote folder for a target: `directory/importPath` or `directory/synchronizePath`. */
export function remoteFolder(sftp: SftpSettings, target: UploadTarget): string {
  const key = target === 'import' ? 'importPath' : 'synchronizePath';
  const sub = sftp[key];
  if (sub === undefined || sub.trim() === '') {
    throw new UploadError('configuration', `the profile's sftp settings have no ${key}: add the folder Alma's ${target} job reads`);
  }
  for (const [name, part] of [['directory', sftp.directory ?? ''], [key, sub]] as const) {
    if (part.split(/[/\\]/).includes('..')) {
      throw new UploadError('configuration', `sftp.${name} "${part}" contains "..": name the folder without climbing out of it`);
    }
  }
  return posix.join(sftp.directory ?? '', sub);
}

/** The hidden name the bytes are written under: it does not end in .zip, so Alma does not fetch it. */
export function temporaryName(finalName: string): string {
  return `.${finalName}.part`;
}

/** A privateKeyPath with `~` expanded and a relative path taken from the configuration's folder. */
export function resolveKeyPath(privateKeyPath: string, baseDir: string): string {
  if (privateKeyPath === '~' || privateKeyPath.startsWith('~/')) return homedir() + privateKeyPath.slice(1);
  return isAbsolute(privateKeyPath) ? privateKeyPath : resolve(baseDir, privateKeyPath);
}

/** Uploads one zip to the profile's import or synchronize folder; throws UploadError. */
export async function uploadZip(request: UploadRequest, options: UploadOptions = {}): Promise<UploadResult> {
  const upload = await prepare(request);
  return new Uploader(upload, options).run();
}

interface PreparedUpload {
  localPath: string;
  size: number;
  folder: string;
  finalPath: string;
  tempPath: string;
  sftp: SftpSettings;
  endpoint: string;
  connect: Omit<SftpClient.ConnectOptions, 'hostVerifier' | 'readyTimeout'>;
}

async function prepare(request: UploadRequest): Promise<PreparedUpload> {
  const { sftp } = request;
  if (!sftp.host || !sftp.username) throw new UploadError('configuration', 'the profile\'s sftp settings need a host and a username');
  const name = basename(request.localPath);
  if (!/\.zip$/i.test(name)) {
    throw new UploadError('local-file', `${request.localPath} is not a .zip: Alma's SIS job loads zip files only`);
  }
  let size: number;
  try {
    const info = await stat(request.localPath);
    if (!info.isFile()) throw new UploadError('local-file', `${request.localPath} is not a file`);
    size = info.size;
  } catch (error) {
    if (error instanceof UploadError) throw error;
    throw new UploadError('local-file', `cannot read ${request.localPath}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const folder = remoteFolder(sftp, request.target);
  const port = sftp.port ?? 22;
  const connect: PreparedUpload['connect'] = { host: sftp.host, port, username: sftp.username, ...KEEPALIVE };
  if (sftp.privateKeyPath !== undefined) {
    const keyPath = resolveKeyPath(sftp.privateKeyPath, request.baseDir);
    try {
      // Read as configuration is: a regular file of bounded size, so a key path at /dev/zero or a
      // FIFO fails at once instead of filling memory or blocking.
      connect.privateKey = await readConfigText(keyPath);
    } catch (error) {
      const reason = error instanceof ConfigError ? error.problems[0]?.message ?? error.message : String(error);
      throw new UploadError('local-file', `cannot read the private key ${keyPath}: ${reason}`);
    }
    if (request.credentials.passphrase !== undefined) connect.passphrase = request.credentials.passphrase;
  }
  if (request.credentials.password !== undefined) connect.password = request.credentials.password;
  if (request.credentials.agent) connect.agent = request.credentials.agent;
  if (connect.privateKey === undefined && connect.password === undefined && connect.agent === undefined) {
    throw new UploadError('authentication', 'no way to log in: set sftp.privateKeyPath, give a password, or run an ssh agent');
  }
  return {
    localPath: request.localPath,
    size,
    folder,
    finalPath: posix.join(folder, name),
    tempPath: posix.join(folder, temporaryName(name)),
    sftp,
    endpoint: `${sftp.username}@${sftp.host}:${port}`,
    connect,
  };
}

class Uploader {
  private readonly retry: RetryPolicy;
  private readonly readyTimeout: number;
  private readonly stallTimeout: number;
  private attempt = 0;
  private fingerprint: string | undefined;
  /** A temporary file of ours may exist on the server and must go if the upload does not complete. */
  private tempMayExist = false;
  /** A rename was sent: if its answer was lost, a final file equal to `written` is ours. */
  private renameSent = false;
  /** The temporary file as the server described it through our own handle, after the last byte. */
  private written: Stats | undefined;
  private current: SftpSession | undefined;
  private otherZips: string[] = [];

  constructor(
    private readonly upload: PreparedUpload,
    private readonly options: UploadOptions,
  ) {
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.readyTimeout = options.readyTimeoutMs ?? DEFAULT_TIMEOUTS.readyMs;
    this.stallTimeout = options.stallTimeoutMs ?? DEFAULT_TIMEOUTS.stallMs;
  }

  async run(): Promise<UploadResult> {
    const { signal } = this.options;
    // Cancelling drops the connection as a network failure would: every pending request fails.
    const onAbort = () => this.current?.drop();
    signal?.addEventListener('abort', onAbort);
    try {
      for (;;) {
        this.attempt++;
        try {
          this.throwIfCancelled();
          await this.tryOnce();
          return {
            remotePath: this.upload.finalPath,
            bytes: this.upload.size,
            attempts: this.attempt,
            hostFingerprint: this.fingerprint ?? '',
            otherZips: this.otherZips,
          };
        } catch (caught) {
          const error = this.classify(caught);
          if (error.reason !== 'connection' && error.reason !== 'size-mismatch') throw error;
          if (this.attempt >= this.retry.attempts) {
            throw new UploadError(error.reason, `${error.message} (gave up after ${this.attempt} attempts)`, error.seenFingerprint);
          }
          const delay = Math.min(this.retry.maxDelayMs, this.retry.initialDelayMs * 2 ** (this.attempt - 1));
          this.report('waiting', 0, error.message);
          await sleep(delay, signal);
        }
      }
    } catch (error) {
      const failure = this.classify(error);
      if (await this.removeTemporary()) throw failure;
      throw new UploadError(
        failure.reason,
        `${failure.message}; the temporary ${this.upload.tempPath} may remain on the server (Alma does not fetch it; the next upload of this zip removes it)`,
        failure.seenFingerprint,
      );
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  private async tryOnce(): Promise<void> {
    const { folder, finalPath, tempPath, size } = this.upload;
    const session = await this.open();
    try {
      const folderEntry = await session.entry(folder);
      if (!folderEntry?.isDirectory()) {
        throw new UploadError('remote-folder', `the remote folder ${folder} does not exist on ${this.upload.sftp.host} (or is not a folder)`);
      }
      if ((await session.entry(finalPath)) !== undefined) {
        if (this.renameSent && (await this.isOurs(session))) {
          this.tempMayExist = false;
          this.otherZips = await this.waitingZips(session);
          return;
        }
        throw this.exists();
      }
      const handle = await this.createTemporary(session);
      let written: Stats;
      try {
        this.report('uploading', 0);
        await this.writeAll(session, handle);
        this.report('verifying', size);
        // Through the handle: the file written, wherever its name now points.
        written = await session.fstat(handle);
      } finally {
        if (!session.lost) await session.closeHandle(handle).catch(() => undefined);
      }
      if (written.size !== size) {
        throw new UploadError('size-mismatch', `the server holds ${written.size} bytes of ${tempPath} where ${size} were sent`);
      }
      const named = await session.entry(tempPath);
      if (named === undefined || !sameFile(named, written)) {
        this.tempMayExist = false;
        throw this.interference(
          `${tempPath} was ${named === undefined ? 'removed' : `replaced by ${kindOf(named)}`} on ${this.upload.sftp.host} while it was written: not renaming it`,
        );
      }
      this.report('renaming', size);
      this.written = written;
      this.renameSent = true;
      try {
        await session.rename(tempPath, finalPath);
      } catch (error) {
        if (!session.lost && (await session.entry(finalPath)) !== undefined) throw this.exists();
        throw error;
      }
      this.tempMayExist = false;
      await this.checkPublished(session, written);
      this.otherZips = await this.waitingZips(session);
    } catch (error) {
      // The temporary file goes at once while the connection is up; otherwise it is removed after
      // the last attempt over a new connection.
      if (!session.lost && !session.closing && this.tempMayExist && !this.retryable(error, session)) {
        await session.unlink(tempPath).then(() => (this.tempMayExist = false), () => undefined);
      }
      throw this.sessionFailure(error, session);
    } finally {
      await this.close(session);
    }
  }

  /**
   * Creates the temporary file exclusively, never through a link. A regular file already at its
   * name is taken as a leftover of this zip's earlier attempt or crashed run and removed (unlink
   * removes a name, never what a link points to), then the file is created anew; a link, a folder
   * or anything else there is left alone and the upload refused.
   */
  private async createTemporary(session: SftpSession): Promise<Buffer> {
    const { tempPath } = this.upload;
    const host = this.upload.sftp.host;
    for (let tries = 1; ; tries++) {
      // Set before asking: if the answer is lost with the connection, the file may be there.
      this.tempMayExist = true;
      let handle: Buffer;
      try {
        handle = await session.open(tempPath, CREATE_NEW);
      } catch (error) {
        if (session.lost || statusCode(error) === undefined) throw error;
        const found = await session.entry(tempPath);
        if (found === undefined) {
          this.tempMayExist = false;
          throw error;
        }
        if (!found.isFile()) {
          this.tempMayExist = false;
          throw this.interference(
            `${tempPath} on ${host} is ${kindOf(found)}, which this upload did not write: it is neither written through nor removed; remove it, then upload again`,
          );
        }
        if (tries > 1) {
          this.tempMayExist = false;
          throw this.interference(`${tempPath} on ${host} came back after it was removed: is another upload of this zip running?`);
        }
        await session.unlink(tempPath);
        continue;
      }
      // A server that ignored O_EXCL would have opened what a planted link points to: the name
      // must be a regular file and the very file the handle holds, before any byte is written.
      const [opened, named] = await Promise.all([session.fstat(handle), session.entry(tempPath)]);
      if (named === undefined || !named.isFile() || !sameFile(named, opened)) {
        await session.closeHandle(handle).catch(() => undefined);
        this.tempMayExist = false;
        throw this.interference(`${tempPath} on ${host} is not the file just created (the server may not honour O_EXCL): nothing was written`);
      }
      return handle;
    }
  }

  /** The local zip, `size` bytes of it, to the handle, with IN_FLIGHT writes outstanding. */
  private async writeAll(session: SftpSession, handle: Buffer): Promise<void> {
    const { localPath, size } = this.upload;
    let source: FileHandle;
    try {
      // O_NONBLOCK: a FIFO swapped in for the zip fails the check below instead of blocking the open.
      source = await open(localPath, constants.O_RDONLY | constants.O_NONBLOCK);
    } catch (error) {
      throw new UploadError('local-file', `cannot read ${localPath}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
    try {
      const before = await source.stat();
      if (!before.isFile() || before.size !== size) throw this.localChanged();
      let offset = 0;
      let done = 0;
      let failure: unknown;
      const pending = new Set<Promise<void>>();
      while (offset < size && failure === undefined) {
        const chunk = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, size - offset));
        await readFully(source, chunk, offset, () => this.localChanged());
        const write: Promise<void> = session
          .write(handle, chunk, offset)
          .then(
            () => {
              done += chunk.length;
              this.report('uploading', done);
            },
            (error: unknown) => {
              failure ??= error;
            },
          )
          .finally(() => pending.delete(write));
        pending.add(write);
        offset += chunk.length;
        if (pending.size >= IN_FLIGHT) await Promise.race(pending);
      }
      await Promise.all(pending);
      if (failure !== undefined) throw failure;
      const after = await source.stat();
      if (after.size !== size || after.mtimeMs !== before.mtimeMs) throw this.localChanged();
    } finally {
      await source.close().catch(() => undefined);
    }
  }

  /** After the rename: the final name must hold the file written; anything else there is taken back. */
  private async checkPublished(session: SftpSession, written: Stats): Promise<void> {
    const { finalPath, folder } = this.upload;
    const published = await session.entry(finalPath);
    if (published !== undefined && sameFile(published, written)) return;
    let outcome = 'it is gone';
    if (published !== undefined) {
      outcome = await session.unlink(finalPath).then(
        () => 'removed it',
        () => 'could not remove it: remove it before Alma\'s job runs',
      );
    }
    throw this.interference(
      `what the rename published as ${finalPath} on ${this.upload.sftp.host} is not the file written (${published === undefined ? 'nothing' : kindOf(published)}); ${outcome}. Someone else writes to ${folder}`,
    );
  }

  /** Best effort: a folder that cannot be listed leaves the list empty, the upload is done either way. */
  private async waitingZips(session: SftpSession): Promise<string[]> {
    const name = posix.basename(this.upload.finalPath);
    try {
      const names = await session.names(this.upload.folder);
      return names.filter((entry) => /\.zip$/i.test(entry) && entry !== name).sort();
    } catch {
      return [];
    }
  }

  /** The final file after a rename whose answer was lost: the file written, and no temporary file left. */
  private async isOurs(session: SftpSession): Promise<boolean> {
    const final = await session.entry(this.upload.finalPath);
    return this.written !== undefined && final !== undefined && sameFile(final, this.written) && (await session.entry(this.upload.tempPath)) === undefined;
  }

  private exists(): UploadError {
    return new UploadError(
      'exists',
      `${this.upload.finalPath} already exists on ${this.upload.sftp.host}: it is not overwritten; rename the zip (or remove the remote file) and upload again`,
    );
  }

  private interference(message: string): UploadError {
    return new UploadError('interference', message);
  }

  private localChanged(): UploadError {
    return new UploadError('local-file', `${this.upload.localPath} changed while it was being uploaded: upload it again once it is complete`);
  }

  private async open(): Promise<SftpSession> {
    this.report('connecting', 0);
    const session = new SftpSession(this.stallTimeout);
    this.current = session;
    const pinned = this.upload.sftp.hostKeyFingerprint;
    let seen: string | undefined;
    try {
      await session.connect({
        ...this.upload.connect,
        readyTimeout: this.readyTimeout,
        // Runs during the key exchange, before any credential is sent: an unknown or changed key
        // ends the connection there.
        hostVerifier: (key: Buffer) => {
          seen = hostKeyFingerprint(key);
          return pinned !== undefined && sameFingerprint(pinned, seen);
        },
      });
    } catch (error) {
      await this.close(session);
      if (seen !== undefined && (pinned === undefined || !sameFingerprint(pinned, seen))) throw this.hostKeyRefused(seen);
      throw session.stalled ? this.stalled() : this.connectFailure(error);
    }
    this.fingerprint = seen;
    if (this.options.signal?.aborted) {
      await this.close(session);
      throw cancelled();
    }
    return session;
  }

  private async close(session: SftpSession): Promise<void> {
    if (this.current === session) this.current = undefined;
    await session.close();
  }

  private hostKeyRefused(seen: string): UploadError {
    const host = `${this.upload.sftp.host}:${this.upload.sftp.port ?? 22}`;
    if (this.upload.sftp.hostKeyFingerprint === undefined) {
      return new UploadError(
        'host-key-unknown',
        `the host key of ${host} is not pinned: its fingerprint is ${seen}; check it with the server's administrator, then set sftp.hostKeyFingerprint to it`,
        seen,
      );
    }
    return new UploadError(
      'host-key-mismatch',
      `the host key of ${host} does not match sftp.hostKeyFingerprint: the server showed ${seen}, the configuration pins ${this.upload.sftp.hostKeyFingerprint}; not connecting (if the server's key really changed, update the configuration)`,
      seen,
    );
  }

  private connectFailure(error: unknown): UploadError {
    if (this.options.signal?.aborted) return cancelled();
    const { message, code, level } = describe(error);
    if (level === 'client-authentication' || /authentication methods failed/i.test(message)) {
      const ways = [this.upload.connect.privateKey && 'key', this.upload.connect.password !== undefined && 'password', this.upload.connect.agent && 'ssh agent']
        .filter(Boolean)
        .join(', ');
      return new UploadError('authentication', `${this.upload.endpoint} refused the login (tried: ${ways})`);
    }
    if (/passphrase|privateKey|private key/i.test(message)) {
      return new UploadError('authentication', `cannot use the private key ${this.upload.sftp.privateKeyPath ?? ''}: ${stripPrefixes(message)}`);
    }
    if (code === 'ENOTFOUND') return new UploadError('configuration', `cannot find the host ${this.upload.sftp.host} (DNS lookup failed)`);
    // ssh2-sftp-client rewraps ssh2's error, which keeps the words but not the level.
    if (/timed out while waiting for handshake/i.test(message)) {
      return new UploadError(
        'connection',
        `${this.upload.endpoint} did not complete the SSH handshake within ${seconds(this.readyTimeout)} (connection, server banner, key exchange and login)`,
      );
    }
    return new UploadError('connection', `cannot connect to ${this.upload.endpoint}: ${stripPrefixes(message)}`);
  }

  private stalled(): UploadError {
    return new UploadError('connection', `${this.upload.endpoint} stopped answering: nothing came back for ${seconds(this.stallTimeout)}, so the connection was dropped`);
  }

  /** A failure inside a session, with the cause that matters: the watchdog, a lost connection, or the error itself. */
  private sessionFailure(error: unknown, session: SftpSession): unknown {
    if (error instanceof UploadError) return error;
    if (session.stalled) return this.stalled();
    if (session.lost) return new UploadError('connection', `the connection to ${this.upload.endpoint} was lost: ${stripPrefixes(describe(error).message)}`);
    return error;
  }

  private retryable(error: unknown, session: SftpSession): boolean {
    if (error instanceof UploadError) return error.reason === 'connection' || error.reason === 'size-mismatch';
    return session.lost || NETWORK_CODES.has(describe(error).code ?? '');
  }

  /** Every failure as an UploadError; cancellation wins over whatever it caused. */
  private classify(error: unknown): UploadError {
    if (this.options.signal?.aborted) return cancelled();
    if (error instanceof UploadError) return error;
    const { message, code } = describe(error);
    if (NETWORK_CODES.has(code ?? '')) return new UploadError('connection', `the connection to ${this.upload.endpoint} failed: ${stripPrefixes(message)}`);
    return new UploadError('remote', `${this.upload.sftp.host}: ${stripPrefixes(message)}`);
  }

  /**
   * Best effort, bounded by the same timeouts, never throwing: the temporary file must not stay
   * behind a failed upload. True when nothing of ours is left.
   */
  private async removeTemporary(): Promise<boolean> {
    if (!this.tempMayExist || this.fingerprint === undefined) return !this.tempMayExist;
    this.report('cleaning', 0);
    const fingerprint = this.fingerprint;
    const session = new SftpSession(this.stallTimeout);
    try {
      await session.connect({
        ...this.upload.connect,
        readyTimeout: this.readyTimeout,
        hostVerifier: (key: Buffer) => hostKeyFingerprint(key) === fingerprint,
      });
      await session.unlink(this.upload.tempPath).catch((error: unknown) => {
        if (statusCode(error) !== NO_SUCH_FILE) throw error;
      });
      this.tempMayExist = false;
    } catch {
      // The caller says the file may remain; its name is hidden and never fetched by Alma.
    } finally {
      await session.close();
    }
    return !this.tempMayExist;
  }

  private throwIfCancelled(): void {
    if (this.options.signal?.aborted) throw cancelled();
  }

  private report(phase: UploadPhase, bytesDone: number, reason?: string): void {
    if (!this.options.onProgress) return;
    const bytesTotal = this.upload.size;
    const percent = bytesTotal === 0 ? 100 : Math.floor((Math.min(bytesDone, bytesTotal) * 100) / bytesTotal);
    this.options.onProgress({ phase, bytesDone, bytesTotal, percent, attempt: this.attempt, attempts: this.retry.attempts, reason });
  }
}

/** Fills `chunk` from `position`; a file that ends early has changed since it was measured. */
async function readFully(source: FileHandle, chunk: Buffer, position: number, changed: () => Error): Promise<void> {
  let filled = 0;
  while (filled < chunk.length) {
    const { bytesRead } = await source.read(chunk, filled, chunk.length - filled, position + filled);
    if (bytesRead === 0) throw changed();
    filled += bytesRead;
  }
}

function seconds(ms: number): string {
  return `${ms / 1000} s`;
}

function cancelled(): UploadError {
  return new UploadError('cancelled', 'the upload was cancelled');
}

function describe(error: unknown): { message: string; code?: string; level?: string } {
  if (error instanceof Error) {
    const { code, level } = error as Error & { code?: unknown; level?: unknown };
    return { message: error.message, code: typeof code === 'string' ? code : undefined, level: typeof level === 'string' ? level : undefined };
  }
  return { message: String(error) };
}

/** ssh2-sftp-client prefixes messages with the methods they passed through (`connect: getConnection: ...`). */
function stripPrefixes(message: string): string {
  return message.replace(/^(?:[A-Za-z_]+(?:->|: ))+/, '');
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((done, fail) => {
    if (signal?.aborted) return fail(cancelled());
    const onAbort = () => {
      clearTimeout(timer);
      fail(cancelled());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      done();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
