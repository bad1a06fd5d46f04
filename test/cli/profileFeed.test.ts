import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../helpers/repoRoot';

/*
 * The built CLI in a folder whose profile names its feed and its baseline: validate, zip and
 * dry-run need no file named, and an export beside the feed is never taken for one of its files.
 */

const cli = join(repoRoot(), 'dist', 'cli.js');
const skip = existsSync(cli) ? undefined : 'dist/cli.js is not built (npm run build)';
const samples = join(repoRoot(), 'samples');

function workspace(profile: Record<string, unknown>): { dir: string; run(...args: string[]): ReturnType<typeof spawnSync>; done(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'alma-sis-cli-feed-'));
  mkdirSync(join(dir, 'feeds'));
  mkdirSync(join(dir, 'exports'));
  copyFileSync(join(samples, 'dry-run', 'feed.xml'), join(dir, 'feeds', 'students.xml'));
  copyFileSync(join(samples, 'valid', 'users-v2.xml'), join(dir, 'feeds', 'a-first.xml'));
  copyFileSync(join(samples, 'dry-run', 'export.xml'), join(dir, 'exports', 'current.xml'));
  writeFileSync(join(dir, 'alma-sis.config.json'), JSON.stringify({ profiles: [{ code: 'STUDENTS', ...profile }] }));
  return {
    dir,
    run: (...args) => spawnSync(process.execPath, [cli, ...args, '--no-progress'], { cwd: dir, encoding: 'utf8' }),
    done: () => rmSync(dir, { recursive: true, force: true }),
  };
}

test('with no file named, validate and zip take the profile\'s feed in its order', { skip }, () => {
  const w = workspace({ feed: ['feeds/students.xml', 'feeds/*.xml'], baseline: 'exports/*.xml' });
  try {
    const validated = w.run('validate', '--format', 'json');
    const report = JSON.parse(String(validated.stdout)) as { files: { path: string }[] };
    assert.deepEqual(report.files.map((f) => f.path.replace(/\\/g, '/').replace(`${w.dir.replace(/\\/g, '/')}/`, '')), ['feeds/students.xml', 'feeds/a-first.xml']);
    const zipped = w.run('zip', '--force', '--out', 'out.zip');
    assert.equal(zipped.status, 0, String(zipped.stderr));
    const listing = spawnSync('unzip', ['-Z1', join(w.dir, 'out.zip')], { encoding: 'utf8' });
    if (listing.status === 0) assert.deepEqual(listing.stdout.trim().split('\n'), ['students.xml', 'a-first.xml']);
  } finally {
    w.done();
  }
});

test('dry-run without --baseline takes the profile\'s; without either it says what it needs', { skip }, () => {
  const w = workspace({ feed: ['feeds/students.xml'], baseline: 'exports/*.xml' });
  try {
    const withProfile = w.run('dry-run', '--format', 'json');
    const explicit = w.run('dry-run', 'feeds/students.xml', '--baseline', 'exports/current.xml', '--format', 'json');
    assert.equal(withProfile.stdout, explicit.stdout);
    assert.ok(JSON.parse(String(withProfile.stdout)).summary.total > 0);
    writeFileSync(join(w.dir, 'alma-sis.config.json'), JSON.stringify({ profiles: [{ code: 'STUDENTS', baseline: 'nowhere/*.xml' }] }));
    const missing = w.run('dry-run', 'feeds/students.xml');
    assert.equal(missing.status, 2);
    assert.match(String(missing.stderr), /needs --baseline FILE.*baseline "nowhere\/\*\.xml" matches no file/);
    const nothing = w.run('validate');
    assert.equal(nothing.status, 2);
    assert.match(String(nothing.stderr), /validate needs at least one file, folder or zip, or a profile with a feed/);
  } finally {
    w.done();
  }
});

test('a folder holding the feed and the export: the export is validated alone, and zipping the folder leaves it out', { skip }, () => {
  const w = workspace({});
  try {
    copyFileSync(join(w.dir, 'exports', 'current.xml'), join(w.dir, 'feeds', 'alma-export.xml'));
    const validated = w.run('validate', 'feeds');
    assert.doesNotMatch(String(validated.stdout), /already used by an earlier user \([^)]*alma-export\.xml/);
    assert.match(String(validated.stdout) + String(validated.stderr), /alma-export\.xml: note: an Alma export/);
    const zipped = w.run('zip', 'feeds', '--force', '--out', 'f.zip');
    assert.equal(zipped.status, 0, String(zipped.stderr));
    assert.match(String(zipped.stdout) + String(zipped.stderr), /alma-export\.xml.*not packaged/);
    assert.ok(readdirSync(w.dir).includes('f.zip'));
  } finally {
    w.done();
  }
});
