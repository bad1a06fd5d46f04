import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { repoRoot } from '../helpers/repoRoot';

/*
 * A profile with an XSL converter, through the bundled dist/cli.js: validate, zip and dry-run
 * check what Alma loads (the stylesheet's output, named FILE (after XSL)); convert --xsl writes it.
 */

const root = repoRoot();
const cli = join(root, 'dist', 'cli.js');
const fixtures = join(root, 'test', 'fixtures', 'xsl');
const dir = mkdtempSync(join(tmpdir(), 'alma-sis-xsl-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[], cwd: string) {
  return spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8' });
}

/** A folder with the PLIF profile (alma-sis.config.json naming plif-to-sis.xsl) and the legacy file. */
function workspace(name: string): string {
  const folder = join(dir, name);
  mkdirSync(folder);
  for (const file of ['alma-sis.config.json', 'plif-to-sis.xsl', 'legacy-plif.xml']) copyFileSync(join(fixtures, file), join(folder, file));
  return folder;
}

const PLANTED = [
  'legacy-plif.xml (after XSL):84:20: error invalid-date "2027-13-30" in <expiry_date> is not a day: there is no month 13.',
  'legacy-plif.xml (after XSL):147:20: error duplicate-identifier Identifier BARCODE "B0001" is already used by an earlier user (user P0001, line 33); Alma loads the first and rejects this user.',
  '  legacy-plif.xml (after XSL):33:20: note: first used by user P0001 as identifier BARCODE',
  'legacy-plif.xml (after XSL):181:20: error duplicate-identifier-in-user Identifier UNIV_ID "P0005" appears twice in this user (also as primary_id); Alma rejects the user.',
  '  legacy-plif.xml (after XSL):156:19: note: primary_id "P0005"',
];

describe("a profile's XSL converter in the CLI", () => {
  it('validate checks the converted document: the planted errors at their lines in it, under its own name', () => {
    const folder = workspace('validate');
    const result = run(['validate', 'legacy-plif.xml'], folder);
    assert.equal(result.status, 1, result.stderr);
    assert.equal(result.stderr, '');
    assert.deepEqual(result.stdout.split('\n').slice(0, PLANTED.length), PLANTED);
    assert.match(result.stdout, /\nlegacy-plif\.xml \(after XSL\): 1 file, 5 users: 3 errors, 0 warnings, 0 infos; the errors reject 3 users\n$/);
    // The lines are those of the file convert --xsl writes.
    assert.equal(run(['convert', '--xsl', 'legacy-plif.xml'], folder).status, 0);
    const written = readFileSync(join(folder, 'legacy-plif.after-xsl.xml'), 'utf8').split('\n');
    assert.match(written[83], /^ +<expiry_date>2027-13-30<\/expiry_date>$/);
    assert.equal(written[83].indexOf('2027-13-30'), 19);
    assert.match(written[146], /<value>B0001<\/value>/);
  });

  it('zip validates the converted output but packs the original file', () => {
    const folder = workspace('zip');
    const refused = run(['zip', 'legacy-plif.xml', '--out', 'feed.zip'], folder);
    assert.equal(refused.status, 1);
    assert.deepEqual(refused.stdout.split('\n').slice(0, PLANTED.length), PLANTED);
    const forced = run(['zip', '--force', 'legacy-plif.xml', '--out', 'feed.zip'], folder);
    assert.equal(forced.status, 0, forced.stderr);
    const listed = spawnSync('unzip', ['-p', join(folder, 'feed.zip'), 'legacy-plif.xml']);
    if (listed.error === undefined) assert.deepEqual(listed.stdout, readFileSync(join(folder, 'legacy-plif.xml')));
    assert.match(forced.stdout, /\n {2}1 {2}legacy-plif\.xml {2}\d+ bytes {2}\(from legacy-plif\.xml\)\n/);
  });

  it('dry-run compares the converted users with the baseline', () => {
    const folder = workspace('dry-run');
    writeFileSync(
      join(folder, 'export.xml'),
      '<?xml version="1.0" encoding="UTF-8"?>\n<users>\n  <user>\n    <primary_id>P0002</primary_id>\n    <first_name>Bo</first_name>\n    <last_name>Lindqvist</last_name>\n    <user_group>UG</user_group>\n    <expiry_date>2028-01-31</expiry_date>\n    <status>ACTIVE</status>\n  </user>\n</users>\n',
    );
    const result = run(['dry-run', 'legacy-plif.xml', '--baseline', 'export.xml', '--format', 'json'], folder);
    assert.ok(result.status === 0 || result.status === 1, result.stderr);
    const report = JSON.parse(result.stdout) as { summary: Record<string, number>; users: { primaryId: string; outcome: string; changes: { path: string; old: string; new: string }[] }[] };
    const byId = Object.fromEntries(report.users.map((user) => [user.primaryId, user]));
    assert.equal(byId.P0002.outcome, 'updated');
    assert.ok(byId.P0002.changes.some((change) => change.path === 'user_group' && change.old === 'UG' && change.new === 'PG'));
    assert.equal(byId.P0001.outcome, 'new');
    assert.equal(byId.P0004.outcome, 'rejected');
    assert.equal(report.summary.total, 5);
  });

  it('convert --xsl FILE.xsl needs no profile; --xsl alone needs one that has a converter', () => {
    const folder = join(dir, 'convert');
    mkdirSync(folder);
    copyFileSync(join(fixtures, 'legacy-plif.xml'), join(folder, 'legacy-plif.xml'));
    const named = run(['convert', '--xsl', join(fixtures, 'plif-to-sis.xsl'), 'legacy-plif.xml', '--out', '.'], folder);
    assert.equal(named.status, 0, named.stderr);
    assert.match(named.stdout, /^legacy-plif\.xml -> legacy-plif\.after-xsl\.xml: converted by \S*plif-to-sis\.xsl in \d+\.\d s, \d+ bytes\n$/);
    const again = run(['convert', '--xsl', join(fixtures, 'plif-to-sis.xsl'), 'legacy-plif.xml'], folder);
    assert.equal(again.status, 2);
    assert.match(again.stderr, /legacy-plif\.after-xsl\.xml already exists: remove it, or give --force to replace it\n$/);
    const alone = run(['convert', '--xsl', 'legacy-plif.xml'], folder);
    assert.equal(alone.status, 2);
    assert.match(alone.stderr, /^alma-sis: --xsl alone runs the profile's XSL converter, but there is no profile \(no alma-sis\.config\.json here or above\): name the stylesheet with --xsl FILE\.xsl \(see alma-sis convert --help\)\n$/);
    const both = run(['convert', '--to', '2', '--xsl', 'legacy-plif.xml'], folder);
    assert.equal(both.status, 2);
    assert.match(both.stderr, /convert takes --to 2 or --xsl, not both/);
    assert.deepEqual(readdirSync(folder).sort(), ['legacy-plif.after-xsl.xml', 'legacy-plif.xml']);
  });

  it('a stylesheet that does not compile is one clear line with its place, exit 2, for every command', () => {
    const folder = workspace('broken');
    writeFileSync(join(folder, 'plif-to-sis.xsl'), '<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">\n<xsl:template match="/">\n  <users><xsl:value-of select="substring-after(("/></users>\n</xsl:template>\n</xsl:stylesheet>\n');
    for (const args of [['validate', 'legacy-plif.xml'], ['zip', 'legacy-plif.xml'], ['convert', '--xsl', 'legacy-plif.xml']]) {
      const result = run(args, folder);
      assert.equal(result.status, 2, `${args[0]}: ${result.stdout}${result.stderr}`);
      assert.match(result.stderr, /^alma-sis: \S*plif-to-sis\.xsl:3:32: the XSL converter does not compile: Static error in XPath \{substring-after\(\(\}: .* \[XPST0003\]\n$/, args[0]);
    }
  });

  it('warns about XSLT 2.0 in the stylesheet on stderr, and checks the output all the same', () => {
    const folder = workspace('xslt2');
    const text = readFileSync(join(folder, 'plif-to-sis.xsl'), 'utf8').replace('select="normalize-space(z303/z303-id)"', 'select="upper-case(z303/z303-id)"');
    writeFileSync(join(folder, 'plif-to-sis.xsl'), text);
    const result = run(['validate', 'legacy-plif.xml'], folder);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /^\S*plif-to-sis\.xsl:15:\d+: note: warning: upper-case\(\) is an XPath 2\.0 function: Alma's XSLT processor is not documented and may not have it/);
    assert.match(result.stdout, /legacy-plif\.xml \(after XSL\): 1 file, 5 users: 3 errors/);
  });

  it('refuses a configuration whose xslConverter is the stylesheet itself, not its path', () => {
    const folder = join(dir, 'inline');
    mkdirSync(folder);
    writeFileSync(join(folder, 'alma-sis.config.json'), '{"profiles": [{"code": "P", "xslConverter": "<xsl:stylesheet version=\\"1.0\\"/>"}]}');
    const result = run(['validate', join(fixtures, 'legacy-plif.xml')], folder);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /profiles\[0\]\.xslConverter must be the path of the stylesheet file \(relative to this file, e\.g\. "plif-to-sis\.xsl"\), not the stylesheet itself/);
  });
});
