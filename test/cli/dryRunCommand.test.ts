import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { parseArgs } from '../../server/src/cli/args';
import type { CommandContext } from '../../server/src/cli/command';
import { dryRunCommand } from '../../server/src/cli/dryRunCommand';
import { InputError } from '../../server/src/engine/files/inputDocument';
import { DEFAULT_SETTINGS, dryRun, dryRunHtml, expandInputs } from '../../server/src/engine';
import { missingTool } from '../helpers/prerequisites';
import { repoRoot } from '../helpers/repoRoot';
import { identifier, tmpFolder, user, usersFile, writeFiles } from '../engine/dryRun/fixtures';

/**
 * The dry-run command: in-process for formats and exit codes (the command module with a real
 * context), and the built CLI for the whole path a scheduler takes (arguments to exit code).
 */

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

async function dryRunIn(cwd: string, ...argv: string[]): Promise<Outcome> {
  let stdout = '';
  let stderr = '';
  const context: CommandContext = {
    cwd,
    out: (text) => (stdout += text),
    err: (text) => (stderr += text),
    terminal: undefined,
    signal: new AbortController().signal,
    version: 'test',
  };
  const absolute = argv.map((arg) => (arg.endsWith('.xml') || arg.endsWith('.zip') || arg.endsWith('.json') ? join(cwd, arg) : arg));
  const code = await dryRunCommand.run(parseArgs(absolute, dryRunCommand.options, 'dry-run'), context);
  return { code, stdout: stdout.split(`${cwd}/`).join(''), stderr };
}

interface JsonReport {
  summary: { total: number; new: number; updated: number; unchanged: number; rejected: number; failureRate: number; alert: boolean };
  users: { primaryId: string | null; outcome: string; reason: string | null; line: number; changes: { path: string; change: string; old: string | null; new: string | null }[] }[];
}

const BASELINE = usersFile(
  user('alice', '<user_group>UG</user_group>', identifier('BARCODE', 'B1')),
  user('bob', identifier('BARCODE', 'B2')),
  user('staff', '<account_type>INTERNAL</account_type>'),
);
const FEED = usersFile(
  user('alice', '<user_group>PG</user_group>', identifier('BARCODE', 'B1')),
  user('bob', identifier('BARCODE', 'B2')),
  user('carol', identifier('BARCODE', 'C1')),
);

const dir = tmpFolder();
writeFiles(dir, { 'export.xml': BASELINE, 'feed.xml': FEED });

describe('alma-sis dry-run (command)', () => {
  it('JSON: the summary and every user with its outcome, reason, 1-based line and changes', async () => {
    const result = await dryRunIn(dir, 'feed.xml', '--baseline', 'export.xml', '--format', 'json');
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as JsonReport;
    assert.deepEqual(Object.keys(report), ['summary', 'users']);
    assert.deepEqual(report.summary, { total: 3, new: 1, updated: 1, unchanged: 1, rejected: 0, failureRate: 0, alert: false });
    assert.deepEqual(report.users[0], {
      primaryId: 'alice', outcome: 'updated', reason: null, line: 3,
      changes: [{ path: 'user_group', change: 'changed', old: 'UG', new: 'PG' }],
    });
    assert.deepEqual(Object.keys(report.users[1]), ['primaryId', 'outcome', 'reason', 'line', 'changes']);
  });

  it('text: one line per user that is not unchanged, then the summary', async () => {
    const result = await dryRunIn(dir, 'feed.xml', '--baseline', 'export.xml');
    assert.equal(result.code, 0);
    assert.equal(result.stdout,
      'feed.xml:3: updated alice: user_group "UG" -> "PG"\n' +
      'feed.xml:5: new carol\n' +
      '3 users (synchronize, matched by primary_id, against 3 existing): 1 new, 1 updated, 1 unchanged, 0 rejected (0%)\n');
  });

  it('markdown: counts first, then rejections, then changes by kind', async () => {
    writeFiles(dir, { 'rejects.xml': usersFile(user('staff'), user('dave', identifier('BARCODE', 'B2')), user('alice')) });
    const result = await dryRunIn(dir, 'rejects.xml', '--baseline', 'export.xml', '--format', 'markdown');
    assert.equal(result.code, 1, 'two of three rejected: the alert is raised');
    const md = result.stdout;
    const order = ['| outcome | users |', '## Rejected (2)', '## Changes to existing users (1 updated)', '### Removed (2)'].map((s) => md.indexOf(s));
    assert.ok(order.every((at, k) => at >= 0 && (k === 0 || at > order[k - 1])), md);
    assert.match(md, /> \*\*Alert:\*\* 66\.66% of the users would be rejected/);
    assert.match(md, /\| staff \| rejects\.xml:3 \| `internal-user` \|/);
    assert.match(md, /\| dave \| rejects\.xml:4 \| `identifier-taken` \| BARCODE B2 belongs to existing user bob \(export\.xml:4\) \|/);
    assert.match(md, /\| alice \| `user_identifiers\/BARCODE` \| B1 \|/);
  });

  it('escapes control characters and markup that come from the files', async () => {
    writeFiles(dir, {
      'odd.xml': usersFile(user('eve&#9;&lt;x&gt;|1', '<middle_name>a&#10;b</middle_name>')),
      'odd-base.xml': usersFile(user('eve&#9;&lt;x&gt;|1')),
    });
    const text = await dryRunIn(dir, 'odd.xml', '--baseline', 'odd-base.xml');
    assert.match(text.stdout, /^odd\.xml:3: updated eve\\t<x>\|1: \+middle_name="a\\nb"\n/);
    assert.doesNotMatch(text.stdout, /\t/);
    const md = await dryRunIn(dir, 'odd.xml', '--baseline', 'odd-base.xml', '--format', 'markdown');
    assert.match(md.stdout, /\| eve\\\\t\\<x\\>\\\|1 \| `middle_name` \| a\\\\nb \|/);
  });

  it('html: one page with the counts, the rejected users and the changes, escaped, and the exit code of the alert', async () => {
    writeFiles(dir, { 'html-feed.xml': usersFile(user('staff'), user('&lt;script&gt;x', identifier('BARCODE', 'B2')), user('alice')) });
    const result = await dryRunIn(dir, 'html-feed.xml', '--baseline', 'export.xml', '--format', 'html');
    assert.equal(result.code, 1, 'two of three rejected: the alert is raised');
    assert.equal(result.stderr, '');
    const html = result.stdout;
    assert.ok(html.startsWith('<!DOCTYPE html>\n'), html.slice(0, 80));
    assert.ok(html.endsWith('</html>\n'));
    assert.match(html, /<div class="card rejected"><div class="n">2<\/div><div class="k">rejected<\/div><\/div>/);
    assert.match(html, /<div class="card rate over"><div class="n">66\.66%<\/div>/);
    assert.match(html, /<tr data-user="1"><td>&#60;script&#62;x<\/td><td class="where">4<\/td><td class="reason"><code>identifier-taken<\/code><\/td>/);
    assert.match(html, /<td class="kind removed">removed<\/td><td><code>user_identifiers\/<wbr>BARCODE<\/code><\/td><td class="v">B1<\/td>/);
    assert.doesNotMatch(html, /<script/i);
  });

  it('exit 1 when the rejected share reaches 5%, 0 below', async () => {
    const many = (bad: number, good: number) => usersFile(...Array.from({ length: good }, (_, k) => user(`g${k}`)), ...Array.from({ length: bad }, () => user(null)));
    writeFiles(dir, { 'at.xml': many(1, 19), 'below.xml': many(1, 20), 'empty.xml': usersFile() });
    assert.equal((await dryRunIn(dir, 'at.xml', '--baseline', 'empty.xml')).code, 1);
    assert.equal((await dryRunIn(dir, 'below.xml', '--baseline', 'empty.xml')).code, 0);
    const json = JSON.parse((await dryRunIn(dir, 'at.xml', '--baseline', 'empty.xml', '--format', 'json')).stdout) as JsonReport;
    assert.deepEqual([json.summary.failureRate, json.summary.alert], [0.05, true]);
  });

  it('takes matchIdType and unmatched from the profile, and --mode import', async () => {
    writeFiles(dir, {
      'alma-sis.config.json': JSON.stringify({
        profiles: [{ code: 'SIS', matchIdType: 'BARCODE', unmatched: 'reject' }],
      }),
      'by-barcode.xml': usersFile(user('alice2', identifier('BARCODE', 'B1')), user('zed', identifier('BARCODE', 'Z9'))),
    });
    const sync = JSON.parse((await dryRunIn(dir, 'by-barcode.xml', '--baseline', 'export.xml', '--config', 'alma-sis.config.json', '--format', 'json')).stdout) as JsonReport;
    assert.deepEqual(sync.users.map((u) => `${u.primaryId} ${u.outcome} ${u.reason}`), ['alice2 updated null', 'zed rejected unmatched-rejected']);
    const imp = JSON.parse((await dryRunIn(dir, 'by-barcode.xml', '--baseline', 'export.xml', '--config', 'alma-sis.config.json', '--mode', 'import', '--format', 'json')).stdout) as JsonReport;
    assert.deepEqual(imp.users.map((u) => `${u.primaryId} ${u.outcome} ${u.reason}`), ['alice2 rejected exists', 'zed new null']);
  });

  it('the sample pair under samples/dry-run shows every outcome but exists, which --mode import shows', async () => {
    const samples = join(repoRoot(), 'samples', 'dry-run');
    const rows = async (...extra: string[]) => {
      const result = await dryRunIn(samples, 'feed.xml', '--baseline', 'export.xml', '--format', 'json', ...extra);
      return (JSON.parse(result.stdout) as JsonReport).users.map((u) => `${u.primaryId} ${u.outcome}${u.reason ? `/${u.reason}` : ''}`);
    };
    assert.deepEqual(await rows(), [
      'AVA.LEE unchanged', 'ben.okafor updated', 'cleo.admin rejected/internal-user', 'eve.ngata new',
      'finn.walsh rejected/duplicate-in-feed', 'gia.russo rejected/identifier-taken', 'null rejected/missing-match-id', 'ida.berg rejected/invalid',
    ]);
    assert.deepEqual((await rows('--mode', 'import')).slice(0, 2), ['AVA.LEE rejected/exists', 'ben.okafor rejected/exists']);
  });

  it('needs an input and --baseline', async () => {
    await assert.rejects(dryRunIn(dir, '--baseline', 'export.xml'), /needs at least one input/);
    await assert.rejects(dryRunIn(dir, 'feed.xml'), /needs --baseline FILE/);
  });

  it('a malformed, missing or unreadable baseline is an InputError (exit 2), not a partial index', async () => {
    writeFiles(dir, { 'broken.xml': BASELINE.replace('</user>', '<user>') });
    await assert.rejects(dryRunIn(dir, 'feed.xml', '--baseline', 'broken.xml'), (error: Error) =>
      error instanceof InputError && /broken\.xml:\d+:\d+: the baseline is not well-formed XML/.test(error.message));
    await assert.rejects(dryRunIn(dir, 'feed.xml', '--baseline', 'missing.xml'), (error: Error) =>
      error instanceof InputError && /missing\.xml: no such file/.test(error.message));
    if (process.getuid?.() !== 0) {
      writeFiles(dir, { 'locked.xml': BASELINE });
      chmodSync(join(dir, 'locked.xml'), 0);
      await assert.rejects(dryRunIn(dir, 'feed.xml', '--baseline', 'locked.xml'), InputError);
    }
  });
});

describe('alma-sis dry-run with zips', { skip: missingTool('zip', 'zip') }, () => {
  it('reads a zipped export and a zip of several feed files in stored order', async () => {
    // A folder of its own: no alma-sis.config.json of another test above it.
    const zipDir = tmpFolder();
    writeFiles(zipDir, {
      'export.xml': BASELINE,
      // Stored order b, a: a file named later in the alphabet is read first.
      'b.xml': usersFile(user('carol', identifier('BARCODE', 'C1'))),
      'a.xml': usersFile(user('dave', identifier('BARCODE', 'C1')), user('alice', '<user_group>UG</user_group>', identifier('BARCODE', 'B1'))),
    });
    execFileSync('zip', ['-q', '-X', 'export.zip', 'export.xml'], { cwd: zipDir });
    execFileSync('zip', ['-q', '-X', 'feed.zip', 'b.xml', 'a.xml'], { cwd: zipDir });
    const result = await dryRunIn(zipDir, 'feed.zip', '--baseline', 'export.zip', '--format', 'json');
    const report = JSON.parse(result.stdout) as JsonReport;
    assert.deepEqual(report.users.map((u) => `${u.primaryId} ${u.outcome} ${u.reason}`), [
      'carol new null',
      'dave rejected duplicate-in-feed',
      'alice unchanged null',
    ]);
    const text = await dryRunIn(zipDir, 'feed.zip', '--baseline', 'export.zip');
    assert.match(text.stdout, /^feed\.zip!\/a\.xml:3: rejected duplicate-in-feed dave: BARCODE C1 is already used by carol at feed\.zip!\/b\.xml:3/m);
  });
});

describe('alma-sis dry-run (built CLI)', () => {
  const root = repoRoot();
  const cli = join(root, 'dist', 'cli.js');
  const runCli = (...args: string[]) => spawnSync(process.execPath, [cli, 'dry-run', ...args], { cwd: dir, encoding: 'utf8' });
  const cliHelp = () => spawnSync(process.execPath, [cli, 'dry-run', '--help'], { cwd: dir, encoding: 'utf8' }).stdout;

  before(() => {
    execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
  });

  it('--format html writes the engine\'s page, byte for byte, for a job to mail', async () => {
    const samples = join(root, 'samples', 'dry-run');
    const alone = tmpFolder();
    const feedPath = join(alone, 'feed.xml');
    const exportPath = join(alone, 'export.xml');
    copyFileSync(join(samples, 'feed.xml'), feedPath);
    copyFileSync(join(samples, 'export.xml'), exportPath);
    const result = spawnSync(process.execPath, [cli, 'dry-run', feedPath, '--baseline', exportPath, '--format', 'html'], { cwd: alone, encoding: 'utf8' });
    assert.equal(result.status, 1, result.stderr);
    const report = await dryRun((await expandInputs([feedPath])).documents, (await expandInputs([exportPath])).documents, { settings: DEFAULT_SETTINGS, baselinePaths: [exportPath] });
    assert.equal(result.stdout, dryRunHtml(report));
    assert.match(cliHelp(), /--format FORMAT +text \(default\), markdown, json or html/);
  });

  it('exits 2 with one clear line for a baseline that is not XML', () => {
    writeFiles(dir, { 'not-xml.xml': 'id,name\n1,alice\n' });
    const result = runCli('feed.xml', '--baseline', 'not-xml.xml');
    assert.equal(result.status, 2, result.stderr);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^alma-sis: not-xml\.xml:1:1: the baseline is not well-formed XML: [^\n]+\n$/);
  });

  it('a scenario with every outcome and reason, in both modes, through the JSON', () => {
    writeFiles(dir, {
      'scenario-export.xml': usersFile(
        user('u-same', identifier('BARCODE', 'S1')),
        user('u-change', '<user_group>UG</user_group>', '<contact_info><emails><email><email_address>x@y.z</email_address><email_types><email_type>work</email_type></email_types></email></emails></contact_info>'),
        user('u-owner', identifier('BARCODE', 'OWN')),
        user('u-internal', '<account_type>INTERNAL</account_type>'),
      ),
      'scenario-feed.xml': usersFile(
        user('u-same', identifier('BARCODE', 'S1')),
        user('u-change', '<user_group>PG</user_group>'),
        user('u-new', identifier('BARCODE', 'N1')),
        user('u-dup', identifier('BARCODE', 'N1')),
        user('u-taker', identifier('BARCODE', 'OWN')),
        user('u-internal'),
        user(null),
        user('u-bad', '<purge_date>tomorrow</purge_date>'),
      ),
      'scenario.config.json': JSON.stringify({ profiles: [{ code: 'STRICT', unmatched: 'reject' }, { code: 'OPEN' }], defaultProfile: 'OPEN' }),
    });
    const rows = (...args: string[]) => {
      const result = runCli('scenario-feed.xml', '--baseline', 'scenario-export.xml', '--config', 'scenario.config.json', '--format', 'json', ...args);
      assert.ok(result.status === 0 || result.status === 1, result.stderr);
      const report = JSON.parse(result.stdout) as JsonReport;
      assert.equal(result.status, report.summary.alert ? 1 : 0);
      return { report, rows: report.users.map((u) => `${u.primaryId} ${u.outcome}${u.reason ? `/${u.reason}` : ''}`) };
    };
    const sync = rows();
    assert.deepEqual(sync.rows, [
      'u-same unchanged', 'u-change updated', 'u-new new', 'u-dup rejected/duplicate-in-feed', 'u-taker rejected/identifier-taken',
      'u-internal rejected/internal-user', 'null rejected/missing-match-id', 'u-bad rejected/invalid',
    ]);
    assert.deepEqual(sync.report.users[1].changes, [
      { path: 'contact_info/emails/email', change: 'removed', old: 'x@y.z (email_types: work)', new: null },
      { path: 'user_group', change: 'changed', old: 'UG', new: 'PG' },
    ]);
    assert.deepEqual(sync.report.summary, { total: 8, new: 1, updated: 1, unchanged: 1, rejected: 5, failureRate: 0.625, alert: true });
    assert.deepEqual(rows('--profile', 'STRICT').rows.slice(2, 4), ['u-new rejected/unmatched-rejected', 'u-dup rejected/unmatched-rejected']);
    assert.deepEqual(rows('--mode', 'import').rows, [
      'u-same rejected/exists', 'u-change rejected/exists', 'u-new new', 'u-dup rejected/duplicate-in-feed', 'u-taker rejected/identifier-taken',
      'u-internal rejected/exists', 'null rejected/missing-match-id', 'u-bad rejected/invalid',
    ]);
  });
});
