import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../helpers/repoRoot';
import { answer, closeEditor, missingForCodeServer, openEditor, problemCounts, quickOpen, runCommand, settledCounts, waitFor, waitForToast, type Editor } from './codeServerHarness';

/*
 * The packaged extension's Import Code Tables… in code-server: Alma's UserGroups export, picked
 * in code-server's file dialog, replaces the userGroups table of the code tables file the
 * configuration names, and the open users file is checked against it at once (its GRAD and
 * FACULTY groups are not in the institution's export, so they become unknown-code warnings).
 * Skipped where code-server or Chromium is missing.
 */

const root = repoRoot();
const skip = missingForCodeServer();
const artifacts = join(root, '.tmp', 'artifacts');

let work: string;
let folder: string;
let editor: Editor | undefined;

before(async () => {
  if (skip !== undefined) return;
  work = mkdtempSync(join(tmpdir(), 'alma-sis-e2e-import-'));
  folder = join(work, 'workspace');
  mkdirSync(folder);
  copyFileSync(join(root, 'samples', 'valid', 'users-v2.xml'), join(folder, 'users-v2.xml'));
  copyFileSync(join(root, 'samples', 'code-tables.json'), join(folder, 'code-tables.json'));
  copyFileSync(join(root, 'test', 'fixtures', 'codeTables', 'UserGroups.json'), join(folder, 'UserGroups.json'));
  writeFileSync(join(folder, 'alma-sis.config.json'), `${JSON.stringify({ profiles: [{ code: 'STUDENTS', codeTables: 'code-tables.json' }] }, null, 2)}\n`);
  editor = await openEditor({ root, work, folder });
}, { timeout: 240_000 });

after(async () => {
  await closeEditor(editor, join(artifacts, 'code-server-import-code-tables.png'), work);
});

test("Import Code Tables… writes Alma's export into the configuration's code tables file, and validation uses it", { skip, timeout: 180_000 }, async () => {
  const page = editor!.browser.page;
  await quickOpen(page, 'users-v2.xml');
  assert.equal((await settledCounts(page)).warnings, 0);
  const before = readFileSync(join(folder, 'code-tables.json'), 'utf8');

  await runCommand(page, 'Alma SIS: Import Code Tables');
  await answer(page, 'code tables to import', join(folder, 'UserGroups.json'));
  await waitForToast(page, 'imported userGroups (5 codes) into code-tables.json; 1 row left out', 60_000);

  const written = JSON.parse(readFileSync(join(folder, 'code-tables.json'), 'utf8')) as Record<string, Array<{ code: string }>>;
  assert.deepEqual(written.userGroups.map((entry) => entry.code), ['01', '02', '03', '04', 'STUDENT']);
  const original = JSON.parse(before) as Record<string, unknown>;
  assert.deepEqual(Object.keys(written), Object.keys(original));
  assert.deepEqual(written.identifierTypes, original.identifierTypes);

  // The server watches the code tables file: the open file is validated again with the new groups.
  const counts = await waitFor(() => problemCounts(page), (c) => c.warnings > 0, 60_000);
  assert.equal(counts.errors, 0);
});
