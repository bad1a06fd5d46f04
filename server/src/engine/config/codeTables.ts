import { dirname, resolve } from 'node:path';
import {
  ProblemList,
  describeValue,
  formatJsonPath,
  isPlainObject,
  nearestName,
  parseJsonDocument,
  readConfigText,
  type JsonPath,
} from './jsonInput';
import type { AlmaSisConfig, CodeEntry, CodeTables, Profile } from './types';

/** The tables an institution may supply; a table that is absent from the file is not checked. */
export const CODE_TABLE_NAMES = [
  'userGroups',
  'identifierTypes',
  'addressTypes',
  'emailTypes',
  'phoneTypes',
  'statisticCategories',
  'statisticalTypes',
  'noteTypes',
  'blockTypes',
  'blockDescriptions',
  'campusCodes',
  'userTitles',
  'jobCategories',
  'genders',
  'preferredLanguages',
  'countries',
  'catalogerLevels',
  'libraryNotices',
  'rsLibraries',
] as const;

export type CodeTableName = (typeof CODE_TABLE_NAMES)[number];

/**
 * Alma's own names for these tables (Configuration > code tables, and the /conf/code-tables API),
 * as Alma spells them: people exporting from Alma will use them as keys, so they get pointed at
 * ours, and the importer names the table it read in Alma's words.
 */
export const ALMA_TABLE_NAMES: Readonly<Record<string, CodeTableName>> = {
  UserGroups: 'userGroups',
  UserIdentifierTypes: 'identifierTypes',
  UserAddressTypes: 'addressTypes',
  UserEmailTypes: 'emailTypes',
  UserPhoneTypes: 'phoneTypes',
  UserStatCategories: 'statisticCategories',
  UserStatisticalTypes: 'statisticalTypes',
  NoteTypes: 'noteTypes',
  UserBlockTypes: 'blockTypes',
  UserBlockDescription: 'blockDescriptions',
  UserTitles: 'userTitles',
  JobTitles: 'jobCategories',
  Genders: 'genders',
  UserPreferredLanguage: 'preferredLanguages',
  CountryCodes: 'countries',
  LibraryNoticesOptInDisplay: 'libraryNotices',
};

const ALMA_NAMES_LOWER = new Map(Object.entries(ALMA_TABLE_NAMES).map(([alma, ours]) => [alma.toLowerCase(), ours]));

/** Our table for an Alma table name, whatever its case (Alma's API answers `UserGroups`, people type `usergroups`). */
export function tableForAlmaName(name: string): CodeTableName | undefined {
  return ALMA_NAMES_LOWER.get(name.toLowerCase());
}

const ENTRY_KEYS = ['code', 'description'];

/** Parses and checks a code tables file; throws a ConfigError listing every problem found. */
export function parseCodeTables(text: string, path: string): CodeTables {
  const document = parseJsonDocument(text, path);
  const problems = new ProblemList(document);
  const root = document.value;
  if (!isPlainObject(root)) {
    problems.report([], `the code tables file must be a JSON object of tables, not ${describeValue(root)}`);
    problems.throwIfAny(path);
  }
  const tables: CodeTables = {};
  for (const [name, value] of Object.entries(root as Record<string, unknown>)) {
    if (name === '$schema') {
      if (typeof value !== 'string') problems.report([name], `$schema must be a string, not ${describeValue(value)}`);
    } else if (isCodeTableName(name)) {
      tables[name] = readTable(problems, name, value);
    } else {
      problems.report([name], `"${name}" is not a code table name${tableNameHint(name)}`);
    }
  }
  problems.throwIfAny(path);
  return tables;
}

export async function loadCodeTables(path: string): Promise<CodeTables> {
  return parseCodeTables(await readConfigText(path), path);
}

/** The profile's code tables file as an absolute path; relative paths are relative to the configuration file. */
export function resolveCodeTablesPath(config: AlmaSisConfig, profile: Profile | undefined): string | undefined {
  if (profile?.codeTables === undefined) return undefined;
  return resolve(dirname(config.path), profile.codeTables);
}

export function isCodeTableName(name: string): name is CodeTableName {
  return (CODE_TABLE_NAMES as readonly string[]).includes(name);
}

function tableNameHint(name: string): string {
  const alma = tableForAlmaName(name);
  if (alma !== undefined && alma.toLowerCase() !== name.toLowerCase()) return `; Alma's ${name} table is called "${alma}" here`;
  const near = nearestName(name, CODE_TABLE_NAMES);
  return near !== undefined ? `; did you mean "${near}"?` : `; the tables are ${CODE_TABLE_NAMES.join(', ')}`;
}

function readTable(problems: ProblemList, name: CodeTableName, value: unknown): CodeEntry[] {
  if (!Array.isArray(value)) {
    // Alma's code table API wraps the rows: {"row": [...]}.
    const hint = isPlainObject(value) && Array.isArray(value.row) ? '; use the "row" list of the Alma export as the array' : '';
    problems.report([name], `${name} must be an array of codes (strings or {"code", "description"} objects), not ${describeValue(value)}${hint}`);
    return [];
  }
  const entries: CodeEntry[] = [];
  const firstIndex = new Map<string, number>();
  value.forEach((raw, index) => {
    const entry = readEntry(problems, [name, index], raw);
    if (entry === undefined) return;
    const earlier = firstIndex.get(entry.code);
    if (earlier !== undefined) {
      problems.report([name, index], `${name}[${index}]: the code "${entry.code}" is already listed at ${name}[${earlier}]`);
      return;
    }
    firstIndex.set(entry.code, index);
    entries.push(entry);
  });
  return entries;
}

function readEntry(problems: ProblemList, path: JsonPath, raw: unknown): CodeEntry | undefined {
  const where = formatJsonPath(path);
  if (typeof raw === 'string') return checkCode(problems, path, where, raw) ? { code: raw } : undefined;
  if (!isPlainObject(raw)) {
    problems.report(path, `${where} must be a code (a string) or an object with "code" and an optional "description", not ${describeValue(raw)}`);
    return undefined;
  }
  let valid = true;
  for (const key of Object.keys(raw)) {
    if (ENTRY_KEYS.includes(key)) continue;
    const near = nearestName(key, ENTRY_KEYS);
    problems.report([...path, key], `${where}.${key} is not allowed; an entry has only "code" and "description"${near !== undefined ? `; did you mean "${near}"?` : ''}`);
    valid = false;
  }
  const { code, description } = raw;
  if (code === undefined) {
    problems.report(path, `${where} has no "code"`);
    return undefined;
  }
  if (typeof code !== 'string') {
    problems.report([...path, 'code'], `${where}.code must be a string, not ${describeValue(code)}`);
    return undefined;
  }
  if (!checkCode(problems, [...path, 'code'], `${where}.code`, code)) return undefined;
  if (description !== undefined && typeof description !== 'string') {
    problems.report([...path, 'description'], `${where}.description must be a string, not ${describeValue(description)}`);
    valid = false;
  }
  if (!valid) return undefined;
  return description === undefined ? { code } : { code, description: description as string };
}

/** Codes are compared with the trimmed text of XML elements, so surrounding spaces could never match. */
function checkCode(problems: ProblemList, path: JsonPath, where: string, code: string): boolean {
  if (code.trim() === '') {
    problems.report(path, `${where} is empty; a code needs at least one character`);
    return false;
  }
  if (code.trim() !== code) {
    problems.report(path, `${where} ${describeValue(code)} has spaces around it; write ${describeValue(code.trim())}`);
    return false;
  }
  return true;
}
