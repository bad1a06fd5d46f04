import { randomBytes } from 'node:crypto';
import { stat, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { findNodeAtLocation, parseTree } from 'jsonc-parser/lib/esm/main.js';
import { ALMA_TABLE_NAMES, CODE_TABLE_NAMES, parseCodeTables, tableForAlmaName, type CodeTableName } from './codeTables';
import { ConfigError, describeValue, formatJsonPath, isPlainObject, nearestName, parseJsonDocument, readConfigText, type JsonDocument, type JsonPath } from './jsonInput';
import type { CodeEntry } from './types';

/*
 * Filling the code tables file from an institution's real codes: what Alma's
 * GET /almaws/v1/conf/code-tables/{name} answers (JSON), or a two-column CSV kept by hand.
 * The imported table replaces the file's table of that name; everything else in the file stays
 * byte for byte as it was, because the file is hand-written and often committed, and a diff
 * should show the table that changed and nothing more.
 */

/** A place in an input or in the target file; line and column are 1-based, absent when the whole file is meant. */
export interface ImportProblem {
  path: string;
  message: string;
  line?: number;
  column?: number;
}

/** Something the import left out on purpose (a disabled row, a repeated code): reported, not an error. */
export type ImportNote = ImportProblem;

/** One table read from an input file. */
export interface ParsedCodeTable {
  table: CodeTableName;
  /** The input file it came from. */
  source: string;
  /** The table's name as Alma's export wrote it (absent for CSV). */
  almaName?: string;
  entries: CodeEntry[];
}

export interface ParsedImport {
  tables: ParsedCodeTable[];
  notes: ImportNote[];
  problems: ImportProblem[];
}

/** What the import did to one table of the code tables file. */
export interface ImportedTableChange {
  table: CodeTableName;
  source: string;
  almaName?: string;
  codes: number;
  /** The codes the table had before; absent when the file had no such table. */
  before?: number;
  added: number;
  removed: number;
}

export interface CodeTablesImportRequest {
  /** The code tables file to write; created when missing. */
  into: string;
  /** Alma API JSON (`.json`) or `code,description` CSV (`.csv`) files; each gives one table or more. */
  files: readonly string[];
  /** Our table name or Alma's, for every file: required for CSV, which does not name its table. */
  table?: string;
}

export interface CodeTablesImportResult {
  into: string;
  /** The file did not exist before. */
  created: boolean;
  tables: ImportedTableChange[];
  notes: ImportNote[];
  /** What the validator will still refuse in the written file (problems of tables that were not imported). */
  remainingProblems: string[];
}

/** The inputs or the target file have problems; nothing was written. */
export class CodeTablesImportError extends Error {
  constructor(readonly into: string, readonly problems: readonly ImportProblem[]) {
    super(formatImportProblems(into, problems));
    this.name = 'CodeTablesImportError';
  }
}

const SHOWN_PROBLEMS = 50;

function formatImportProblems(into: string, problems: readonly ImportProblem[]): string {
  const lines = problems.slice(0, SHOWN_PROBLEMS).map(formatPlace);
  if (problems.length > SHOWN_PROBLEMS) lines.push(`... and ${problems.length - SHOWN_PROBLEMS} more`);
  const unchanged = `${into} was not changed`;
  if (problems.length === 1) return `${lines[0]} (${unchanged})`;
  return [`${problems.length} problems; ${unchanged}:`, ...lines.map((line) => `  ${line}`)].join('\n');
}

/** `file:line:col: message`, as editors and terminals link it. */
export function formatPlace(problem: ImportProblem): string {
  if (problem.line === undefined) return `${problem.path}: ${problem.message}`;
  return problem.column === undefined ? `${problem.path}:${problem.line}: ${problem.message}` : `${problem.path}:${problem.line}:${problem.column}: ${problem.message}`;
}

/** Our table for a name written by a person: ours in any case, or Alma's. */
export function codeTableNameFor(name: string): CodeTableName | undefined {
  const lower = name.toLowerCase();
  return CODE_TABLE_NAMES.find((table) => table.toLowerCase() === lower) ?? tableForAlmaName(name);
}

/** Why a table name is not one of ours, with the nearest name (ours or Alma's) when one is close. */
export function unknownTableMessage(name: string): string {
  const candidates = [...Object.keys(ALMA_TABLE_NAMES), ...CODE_TABLE_NAMES];
  const near = nearestName(name, candidates);
  const hint = near === undefined ? `the tables are ${CODE_TABLE_NAMES.join(', ')}` : `the nearest is ${describeTable(near)}`;
  return `"${name}" is not a code table alma-sis checks (${hint})`;
}

function describeTable(name: string): string {
  const ours = tableForAlmaName(name);
  return ours !== undefined ? `"${name}" (${ours} here)` : `"${name}"`;
}

/** JSON or CSV: by the extension, else by the first character (Alma's answers start with `{`). */
export function parseCodeTableImport(text: string, path: string, table?: CodeTableName): ParsedImport {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const extension = extname(path).toLowerCase();
  const looksJson = extension === '.json' || (extension !== '.csv' && /^\s*[[{]/.test(body));
  return looksJson ? parseAlmaCodeTableJson(body, path, table) : parseCodeTableCsv(body, path, table);
}

// ---------------------------------------------------------------------------------------------
// Alma's JSON

/**
 * Alma's answer for one table (`{"name", "description", "row": [...]}`), a `code_table`
 * wrapper around one or several, or a JSON array of them. Rows with `enabled: false` are not
 * offered in Alma, so a file using them would be refused: they are left out.
 */
export function parseAlmaCodeTableJson(text: string, path: string, table?: CodeTableName): ParsedImport {
  const result: ParsedImport = { tables: [], notes: [], problems: [] };
  let document: JsonDocument;
  try {
    document = parseJsonDocument(text, path);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    result.problems.push(...error.problems.map((problem) => ({ path, ...problem })));
    return result;
  }
  const place = (at: JsonPath, message: string): ImportProblem => ({ path, message, ...locate(document, at) });
  for (const duplicate of document.duplicateKeys) {
    result.problems.push(place(duplicate.path, `${formatJsonPath(duplicate.path)} appears twice in one object (first at line ${duplicate.first.line})`));
  }

  const root = document.value;
  const tables: Array<{ value: unknown; at: JsonPath }> = [];
  if (Array.isArray(root)) {
    root.forEach((value, index) => tables.push({ value, at: [index] }));
  } else if (isPlainObject(root) && root.row === undefined && root.code_table !== undefined) {
    const wrapped = root.code_table;
    if (Array.isArray(wrapped)) wrapped.forEach((value, index) => tables.push({ value, at: ['code_table', index] }));
    else tables.push({ value: wrapped, at: ['code_table'] });
  } else {
    tables.push({ value: root, at: [] });
  }
  if (tables.length === 0) result.problems.push(place([], 'the file holds no code table; export one with GET /almaws/v1/conf/code-tables/{name}'));
  if (table !== undefined && tables.length > 1) {
    result.problems.push(place([], `the file holds ${tables.length} code tables, so --table ${table} cannot name them all; import without --table (each table's "name" decides) or give one table per file`));
    return result;
  }

  for (const { value, at } of tables) {
    const where = at.length === 0 ? 'the file' : formatJsonPath(at);
    if (!isPlainObject(value)) {
      result.problems.push(place(at, `${where} must be a code table object with "name" and "row", not ${describeValue(value)}`));
      continue;
    }
    const almaName = typeof value.name === 'string' ? value.name : undefined;
    let target = table;
    if (target === undefined) {
      if (almaName === undefined) {
        result.problems.push(place(at, `${where} has no "name" saying which code table it is; pass --table NAME`));
        continue;
      }
      target = codeTableNameFor(almaName);
      if (target === undefined) {
        result.problems.push(place([...at, 'name'], `${unknownTableMessage(almaName)}. Pass --table NAME to import it as one of ours`));
        continue;
      }
    }
    const rows = value.row;
    const rowsAt = [...at, 'row'];
    if (rows === undefined) {
      result.problems.push(place(at, `${where} has no "row" list of codes; export the table itself with GET /almaws/v1/conf/code-tables/${almaName ?? '{name}'}`));
      continue;
    }
    // Alma's JSON, converted from XML, can give a lone row as an object rather than a list of one.
    const list = Array.isArray(rows) ? rows : isPlainObject(rows) ? [rows] : undefined;
    if (list === undefined) {
      result.problems.push(place(rowsAt, `${formatJsonPath(rowsAt)} must be a list of rows, not ${describeValue(rows)}`));
      continue;
    }
    const entries = new EntryCollector(result, path);
    const problemsBefore = result.problems.length;
    list.forEach((row, index) => {
      const rowAt = Array.isArray(rows) ? [...rowsAt, index] : rowsAt;
      const name = `row[${index}]`;
      if (!isPlainObject(row)) {
        result.problems.push(place(rowAt, `${name} must be an object with "code" and "description", not ${describeValue(row)}`));
        return;
      }
      const { code, description, enabled } = row;
      if (code === undefined || code === null) {
        result.problems.push(place(rowAt, `${name} has no "code"; every row of an Alma code table has one, so the file looks edited: export it again`));
        return;
      }
      if (typeof code !== 'string') {
        result.problems.push(place([...rowAt, 'code'], `${name}.code must be a string, not ${describeValue(code)}`));
        return;
      }
      if (description !== undefined && description !== null && typeof description !== 'string') {
        result.problems.push(place([...rowAt, 'description'], `${name}.description must be a string, not ${describeValue(description)}`));
        return;
      }
      const location = locate(document, rowAt);
      if (enabled === false || enabled === 'false') {
        result.notes.push({ path, ...location, message: `${name} "${code}" is disabled in Alma; left out` });
        return;
      }
      entries.add(code, typeof description === 'string' ? description : undefined, name, location);
    });
    if (result.problems.length === problemsBefore) finishTable(result, entries, { table: target, source: path, ...(almaName !== undefined ? { almaName } : {}) }, place(at, ''));
  }
  return result;
}

/** Where a value starts, or the nearest enclosing value that was recorded. */
function locate(document: JsonDocument, at: JsonPath): { line?: number; column?: number } {
  for (let length = at.length; length >= 0; length--) {
    const location = document.locations.get(formatJsonPath(at.slice(0, length)));
    if (location !== undefined) return { line: location.line, column: location.column };
  }
  return {};
}

// ---------------------------------------------------------------------------------------------
// CSV

/** A CSV record with the line it starts on (a quoted field may span lines). */
interface CsvRecord {
  fields: string[];
  line: number;
}

/**
 * `code,description` rows as RFC 4180 writes them (Excel, LibreOffice, Python's csv): quoted
 * fields with commas, doubled quotes and line breaks inside, CRLF or LF. The table is never in
 * the file, so it must be given. A first row `code,description` is a header.
 */
export function parseCodeTableCsv(text: string, path: string, table?: CodeTableName): ParsedImport {
  const result: ParsedImport = { tables: [], notes: [], problems: [] };
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  if (table === undefined) {
    result.problems.push({ path, message: 'a CSV file does not say which code table it holds; pass --table NAME (userGroups, or Alma\'s UserGroups)' });
    return result;
  }
  const records = readCsv(body, path, result.problems).filter((record) => !(record.fields.length === 1 && record.fields[0] === ''));
  if (records.length > 0 && isHeader(records[0].fields)) records.shift();
  const entries = new EntryCollector(result, path);
  for (const { fields, line } of records) {
    // Spreadsheets pad rows with empty cells; only a third column with something in it is a mistake.
    const used = fields.length > 2 && fields.slice(2).every((field) => field.trim() === '') ? fields.slice(0, 2) : fields;
    if (used.length > 2) {
      result.problems.push({ path, line, message: `the row has ${used.length} columns; the file needs two, code,description (quote a description with commas in it: "Staff, main campus")` });
      continue;
    }
    // Descriptions are for people and spreadsheets pad them; codes are compared as written.
    const description = used[1]?.trim();
    entries.add(used[0], description === '' ? undefined : description, `line ${line}`, { line });
  }
  if (result.problems.length === 0) finishTable(result, entries, { table, source: path }, { path, message: '' });
  // The reader's problems and the rows' come in two passes; people read them in line order.
  result.problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return result;
}

function isHeader(fields: readonly string[]): boolean {
  const [code, description] = fields.map((field) => field.trim().toLowerCase());
  return code === 'code' && (description === undefined || description === 'description' || description === 'desc');
}

function readCsv(text: string, path: string, problems: ImportProblem[]): CsvRecord[] {
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let i = 0;
  const endRecord = () => {
    fields.push(field);
    records.push({ fields, line: recordLine });
    fields = [];
    field = '';
  };
  while (i < text.length) {
    const char = text[i];
    if (char === '"' && field === '') {
      const openedAt = line;
      i++;
      let closed = false;
      while (i < text.length) {
        const inner = text[i];
        if (inner === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          closed = true;
          i++;
          break;
        }
        if (inner === '\n' || (inner === '\r' && text[i + 1] !== '\n')) line++;
        field += inner;
        i++;
      }
      if (!closed) {
        problems.push({ path, line: openedAt, message: 'a quoted field is never closed; end it with " (a quote inside is written twice: "")' });
        return records;
      }
      const next = text[i];
      if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
        problems.push({ path, line, message: `text follows a closing quote; a quote inside a quoted field is written twice ("")` });
        while (i < text.length && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') field += text[i++];
      }
      continue;
    }
    if (char === ',') {
      fields.push(field);
      field = '';
      i++;
      continue;
    }
    if (char === '\r' || char === '\n') {
      endRecord();
      i += char === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line++;
      recordLine = line;
      continue;
    }
    field += char;
    i++;
  }
  if (field !== '' || fields.length > 0) endRecord();
  return records;
}

// ---------------------------------------------------------------------------------------------
// Both formats

/** The codes of one table in input order: the first of a repeated code is kept, as Alma shows the first. */
class EntryCollector {
  readonly entries: CodeEntry[] = [];
  private readonly first = new Map<string, string>();

  constructor(private readonly result: ParsedImport, private readonly path: string) {}

  add(code: string, description: string | undefined, name: string, location: { line?: number; column?: number }): void {
    // The loader compares codes with the trimmed text of XML elements and refuses these: caught here, before anything is written.
    if (code.trim() === '') {
      this.result.problems.push({ path: this.path, ...location, message: `${name}: the code is empty` });
      return;
    }
    if (code.trim() !== code) {
      this.result.problems.push({ path: this.path, ...location, message: `${name}: the code ${describeValue(code)} has spaces around it, which no XML value can match; write ${describeValue(code.trim())}` });
      return;
    }
    const earlier = this.first.get(code);
    if (earlier !== undefined) {
      this.result.notes.push({ path: this.path, ...location, message: `${name}: the code "${code}" repeats ${earlier}; the first is kept` });
      return;
    }
    this.first.set(code, name);
    this.entries.push(description === undefined ? { code } : { code, description });
  }
}

function finishTable(result: ParsedImport, entries: EntryCollector, table: Omit<ParsedCodeTable, 'entries'>, at: ImportProblem): void {
  if (entries.entries.length === 0) {
    // An empty table would make every value of the field unknown, which is never what an export means.
    result.problems.push({ ...at, message: `the ${table.almaName ?? table.table} table has no enabled codes to import` });
    return;
  }
  result.tables.push({ ...table, entries: entries.entries });
}

// ---------------------------------------------------------------------------------------------
// Merging into the code tables file

export interface MergedCodeTables {
  text: string;
  changes: ImportedTableChange[];
}

/**
 * The code tables file's text with each imported table replaced (or added at the end). Other
 * members keep their text, order and layout; the new tables are laid out with 2 spaces, one code
 * a line, as the sample file is.
 */
export function mergeCodeTables(existing: string | undefined, into: string, tables: readonly ParsedCodeTable[]): MergedCodeTables {
  const bom = existing?.startsWith('\uFEFF') ? '\uFEFF' : '';
  let text = existing === undefined || existing.trim() === '' ? '{}' : existing.slice(bom.length);
  const document = parseJsonDocument(text, into);
  if (document.duplicateKeys.length > 0) {
    const duplicate = document.duplicateKeys[0];
    throw new ConfigError(into, [{ message: `${formatJsonPath(duplicate.path)} appears twice in one object (first at line ${duplicate.first.line}); remove one before importing`, ...locate(document, duplicate.path) }]);
  }
  const root = document.value;
  if (!isPlainObject(root)) throw new ConfigError(into, [{ message: `the code tables file must be a JSON object of tables, not ${describeValue(root)}`, line: 1, column: 1 }]);
  const eol = text.includes('\r\n') ? '\r\n' : '\n';

  const changes: ImportedTableChange[] = [];
  for (const table of tables) {
    const previous = root[table.table];
    const beforeCodes = Object.prototype.hasOwnProperty.call(root, table.table) ? codesOf(previous) : undefined;
    const now = new Set(table.entries.map((entry) => entry.code));
    changes.push({
      table: table.table,
      source: table.source,
      ...(table.almaName !== undefined ? { almaName: table.almaName } : {}),
      codes: table.entries.length,
      ...(beforeCodes !== undefined ? { before: beforeCodes.size } : {}),
      added: [...now].filter((code) => !beforeCodes?.has(code)).length,
      removed: beforeCodes === undefined ? 0 : [...beforeCodes].filter((code) => !now.has(code)).length,
    });
    text = withTable(text, table, eol);
  }
  const trimmed = text.replace(/\s+$/, '');
  return { text: `${bom}${trimmed}${eol}`, changes };
}

/** The codes of a table as the file holds it, whatever shape it has (it may be invalid: it is being replaced). */
function codesOf(value: unknown): Set<string> {
  const codes = new Set<string>();
  if (!Array.isArray(value)) return codes;
  for (const entry of value) {
    if (typeof entry === 'string') codes.add(entry);
    else if (isPlainObject(entry) && typeof entry.code === 'string') codes.add(entry.code);
  }
  return codes;
}

function withTable(text: string, table: ParsedCodeTable, eol: string): string {
  const tree = parseTree(text)!;
  const value = findNodeAtLocation(tree, [table.table]);
  const rendered = renderEntries(table.entries, eol);
  if (value !== undefined) return text.slice(0, value.offset) + rendered + text.slice(value.offset + value.length);
  const member = `"${table.table}": ${rendered}`;
  const members = tree.children ?? [];
  const closing = tree.offset + tree.length - 1;
  if (members.length === 0) return `${text.slice(0, tree.offset)}{${eol}  ${member}${eol}}${text.slice(closing + 1)}`;
  const last = members[members.length - 1];
  const end = last.offset + last.length;
  return `${text.slice(0, end)},${eol}  ${member}${text.slice(end)}`;
}

function renderEntries(entries: readonly CodeEntry[], eol: string): string {
  const lines = entries.map((entry) =>
    entry.description === undefined ? `    { "code": ${JSON.stringify(entry.code)} }` : `    { "code": ${JSON.stringify(entry.code)}, "description": ${JSON.stringify(entry.description)} }`,
  );
  return `[${eol}${lines.join(`,${eol}`)}${eol}  ]`;
}

// ---------------------------------------------------------------------------------------------
// The whole import

/**
 * Reads every input and the target, and writes the target only when none of them has a problem
 * (every problem is reported at once). The file is written beside itself and renamed, so a
 * reader (the language server watching it) never sees half a file.
 */
export async function importCodeTables(request: CodeTablesImportRequest): Promise<CodeTablesImportResult> {
  const problems: ImportProblem[] = [];
  const notes: ImportNote[] = [];
  let table: CodeTableName | undefined;
  if (request.table !== undefined) {
    table = codeTableNameFor(request.table);
    if (table === undefined) throw new CodeTablesImportError(request.into, [{ path: request.into, message: `--table ${unknownTableMessage(request.table)}` }]);
  }
  if (request.files.length === 0) throw new CodeTablesImportError(request.into, [{ path: request.into, message: 'no file to import; name Alma code table exports (.json) or code,description files (.csv)' }]);

  const tables: ParsedCodeTable[] = [];
  for (const file of request.files) {
    let text: string;
    try {
      text = await readConfigText(file);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems.map((problem) => ({ path: file, ...problem })));
      continue;
    }
    const parsed = parseCodeTableImport(text, file, table);
    problems.push(...parsed.problems);
    notes.push(...parsed.notes);
    tables.push(...parsed.tables);
  }
  const byTable = new Map<CodeTableName, ParsedCodeTable>();
  for (const parsed of tables) {
    const earlier = byTable.get(parsed.table);
    if (earlier === undefined) byTable.set(parsed.table, parsed);
    else problems.push({ path: parsed.source, message: `${parsed.table} is also imported from ${earlier.source}; one table comes from one file, so import them one at a time or join them` });
  }

  let existing: string | undefined;
  const exists = await stat(request.into).then(() => true, (error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? false : true));
  if (exists) {
    try {
      existing = await readConfigText(request.into);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems.map((problem) => ({ path: request.into, ...problem })));
    }
  }
  let merged: MergedCodeTables | undefined;
  if (problems.length === 0) {
    try {
      merged = mergeCodeTables(existing, request.into, tables);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems.map((problem) => ({ path: request.into, ...problem })));
    }
  }
  if (problems.length > 0 || merged === undefined) throw new CodeTablesImportError(request.into, problems);

  try {
    await writeAtomically(request.into, merged.text);
  } catch (error) {
    throw new CodeTablesImportError(request.into, [{ path: request.into, message: `cannot write the file: ${writeFailure(request.into, error as NodeJS.ErrnoException)}` }]);
  }
  return { into: request.into, created: !exists, tables: merged.changes, notes, remainingProblems: remainingProblems(merged.text, request.into) };
}

/** The written file as the validator will load it: problems left in tables that were not imported are worth saying at once. */
function remainingProblems(text: string, path: string): string[] {
  try {
    parseCodeTables(text, path);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems.map((problem) => formatPlace({ path, ...problem }));
  }
}

async function writeAtomically(path: string, text: string): Promise<void> {
  const partial = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.partial`);
  try {
    await writeFile(partial, text, { flag: 'wx' });
    await rename(partial, path);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
}

function writeFailure(path: string, error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ENOENT':
      return `the folder ${dirname(path)} does not exist; create it first`;
    case 'EACCES':
    case 'EPERM':
      return `permission denied in ${dirname(path)}`;
    case 'ENOSPC':
      return 'the disk is full';
    case 'EISDIR':
      return 'it is a folder';
    default:
      return error.message;
  }
}

/** One line per table: what the person needs to see that the right codes went in. */
export function describeTableChange(change: ImportedTableChange): string {
  const from = change.almaName !== undefined && change.almaName !== change.table ? `${change.source} (Alma's ${change.almaName})` : change.source;
  const codes = `${change.codes} ${change.codes === 1 ? 'code' : 'codes'}`;
  const before =
    change.before === undefined
      ? 'a new table'
      : `replaced ${change.before} ${change.before === 1 ? 'code' : 'codes'}: ${change.added} added, ${change.removed} removed`;
  return `${change.table}: ${codes} from ${from}; ${before}`;
}
