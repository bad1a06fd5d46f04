/**
 * The plain part of "Alma SIS: Create Configuration": the answers of the wizard (the questions of
 * Alma's SIS integration profile wizard), the checks each answer must pass, and the
 * alma-sis.config.json they make. No `vscode` import, so the JSON is unit-tested against the
 * schema the extension contributes and the engine's parser.
 */
import * as path from 'node:path';

export type RecordType = 'PUBLIC' | 'STAFF' | 'CONTACT';
export type UsedFor = 'users' | 'researchers' | 'both';

export interface SftpAnswers {
  host: string;
  port: number;
  username: string;
  /** Empty: password or ssh agent (the password is asked at upload, never stored here). */
  privateKeyPath?: string;
  directory?: string;
  importPath?: string;
  synchronizePath?: string;
  exportPath?: string;
}

export interface WizardAnswers {
  code: string;
  name?: string;
  xsdVersion: 1 | 2;
  recordType: RecordType;
  usedFor: UsedFor;
  /** `primary_id` or an identifier type code. */
  matchIdType: string;
  unmatched: 'add' | 'reject';
  /** Relative to the configuration's folder, with `/`. */
  codeTables?: string;
  sftp?: SftpAnswers;
}

export const CONFIG_FILE_NAME = 'alma-sis.config.json';
export const DEFAULT_SFTP_PORT = 22;
/** The job folders proposed below the profile's directory; an empty answer leaves one out. */
export const PROPOSED_PATHS = { importPath: 'import', synchronizePath: 'synchronize', exportPath: 'export' } as const;

/** One answer of a pick: what it shows and what it writes. */
export interface ChoiceOf<T> {
  label: string;
  description: string;
  value: T;
}

export const XSD_VERSION_CHOICES: ChoiceOf<1 | 2>[] = [
  { label: 'Version 2', description: 'recommended: <users> with <user> records', value: 2 },
  { label: 'Version 1', description: 'deprecated by Ex Libris: <userRecords>', value: 1 },
];

export const RECORD_TYPE_CHOICES: ChoiceOf<RecordType>[] = [
  { label: 'PUBLIC', description: 'public users (patrons)', value: 'PUBLIC' },
  { label: 'STAFF', description: 'staff users', value: 'STAFF' },
  { label: 'CONTACT', description: 'contacts', value: 'CONTACT' },
];

/** Asked for User XSD v2 only: Esploro researchers do not exist in v1. */
export const USED_FOR_CHOICES: ChoiceOf<UsedFor>[] = [
  { label: 'Users', description: 'researcher data in a file is reported', value: 'users' },
  { label: 'Researchers', description: 'Esploro researchers only', value: 'researchers' },
  { label: 'Users and researchers', description: 'Esploro', value: 'both' },
];

export const UNMATCHED_CHOICES: ChoiceOf<'add' | 'reject'>[] = [
  { label: 'Add them', description: 'a synchronize creates them', value: 'add' },
  { label: 'Reject them', description: 'a synchronize only updates users Alma has', value: 'reject' },
];

/** The configuration as JSON: the profile's keys in the order the sample and Alma's wizard use. */
export interface ConfigJson {
  defaultProfile: string;
  profiles: ProfileJson[];
}

export interface ProfileJson {
  code: string;
  name?: string;
  xsdVersion: 1 | 2;
  recordType: RecordType;
  usedFor: UsedFor;
  matchIdType: string;
  unmatched: 'add' | 'reject';
  codeTables?: string;
  sftp?: Record<string, string | number>;
}

export function buildConfig(answers: WizardAnswers): ConfigJson {
  const code = answers.code.trim();
  const name = optional(answers.name);
  const profile: ProfileJson = {
    code,
    ...(name !== undefined ? { name } : {}),
    xsdVersion: answers.xsdVersion,
    recordType: answers.recordType,
    // Esploro researchers exist only in User XSD v2.
    usedFor: answers.xsdVersion === 1 ? 'users' : answers.usedFor,
    matchIdType: answers.matchIdType.trim(),
    unmatched: answers.unmatched,
    ...(optional(answers.codeTables) !== undefined ? { codeTables: optional(answers.codeTables) } : {}),
    ...(answers.sftp !== undefined ? { sftp: sftpJson(answers.sftp) } : {}),
  };
  return { defaultProfile: code, profiles: [profile] };
}

function sftpJson(sftp: SftpAnswers): Record<string, string | number> {
  const json: Record<string, string | number> = { host: sftp.host.trim(), port: sftp.port, username: sftp.username.trim() };
  for (const key of ['privateKeyPath', 'directory', 'importPath', 'synchronizePath', 'exportPath'] as const) {
    const value = optional(sftp[key]);
    if (value !== undefined) json[key] = value;
  }
  return json;
}

/** The file's text: two-space indents, as the sample, ending with a line break. */
export function configText(answers: WizardAnswers): string {
  return `${JSON.stringify(buildConfig(answers), null, 2)}\n`;
}

function optional(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

// -----------------------------------------------------------------------------------------
// The checks of the answers, as the input boxes show them (undefined: fine)

export function checkRequired(what: string): (value: string) => string | undefined {
  return (value) => (value.trim() === '' ? `${what} cannot be empty` : undefined);
}

export const checkProfileCode = checkRequired('the profile code');
export const checkIdType = checkRequired('the identifier type code');
export const checkUsername = checkRequired('the user name');

export function checkHost(value: string): string | undefined {
  const host = value.trim();
  if (host === '') return 'the host cannot be empty';
  if (/[\s/]/.test(host)) return 'a host name or address, not a URL: the folder goes in the directory, asked next';
  return undefined;
}

export function checkPort(value: string): string | undefined {
  const port = Number(value.trim());
  return /^\d+$/.test(value.trim()) && port >= 1 && port <= 65535 ? undefined : 'a port number from 1 to 65535';
}

// -----------------------------------------------------------------------------------------
// Files

/** A code tables file as the configuration names it: relative to the configuration's folder, with `/`. */
export function codeTablesReference(configPath: string, codeTablesPath: string): string {
  const relative = path.relative(path.dirname(configPath), codeTablesPath);
  // Another drive (Windows): only the absolute path can name it.
  if (path.isAbsolute(relative)) return codeTablesPath;
  return relative.split(path.sep).join('/');
}

/** Whether a JSON file's name says it holds code tables (`*.codetables.json`, `code-tables.json`, `institution_code_tables.json`). */
export function looksLikeCodeTables(fileName: string): boolean {
  const name = path.basename(fileName).toLowerCase();
  return name.endsWith('.json') && name !== CONFIG_FILE_NAME && /code[-_.]?tables?/.test(name);
}

export interface IdentifierType {
  code: string;
  description?: string;
}

/**
 * The identifier types a code tables file lists (its `identifierTypes`: codes or
 * `{ code, description }`), for the match identifier pick. Whatever cannot be read gives none:
 * the engine reports a broken file once the configuration names it.
 */
export function identifierTypesOf(codeTablesText: string): IdentifierType[] {
  let value: unknown;
  try {
    value = JSON.parse(codeTablesText);
  } catch {
    return [];
  }
  const list = typeof value === 'object' && value !== null ? (value as Record<string, unknown>).identifierTypes : undefined;
  if (!Array.isArray(list)) return [];
  return list.flatMap((entry: unknown): IdentifierType[] => {
    if (typeof entry === 'string' && entry.trim() !== '') return [{ code: entry }];
    if (typeof entry !== 'object' || entry === null) return [];
    const { code, description } = entry as Record<string, unknown>;
    if (typeof code !== 'string' || code.trim() === '') return [];
    return [{ code, ...(typeof description === 'string' ? { description } : {}) }];
  });
}
