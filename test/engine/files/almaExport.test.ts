import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createZipPackage, expandInputs, validateInputs, DEFAULT_SETTINGS } from '../../../server/src/engine';
import { looksLikeAlmaExport } from '../../../server/src/engine/files/almaExport';
import { repoRoot } from '../../helpers/repoRoot';
import { berkeleyFeed, mitFeed, princetonFeed, templeFeed } from '../../helpers/productionFeeds';

const samples = join(repoRoot(), 'samples');

function folderWithFeedAndExport(): string {
  const dir = mkdtempSync(join(tmpdir(), 'alma-sis-export-'));
  copyFileSync(join(samples, 'dry-run', 'feed.xml'), join(dir, 'feed.xml'));
  // Sorted before the feed on purpose: as an earlier file of the set it would take every returning user's identifiers.
  copyFileSync(join(samples, 'dry-run', 'export.xml'), join(dir, 'alma-export.xml'));
  return dir;
}

test('an Alma export is told by what only Alma writes into a user; feeds from producers are not', () => {
  assert.ok(looksLikeAlmaExport(readFileSync(join(samples, 'dry-run', 'export.xml'), 'utf8')));
  assert.ok(looksLikeAlmaExport('<users><user><primary_id>a</primary_id><full_name>A B</full_name><user_roles><user_role/></user_roles></user></users>'));
  // Producers send roles (SIS ignores them) and a preferred full name: neither alone is Alma's.
  assert.ok(!looksLikeAlmaExport('<users><user><primary_id>a</primary_id><pref_full_name>A B</pref_full_name><user_roles><user_role/></user_roles></user></users>'));
  assert.ok(looksLikeAlmaExport('<users><user><account_type desc="Internal">INTERNAL</account_type></user></users>'));
  assert.ok(looksLikeAlmaExport('<users><user link="https://api-na.hosted.exlibrisgroup.com/almaws/v1/users/a"></user></users>'));
  for (const sample of ['dry-run/feed.xml', 'valid/users-v2.xml', 'valid/researchers-v2.xml', 'invalid/common-mistakes.xml', 'invalid/not-loaded.xml']) {
    assert.ok(!looksLikeAlmaExport(readFileSync(join(samples, sample), 'utf8')), sample);
  }
  for (const [name, text] of Object.entries({ mit: mitFeed(3), berkeley: berkeleyFeed(3), princeton: princetonFeed(3), temple: templeFeed() })) {
    assert.ok(!looksLikeAlmaExport(text), name);
  }
  assert.ok(!looksLikeAlmaExport('<users><user><account_type>EXTERNAL</account_type><note_text>see user_roles</note_text></user></users>'));
});

test('an export found in a folder is validated on its own: its users take no identifier from the feed beside it', async () => {
  const dir = folderWithFeedAndExport();
  try {
    const expanded = await expandInputs([dir]);
    assert.deepEqual(expanded.documents.map((d) => [d.path.slice(dir.length + 1), d.apart !== undefined]), [['alma-export.xml', true], ['feed.xml', false]]);
    assert.ok(expanded.notes.some((n) => n.path.endsWith('alma-export.xml') && /Alma export/.test(n.message)));
    const set = await validateInputs(expanded.documents, DEFAULT_SETTINGS);
    const feed = set.documents.find((d) => d.path.endsWith('feed.xml'))!;
    const alone = await validateInputs((await expandInputs([join(dir, 'feed.xml')])).documents, DEFAULT_SETTINGS);
    assert.deepEqual(feed.findings, alone.documents[0].findings);
    const exported = set.documents.find((d) => d.path.endsWith('alma-export.xml'))!;
    const exportAlone = await validateInputs((await expandInputs([join(dir, 'alma-export.xml')])).documents, DEFAULT_SETTINGS);
    assert.deepEqual(exported.findings, exportAlone.documents[0].findings);
    // Named, it is a file of the set like any other.
    const named = await validateInputs((await expandInputs([join(dir, 'alma-export.xml'), join(dir, 'feed.xml')])).documents, DEFAULT_SETTINGS);
    assert.ok(named.documents[1].findings.some((f) => f.rule === 'duplicate-identifier' && f.related[0]?.path.endsWith('alma-export.xml')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('zipping a folder leaves the export out, with a note; named, it is zipped', async () => {
  const dir = folderWithFeedAndExport();
  try {
    writeFileSync(join(dir, 'feed.xml'), readFileSync(join(samples, 'valid', 'users-v2.xml')));
    const result = await createZipPackage({ inputs: [dir], settings: DEFAULT_SETTINGS, out: join(dir, 'out.zip'), cwd: dir, force: true });
    assert.deepEqual(result.entries.map((e) => e.name), ['feed.xml']);
    assert.ok(result.notes.some((n) => n.path.endsWith('alma-export.xml') && /not packaged/.test(n.message)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
