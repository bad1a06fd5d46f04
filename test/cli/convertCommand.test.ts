import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { convertV1ToV2Text } from '../../server/src/engine/convert/v1ToV2';
import { repoRoot } from '../helpers/repoRoot';

/** `alma-sis convert` through the bundled dist/cli.js. */

const root = repoRoot();
const cli = join(root, 'dist', 'cli.js');
const samples = join(root, 'samples');
const dir = mkdtempSync(join(tmpdir(), 'alma-sis-convert-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[], cwd: string) {
  return spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8' });
}

function folderWith(name: string, files: Record<string, string>): string {
  const folder = join(dir, name);
  mkdirSync(folder);
  for (const [file, sample] of Object.entries(files)) copyFileSync(join(samples, sample), join(folder, file));
  return folder;
}

describe('alma-sis convert', () => {
  it('writes NAME.v2.xml beside each v1 file, the engine\'s text, which validates with no error; prints users and what had no v2 home', () => {
    const folder = folderWith('beside', { 'users-v1.xml': 'valid/users-v1.xml', 'v1-deprecated.xml': 'invalid/v1-deprecated.xml' });
    const result = run(['convert', '--to', '2', 'users-v1.xml', 'v1-deprecated.xml'], folder);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stderr, '');
    assert.deepEqual(readdirSync(folder).sort(), ['users-v1.v2.xml', 'users-v1.xml', 'v1-deprecated.v2.xml', 'v1-deprecated.xml']);
    assert.equal(readFileSync(join(folder, 'users-v1.v2.xml'), 'utf8'), convertV1ToV2Text(readFileSync(join(folder, 'users-v1.xml'))).text);
    const lines = result.stdout.split('\n');
    assert.equal(lines[0], 'users-v1.xml -> users-v1.v2.xml: 2 users converted, 12 values changed (dates, codes, required defaults), 4 values with no v2 home');
    assert.match(lines[1], /^ {2}no v2 home: userRecords\/userRecord\/owneredEntity\/creationDate \(1\), /);
    assert.equal(lines[2], '  users-v1.xml:23: userRecords/userRecord/owneredEntity/creationDate "20240201": an audit stamp Alma writes and sets itself; v2 input has no place for it');
    assert.match(result.stdout, /\nv1-deprecated\.xml -> v1-deprecated\.v2\.xml: 1 user converted, 3 values changed \(dates, codes, required defaults\), 0 values with no v2 home\n$/);
    const check = run(['validate', 'users-v1.v2.xml', 'v1-deprecated.v2.xml'], folder);
    assert.equal(check.status, 0, check.stdout);
    assert.match(check.stdout, /2 files, 3 users: 0 errors, 0 warnings/);
  });

  it('shows the first five values with no v2 home and counts the rest', () => {
    const folder = join(dir, 'many');
    mkdirSync(folder);
    const stamp = '<owneredEntity><creationDate>20240201</creationDate><modificationDate>20250115</modificationDate><createdBy>SIS</createdBy><modifiedBy>SIS</modifiedBy></owneredEntity>';
    writeFileSync(join(folder, 'stamps.xml'), readFileSync(join(samples, 'valid', 'users-v1.xml'), 'utf8').replace('</userDetails>\n    <userIdentifiers>', `</userDetails>\n    ${stamp}\n    <userIdentifiers>`));
    const result = run(['convert', '--to', '2', 'stamps.xml'], folder);
    assert.equal(result.status, 0, result.stderr);
    const shown = result.stdout.split('\n').filter((line) => line.startsWith('  stamps.xml:'));
    assert.equal(shown.length, 5);
    assert.match(result.stdout, /, 8 values with no v2 home\n/);
    assert.match(result.stdout, /\n {2}no v2 home: userRecords\/userRecord\/owneredEntity\/creationDate \(2\), /);
    assert.match(result.stdout, /\n {2}and 3 more\n$/);
  });

  it('writes into --out, and never over an existing file unless --force', () => {
    const folder = folderWith('out', { 'students.xml': 'valid/users-v1.xml' });
    mkdirSync(join(folder, 'v2'));
    assert.equal(run(['convert', '--to', '2', 'students.xml', '--out', 'v2'], folder).status, 0);
    assert.deepEqual(readdirSync(join(folder, 'v2')), ['students.v2.xml']);
    writeFileSync(join(folder, 'v2', 'students.v2.xml'), 'keep me');
    const refused = run(['convert', '--to', '2', 'students.xml', '--out', 'v2'], folder);
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, /^alma-sis: .*students\.v2\.xml already exists: remove it, or give --force to replace it\n$/);
    assert.equal(readFileSync(join(folder, 'v2', 'students.v2.xml'), 'utf8'), 'keep me');
    const forced = run(['convert', '--to', '2', 'students.xml', '--out', 'v2', '--force'], folder);
    assert.equal(forced.status, 0, forced.stderr);
    assert.match(readFileSync(join(folder, 'v2', 'students.v2.xml'), 'utf8'), /<primary_id>t\.ngata<\/primary_id>/);
    assert.deepEqual(readdirSync(join(folder, 'v2')), ['students.v2.xml']);
    const noFolder = run(['convert', '--to', '2', 'students.xml', '--out', 'missing'], folder);
    assert.equal(noFolder.status, 2);
    assert.match(noFolder.stderr, /--out missing is not a folder: create it first/);
  });

  it('refuses a v2 file and a malformed one with path:line:col, writes nothing for them, and still converts the others (exit 2)', () => {
    const folder = folderWith('refused', { 'v2.xml': 'valid/users-v2.xml', 'good.xml': 'invalid/v1-deprecated.xml' });
    writeFileSync(join(folder, 'broken.xml'), readFileSync(join(samples, 'valid', 'users-v1.xml'), 'utf8').replace('<userName>m.oconnell</userName>', '<userName>m.oconnell</userName'));
    const result = run(['convert', '--to', '2', 'v2.xml', 'broken.xml', 'good.xml'], folder);
    assert.equal(result.status, 2);
    assert.deepEqual(result.stderr.split('\n'), [
      'alma-sis: v2.xml:2:2: its root is <users>: it is User XSD v2 already, there is nothing to convert.',
      'alma-sis: broken.xml:83:29: The end tag </userName> is not closed with ">". Fix the XML first: nothing was converted.',
      '',
    ]);
    assert.match(result.stdout, /^good\.xml -> good\.v2\.xml: 1 user converted/);
    assert.deepEqual(readdirSync(folder).sort(), ['broken.xml', 'good.v2.xml', 'good.xml', 'v2.xml']);
  });

  it('needs --to 2 (or --xsl) and a file, as usage errors (exit 2)', () => {
    const folder = folderWith('usage', { 'a.xml': 'valid/users-v1.xml' });
    const noTarget = run(['convert', 'a.xml'], folder);
    assert.equal(noTarget.status, 2);
    assert.equal(noTarget.stderr, "alma-sis: convert needs --to 2 (User XSD v2 is the version it writes) or --xsl (the profile's XSL converter) (see alma-sis convert --help)\n");
    assert.equal(run(['convert', '--to', '1', 'a.xml'], folder).status, 2);
    assert.match(run(['convert', '--to', '2'], folder).stderr, /needs at least one User XSD v1 file/);
    assert.match(run(['convert', '--to', '2', 'nothing.xml'], folder).stderr, /^alma-sis: nothing\.xml is not a file: name a User XSD v1 XML file\n$/);
    assert.deepEqual(readdirSync(folder), ['a.xml']);
    const help = run(['convert', '--help'], folder);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /^Usage: alma-sis convert --to 2 \| --xsl \[FILE\.xsl\] <file>\.\.\. \[--out FOLDER\] \[--force\]/);
  });
});
