import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { repoRoot } from '../helpers/repoRoot';

/** `alma-sis import-code-tables` through the bundled dist/cli.js, and the file it writes used by `validate`. */

const root = repoRoot();
const cli = join(root, 'dist', 'cli.js');
const API_FIXTURE = join(root, 'test', 'fixtures', 'codeTables', 'UserGroups.json');
const dir = mkdtempSync(join(tmpdir(), 'alma-sis-import-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[], cwd = dir) {
  return spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8' });
}

function folder(name: string): string {
  return mkdtempSync(join(dir, `${name}-`));
}

describe('alma-sis import-code-tables', () => {
  it("imports Alma's API JSON: one line per table, the disabled row noted, the file created", () => {
    const cwd = folder('api');
    const result = run(['import-code-tables', '--into', 'codes.json', API_FIXTURE], cwd);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, `userGroups: 5 codes from ${API_FIXTURE} (Alma's UserGroups); a new table\ncreated codes.json\n`);
    assert.equal(result.stderr, `${API_FIXTURE}:48:5: note: row[4] "05" is disabled in Alma; left out\n`);
    const written = JSON.parse(readFileSync(join(cwd, 'codes.json'), 'utf8')) as Record<string, Array<{ code: string; description?: string }>>;
    assert.deepEqual(written.userGroups.map((entry) => entry.code), ['01', '02', '03', '04', 'STUDENT']);
    assert.equal(written.userGroups[2].description, 'Académico – Profesor titular');
    assert.deepEqual(readdirSync(cwd), ['codes.json']);
  });

  it('imports a CSV with a BOM, CRLF and quoted fields into the --table, keeping the other tables of the file', () => {
    const cwd = folder('csv');
    const before = '{\n  "$schema": "./alma-sis.codetables.schema.json",\n  "identifierTypes": ["OLD", "01"],\n  "countries": [{ "code": "USA" }],\n  "x-owner": "library systems"\n}\n';
    writeFileSync(join(cwd, 'codes.json'), before);
    writeFileSync(join(cwd, 'ids.csv'), '\uFEFFcode,description\r\n01,"Barcode, printed"\r\n02,"The ""library"" card"\r\n01,Again\r\n');
    const result = run(['import-code-tables', '--into', 'codes.json', '--table', 'UserIdentifierTypes', 'ids.csv'], cwd);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, 'identifierTypes: 2 codes from ids.csv; replaced 2 codes: 1 added, 1 removed\nwrote codes.json\n');
    assert.match(result.stderr, /^ids\.csv:4: note: line 4: the code "01" repeats line 2; the first is kept$/m);
    assert.equal(
      readFileSync(join(cwd, 'codes.json'), 'utf8'),
      before.replace(
        '["OLD", "01"]',
        '[\n    { "code": "01", "description": "Barcode, printed" },\n    { "code": "02", "description": "The \\"library\\" card" }\n  ]',
      ),
    );
  });

  it('reports every problem with its place, exits 2 and writes nothing', () => {
    const cwd = folder('errors');
    const before = '{ "userGroups": ["KEEP"] }\n';
    writeFileSync(join(cwd, 'codes.json'), before);
    writeFileSync(join(cwd, 'bad.csv'), 'code,description\nA,a\n,no code\n"B,open quote\n');
    writeFileSync(join(cwd, 'other.json'), JSON.stringify({ name: 'UserGrups', row: [{ code: 'X' }] }, null, 2));
    const result = run(['import-code-tables', '--into', 'codes.json', 'other.json', 'bad.csv', '--table', 'genders'], cwd);
    assert.equal(result.status, 2);
    assert.equal(result.stdout, '');
    assert.equal(
      result.stderr,
      ['alma-sis: 2 problems; codes.json was not changed:', '  bad.csv:3: line 3: the code is empty', '  bad.csv:4: a quoted field is never closed; end it with " (a quote inside is written twice: "")', ''].join('\n'),
    );
    assert.equal(readFileSync(join(cwd, 'codes.json'), 'utf8'), before);
    assert.deepEqual(readdirSync(cwd).sort(), ['bad.csv', 'codes.json', 'other.json']);

    const unknown = run(['import-code-tables', '--into', 'codes.json', 'other.json'], cwd);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /other\.json:2:3: "UserGrups" is not a code table alma-sis checks \(the nearest is "UserGroups" \(userGroups here\)\)\. Pass --table NAME/);
    assert.equal(readFileSync(join(cwd, 'codes.json'), 'utf8'), before);
  });

  it('refuses bad usage with exit 2 and one line naming the next step', () => {
    const cwd = folder('usage');
    writeFileSync(join(cwd, 'g.csv'), 'A,a\n');
    for (const [args, pattern] of [
      [['g.csv', '--table', 'userGroups'], /name the code tables file to write with --into CODES\.json \(see alma-sis import-code-tables --help\)/],
      [['--into', 'codes.json'], /name at least one file to import/],
      [['--into', 'codes.json', 'g.csv'], /g\.csv: a CSV file does not say which code table it holds; pass --table NAME/],
      [['--into', 'codes.json', '--table', 'UserGroup', 'g.csv'], /--table "UserGroup" is not a code table alma-sis checks \(the nearest is "UserGroups"/],
      [['--into', 'codes.json', '--format', 'xml', 'g.csv'], /unknown format "xml"; expected text or json/],
      [['--into', 'codes.json', '--table', 'userGroups', 'missing.csv'], /missing\.csv: cannot read the file: the file does not exist \(codes\.json was not changed\)/],
    ] as const) {
      const result = run(['import-code-tables', ...args], cwd);
      assert.equal(result.status, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, pattern);
      assert.equal(result.stdout, '');
    }
    assert.deepEqual(readdirSync(cwd), ['g.csv']);
  });

  it('prints its help, and is listed in the main help', () => {
    const help = run(['import-code-tables', '--help']);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /^Usage: alma-sis import-code-tables --into CODES\.json \[--table NAME\] FILE\.\.\./);
    assert.match(help.stdout, /--format FORMAT +text \(default\) or json/);
    assert.match(run(['--help']).stdout, /import-code-tables +fill the code tables file/);
  });

  it('writes JSON with --format json', () => {
    const cwd = folder('json');
    const result = run(['import-code-tables', '--into', 'codes.json', '--format', 'json', API_FIXTURE], cwd);
    assert.equal(result.status, 0, result.stderr);
    const report = JSON.parse(result.stdout) as Record<string, unknown>;
    assert.deepEqual(report.tables, [{ table: 'userGroups', source: API_FIXTURE, almaName: 'UserGroups', codes: 5, before: null, added: 5, removed: 0 }]);
    assert.equal(report.created, true);
    assert.equal((report.notes as Array<{ line: number }>)[0].line, 48);
    assert.equal(result.stderr, '');
  });

  it('is the file validate then checks codes against: a code not imported is unknown-code, an imported one is not', () => {
    const cwd = folder('validate');
    writeFileSync(join(cwd, 'alma-sis.config.json'), JSON.stringify({ profiles: [{ code: 'STUDENTS', codeTables: 'codes.json' }] }, null, 2));
    const imported = run(['import-code-tables', '--into', 'codes.json', API_FIXTURE], cwd);
    assert.equal(imported.status, 0, imported.stderr);
    assert.equal(run(['sample', '--users', '1', '--out', 'sample.xml'], cwd).status, 0);
    const sample = readFileSync(join(cwd, 'sample.xml'), 'utf8');
    const withGroup = (code: string) => sample.replace(/<user_group( desc="[^"]*")?>[^<]*<\/user_group>/, `<user_group>${code}</user_group>`);
    assert.notEqual(withGroup('X'), sample);

    // 05 is in Alma's export but disabled there, so it was not imported.
    writeFileSync(join(cwd, 'disabled.xml'), withGroup('05'));
    const unknown = run(['validate', 'disabled.xml'], cwd);
    assert.equal(unknown.status, 0, unknown.stdout);
    assert.match(unknown.stdout, /^disabled\.xml:\d+:\d+: warning unknown-code .*"05"/m);

    writeFileSync(join(cwd, 'enabled.xml'), withGroup('04'));
    const known = run(['validate', 'enabled.xml'], cwd);
    assert.equal(known.status, 0, known.stdout);
    assert.doesNotMatch(known.stdout, /unknown-code/);
    assert.match(known.stdout, /1 user: 0 errors, 0 warnings/);
  });

  it('says so when the code tables file cannot be written', () => {
    const cwd = folder('unwritable');
    const result = run(['import-code-tables', '--into', join('no-such-folder', 'codes.json'), API_FIXTURE], cwd);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /^alma-sis: no-such-folder\/codes\.json: cannot write the file: the folder no-such-folder does not exist/m);
  });
});
