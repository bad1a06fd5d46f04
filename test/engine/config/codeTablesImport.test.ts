import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCodeTables } from '../../../server/src/engine/config/codeTables';
import {
  CodeTablesImportError,
  codeTableNameFor,
  describeTableChange,
  importCodeTables,
  mergeCodeTables,
  parseAlmaCodeTableJson,
  parseCodeTableCsv,
  parseCodeTableImport,
} from '../../../server/src/engine/config/codeTablesImport';
import { repoRoot } from '../../helpers/repoRoot';

const API_FIXTURE = join(repoRoot(), 'test', 'fixtures', 'codeTables', 'UserGroups.json');
const dir = mkdtempSync(join(tmpdir(), 'alma-sis-code-import-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function importError(request: Parameters<typeof importCodeTables>[0]): Promise<CodeTablesImportError> {
  try {
    await importCodeTables(request);
  } catch (error) {
    if (error instanceof CodeTablesImportError) return error;
    throw error;
  }
  assert.fail('expected the import to fail');
}

describe("Alma's code table JSON", () => {
  it('reads the API answer: enabled rows in order, the disabled one left out and noted, non-ASCII descriptions kept', () => {
    const parsed = parseCodeTableImport(readFileSync(API_FIXTURE, 'utf8'), API_FIXTURE);
    assert.deepEqual(parsed.problems, []);
    assert.equal(parsed.tables.length, 1);
    const [table] = parsed.tables;
    assert.equal(table.table, 'userGroups');
    assert.equal(table.almaName, 'UserGroups');
    assert.deepEqual(table.entries, [
      { code: '01', description: 'Undergraduate' },
      { code: '02', description: 'Graduate' },
      { code: '03', description: 'Académico – Profesor titular' },
      { code: '04', description: 'Staff' },
      { code: 'STUDENT', description: 'Student' },
    ]);
    assert.equal(parsed.notes.length, 1);
    assert.match(parsed.notes[0].message, /row\[4\] "05" is disabled in Alma; left out/);
    assert.equal(parsed.notes[0].line, 48);
  });

  it("maps Alma's names whatever their case, and takes our own names too", () => {
    for (const [name, ours] of [
      ['UserGroups', 'userGroups'],
      ['usergroups', 'userGroups'],
      ['USERIDENTIFIERTYPES', 'identifierTypes'],
      ['JobTitles', 'jobCategories'],
      ['CountryCodes', 'countries'],
      ['identifiertypes', 'identifierTypes'],
    ] as const) {
      assert.equal(codeTableNameFor(name), ours, name);
      const parsed = parseAlmaCodeTableJson(JSON.stringify({ name, row: [{ code: 'A', description: 'a', enabled: true }] }), 'x.json');
      assert.equal(parsed.tables[0]?.table, ours, name);
    }
    assert.equal(codeTableNameFor('Libraries'), undefined);
  });

  it('reads a JSON array of tables and a code_table wrapper', () => {
    const tables = [
      { name: 'UserGroups', row: [{ code: 'G1' }] },
      { name: 'UserIdentifierTypes', row: [{ code: 'BARCODE', description: 'Barcode' }] },
    ];
    for (const text of [JSON.stringify(tables), JSON.stringify({ code_table: tables })]) {
      const parsed = parseAlmaCodeTableJson(text, 'all.json');
      assert.deepEqual(parsed.problems, []);
      assert.deepEqual(parsed.tables.map((table) => [table.table, table.entries]), [
        ['userGroups', [{ code: 'G1' }]],
        ['identifierTypes', [{ code: 'BARCODE', description: 'Barcode' }]],
      ]);
    }
    const single = parseAlmaCodeTableJson(JSON.stringify({ code_table: tables[0] }), 'one.json');
    assert.equal(single.tables[0]?.table, 'userGroups');
  });

  it('names the nearest table for an unknown name and says to pass --table', () => {
    const parsed = parseAlmaCodeTableJson('{\n  "name": "UserGroup",\n  "row": [{ "code": "A" }]\n}', 'g.json');
    assert.equal(parsed.tables.length, 0);
    assert.equal(parsed.problems.length, 1);
    assert.match(parsed.problems[0].message, /"UserGroup" is not a code table alma-sis checks \(the nearest is "UserGroups" \(userGroups here\)\)\. Pass --table NAME/);
    assert.equal(parsed.problems[0].line, 2);
    const forced = parseAlmaCodeTableJson('{ "name": "LocalGroups", "row": [{ "code": "A" }] }', 'g.json', 'userGroups');
    assert.deepEqual(forced.problems, []);
    assert.equal(forced.tables[0].table, 'userGroups');
  });

  it('reports a row without code by its index and line, and every other problem with it', () => {
    const text = JSON.stringify({ name: 'UserGroups', row: [{ code: 'A' }, { description: 'no code' }, { code: 7 }, { code: ' B ' }, { code: 'A', description: 'again' }] }, null, 2);
    const parsed = parseAlmaCodeTableJson(text, 'g.json');
    assert.deepEqual(
      parsed.problems.map((problem) => [problem.line, problem.message.replace(/;.*/, '')]),
      [
        [7, 'row[1] has no "code"'],
        [11, 'row[2].code must be a string, not 7'],
        [13, 'row[3]: the code " B " has spaces around it, which no XML value can match'],
      ],
    );
    assert.match(parsed.notes[0].message, /row\[4\]: the code "A" repeats row\[0\]; the first is kept/);
  });

  it('refuses a table with no enabled codes, a list without rows, and JSON syntax errors with their place', () => {
    assert.match(parseAlmaCodeTableJson('{"name":"UserGroups","row":[{"code":"A","enabled":false}]}', 'g.json').problems[0].message, /no enabled codes/);
    assert.match(parseAlmaCodeTableJson('{"code_table":[{"name":"UserGroups","link":"x"}]}', 'g.json').problems[0].message, /has no "row" list .*code-tables\/UserGroups/);
    const syntax = parseAlmaCodeTableJson('{"name": "UserGroups",\n "row": [,]}', 'g.json').problems[0];
    assert.equal(syntax.line, 2);
    assert.match(syntax.message, /JSON syntax error/);
  });
});

describe('code,description CSV', () => {
  it('reads RFC 4180 quoting, CRLF, a BOM and the header row; codes as written', () => {
    const text = '\uFEFFcode,description\r\n01,"Staff, main campus"\r\n02,"The ""Friends"" of the library"\r\n"03","Two\r\nlines"\r\nreader,Reader\r\nBARCODE\r\n\r\n';
    const parsed = parseCodeTableCsv(text, 'ids.csv', 'identifierTypes');
    assert.deepEqual(parsed.problems, []);
    assert.deepEqual(parsed.tables[0].entries, [
      { code: '01', description: 'Staff, main campus' },
      { code: '02', description: 'The "Friends" of the library' },
      { code: '03', description: 'Two\r\nlines' },
      { code: 'reader', description: 'Reader' },
      { code: 'BARCODE' },
    ]);
  });

  it('takes a file without a header, and LF endings, and keeps the first of a repeated code', () => {
    const parsed = parseCodeTableCsv('A,First\nB,Second\nA,Again\n', 'g.csv', 'userGroups');
    assert.deepEqual(parsed.tables[0].entries, [{ code: 'A', description: 'First' }, { code: 'B', description: 'Second' }]);
    assert.equal(parsed.notes.length, 1);
    assert.equal(parsed.notes[0].line, 3);
    assert.match(parsed.notes[0].message, /line 3: the code "A" repeats line 1; the first is kept/);
  });

  it('reports every bad row with its line, counting lines inside quoted fields', () => {
    const parsed = parseCodeTableCsv('code,description\n"A","two\nlines"\n,empty code\nB,too,many\n"C"x,after quote\n"D,never closed\n', 'g.csv', 'userGroups');
    assert.deepEqual(
      parsed.problems.map((problem) => [problem.line, problem.message.replace(/[;(].*/, '').trim()]),
      [
        [4, 'line 4: the code is empty'],
        [5, 'the row has 3 columns'],
        [6, 'text follows a closing quote'],
        [7, 'a quoted field is never closed'],
      ],
    );
  });

  it('needs --table, since a CSV does not name its table', () => {
    const parsed = parseCodeTableImport('A,a\n', 'g.csv');
    assert.match(parsed.problems[0].message, /does not say which code table it holds; pass --table NAME/);
  });
});

describe('merging into the code tables file', () => {
  const existing = [
    '{',
    '  "$schema": "../schemas/alma-sis.codetables.schema.json",',
    '  "userGroups": [',
    '    { "code": "OLD", "description": "Old group" },',
    '    "01"',
    '  ],',
    '  "x-note": { "kept": [1, 2] },',
    '  "countries": ["USA", "CAN"]',
    '}',
    '',
  ].join('\n');
  const imported = { table: 'userGroups' as const, source: 'UserGroups.json', almaName: 'UserGroups', entries: [{ code: '01', description: 'Staff' }, { code: 'NEW' }] };

  it('replaces only the imported table; other members keep their text and order', () => {
    const merged = mergeCodeTables(existing, 'codes.json', [imported]);
    assert.equal(
      merged.text,
      [
        '{',
        '  "$schema": "../schemas/alma-sis.codetables.schema.json",',
        '  "userGroups": [',
        '    { "code": "01", "description": "Staff" },',
        '    { "code": "NEW" }',
        '  ],',
        '  "x-note": { "kept": [1, 2] },',
        '  "countries": ["USA", "CAN"]',
        '}',
        '',
      ].join('\n'),
    );
    assert.deepEqual(merged.changes, [{ table: 'userGroups', source: 'UserGroups.json', almaName: 'UserGroups', codes: 2, before: 2, added: 1, removed: 1 }]);
    assert.equal(describeTableChange(merged.changes[0]), "userGroups: 2 codes from UserGroups.json (Alma's UserGroups); replaced 2 codes: 1 added, 1 removed");
  });

  it('adds a table at the end, and starts a missing or empty file', () => {
    const added = mergeCodeTables(existing, 'codes.json', [{ table: 'genders', source: 'g.csv', entries: [{ code: 'F' }] }]);
    assert.ok(added.text.endsWith('  "countries": ["USA", "CAN"],\n  "genders": [\n    { "code": "F" }\n  ]\n}\n'), added.text);
    assert.equal(added.changes[0].before, undefined);
    assert.equal(describeTableChange(added.changes[0]), 'genders: 1 code from g.csv; a new table');
    const created = mergeCodeTables(undefined, 'codes.json', [imported]);
    assert.equal(created.text, '{\n  "userGroups": [\n    { "code": "01", "description": "Staff" },\n    { "code": "NEW" }\n  ]\n}\n');
    assert.deepEqual(parseCodeTables(created.text, 'codes.json'), { userGroups: imported.entries });
    assert.equal(mergeCodeTables('{}', 'codes.json', [imported]).text, created.text);
  });

  it('keeps CRLF line endings of the file', () => {
    const merged = mergeCodeTables(existing.replace(/\n/g, '\r\n'), 'codes.json', [imported]);
    assert.ok(!/[^\r]\n/.test(merged.text), merged.text);
  });
});

describe('importCodeTables', () => {
  it('writes the merged file, keeping other tables, and leaves no temporary file', async () => {
    const folder = mkdtempSync(join(dir, 'write-'));
    const into = join(folder, 'codes.json');
    writeFileSync(into, '{\n  "countries": ["USA"],\n  "userGroups": ["X", "01"],\n  "unknownKey": true\n}\n');
    const result = await importCodeTables({ into, files: [API_FIXTURE] });
    assert.equal(result.created, false);
    assert.deepEqual(result.tables.map(describeTableChange), [`userGroups: 5 codes from ${API_FIXTURE} (Alma's UserGroups); replaced 2 codes: 4 added, 1 removed`]);
    assert.equal(result.notes.length, 1);
    assert.deepEqual(readdirSync(folder), ['codes.json']);
    const written = readFileSync(into, 'utf8');
    assert.ok(written.startsWith('{\n  "countries": ["USA"],\n  "userGroups": [\n    { "code": "01", "description": "Undergraduate" },'), written);
    assert.ok(written.endsWith('\n  ],\n  "unknownKey": true\n}\n'), written);
    assert.ok(written.includes('"Académico – Profesor titular"'));
    // The file's own problems are not the import's to fix, but they are said at once.
    assert.equal(result.remainingProblems.length, 1);
    assert.match(result.remainingProblems[0], /codes\.json:10:3: "unknownKey" is not a code table name/);
  });

  it('creates a missing file, with one table per input file', async () => {
    const folder = mkdtempSync(join(dir, 'create-'));
    const into = join(folder, 'new.codetables.json');
    const csv = join(folder, 'genders.csv');
    writeFileSync(csv, 'code,description\r\nF,Female\r\nM,Male\r\n');
    const ids = join(folder, 'ids.json');
    writeFileSync(ids, JSON.stringify({ name: 'UserIdentifierTypes', row: [{ code: 'BARCODE', description: 'Barcode', enabled: true }] }));
    const result = await importCodeTables({ into, files: [ids] });
    assert.equal(result.created, true);
    const second = await importCodeTables({ into, files: [csv], table: 'Genders' });
    assert.equal(second.created, false);
    assert.deepEqual(parseCodeTables(readFileSync(into, 'utf8'), into), {
      identifierTypes: [{ code: 'BARCODE', description: 'Barcode' }],
      genders: [{ code: 'F', description: 'Female' }, { code: 'M', description: 'Male' }],
    });
    assert.deepEqual(second.remainingProblems, []);
  });

  it('writes nothing when any input has a problem, and reports all of them with their places', async () => {
    const folder = mkdtempSync(join(dir, 'errors-'));
    const into = join(folder, 'codes.json');
    const before = '{ "userGroups": ["KEEP"] }\n';
    writeFileSync(into, before);
    const bad = join(folder, 'bad.csv');
    writeFileSync(bad, 'A,a\n,b\n');
    const broken = join(folder, 'broken.json');
    writeFileSync(broken, '{"name": "UserGroups", "row": [{"description": "x"}]}');
    const error = await importError({ into, files: [API_FIXTURE, bad, broken, join(folder, 'missing.csv')], table: 'userGroups' });
    assert.deepEqual(
      error.problems.map((problem) => `${problem.path.slice(folder.length + 1)}:${problem.line ?? '-'}`),
      ['bad.csv:2', 'broken.json:1', 'missing.csv:-'],
    );
    assert.match(error.message, /problems; .*codes\.json was not changed:/);
    assert.equal(readFileSync(into, 'utf8'), before);
    assert.deepEqual(readdirSync(folder).sort(), ['bad.csv', 'broken.json', 'codes.json']);
  });

  it('refuses a target that is not a JSON object, an unknown --table, and two files for one table', async () => {
    const folder = mkdtempSync(join(dir, 'refuse-'));
    const into = join(folder, 'codes.json');
    writeFileSync(into, '{ "userGroups": [\n');
    assert.match((await importError({ into, files: [API_FIXTURE] })).message, /codes\.json:2:1: JSON syntax error/);
    writeFileSync(into, '[]');
    assert.match((await importError({ into, files: [API_FIXTURE] })).message, /must be a JSON object of tables/);
    assert.match((await importError({ into, files: [API_FIXTURE], table: 'UserGrops' })).message, /--table "UserGrops" is not a code table alma-sis checks \(the nearest is "UserGroups"/);
    writeFileSync(into, '{}');
    const twice = await importError({ into, files: [API_FIXTURE, API_FIXTURE] });
    assert.match(twice.message, /userGroups is also imported from/);
    assert.equal(readFileSync(into, 'utf8'), '{}');
  });
});
