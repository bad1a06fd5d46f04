import { basename, dirname, posix } from 'node:path';
import type { CancellationToken } from 'vscode-languageserver';
import { configPathFor, loadConfig, UploadError, uploadZip, visible, withHostKeyFingerprint, type Profile, type SftpCredentials } from '../../engine';
import type { PinHostKeyParams, UploadArgs, UploadResultMessage } from '../../protocol/messages';
import { isSealedSecret } from '../../protocol/sealedSecret';
import { abortOn, failure, invalid, optionalString, pathArgument, type CommandContext } from './context';

type SftpProfile = Profile & { sftp: NonNullable<Profile['sftp']> };

/**
 * Upload to SFTP: the engine's upload (host key check, temporary name, size check, rename,
 * retries) with the profile's sftp settings. Refusals the person can act on (an unknown host key,
 * a refused login, a cancel) are answers, so the client can ask and try again.
 */
export async function upload(args: UploadArgs, context: CommandContext, token: CancellationToken, workDoneToken?: string | number): Promise<UploadResultMessage> {
  const zip = pathArgument(args.zip, 'zip', context);
  if (args.target !== 'synchronize' && args.target !== 'import') throw invalid('target must be "synchronize" or "import"');
  const wanted = optionalString(args.profile, 'profile');
  const choice = await context.choice(zip);
  const configPath = configPathFor(choice, zip, context.folders(), { orWorkspace: true });
  if (configPath === undefined) throw failure('no alma-sis.config.json with sftp settings was found for this zip (see the setting alma-sis.configPath)');
  const config = await loadConfig(configPath).catch((error: Error) => {
    throw failure(error.message);
  });
  const candidates = config.profiles.filter((profile): profile is SftpProfile => profile.sftp !== undefined);
  const profile = wanted !== undefined ? candidates.find((p) => p.code === wanted) : candidates.length === 1 ? candidates[0] : undefined;
  if (profile === undefined) {
    throw failure(candidates.length === 0 ? `no profile in ${config.path} has sftp settings`
      : wanted !== undefined ? `no profile ${wanted} with sftp settings in ${config.path}`
      : `several profiles in ${config.path} have sftp settings (${candidates.map((p) => p.code).join(', ')}): choose one`);
  }
  const credentials: SftpCredentials = {};
  if (typeof args.agent === 'string' && args.agent !== '') credentials.agent = args.agent;
  try {
    if (args.password !== undefined) credentials.password = context.secrets.open(sealed(args.password, 'password'));
    if (args.passphrase !== undefined) credentials.passphrase = context.secrets.open(sealed(args.passphrase, 'passphrase'));
  } catch (error) {
    throw invalid(`the secret could not be opened (${error instanceof Error ? error.message : String(error)}): seal it to this server's sealKey`);
  }

  const progress = await context.progress(`Alma SIS: uploading ${visible(basename(zip))}`, workDoneToken);
  const abort = abortOn(token);
  try {
    const result = await uploadZip(
      { localPath: zip, sftp: profile.sftp, target: args.target, credentials, baseDir: dirname(config.path) },
      {
        signal: abort.signal,
        onProgress: (p) => {
          const attempt = p.attempt > 1 ? ` (attempt ${p.attempt} of ${p.attempts})` : '';
          const message = p.phase === 'uploading' ? `${p.percent}% of ${(p.bytesTotal / 1e6).toFixed(1)} MB${attempt}`
            : p.phase === 'waiting' ? `connection lost, retrying: ${visible(p.reason ?? '')}`
            : `${p.phase}${attempt}`;
          progress.report(message, p.phase === 'uploading' ? p.percent : 0);
        },
      },
    );
    return { uploaded: true, remotePath: visible(result.remotePath), host: visible(profile.sftp.host), attempts: result.attempts, otherZips: result.otherZips.map((name) => visible(posix.basename(name))) };
  } catch (error) {
    if (!(error instanceof UploadError)) throw error;
    return { uploaded: false, reason: error.reason, message: visible(error.message), seenFingerprint: error.seenFingerprint, configPath: config.path };
  } finally {
    abort.dispose();
    progress.done();
  }
}

function sealed(value: unknown, name: string) {
  if (!isSealedSecret(value)) throw new Error(`${name} is not a sealed secret`);
  return value;
}

/** almaSis/pinHostKey: the configuration's text with the trusted fingerprint in the profile, formatting kept. */
export function pinHostKey(params: PinHostKeyParams): { text: string } {
  if (typeof params.text !== 'string' || typeof params.configPath !== 'string' || typeof params.profile !== 'string' || typeof params.fingerprint !== 'string') {
    throw invalid('almaSis/pinHostKey needs { configPath, profile, fingerprint, text }');
  }
  try {
    return { text: withHostKeyFingerprint(params.text, params.configPath, params.profile, params.fingerprint) };
  } catch (error) {
    throw failure(error instanceof Error ? error.message : String(error));
  }
}
