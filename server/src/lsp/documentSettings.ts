import { dirname, isAbsolute, resolve } from 'node:path';
import { resolveProfile, settingsFor, ConfigError, type ValidationSettings, type RuleId } from '../engine';
import type { AlmaSisClientSettings } from './protocol';
import { DEFAULT_MAX_PROBLEMS } from './diagnostics';

/** The client's `alma-sis.*` settings with defaults filled in and wrong types ignored. */
export interface ClientSettings {
  maxProblems: number;
  validate: 'onType' | 'onSave';
  configPath: string;
  strict: boolean | undefined;
  rules: Record<string, 'error' | 'warning' | 'info' | 'off'>;
  profile: string | undefined;
  debounceMs: number;
}

export const DEFAULT_DEBOUNCE_MS = 200;

export function readClientSettings(raw: unknown): ClientSettings {
  const s = (raw && typeof raw === 'object' ? raw : {}) as AlmaSisClientSettings;
  const rules: ClientSettings['rules'] = {};
  if (s.rules && typeof s.rules === 'object') {
    for (const [id, level] of Object.entries(s.rules)) {
      if (level === 'error' || level === 'warning' || level === 'info' || level === 'off') rules[id] = level;
    }
  }
  return {
    maxProblems: typeof s.maxProblems === 'number' && s.maxProblems >= 0 ? s.maxProblems : DEFAULT_MAX_PROBLEMS,
    validate: s.validate === 'onSave' ? 'onSave' : 'onType',
    configPath: typeof s.configPath === 'string' ? s.configPath.trim() : '',
    strict: typeof s.strict === 'boolean' ? s.strict : undefined,
    rules,
    profile: typeof s.profile === 'string' && s.profile.trim() !== '' ? s.profile.trim() : undefined,
    debounceMs: typeof s.debounceMs === 'number' && s.debounceMs >= 0 ? s.debounceMs : DEFAULT_DEBOUNCE_MS,
  };
}

export interface ResolvedSettings {
  settings: ValidationSettings;
  /** The configuration file used, when one was. */
  configPath?: string;
  /** The configuration could not be used: its problems, shown in that file. */
  configError?: ConfigError;
}

/**
 * The validation settings for a document: the configuration (named by the setting, else the
 * nearest alma-sis.config.json upwards from the document), its profile and code tables, then the
 * editor's `strict` and `rules` on top. A broken configuration gives the defaults and the error.
 */
export async function resolveSettings(documentPath: string | undefined, client: ClientSettings, workspaceRoot: string | undefined): Promise<ResolvedSettings> {
  const searchFrom = documentPath ? dirname(documentPath) : workspaceRoot ?? process.cwd();
  let configPath: string | undefined;
  if (client.configPath !== '') configPath = isAbsolute(client.configPath) ? client.configPath : resolve(workspaceRoot ?? searchFrom, client.configPath);
  try {
    const resolved = await resolveProfile({ configPath, searchFrom, profileCode: client.profile, strict: client.strict });
    return { settings: withClientRules(resolved.settings, client), configPath: resolved.config?.path };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return {
      settings: withClientRules(settingsFor(undefined, undefined, undefined, { strict: client.strict }), client),
      configPath: error.path,
      configError: error,
    };
  }
}

function withClientRules(settings: ValidationSettings, client: ClientSettings): ValidationSettings {
  if (Object.keys(client.rules).length === 0) return settings;
  return { ...settings, rules: { ...settings.rules, ...(client.rules as Partial<Record<RuleId, 'error' | 'warning' | 'info' | 'off'>>) } };
}

/** The engine decides what an Alma user file is; the tests that know it from here still find it. */
export { isAlmaUserFile } from '../engine';
