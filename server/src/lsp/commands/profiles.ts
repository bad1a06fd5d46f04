import { dirname } from 'node:path';
import { baselineFile, codeTablesFilesOf, configPathFor, defaultZipName, loadConfig, remoteFolder, resolveKeyPath, selectProfile, type AlmaSisConfig, type Profile } from '../../engine';
import type { WatchedConfigFiles, ProfileSummary, ProfilesParams, ProfilesResult, SftpSummary, UploadTarget } from '../../protocol/messages';
import { pathArgument, type CommandContext } from './context';

/**
 * almaSis/profiles: the configuration and profiles that apply to a file, for the client's pickers.
 * The configuration is found as validation finds it; its profiles are listed even when several
 * and no default leave validation without one (that is when the person is asked).
 */
export async function profilesFor(params: ProfilesParams, context: CommandContext): Promise<ProfilesResult> {
  const path = params.uri === undefined ? undefined : pathArgument(params.uri, 'uri', context);
  const choice = await context.choice(path);
  const setting = choice.profile || undefined;
  const now = new Date();
  const configPath = configPathFor(choice, path, context.folders(), { orWorkspace: params.orWorkspace === true });
  if (configPath === undefined) return { profiles: [], setting, zipName: defaultZipName(undefined, now) };
  let config: AlmaSisConfig;
  let chosen: Profile | undefined;
  try {
    config = await loadConfig(configPath);
    chosen = selectProfile(config, setting);
  } catch (error) {
    return { configPath, problem: error instanceof Error ? error.message : String(error), profiles: [], setting, zipName: defaultZipName(undefined, now) };
  }
  return {
    configPath: config.path,
    profiles: await Promise.all(config.profiles.map((profile) => summary(config, profile, now))),
    defaultProfile: config.defaultProfile,
    chosen: chosen?.code,
    setting,
    zipName: defaultZipName(chosen?.code, now),
  };
}

async function summary(config: AlmaSisConfig, profile: Profile, now: Date): Promise<ProfileSummary> {
  const baseline = await baselineFile(config, profile);
  return {
    code: profile.code,
    name: profile.name,
    zipName: defaultZipName(profile.code, now),
    ...(baseline !== undefined ? { baseline } : {}),
    ...(profile.sftp ? { sftp: sftpSummary(config, profile.sftp) } : {}),
  };
}

function sftpSummary(config: AlmaSisConfig, sftp: NonNullable<Profile['sftp']>): SftpSummary {
  const folder = (target: UploadTarget) => {
    try {
      return { folder: remoteFolder(sftp, target) };
    } catch (error) {
      return { problem: error instanceof Error ? error.message : String(error) };
    }
  };
  return {
    host: sftp.host,
    port: sftp.port ?? 22,
    username: sftp.username,
    ...(sftp.privateKeyPath !== undefined ? { keyPath: resolveKeyPath(sftp.privateKeyPath, dirname(config.path)) } : {}),
    ...(sftp.hostKeyFingerprint !== undefined ? { hostKeyFingerprint: sftp.hostKeyFingerprint } : {}),
    folders: { synchronize: folder('synchronize'), import: folder('import') },
  };
}

/** almaSis/watchedConfigFiles: the configurations to watch and the code-tables files they name. */
export async function watchedConfigFiles(configPaths: readonly unknown[], context: CommandContext): Promise<WatchedConfigFiles> {
  const choice = await context.choice(undefined);
  const configs = new Set(configPaths.filter((p): p is string => typeof p === 'string'));
  const named = choice.configPath === '' ? undefined : configPathFor(choice, undefined, context.folders());
  if (named !== undefined) configs.add(named);
  return { ...(named !== undefined ? { named } : {}), codeTablesFiles: await codeTablesFilesOf([...configs]) };
}
