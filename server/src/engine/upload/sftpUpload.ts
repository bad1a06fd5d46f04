import { stat } from 'node:fs/promises';
import { ConfigError, readConfigText } from '../config/jsonInput';
import { homedir } from 'node:os';
import { basename, isAbsolute, posix, resolve } from 'node:path';
import SftpClient from 'ssh2-sftp-client';
import type { SftpSettings } from '../config/types';
import { hostKeyFingerprint, sameFingerprint } from './hostKey';

/*
 * Puts a zip where Alma's SIS job picks it up, so that Alma never sees half a file and nothing
 * already there is replaced: the bytes go to a hidden temporary name that does not end in .zip
 * (Alma fetches *.zip), the remote size is compared with the local one, and only then is the file
 * renamed to its final name. OpenSSH's SFTP rename (protocol v3, not posix-rename@openssh.com)
 * refuses to replace an existing file, so a name that appears meanwhile is not clobbered either.
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
  /** The SSH handshake (connect, key exchange, authentication) must finish within this. */
  readyTimeoutMs?: number;
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
const DEFAULT_READY_TIMEOUT_MS = 20000;
/** A silent peer is declared dead after about 30 s rather than the TCP default of many minutes. */
const KEEPALIVE = { keepaliveInterval: 10000, keepaliveCountMax: 3 };
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

/** One connection, with what happened to it. */
interface Session {
  client: SftpClient;
  /** The connection closed without our asking. */
  lost: boolean;
  closing: boolean;
}

class Uploader {
  private readonly retry: RetryPolicy;
  private readonly readyTimeout: number;
  private attempt = 0;
  private fingerprint: string | undefined;
  /** The temporary file may exist on the server and must go if the upload does not complete. */
  private tempMayExist = false;
  /** A rename was sent: if its answer was lost, the final file of the right size is ours. */
  private renameSent = false;
  private current: Session | undefined;
  private otherZips: string[] = [];

  constructor(
    private readonly upload: PreparedUpload,
    private readonly options: UploadOptions,
  ) {
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.readyTimeout = options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
  }

  async run(): Promise<UploadResult> {
    const { signal } = this.options;
    // Cancelling drops the connection as a network failure would: after end(), ssh2-sftp-client
    // no longer rejects a pending fastPut, which would then wait forever.
    const onAbort = () => this.current && dropConnection(this.current.client);
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
      await this.removeTemporary();
      throw this.classify(error);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  private async tryOnce(): Promise<void> {
    const { folder, finalPath, tempPath, size, localPath } = this.upload;
    const session = await this.open();
    try {
      const folderType = await session.client.exists(folder);
      if (folderType !== 'd') {
        throw new UploadError('remote-folder', `the remote folder ${folder} does not exist on ${this.upload.sftp.host} (or is not a folder)`);
      }
      if (await session.client.exists(finalPath)) {
        if (this.renameSent && (await this.isOurs(session))) return;
        throw this.exists();
      }
      this.tempMayExist = true;
      this.report('uploading', 0);
      // fastPut opens the temporary file with "w": a retry starts it over from byte 0.
      await session.client.fastPut(localPath, tempPath, {
        step: (done) => this.report('uploading', done),
      });
      this.report('verifying', size);
      const remoteSize = (await session.client.stat(tempPath)).size;
      if (remoteSize !== size) {
        throw new UploadError('size-mismatch', `the server holds ${remoteSize} bytes of ${tempPath} where ${size} were sent`);
      }
      this.report('renaming', size);
      this.renameSent = true;
      try {
        await session.client.rename(tempPath, finalPath);
      } catch (error) {
        if (!session.lost && (await session.client.exists(finalPath))) throw this.exists();
        throw error;
      }
      this.tempMayExist = false;
      this.otherZips = await this.waitingZips(session);
    } catch (error) {
      // The temporary file goes at once while the connection is up; otherwise it is removed after
      // the last attempt over a new connection.
      if (!session.lost && !session.closing && this.tempMayExist && !this.retryable(error, session)) {
        await session.client.delete(tempPath, true).then(() => (this.tempMayExist = false), () => undefined);
      }
      throw session.lost && !(error instanceof UploadError) ? this.lostConnection(error) : error;
    } finally {
      await this.close(session);
    }
  }

  /** Best effort: a folder that cannot be listed leaves the list empty, the upload is done either way. */
  private async waitingZips(session: Session): Promise<string[]> {
    const name = posix.basename(this.upload.finalPath);
    try {
      const entries = await session.client.list(this.upload.folder);
      return entries.map((entry) => entry.name).filter((entry) => /\.zip$/i.test(entry) && entry !== name).sort();
    } catch {
      return [];
    }
  }

  /** The final file after a rename whose answer was lost: the same size and no temporary file left. */
  private async isOurs(session: Session): Promise<boolean> {
    const final = await session.client.stat(this.upload.finalPath);
    return final.size === this.upload.size && !(await session.client.exists(this.upload.tempPath));
  }

  private exists(): UploadError {
    return new UploadError(
      'exists',
      `${this.upload.finalPath} already exists on ${this.upload.sftp.host}: it is not overwritten; rename the zip (or remove the remote file) and upload again`,
    );
  }

  private async open(): Promise<Session> {
    this.report('connecting', 0);
    const session: Session = { client: new SftpClient('alma-sis', SILENT), lost: false, closing: false };
    const onGone = () => {
      if (!session.closing) session.lost = true;
    };
    session.client.on('close', onGone);
    session.client.on('end', onGone);
    this.current = session;
    const pinned = this.upload.sftp.hostKeyFingerprint;
    let seen: string | undefined;
    try {
      await session.client.connect({
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
      session.closing = true;
      await session.client.end().catch(() => undefined);
      this.current = undefined;
      if (seen !== undefined && (pinned === undefined || !sameFingerprint(pinned, seen))) throw this.hostKeyRefused(seen);
      throw this.connectFailure(error);
    }
    this.fingerprint = seen;
    if (this.options.signal?.aborted) {
      await this.close(session);
      throw cancelled();
    }
    return session;
  }

  private async close(session: Session): Promise<void> {
    session.closing = true;
    if (this.current === session) this.current = undefined;
    await session.client.end().catch(() => undefined);
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
    return new UploadError('connection', `cannot connect to ${this.upload.endpoint}: ${stripPrefixes(message)}`);
  }

  private lostConnection(error: unknown): UploadError {
    return new UploadError('connection', `the connection to ${this.upload.endpoint} was lost: ${stripPrefixes(describe(error).message)}`);
  }

  private retryable(error: unknown, session: Session): boolean {
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

  /** Best effort, never throwing: the temporary file must not stay behind a failed upload. */
  private async removeTemporary(): Promise<void> {
    if (!this.tempMayExist) return;
    this.report('cleaning', 0);
    const client = new SftpClient('alma-sis-cleanup', SILENT);
    try {
      await client.connect({
        ...this.upload.connect,
        readyTimeout: this.readyTimeout,
        hostVerifier: (key: Buffer) => this.fingerprint !== undefined && hostKeyFingerprint(key) === this.fingerprint,
      });
      await client.delete(this.upload.tempPath, true);
      this.tempMayExist = false;
    } catch {
      // Nothing more can be done here; the temporary name is hidden and never fetched by Alma.
    } finally {
      await client.end().catch(() => undefined);
    }
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

/** ssh2-sftp-client logs to the console from its default listeners; the adapters decide what is shown. */
const SILENT: SftpClient.Callbacks = { error: () => undefined, end: () => undefined, close: () => undefined };

function dropConnection(client: SftpClient): void {
  (client as unknown as { client: { destroy(): void } }).client.destroy();
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
