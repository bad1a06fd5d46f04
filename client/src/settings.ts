/**
 * The extension's settings (section `alma-sis`) as plain data, with no `vscode` import so the
 * mapping is testable on its own; extension code passes `workspace.getConfiguration` in.
 */
import type { AlmaSisClientSettings } from '../../server/src/lsp/protocol';

/** The language the extension contributes: XML with Alma's vocabulary in its grammar. */
export const ALMA_LANGUAGE_ID = 'alma-sis-users';
export const SETTINGS_SECTION = 'alma-sis';

export type RuleSeverity = 'error' | 'warning' | 'info' | 'off';
export type ValidateOn = 'onType' | 'onSave';
export type TraceLevel = 'off' | 'messages' | 'verbose';

export interface ClientSettings {
  rules: Record<string, RuleSeverity>;
  /** Undefined: the configuration file's `strict` decides. */
  strict: boolean | undefined;
  validate: ValidateOn;
  debounceMs: number;
  configPath: string;
  profile: string;
  maxProblems: number;
  useAlmaLanguage: boolean;
  trace: TraceLevel;
}

export const DEFAULT_CLIENT_SETTINGS: ClientSettings = {
  rules: {},
  strict: undefined,
  validate: 'onType',
  debounceMs: 200,
  configPath: '',
  profile: '',
  maxProblems: 1000,
  useAlmaLanguage: false,
  trace: 'off',
};

/** What `WorkspaceConfiguration.get` offers, so tests can pass a plain object. */
export interface SettingsSource {
  get<T>(key: string): T | undefined;
}

const SEVERITIES: readonly string[] = ['error', 'warning', 'info', 'off'];

/**
 * Reads the settings, falling back to the default for a value of the wrong type: a hand-edited
 * settings.json must not stop the language server from starting.
 */
export function readSettings(source: SettingsSource): ClientSettings {
  const d = DEFAULT_CLIENT_SETTINGS;
  const rules: Record<string, RuleSeverity> = {};
  const rawRules = source.get<unknown>('rules');
  if (rawRules !== null && typeof rawRules === 'object' && !Array.isArray(rawRules)) {
    for (const [id, severity] of Object.entries(rawRules)) {
      if (typeof severity === 'string' && SEVERITIES.includes(severity)) rules[id] = severity as RuleSeverity;
    }
  }
  const maxProblems = source.get<unknown>('maxProblems');
  const debounceMs = source.get<unknown>('debounceMs');
  const strict = source.get<unknown>('strict');
  return {
    rules,
    strict: typeof strict === 'boolean' ? strict : d.strict,
    validate: pick(source.get('validate'), (v): v is ValidateOn => v === 'onType' || v === 'onSave', d.validate),
    debounceMs: typeof debounceMs === 'number' && Number.isFinite(debounceMs) && debounceMs >= 0 ? debounceMs : d.debounceMs,
    configPath: pick(source.get('configPath'), isString, d.configPath).trim(),
    profile: pick(source.get('profile'), isString, d.profile).trim(),
    maxProblems: typeof maxProblems === 'number' && Number.isFinite(maxProblems) && maxProblems >= 1
      ? Math.floor(maxProblems) : d.maxProblems,
    useAlmaLanguage: pick(source.get('useAlmaLanguage'), (v): v is boolean => typeof v === 'boolean', d.useAlmaLanguage),
    trace: pick(source.get('trace.server'), (v): v is TraceLevel => v === 'off' || v === 'messages' || v === 'verbose', d.trace),
  };
}

/**
 * The settings as the server reads them (`initializationOptions.settings`; afterwards it pulls the
 * same section itself). An unset `strict` is left out so the configuration file decides.
 */
export function toServerSettings(settings: ClientSettings): AlmaSisClientSettings {
  const { rules, strict, validate, debounceMs, configPath, profile, maxProblems } = settings;
  return {
    rules: { ...rules },
    ...(strict === undefined ? {} : { strict }),
    validate,
    debounceMs,
    configPath,
    profile,
    maxProblems,
  };
}

function pick<T>(value: unknown, ok: (v: unknown) => v is T, fallback: T): T {
  return ok(value) ? value : fallback;
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}

/** The documents the language server sees: plain XML and our language, on disk or unsaved. */
export function documentSelector(): { scheme: string; language: string }[] {
  return ['file', 'untitled'].flatMap((scheme) => ['xml', ALMA_LANGUAGE_ID].map((language) => ({ scheme, language })));
}

/** A file pattern to watch: a glob under the workspace folders, or a file name under a folder (`base`). */
export interface WatchTarget {
  base?: string;
  pattern: string;
}

/**
 * The files whose changes the server must hear about: every configuration and code-tables file in
 * the workspace, the configuration the settings name (it may have another name or live outside
 * the workspace), and the code-tables files the configurations name (`codeTablesFiles`, absolute).
 */
export function watchTargets(settings: Pick<ClientSettings, 'configPath'>, codeTablesFiles: readonly string[] = []): WatchTarget[] {
  const targets: WatchTarget[] = [{ pattern: '**/alma-sis.config.json' }, { pattern: '**/*.codetables.json' }];
  const add = (target: WatchTarget): void => {
    if (!targets.some((t) => t.base === target.base && t.pattern === target.pattern)) targets.push(target);
  };
  const configPath = settings.configPath.replace(/\\/g, '/');
  if (configPath !== '') add(isAbsolutePath(configPath) ? splitPath(configPath) : { pattern: configPath.replace(/^\.\//, '') });
  for (const file of codeTablesFiles) add(splitPath(file.replace(/\\/g, '/')));
  return targets;
}

function isAbsolutePath(path: string): boolean {
  return path.startsWith('/') || /^[A-Za-z]:\//.test(path);
}

function splitPath(path: string): WatchTarget {
  const slash = path.lastIndexOf('/');
  return { base: path.slice(0, Math.max(slash, 1)), pattern: path.slice(slash + 1) };
}
