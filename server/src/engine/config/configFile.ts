import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { RULES, isRuleId, type RuleId } from '../rules/ruleTable';
import {
  ConfigError,
  ProblemList,
  describeValue,
  formatJsonPath,
  isPlainObject,
  listAlternatives,
  nearestName,
  parseJsonDocument,
  readConfigText,
  type JsonPath,
} from './jsonInput';
import type { AlmaSisConfig, CodeTables, Profile, RuleSetting, SftpSettings, ValidationSettings } from './types';

export { ConfigError } from './jsonInput';
export type { ConfigProblem } from './jsonInput';

export const CONFIG_FILE_NAME = 'alma-sis.config.json';

export const RULE_SETTINGS = ['error', 'warning', 'info', 'off'] as const satisfies readonly RuleSetting[];
export const XSD_VERSIONS = [1, 2] as const;
export const RECORD_TYPES = ['PUBLIC', 'STAFF', 'CONTACT'] as const;
export const USED_FOR = ['users', 'researchers', 'both'] as const;
export const UNMATCHED_ACTIONS = ['add', 'reject'] as const;

const TOP_LEVEL_KEYS = ['$schema', 'defaultProfile', 'strict', 'rules', 'profiles'];
const PROFILE_KEYS = ['code', 'name', 'xsdVersion', 'recordType', 'usedFor', 'matchIdType', 'unmatched', 'codeTables', 'xslConverter', 'feed', 'baseline', 'rules', 'strict', 'sftp'];
const SFTP_KEYS = ['host', 'port', 'username', 'privateKeyPath', 'hostKeyFingerprint', 'directory', 'importPath', 'synchronizePath', 'exportPath'];

/** As `ssh-keygen -lf` and `ssh-keyscan | ssh-keygen -lf -` print it: unpadded base64 of a SHA-256. */
const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}$/;

const SECRET_ADVICE =
  'secrets do not belong in alma-sis.config.json (it is usually shared or committed): the VS Code extension keeps ' +
  'passwords and key passphrases in its secret storage, and the CLI reads them from the environment or an ssh agent';

/** Parses and checks `alma-sis.config.json`; throws a ConfigError listing every problem found. */
export function parseConfig(text: string, path: string): AlmaSisConfig {
  const document = parseJsonDocument(text, path);
  const problems = new ProblemList(document);
  const check = new Checker(problems);
  const root = document.value;
  if (!isPlainObject(root)) {
    problems.report([], `the configuration must be a JSON object, not ${describeValue(root)}`);
    problems.throwIfAny(path);
  }
  const config = check.config(root as Record<string, unknown>, resolve(path));
  problems.throwIfAny(path);
  return config;
}

export async function loadConfig(path: string): Promise<AlmaSisConfig> {
  return parseConfig(await readConfigText(path), path);
}

/** The nearest alma-sis.config.json in startDir or a folder above it, as an absolute path. */
export function findConfig(startDir: string): string | undefined {
  let dir = resolve(startDir);
  for (;;) {
    const candidate = join(dir, CONFIG_FILE_NAME);
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * The profile to validate with: the one asked for, else the file's defaultProfile, else the
 * only profile. Undefined when several profiles exist and none is chosen, so the caller can ask.
 */
export function selectProfile(config: AlmaSisConfig, code?: string): Profile | undefined {
  const wanted = code ?? config.defaultProfile;
  if (wanted === undefined) return config.profiles.length === 1 ? config.profiles[0] : undefined;
  const found =
    config.profiles.find((profile) => profile.code === wanted) ??
    config.profiles.find((profile) => profile.code.toLowerCase() === wanted.toLowerCase());
  if (found !== undefined) return found;
  const known = config.profiles.map((profile) => profile.code);
  throw new ConfigError(
    config.path,
    known.length === 0
      ? `there is no profile "${wanted}": the file defines no profiles`
      : `there is no profile "${wanted}"; the profiles are ${known.join(', ')}`,
  );
}

/** The profile's XSL converter as an absolute path, relative paths from the configuration's folder. */
export function resolveXslConverterPath(config: AlmaSisConfig, profile: Profile | undefined): string | undefined {
  if (profile?.xslConverter === undefined) return undefined;
  return resolve(dirname(config.path), profile.xslConverter);
}

/** What the validator uses: rule severities from the file then the profile; strict from the caller first. */
export function settingsFor(
  config: AlmaSisConfig | undefined,
  profile: Profile | undefined,
  codeTables: CodeTables | undefined,
  overrides: { strict?: boolean },
): ValidationSettings {
  const settings: ValidationSettings = {
    rules: { ...config?.rules, ...profile?.rules },
    strict: overrides.strict ?? profile?.strict ?? config?.strict ?? false,
  };
  if (profile?.xsdVersion !== undefined) settings.xsdVersion = profile.xsdVersion;
  if (profile?.usedFor !== undefined) settings.usedFor = profile.usedFor;
  if (profile?.matchIdType !== undefined) settings.matchIdType = profile.matchIdType;
  if (codeTables !== undefined) settings.codeTables = codeTables;
  return settings;
}

/** Typed reads of the raw JSON, each reporting a precise problem and returning undefined when wrong. */
class Checker {
  constructor(private readonly problems: ProblemList) {}

  config(root: Record<string, unknown>, absolutePath: string): AlmaSisConfig {
    this.reportSecrets([], root);
    this.knownKeys([], root, TOP_LEVEL_KEYS, 'top-level setting');
    this.string(['$schema'], root.$schema);
    const profiles = this.profiles(root.profiles);
    const config: AlmaSisConfig = {
      path: absolutePath,
      profiles,
      rules: this.rules(['rules'], root.rules) ?? {},
      strict: this.boolean(['strict'], root.strict) ?? false,
    };
    const defaultProfile = this.string(['defaultProfile'], root.defaultProfile, true);
    if (defaultProfile !== undefined) {
      config.defaultProfile = defaultProfile;
      this.checkDefaultProfile(defaultProfile, profiles);
    }
    return config;
  }

  private checkDefaultProfile(code: string, profiles: Profile[]): void {
    if (profiles.some((profile) => profile.code === code)) return;
    const codes = profiles.map((profile) => profile.code);
    const near = nearestName(code, codes);
    this.problems.report(
      ['defaultProfile'],
      `defaultProfile "${code}" does not name a profile; ` +
        (codes.length === 0 ? 'there are no profiles' : near !== undefined ? `did you mean "${near}"?` : `the profiles are ${codes.join(', ')}`),
    );
  }

  private profiles(value: unknown): Profile[] {
    if (value === undefined) return [];
    if (!Array.isArray(value)) {
      this.problems.report(['profiles'], `profiles must be an array of profiles, not ${describeValue(value)}`);
      return [];
    }
    const profiles: Profile[] = [];
    const firstByCode = new Map<string, { index: number; code: string }>();
    value.forEach((raw, index) => {
      const profile = this.profile(['profiles', index], raw);
      if (profile === undefined) return;
      profiles.push(profile);
      if (profile.code === '') return;
      const earlier = firstByCode.get(profile.code.toLowerCase());
      if (earlier === undefined) firstByCode.set(profile.code.toLowerCase(), { index, code: profile.code });
      else {
        const how = earlier.code === profile.code ? 'is already used by' : `differs only in case from "${earlier.code}" in`;
        this.problems.report(['profiles', index, 'code'], `profiles[${index}].code "${profile.code}" ${how} profiles[${earlier.index}]; profile codes must be unique`);
      }
    });
    return profiles;
  }

  private profile(path: JsonPath, value: unknown): Profile | undefined {
    if (!isPlainObject(value)) {
      this.problems.report(path, `${formatJsonPath(path)} must be an object (a profile), not ${describeValue(value)}`);
      return undefined;
    }
    this.knownKeys(path, value, PROFILE_KEYS, 'profile setting');
    const at = (key: string): JsonPath => [...path, key];
    const code = this.string(at('code'), value.code, true);
    if (value.code === undefined) this.problems.report(path, `${formatJsonPath(path)} has no code; every profile needs the code of its Alma integration profile`);
    const profile: Profile = { code: code ?? '' };
    const optional = {
      name: this.string(at('name'), value.name, true),
      xsdVersion: this.oneOf(at('xsdVersion'), value.xsdVersion, XSD_VERSIONS),
      recordType: this.oneOf(at('recordType'), value.recordType, RECORD_TYPES),
      usedFor: this.oneOf(at('usedFor'), value.usedFor, USED_FOR),
      matchIdType: this.string(at('matchIdType'), value.matchIdType, true),
      unmatched: this.oneOf(at('unmatched'), value.unmatched, UNMATCHED_ACTIONS),
      sftp: this.sftp(at('sftp'), value.sftp),
      codeTables: this.string(at('codeTables'), value.codeTables, true),
      xslConverter: this.stylesheetPath(at('xslConverter'), value.xslConverter),
      feed: this.globs(at('feed'), value.feed),
      baseline: this.string(at('baseline'), value.baseline, true),
      rules: this.rules(at('rules'), value.rules),
      strict: this.boolean(at('strict'), value.strict),
    } satisfies Omit<Profile, 'code'>;
    return Object.assign(profile, withoutUndefined(optional));
  }

  private sftp(path: JsonPath, value: unknown): SftpSettings | undefined {
    if (value === undefined) return undefined;
    if (!isPlainObject(value)) {
      this.problems.report(path, `${formatJsonPath(path)} must be an object (the SFTP server settings), not ${describeValue(value)}`);
      return undefined;
    }
    this.knownKeys(path, value, SFTP_KEYS, 'SFTP setting');
    const at = (key: string): JsonPath => [...path, key];
    for (const key of ['host', 'username']) {
      if (value[key] === undefined) this.problems.report(path, `${formatJsonPath(path)} has no ${key}; it is required to connect`);
    }
    const host = this.string(at('host'), value.host, true);
    if (host !== undefined && (/\s/.test(host) || host.includes('/'))) {
      this.problems.report(at('host'), `${formatJsonPath(at('host'))} must be a host name or address, not ${describeValue(host)}; put the folder in directory`);
    }
    const sftp: SftpSettings = { host: host ?? '', username: this.string(at('username'), value.username, true) ?? '' };
    const optional = {
      port: this.port(at('port'), value.port),
      privateKeyPath: this.string(at('privateKeyPath'), value.privateKeyPath, true),
      hostKeyFingerprint: this.fingerprint(at('hostKeyFingerprint'), value.hostKeyFingerprint),
      directory: this.string(at('directory'), value.directory, true),
      importPath: this.string(at('importPath'), value.importPath, true),
      synchronizePath: this.string(at('synchronizePath'), value.synchronizePath, true),
      exportPath: this.string(at('exportPath'), value.exportPath, true),
    } satisfies Omit<SftpSettings, 'host' | 'username'>;
    return Object.assign(sftp, withoutUndefined(optional));
  }

  /**
   * A stylesheet path. Alma's profile holds the stylesheet's text; here it is a file beside the
   * configuration, so that it can be versioned and edited as XML.
   */
  private stylesheetPath(path: JsonPath, value: unknown): string | undefined {
    const text = this.string(path, value, true);
    if (text === undefined) return undefined;
    if (/^\s*<|<xsl:/.test(text)) {
      this.problems.report(path, `${formatJsonPath(path)} must be the path of the stylesheet file (relative to this file, e.g. "plif-to-sis.xsl"), not the stylesheet itself`);
      return undefined;
    }
    return text;
  }

  /** A list of globs; one glob alone is taken as a list of one. */
  private globs(path: JsonPath, value: unknown): string[] | undefined {
    if (value === undefined) return undefined;
    if (typeof value === 'string') value = [value];
    if (!Array.isArray(value) || value.length === 0) {
      this.problems.report(path, `${formatJsonPath(path)} must be a list of file globs relative to this file, in load order (e.g. ["feeds/students-*.xml"]), not ${describeValue(value)}`);
      return undefined;
    }
    const globs: string[] = [];
    value.forEach((item: unknown, index: number) => {
      const glob = this.string([...path, index], item, true);
      if (glob !== undefined) globs.push(glob);
    });
    return globs.length > 0 ? globs : undefined;
  }

  private port(path: JsonPath, value: unknown): number | undefined {
    if (value === undefined) return undefined;
    if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535) return value;
    this.problems.report(path, `${formatJsonPath(path)} must be a whole number from 1 to 65535, not ${describeValue(value)}`);
    return undefined;
  }

  private fingerprint(path: JsonPath, value: unknown): string | undefined {
    const text = this.string(path, value, true);
    if (text === undefined || FINGERPRINT.test(text)) return text;
    const hint =
      /^SHA256:[A-Za-z0-9+/]{43}=$/.test(text) ? '; drop the trailing "=" padding'
      : /^(MD5:)?([0-9a-f]{2}:){15}[0-9a-f]{2}$/i.test(text) ? '; that is an MD5 fingerprint, use the SHA256 one'
      : '';
    this.problems.report(
      path,
      `${formatJsonPath(path)} must be "SHA256:" followed by 43 base64 characters without padding, as ssh-keygen -lf prints it, not ${describeValue(text)}${hint}`,
    );
    return undefined;
  }

  private rules(path: JsonPath, value: unknown): Partial<Record<RuleId, RuleSetting>> | undefined {
    if (value === undefined) return undefined;
    if (!isPlainObject(value)) {
      this.problems.report(path, `${formatJsonPath(path)} must be an object of rule ids and severities, not ${describeValue(value)}`);
      return undefined;
    }
    const rules: Partial<Record<RuleId, RuleSetting>> = {};
    for (const [id, setting] of Object.entries(value)) {
      if (isSecretKey(id)) continue;
      const rulePath = [...path, id];
      if (!isRuleId(id)) {
        const ids = RULES.map((rule) => rule.id);
        const near = nearestName(id, ids);
        this.problems.report(
          rulePath,
          `${formatJsonPath(path)}: unknown rule "${id}"; ` + (near !== undefined ? `did you mean "${near}"?` : `the rules are ${ids.join(', ')}`),
        );
        continue;
      }
      const checked = this.oneOf(rulePath, setting, RULE_SETTINGS);
      if (checked !== undefined) rules[id] = checked;
    }
    return rules;
  }

  /** A value that must be one of a few; strings get a "did you mean" for case slips and typos. */
  private oneOf<T extends string | number>(path: JsonPath, value: unknown, allowed: readonly T[]): T | undefined {
    if (value === undefined) return undefined;
    if ((allowed as readonly unknown[]).includes(value)) return value as T;
    let hint = '';
    if (typeof value === 'string') {
      const near = nearestName(value, allowed.filter((item): item is T & string => typeof item === 'string'));
      if (near !== undefined) hint = `; did you mean "${near}"?`;
    }
    if (value === false && (allowed as readonly unknown[]).includes('off')) hint = '; use "off" to turn a rule off';
    this.problems.report(path, `${formatJsonPath(path)} must be ${listAlternatives(allowed)}, not ${describeValue(value)}${hint}`);
    return undefined;
  }

  private string(path: JsonPath, value: unknown, nonBlank = false): string | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== 'string') {
      this.problems.report(path, `${formatJsonPath(path)} must be a string, not ${describeValue(value)}`);
      return undefined;
    }
    if (nonBlank && value.trim() === '') {
      this.problems.report(path, `${formatJsonPath(path)} must not be empty`);
      return undefined;
    }
    return value;
  }

  private boolean(path: JsonPath, value: unknown): boolean | undefined {
    if (value === undefined || typeof value === 'boolean') return value;
    this.problems.report(path, `${formatJsonPath(path)} must be true or false, not ${describeValue(value)}`);
    return undefined;
  }

  private knownKeys(path: JsonPath, value: Record<string, unknown>, known: readonly string[], what: string): void {
    for (const key of Object.keys(value)) {
      if (known.includes(key) || isSecretKey(key)) continue;
      const near = nearestName(key, known);
      const keyPath = [...path, key];
      this.problems.report(
        keyPath,
        `${formatJsonPath(keyPath)} is not a known ${what}` +
          (near !== undefined ? `; did you mean "${near}"?` : `; the ${what}s are ${known.filter((name) => name !== '$schema').join(', ')}`),
      );
    }
  }

  /** Anywhere in the file, including inside unknown or misplaced objects. */
  private reportSecrets(path: JsonPath, value: unknown): void {
    if (Array.isArray(value)) value.forEach((item, index) => this.reportSecrets([...path, index], item));
    if (!isPlainObject(value)) return;
    for (const [key, child] of Object.entries(value)) {
      const keyPath = [...path, key];
      if (isSecretKey(key)) {
        const what = /^privatekey$/i.test(key) ? `${formatJsonPath(keyPath)} would hold the private key itself; name the key file with privateKeyPath instead. Keys and other` : `${formatJsonPath(keyPath)}:`;
        this.problems.report(keyPath, `${what} ${SECRET_ADVICE}`);
      }
      this.reportSecrets(keyPath, child);
    }
  }
}

function isSecretKey(key: string): boolean {
  return /pass(?:word|phrase)|^privatekey$/i.test(key);
}

function withoutUndefined<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;
}

