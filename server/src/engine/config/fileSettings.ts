import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { ConfigError, findConfig, loadConfig, settingsFor } from './configFile';
import { resolveCodeTablesPath } from './codeTables';
import { resolveProfile } from './resolveProfile';
import type { AlmaSisConfig, Profile, ValidationSettings } from './types';
import type { RuleId } from '../rules/ruleTable';

/** What an editor's settings say about the configuration (alma-sis.configPath, .profile, .strict, .rules). */
export interface SettingsChoice {
  /** '' for the nearest alma-sis.config.json upwards from the file; relative: to the workspace folder. */
  configPath: string;
  /** '' for the configuration's default (or only) profile. */
  profile: string;
  strict?: boolean;
  rules?: Readonly<Record<string, 'error' | 'warning' | 'info' | 'off'>>;
}

/** The settings, configuration and profile for one file, as every editor feature and command uses them. */
export interface FileSettings {
  settings: ValidationSettings;
  config?: AlmaSisConfig;
  profile?: Profile;
  /** The configuration file used or tried. */
  configPath?: string;
  /** The configuration could not be used: defaults apply, and this says why (shown in that file). */
  configError?: ConfigError;
}

export interface FileSettingsOptions {
  /** When nothing is found upwards from the file, use the first workspace folder's configuration. */
  orWorkspace?: boolean;
}

/**
 * The configuration file a choice names for a file: the setting's (a relative one from the
 * workspace folder that holds the file, else the first folder, never the process's working
 * directory), else the nearest upwards from the file, else (orWorkspace) a workspace folder's.
 */
export function configPathFor(choice: Pick<SettingsChoice, 'configPath'>, file: string | undefined, folders: readonly string[], options: FileSettingsOptions = {}): string | undefined {
  if (choice.configPath !== '') {
    if (isAbsolute(choice.configPath)) return choice.configPath;
    const base = (file !== undefined ? folders.find((folder) => inside(folder, file)) : undefined) ?? folders[0] ?? (file !== undefined ? dirname(file) : process.cwd());
    return resolve(base, choice.configPath);
  }
  const near = findConfig(file !== undefined ? dirname(file) : folders[0] ?? process.cwd());
  if (near !== undefined || !options.orWorkspace) return near;
  for (const folder of folders) {
    const found = findConfig(folder);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * Resolves a file's settings: its configuration, profile and code tables, then the editor's
 * `strict` and `rules` on top. A configuration that cannot be used gives the defaults and the error.
 */
export async function resolveFileSettings(file: string | undefined, choice: SettingsChoice, folders: readonly string[], options: FileSettingsOptions = {}): Promise<FileSettings> {
  const configPath = configPathFor(choice, file, folders, options);
  const searchFrom = file !== undefined ? dirname(file) : folders[0] ?? process.cwd();
  try {
    const resolved = await resolveProfile({ configPath, searchFrom, profileCode: choice.profile || undefined, strict: choice.strict });
    return { ...resolved, settings: withRules(resolved.settings, choice), configPath: resolved.config?.path ?? configPath };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return {
      settings: withRules(settingsFor(undefined, undefined, undefined, { strict: choice.strict }), choice),
      configPath: error.path,
      configError: error,
    };
  }
}

function withRules(settings: ValidationSettings, choice: SettingsChoice): ValidationSettings {
  if (choice.rules === undefined || Object.keys(choice.rules).length === 0) return settings;
  return { ...settings, rules: { ...settings.rules, ...(choice.rules as Partial<Record<RuleId, 'error' | 'warning' | 'info' | 'off'>>) } };
}

function inside(folder: string, file: string): boolean {
  const path = relative(folder, file);
  return path !== '' && !path.startsWith('..') && !isAbsolute(path);
}

/**
 * The code-tables files these configurations name (absolute paths, sorted), so that an editor can
 * watch them whatever they are called. A configuration that cannot be read names none: its
 * problems are shown in that file.
 */
export async function codeTablesFilesOf(configPaths: readonly string[]): Promise<string[]> {
  const files = new Set<string>();
  for (const configPath of configPaths) {
    try {
      const config = await loadConfig(configPath);
      for (const profile of config.profiles) {
        const file = resolveCodeTablesPath(config, profile);
        if (file !== undefined) files.add(file);
      }
    } catch {
      // Broken or missing: nothing to add.
    }
  }
  return [...files].sort();
}
