import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codeTablesFilesOf, configPathFor, resolveFileSettings } from '../../../server/src/engine';
import { repoRoot } from '../../helpers/repoRoot';

/** Two workspace folders, each with a configuration in etc/, and a feed in the second. */
function workspace(): { root: string; a: string; b: string; feed: string; done(): void } {
  const root = mkdtempSync(join(tmpdir(), 'alma-sis-filesettings-'));
  const a = join(root, 'a');
  const b = join(root, 'b');
  for (const folder of [a, b]) {
    mkdirSync(join(folder, 'etc'), { recursive: true });
    mkdirSync(join(folder, 'feeds'), { recursive: true });
    writeFileSync(join(folder, 'etc', 'sis.json'), JSON.stringify({ profiles: [{ code: folder === a ? 'A' : 'B', rules: { 'pin-format': 'off' } }] }));
  }
  const feed = join(b, 'feeds', 'users.xml');
  writeFileSync(feed, '<users/>');
  return { root, a, b, feed, done: () => rmSync(root, { recursive: true, force: true }) };
}

test('a relative configPath is read from the workspace folder that holds the file, never from the process folder', async () => {
  const w = workspace();
  try {
    const choice = { configPath: 'etc/sis.json', profile: '' };
    assert.equal(configPathFor(choice, w.feed, [w.a, w.b]), join(w.b, 'etc', 'sis.json'));
    // No file (a command for the workspace): the first folder.
    assert.equal(configPathFor(choice, undefined, [w.a, w.b]), join(w.a, 'etc', 'sis.json'));
    // A file outside every folder: the first folder too.
    assert.equal(configPathFor(choice, join(w.root, 'elsewhere.xml'), [w.a, w.b]), join(w.a, 'etc', 'sis.json'));
    const resolved = await resolveFileSettings(w.feed, choice, [w.a, w.b]);
    assert.equal(resolved.configError, undefined);
    assert.equal(resolved.profile?.code, 'B');
    assert.equal(resolved.configPath, join(w.b, 'etc', 'sis.json'));
    assert.equal(resolved.settings.rules['pin-format'], 'off');
  } finally {
    w.done();
  }
});

test('no configPath: the nearest configuration upwards; orWorkspace falls back to a workspace folder\'s', async () => {
  const w = workspace();
  try {
    writeFileSync(join(w.a, 'alma-sis.config.json'), JSON.stringify({ profiles: [{ code: 'TOP' }] }));
    const zip = join(w.root, 'outside', 'nightly.zip');
    assert.equal(configPathFor({ configPath: '' }, zip, [w.a]), undefined);
    assert.equal(configPathFor({ configPath: '' }, zip, [w.a], { orWorkspace: true }), join(w.a, 'alma-sis.config.json'));
    assert.equal(configPathFor({ configPath: '' }, join(w.a, 'feeds', 'x.xml'), [w.b]), join(w.a, 'alma-sis.config.json'));
  } finally {
    w.done();
  }
});

test('the editor\'s strict and rules go on top of the configuration; a broken configuration gives the defaults and the error', async () => {
  const w = workspace();
  try {
    const resolved = await resolveFileSettings(w.feed, { configPath: 'etc/sis.json', profile: '', strict: true, rules: { 'pin-format': 'error', bom: 'off' } }, [w.b]);
    assert.equal(resolved.settings.strict, true);
    assert.equal(resolved.settings.rules['pin-format'], 'error');
    assert.equal(resolved.settings.rules.bom, 'off');
    writeFileSync(join(w.b, 'etc', 'sis.json'), '{"profiles": [');
    const broken = await resolveFileSettings(w.feed, { configPath: 'etc/sis.json', profile: '', rules: { bom: 'off' } }, [w.b]);
    assert.ok(broken.configError);
    assert.equal(broken.configPath, join(w.b, 'etc', 'sis.json'));
    assert.equal(broken.settings.rules.bom, 'off');
    const unknown = await resolveFileSettings(w.feed, { configPath: join(w.a, 'etc', 'sis.json'), profile: 'NOPE' }, [w.b]);
    assert.match(unknown.configError?.message ?? '', /no profile "NOPE"/);
  } finally {
    w.done();
  }
});

test('the code tables a configuration names are found, resolved beside it; a broken or missing one names none', async () => {
  const samples = join(repoRoot(), 'samples');
  assert.deepEqual(await codeTablesFilesOf([join(samples, 'alma-sis.config.json')]), [join(samples, 'code-tables.json')]);
  const dir = mkdtempSync(join(tmpdir(), 'alma-sis-codetables-'));
  try {
    const broken = join(dir, 'alma-sis.config.json');
    writeFileSync(broken, '{"profiles": [ {"code": "A", "codeTables": ');
    assert.deepEqual(await codeTablesFilesOf([broken, join(dir, 'absent.json')]), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
