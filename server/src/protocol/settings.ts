/**
 * The editor settings (section `alma-sis`), read once the same way by the VS Code client and by
 * the language server: one type, one set of defaults, one reader. No `vscode` or engine import,
 * so both sides and the tests share it.
 */

export const SETTINGS_SECTION = 'alma-sis';

export type RuleSeverity = 'error' | 'warning' | 'info' | 'off';
export type ValidateOn = 'onType' | 'onSave';
export type TraceLevel = 'off' | 'messages' | 'verbose';

export interface AlmaSisSettings {
  /** Rule id -> severity or "off", on top of the configuration file's rules. */
  rules: Record<string, RuleSeverity>;
  /** Undefined: the configuration file's `strict` decides. */
  strict: boolean | undefined;
  validate: ValidateOn;
  /** Milliseconds after the last keystroke before validating. */
  debounceMs: number;
  /** alma-sis.config.json to use; '' for the nearest one upwards from the file. Relative: to the workspace folder. */
  configPath: string;
  /** Profile code; '' for the configuration's default (or only) profile. */
  profile: string;
  /** Per-document cap on published diagnostics, errors first. */
  maxProblems: number;
  useAlmaLanguage: boolean;
  trace: TraceLevel;
}

export const DEFAULT_SETTINGS: AlmaSisSettings = {
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

/** The settings as they travel (initializationOptions, workspace/configuration): every field optional. */
export type WireSettings = Partial<Omit<AlmaSisSettings, 'useAlmaLanguage' | 'trace'>>;

/** What `WorkspaceConfiguration.get` offers: dotted keys such as 'trace.server'. */
export interface SettingsSource {
  get<T>(key: string): T | undefined;
}

/** A plain settings object (as workspace/configuration answers it, nested or with dotted keys) as a source. */
export function settingsSourceOf(raw: unknown): SettingsSource {
  const root = isObject(raw) ? raw : {};
  return {
    get<T>(key: string): T | undefined {
      if (key in root) return root[key] as T;
      let value: unknown = root;
      for (const part of key.split('.')) value = isObject(value) ? value[part] : undefined;
      return value as T | undefined;
    },
  };
}

const SEVERITIES: readonly string[] = ['error', 'warning', 'info', 'off'];

/**
 * Reads the settings, falling back to the default for a value of the wrong type or out of range
 * (the manifest's minimums): a hand-edited settings.json or a client pushing nonsense must not
 * stop validation.
 */
export function readSettings(source: SettingsSource): AlmaSisSettings {
  const d = DEFAULT_SETTINGS;
  const rules: Record<string, RuleSeverity> = {};
  const rawRules = source.get<unknown>('rules');
  if (isObject(rawRules)) {
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

/** The settings as the server receives them at start; an unset `strict` is left out so the configuration decides. */
export function toWireSettings(settings: AlmaSisSettings): WireSettings {
  const { rules, strict, validate, debounceMs, configPath, profile, maxProblems } = settings;
  return { rules: { ...rules }, ...(strict === undefined ? {} : { strict }), validate, debounceMs, configPath, profile, maxProblems };
}

function pick<T>(value: unknown, ok: (v: unknown) => v is T, fallback: T): T {
  return ok(value) ? value : fallback;
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
