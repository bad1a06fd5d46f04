import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CODE_TABLE_NAMES, loadCodeTables, parseCodeTables, resolveCodeTablesPath } from '../../../server/src/engine/config/codeTables';
import { ConfigError, loadConfig, parseConfig, selectProfile } from '../../../server/src/engine/config/configFile';
import type { CodeTables } from '../../../server/src/engine/config/types';
import { repoRoot } from '../../helpers/repoRoot';
import { schemaProblems } from '../../helpers/jsonSchemaCheck';

const TABLES_PATH = 'code-tables.json';

function tablesError(text: string): ConfigError {
  try {
    parseCodeTables(text, TABLES_PATH);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  assert.fail(`expected a ConfigError for ${text}`);
}

function problemsOf(value: unknown): string[] {
  return tablesError(JSON.stringify(value, null, 2)).problems.map((problem) => problem.message);
}

function codes(tables: CodeTables, name: string): string[] {
  return (tables[name] ?? []).map((entry) => entry.code);
}

function readSchema(): Record<string, unknown> {
  return JSON.parse(readFileSync(join(repoRoot(), 'schemas', 'alma-sis.codetables.schema.json'), 'utf8')) as Record<string, unknown>;
}

describe('the sample code tables', () => {
  it('are the ones the sample configuration points at, and hold the codes the sample XML files use', async () => {
    const config = await loadConfig(join(repoRoot(), 'samples', 'alma-sis.config.json'));
    const path = resolveCodeTablesPath(config, selectProfile(config));
    assert.equal(path, join(repoRoot(), 'samples', 'code-tables.json'));
    const tables = await loadCodeTables(path!);
    const expected: Record<string, string[]> = {
      userGroups: ['STUDENT', 'FACULTY', 'STAFF', 'GRAD'],
      identifierTypes: ['BARCODE', 'UNIV_ID', 'ORCID'],
      addressTypes: ['home', 'work', 'school', 'alternative'],
      emailTypes: ['personal', 'work', 'school'],
      phoneTypes: ['home', 'mobile', 'office', 'work'],
      statisticCategories: ['DEPT_HIST', 'DEPT_CHEM', 'UG', 'PG'],
      statisticalTypes: ['DEPT', 'LEVEL'],
      noteTypes: ['CIRCULATION', 'REGISTRAR', 'ERP'],
      blockTypes: ['GENERAL', 'LOAN'],
      blockDescriptions: ['01', '02'],
      campusCodes: ['MAIN', 'NORTH'],
      countries: ['USA', 'CAN', 'GBR', 'FRA'],
      jobCategories: ['LIBRARIAN', 'LECTURER'],
      userTitles: ['Dr', 'Mr', 'Ms', 'Mx', 'Prof'],
      genders: ['MALE', 'FEMALE', 'NONE'],
      libraryNotices: ['FulUserBorrowingActivityLetter', 'FulUserOverdueNoticeLetter'],
      rsLibraries: ['MAIN_RS'],
      catalogerLevels: ['00', '10'],
      preferredLanguages: ['en', 'fr', 'de', 'es'],
    };
    assert.deepEqual(Object.keys(tables).sort(), [...CODE_TABLE_NAMES].sort());
    for (const [name, wanted] of Object.entries(expected)) {
      for (const code of wanted) assert.ok(codes(tables, name).includes(code), `${name} lacks ${code}`);
    }
    assert.ok(tables.blockDescriptions.every((entry) => entry.description !== undefined), 'block descriptions need descriptions');
  });

  it('conform to the code tables schema', () => {
    const sample = JSON.parse(readFileSync(join(repoRoot(), 'samples', 'code-tables.json'), 'utf8')) as unknown;
    assert.deepEqual(schemaProblems(readSchema(), sample), []);
  });
});

describe('parseCodeTables', () => {
  it('normalises plain strings and objects to {code, description?}, keeping the file order', () => {
    const tables = parseCodeTables(
      JSON.stringify({ $schema: 'x', userGroups: ['FACULTY', { code: 'STUDENT', description: 'Student' }, { code: 'GRAD' }], genders: [] }),
      TABLES_PATH,
    );
    assert.deepEqual(tables, { userGroups: [{ code: 'FACULTY' }, { code: 'STUDENT', description: 'Student' }, { code: 'GRAD' }], genders: [] });
  });

  const cases: Array<{ name: string; value: unknown; messages: string[]; schemaRejects: boolean }> = [
    { name: 'a table name in another case', value: { UserGroups: [] }, messages: ['"UserGroups" is not a code table name; did you mean "userGroups"?'], schemaRejects: true },
    {
      name: "Alma's own name for a table",
      value: { UserIdentifierTypes: [] },
      messages: [`"UserIdentifierTypes" is not a code table name; Alma's UserIdentifierTypes table is called "identifierTypes" here`],
      schemaRejects: true,
    },
    { name: 'a table name with a typo', value: { phoneType: [] }, messages: ['"phoneType" is not a code table name; did you mean "phoneTypes"?'], schemaRejects: true },
    { name: 'an unrelated name', value: { xyz: [] }, messages: [`"xyz" is not a code table name; the tables are ${CODE_TABLE_NAMES.join(', ')}`], schemaRejects: true },
    {
      name: 'a duplicated code',
      value: { userGroups: ['STUDENT', 'FACULTY', { code: 'STUDENT', description: 'Again' }] },
      messages: ['userGroups[2]: the code "STUDENT" is already listed at userGroups[0]'],
      schemaRejects: false,
    },
    {
      name: 'a table that is not an array',
      value: { userGroups: 'STUDENT' },
      messages: ['userGroups must be an array of codes (strings or {"code", "description"} objects), not "STUDENT"'],
      schemaRejects: true,
    },
    {
      name: "an Alma API response pasted as is",
      value: { userGroups: { row: [{ code: 'STUDENT' }] } },
      messages: ['userGroups must be an array of codes (strings or {"code", "description"} objects), not an object; use the "row" list of the Alma export as the array'],
      schemaRejects: true,
    },
    {
      name: 'an entry that is a number',
      value: { blockDescriptions: [1] },
      messages: ['blockDescriptions[0] must be a code (a string) or an object with "code" and an optional "description", not 1'],
      schemaRejects: true,
    },
    { name: 'an entry without a code', value: { userGroups: [{ description: 'Student' }] }, messages: ['userGroups[0] has no "code"'], schemaRejects: true },
    { name: 'a code that is a number', value: { catalogerLevels: [{ code: 10 }] }, messages: ['catalogerLevels[0].code must be a string, not 10'], schemaRejects: true },
    {
      name: 'a misnamed description',
      value: { userGroups: [{ code: 'STUDENT', desc: 'Student' }] },
      messages: ['userGroups[0].desc is not allowed; an entry has only "code" and "description"; did you mean "description"?'],
      schemaRejects: true,
    },
    { name: 'a description that is not a string', value: { userGroups: [{ code: 'STUDENT', description: 5 }] }, messages: ['userGroups[0].description must be a string, not 5'], schemaRejects: true },
    { name: 'an empty code', value: { userGroups: [''] }, messages: ['userGroups[0] is empty; a code needs at least one character'], schemaRejects: true },
    { name: 'a code with spaces around it', value: { userGroups: [{ code: ' STUDENT' }] }, messages: ['userGroups[0].code " STUDENT" has spaces around it; write "STUDENT"'], schemaRejects: true },
    { name: 'a root that is an array', value: ['STUDENT'], messages: ['the code tables file must be a JSON object of tables, not an array'], schemaRejects: true },
  ];
  for (const { name, value, messages } of cases) {
    it(`reports ${name}`, () => assert.deepEqual(problemsOf(value), messages));
  }

  it('the schema rejects every invalid shape it can express', () => {
    const schema = readSchema();
    for (const { name, value, schemaRejects } of cases) {
      assert.equal(schemaProblems(schema, value).length > 0, schemaRejects, `${name}: ${schemaProblems(schema, value).join('; ')}`);
    }
  });

  it('reports every problem together, in file order, with lines and columns', () => {
    const text = ['{', '  "userGroups": ["STUDENT", "STUDENT"],', '  "usergroup": [],', '  "genders": [{"code": "MALE", "desc": "Male"}]', '}'].join('\n');
    const error = tablesError(text);
    assert.deepEqual(error.problems, [
      { message: 'userGroups[1]: the code "STUDENT" is already listed at userGroups[0]', line: 2, column: 29 },
      { message: '"usergroup" is not a code table name; did you mean "userGroups"?', line: 3, column: 3 },
      { message: 'genders[0].desc is not allowed; an entry has only "code" and "description"; did you mean "description"?', line: 4, column: 32 },
    ]);
    assert.match(error.message, /^3 problems in code-tables\.json:\n  code-tables\.json:2:29: /);
  });

  it('reports a JSON syntax error at its line and column', () => {
    assert.equal(tablesError('{\n  "userGroups": ["STUDENT",]\n}').message, "code-tables.json:2:28: JSON syntax error: trailing comma before ']'");
  });
});

describe('resolveCodeTablesPath and loadCodeTables', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'alma-sis-codetables-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('resolves relative to the configuration file, keeps absolute paths, and is undefined without codeTables', () => {
    const config = parseConfig('{"profiles": [{"code": "A", "codeTables": "tables/inst.codetables.json"}, {"code": "B", "codeTables": "/etc/alma/tables.json"}, {"code": "C"}]}', join(dir, 'alma-sis.config.json'));
    const [a, b, c] = config.profiles;
    assert.equal(resolveCodeTablesPath(config, a), join(dir, 'tables', 'inst.codetables.json'));
    assert.equal(resolveCodeTablesPath(config, b), '/etc/alma/tables.json');
    assert.equal(resolveCodeTablesPath(config, c), undefined);
    assert.equal(resolveCodeTablesPath(config, undefined), undefined);
  });

  it('loads a real file and reports a missing one clearly', async () => {
    const path = join(dir, 'inst.codetables.json');
    writeFileSync(path, '{"campusCodes": ["MAIN", {"code": "NORTH", "description": "North campus"}]}');
    assert.deepEqual(await loadCodeTables(path), { campusCodes: [{ code: 'MAIN' }, { code: 'NORTH', description: 'North campus' }] });
    const missing = join(dir, 'missing.json');
    await assert.rejects(loadCodeTables(missing), { name: 'ConfigError', message: `${missing}: cannot read the file: the file does not exist` });
  });
});

describe('alma-sis.codetables.schema.json', () => {
  it('is a draft-07 schema naming exactly the code tables the parser knows', () => {
    const schema = readSchema() as { $schema: string; properties: Record<string, { description?: string }> };
    assert.equal(schema.$schema, 'http://json-schema.org/draft-07/schema#');
    assert.deepEqual(Object.keys(schema.properties).filter((name) => name !== '$schema'), [...CODE_TABLE_NAMES]);
    for (const [name, property] of Object.entries(schema.properties)) assert.ok(property.description, `${name} has no description`);
  });
});
