import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { baselineFile, ConfigError, feedFiles, feedRank, loadConfig } from '../../../server/src/engine';

function workspace(profile: Record<string, unknown>): { dir: string; configPath: string; done(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'alma-sis-feed-'));
  for (const name of ['feeds/students-b.xml', 'feeds/students-a.xml', 'feeds/late.xml', 'feeds/notes.xml', 'exports/2026-11-30.xml', 'exports/2026-12-01.xml']) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), '<users/>');
  }
  const configPath = join(dir, 'alma-sis.config.json');
  writeFileSync(configPath, JSON.stringify({ profiles: [{ code: 'STUDENTS', ...profile }] }));
  return { dir, configPath, done: () => rmSync(dir, { recursive: true, force: true }) };
}

test('a profile\'s feed is its globs\' files in load order: by glob, then by path; the baseline is never in it', async () => {
  const w = workspace({ feed: ['feeds/late.xml', 'feeds/students-*.xml', 'exports/*.xml'], baseline: 'exports/*.xml' });
  try {
    const config = await loadConfig(w.configPath);
    const profile = config.profiles[0];
    assert.deepEqual(profile.feed, ['feeds/late.xml', 'feeds/students-*.xml', 'exports/*.xml']);
    assert.deepEqual((await feedFiles(config, profile)).map((f) => f.slice(w.dir.length + 1)), ['feeds/late.xml', 'feeds/students-a.xml', 'feeds/students-b.xml']);
    assert.equal(feedRank(config, profile, join(w.dir, 'feeds', 'notes.xml')), undefined);
    assert.equal(feedRank(config, profile, join(w.dir, 'feeds', 'students-b.xml')), 1);
    assert.equal(feedRank(config, profile, join(w.dir, '..', 'elsewhere.xml')), undefined);
    // The newest export is the baseline.
    utimesSync(join(w.dir, 'exports', '2026-11-30.xml'), new Date('2026-12-02'), new Date('2026-12-02'));
    utimesSync(join(w.dir, 'exports', '2026-12-01.xml'), new Date('2026-12-01'), new Date('2026-12-01'));
    assert.equal(await baselineFile(config, profile), join(w.dir, 'exports', '2026-11-30.xml'));
  } finally {
    w.done();
  }
});

test('a plain baseline path is used when it exists; one glob alone is a feed of one glob; a wrong feed is reported where it is', async () => {
  const w = workspace({ feed: 'feeds/*.xml', baseline: 'exports/2026-12-01.xml' });
  try {
    const config = await loadConfig(w.configPath);
    assert.deepEqual(config.profiles[0].feed, ['feeds/*.xml']);
    assert.equal(await baselineFile(config, config.profiles[0]), join(w.dir, 'exports', '2026-12-01.xml'));
    writeFileSync(w.configPath, '{\n  "profiles": [{ "code": "S", "feed": [], "baseline": 3 }]\n}');
    const error = await loadConfig(w.configPath).then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof ConfigError);
    assert.match(error.message, /feed must be a list of file globs/);
    assert.match(error.message, /baseline/);
    assert.ok(error.problems.every((p) => p.line === 2), JSON.stringify(error.problems));
  } finally {
    w.done();
  }
});
