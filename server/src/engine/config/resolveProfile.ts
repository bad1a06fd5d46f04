import { loadCodeTables, resolveCodeTablesPath } from './codeTables';
import { ConfigError, findConfig, loadConfig, selectProfile, settingsFor } from './configFile';
import type { AlmaSisConfig, Profile, ValidationSettings } from './types';

export interface ProfileRequest {
  /** An explicit configuration file; otherwise the nearest alma-sis.config.json from `searchFrom` upwards. */
  configPath?: string;
  searchFrom: string;
  /** A profile code; otherwise defaultProfile, or the only profile. */
  profileCode?: string;
  /** Overrides the configuration's strict setting when given. */
  strict?: boolean;
}

export interface ResolvedProfile {
  /** Undefined when no configuration was named or found: defaults apply. */
  config?: AlmaSisConfig;
  profile?: Profile;
  settings: ValidationSettings;
}

/**
 * Everything every operation (validate, zip, upload, dry-run, the editor) needs from the
 * configuration, resolved the same way for all: the file, the profile, its code tables, and the
 * validation settings. Throws ConfigError with a message fit to show as it is.
 */
export async function resolveProfile(request: ProfileRequest): Promise<ResolvedProfile> {
  const configPath = request.configPath ?? findConfig(request.searchFrom);
  if (configPath === undefined) {
    if (request.profileCode !== undefined) {
      throw new ConfigError(
        request.searchFrom,
        `profile ${request.profileCode} needs a configuration: there is no alma-sis.config.json here or above`,
      );
    }
    return { settings: settingsFor(undefined, undefined, undefined, { strict: request.strict }) };
  }
  const config = await loadConfig(configPath);
  const profile = selectProfile(config, request.profileCode);
  if (profile === undefined && config.profiles.length > 1) {
    throw new ConfigError(
      config.path,
      `several profiles (${config.profiles.map((p) => p.code).join(', ')}) and no defaultProfile; choose one`,
    );
  }
  const codeTablesPath = resolveCodeTablesPath(config, profile);
  const codeTables = codeTablesPath === undefined ? undefined : await loadCodeTables(codeTablesPath);
  return { config, profile, settings: settingsFor(config, profile, codeTables, { strict: request.strict }) };
}
