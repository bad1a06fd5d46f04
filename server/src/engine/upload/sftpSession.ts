import type { SFTPWrapper, Stats } from 'ssh2';
import SftpClient from 'ssh2-sftp-client';

/*
 * One SSH connection and its SFTP channel, with every request the upload makes going through one
 * watchdog. ssh2's readyTimeout ends at the login; after it, a peer that stops answering (a dead
 * route, a hung server) would hold a request for ever, and ssh2-sftp-client's end() waits for a
 * close that such a peer never sends. Here, while anything is awaited, a silence of `stallMs`
 * drops the connection, which fails every pending request at once.
 */

/** SSH_FXP_STATUS codes of the SFTP v3 draft that the upload tells apart. */
export const NO_SUCH_FILE = 2;

/**
 * SSH_FXF_WRITE | SSH_FXF_CREAT | SSH_FXF_EXCL: a new file or nothing. OpenSSH's sftp-server
 * passes EXCL on as O_EXCL, so open(2) fails on any existing name, a symbolic link included,
 * instead of writing where the link points. No TRUNC: a server that ignored EXCL would then still
 * not empty the file a planted link names, and the check after opening refuses it.
 */
export const CREATE_NEW = 0x02 | 0x08 | 0x20;

/** ssh2-sftp-client logs to the console from its default listeners; the adapters decide what is shown. */
const SILENT: SftpClient.Callbacks = { error: () => undefined, end: () => undefined, close: () => undefined };

export class SftpSession {
  readonly client = new SftpClient('alma-sis', SILENT);
  private sftp: SFTPWrapper | undefined;
  /** The connection closed without our asking. */
  lost = false;
  closing = false;
  /** The watchdog dropped the connection. */
  stalled = false;
  private waiting = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(readonly stallMs: number) {
    const onGone = () => {
      if (!this.closing) this.lost = true;
      this.stopWatching();
    };
    this.client.on('close', onGone);
    this.client.on('end', onGone);
  }

  /**
   * Connects; the handshake is bounded by `readyTimeout` (ssh2 runs one timer from the TCP connect
   * to the login's success, which bytes arriving do not reset), and opening the SFTP channel after
   * the login by the watchdog.
   */
  async connect(options: SftpClient.ConnectOptions): Promise<void> {
    const connecting = this.client.connect(options);
    this.client.on('ready', () => void this.guard(connecting).catch(() => undefined));
    this.sftp = await connecting;
  }

  /** Cuts the connection at once, as a network failure would; pending requests fail. */
  drop(): void {
    (this.client as unknown as { client: { destroy(): void } }).client.destroy();
  }

  /** Ends the connection politely, but never waits longer than the watchdog would. */
  async close(): Promise<void> {
    this.closing = true;
    this.stopWatching();
    if (!this.lost && this.sftp !== undefined) {
      let timer: NodeJS.Timeout | undefined;
      const gaveUp = new Promise<void>((done) => (timer = setTimeout(done, this.stallMs)));
      await Promise.race([this.client.end().catch(() => undefined), gaveUp]);
      clearTimeout(timer);
    }
    this.drop();
  }

  /** `work`, watched: while anything is awaited, each answer restarts the clock. */
  guard<T>(work: Promise<T>): Promise<T> {
    this.waiting++;
    if (this.timer === undefined && !this.closing) this.watch();
    return work.finally(() => {
      this.waiting--;
      this.stopWatching();
      if (this.waiting > 0 && !this.closing && !this.lost) this.watch();
    });
  }

  lstat(path: string): Promise<Stats> {
    return this.request<Stats>((sftp, done) => sftp.lstat(path, done));
  }

  /** What is at `path` (a link itself, not its target), or undefined when nothing is. */
  async entry(path: string): Promise<Stats | undefined> {
    try {
      return await this.lstat(path);
    } catch (error) {
      if (statusCode(error) === NO_SUCH_FILE) return undefined;
      throw error;
    }
  }

  open(path: string, flags: number): Promise<Buffer> {
    return this.request<Buffer>((sftp, done) => sftp.open(path, flags, done));
  }

  fstat(handle: Buffer): Promise<Stats> {
    return this.request<Stats>((sftp, done) => sftp.fstat(handle, done));
  }

  write(handle: Buffer, data: Buffer, position: number): Promise<void> {
    return this.request<void>((sftp, done) => sftp.write(handle, data, 0, data.length, position, done));
  }

  closeHandle(handle: Buffer): Promise<void> {
    return this.request<void>((sftp, done) => sftp.close(handle, done));
  }

  /** SSH_FXP_RENAME (v3): OpenSSH refuses it when the target exists, so nothing is replaced. */
  rename(from: string, to: string): Promise<void> {
    return this.request<void>((sftp, done) => sftp.rename(from, to, done));
  }

  /** Removes a name; a symbolic link goes itself, what it points to is not touched. */
  unlink(path: string): Promise<void> {
    return this.request<void>((sftp, done) => sftp.unlink(path, done));
  }

  /** The names in a folder. */
  async names(folder: string): Promise<string[]> {
    const entries = await this.request<{ filename: string }[]>((sftp, done) => sftp.readdir(folder, done));
    return entries.map((entry) => entry.filename);
  }

  private request<T>(call: (sftp: SFTPWrapper, done: (error: Error | null | undefined, value?: T) => void) => void): Promise<T> {
    const sftp = this.sftp;
    if (sftp === undefined || this.lost) return Promise.reject(new Error('not connected'));
    return this.guard(
      new Promise<T>((resolve, reject) => {
        call(sftp, (error, value) => (error ? reject(error) : resolve(value as T)));
      }),
    );
  }

  private watch(): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.closing || this.lost) return;
      this.stalled = true;
      this.drop();
    }, this.stallMs);
  }

  private stopWatching(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** The SFTP status code of a refused request; undefined for anything else (a lost connection). */
export function statusCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/**
 * The same file, as far as SFTP v3 can tell (it has no inode numbers): type and permissions,
 * owner, size and modification time. A link, a folder, or a file someone else wrote differs.
 */
export function sameFile(a: Stats, b: Stats): boolean {
  return a.mode === b.mode && a.uid === b.uid && a.gid === b.gid && a.size === b.size && a.mtime === b.mtime;
}

/** What a non-file entry is, in words. */
export function kindOf(entry: Stats): string {
  if (entry.isSymbolicLink()) return 'a symbolic link';
  if (entry.isDirectory()) return 'a folder';
  if (entry.isFile()) return `a file of ${entry.size} bytes`;
  return 'not a regular file';
}
