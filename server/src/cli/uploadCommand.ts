import { dirname } from 'node:path';
import { ConfigError, DEFAULT_TIMEOUTS, UploadError, uploadZip, type SftpCredentials, type UploadProgress, type UploadTarget } from '../engine';
import { UsageError, type ParsedArgs } from './args';
import { ExitCode, type Command, type CommandContext } from './command';
import { PROFILE_OPTIONS, profileFromArgs } from './profileOptions';
import { visible } from './visibleText';

const TARGETS = ['import', 'synchronize'] as const;

export const uploadCommand: Command = {
  name: 'upload',
  summary: "put a zip in the profile's SFTP import or synchronize folder",
  usage: '<zip> --to import|synchronize [options]',
  description: [
    "Uploads a zip by SFTP to the profile's sftp.directory/importPath or sftp.directory/synchronizePath. " +
      'The server\'s host key must match sftp.hostKeyFingerprint (SHA256:..., as ssh-keygen -lf prints it); ' +
      'an unknown or different key is refused before any credential is sent, and the message shows the key seen.',
    'The bytes go to a hidden temporary name (.NAME.zip.part), the remote size is checked, and only then is the ' +
      'file renamed to NAME.zip, so Alma never fetches half a file. A remote file of the same name is never ' +
      'replaced. The temporary file is created new, never through a link planted at its name, and what the rename ' +
      'published is checked. A dropped connection is retried with backoff, starting over; a failed upload leaves nothing behind.',
    `Waits: the handshake must finish within ${DEFAULT_TIMEOUTS.readyMs / 1000} s however slowly the server sends; after it, ` +
      `${DEFAULT_TIMEOUTS.stallMs / 1000} s without any answer drops the connection (and counts as a lost one). --timeout sets both.`,
    'Login: the key at sftp.privateKeyPath (passphrase in ALMA_SIS_SFTP_PASSPHRASE), a password in ' +
      'ALMA_SIS_SFTP_PASSWORD, or the ssh agent at SSH_AUTH_SOCK. Secrets never go in the configuration.',
    'Exit code: 0 uploaded, 2 not uploaded (one line on stderr says why), 130 interrupted.',
  ],
  options: [
    ...PROFILE_OPTIONS,
    { name: 'to', takesValue: true, valueName: 'TARGET', choices: TARGETS, help: "import or synchronize: which of Alma's jobs reads the file" },
    {
      name: 'timeout',
      takesValue: true,
      valueName: 'SECONDS',
      help: `the longest wait for the handshake and for each answer (default ${DEFAULT_TIMEOUTS.readyMs / 1000} and ${DEFAULT_TIMEOUTS.stallMs / 1000})`,
    },
  ],
  run: runUpload,
};

async function runUpload(args: ParsedArgs, context: CommandContext): Promise<number> {
  if (args.positionals.length !== 1) throw new UsageError('upload takes exactly one zip', 'upload');
  const target = args.options.get('to');
  if (typeof target !== 'string') throw new UsageError('upload needs --to import or --to synchronize', 'upload');
  const localPath = args.positionals[0];
  const timeout = timeoutFromArgs(args);

  const { config, profile } = await profileFromArgs(args, context.cwd, 'upload');
  if (config === undefined || profile === undefined) {
    throw new UsageError('upload needs a profile with sftp settings: no alma-sis.config.json here or above; name one with --config', 'upload');
  }
  if (profile.sftp === undefined) throw new ConfigError(config.path, `profile ${profile.code} has no sftp settings`);

  const progress = new UploadProgressLines(context, localPath);
  try {
    const result = await uploadZip(
      { localPath, sftp: profile.sftp, target: target as UploadTarget, credentials: credentialsFromEnvironment(), baseDir: dirname(config.path) },
      { onProgress: (p) => progress.update(p), signal: context.signal, readyTimeoutMs: timeout, stallTimeoutMs: timeout },
    );
    progress.clear();
    // Names come from the command line, the configuration and the server: each is escaped, so none
    // can forge a line or reach the terminal as a control sequence.
    const where = visible(`${profile.sftp.host}:${result.remotePath}`);
    context.err(`uploaded ${result.bytes} bytes to ${where}${result.attempts > 1 ? ` (${result.attempts} attempts)` : ''}\n`);
    if (result.otherZips.length > 0) {
      const names = result.otherZips.map(visible).join(', ');
      context.err(`note: Alma has not fetched ${result.otherZips.length} other zip${result.otherZips.length === 1 ? '' : 's'} there yet (${names}); its next run loads them too\n`);
    }
    return ExitCode.clean;
  } catch (error) {
    progress.clear();
    // An interruption is reported by main, as for every command.
    if (!(error instanceof UploadError) || error.reason === 'cancelled') throw error;
    // The message quotes paths and what the server said.
    context.err(`alma-sis: upload failed: ${visible(error.message)}\n`);
    return ExitCode.failure;
  }
}

/** --timeout SECONDS, in milliseconds; undefined for the engine's defaults. */
function timeoutFromArgs(args: ParsedArgs): number | undefined {
  const text = args.options.get('timeout');
  if (text === undefined) return undefined;
  const value = typeof text === 'string' && /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
  if (!(value > 0) || value > 3600) throw new UsageError(`--timeout must be a number of seconds above 0 and at most 3600, not ${String(text)}`, 'upload');
  return Math.round(value * 1000);
}

/** Secrets come from the environment only, never from arguments (which other users can see in `ps`). */
function credentialsFromEnvironment(): SftpCredentials {
  const env = process.env;
  const credentials: SftpCredentials = {};
  if (env.ALMA_SIS_SFTP_PASSWORD) credentials.password = env.ALMA_SIS_SFTP_PASSWORD;
  if (env.ALMA_SIS_SFTP_PASSPHRASE) credentials.passphrase = env.ALMA_SIS_SFTP_PASSPHRASE;
  if (env.SSH_AUTH_SOCK) credentials.agent = env.SSH_AUTH_SOCK;
  return credentials;
}

const CLEAR_LINE = '\r\x1b[K';

/**
 * Progress on stderr: one self-overwriting line on a terminal; otherwise (a log file, a
 * scheduler) a line per phase and per quarter, so a log shows how far a failed upload came.
 */
class UploadProgressLines {
  private lastKey = '';
  private drawn = false;
  private readonly name: string;

  constructor(
    private readonly context: CommandContext,
    name: string,
  ) {
    this.name = visible(name);
  }

  update(progress: UploadProgress): void {
    const attempt = progress.attempts > 1 && progress.attempt > 1 ? ` (attempt ${progress.attempt} of ${progress.attempts})` : '';
    const text =
      progress.phase === 'waiting'
        ? `attempt ${progress.attempt} failed: ${visible(progress.reason ?? 'connection lost')}; retrying`
        : progress.phase === 'uploading'
          ? `uploading ${String(progress.percent).padStart(3)}%  ${progress.bytesDone}/${progress.bytesTotal} bytes  ${this.name}${attempt}`
          : `${progress.phase} ${this.name}${attempt}`;
    const terminal = this.context.terminal;
    if (terminal && progress.phase !== 'waiting') {
      terminal.write(CLEAR_LINE + text);
      this.drawn = true;
      return;
    }
    const key = progress.phase === 'uploading' ? `${progress.attempt}:up:${Math.floor(progress.percent / 25)}` : `${progress.attempt}:${progress.phase}`;
    if (key === this.lastKey) return;
    this.lastKey = key;
    this.clear();
    this.context.err(`${text}\n`);
  }

  clear(): void {
    if (!this.drawn) return;
    this.context.terminal?.write(CLEAR_LINE);
    this.drawn = false;
  }
}
