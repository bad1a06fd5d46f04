import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../helpers/repoRoot';
import { closeEditor, goToPosition, missingForCodeServer, openEditor, problemCounts, quickOpen, runCommand, waitFor, waitForToast, type Editor } from './codeServerHarness';

/*
 * The packaged extension's Preview XSL Conversion in code-server: the PLIF file of a profile with
 * an XSL converter opens its output beside it, named legacy-plif.xml (after XSL), with the three
 * planted errors as problems; saving the source with a fourth error runs the converter again.
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
  work = mkdtempSync(join(tmpdir(), 'alma-sis-e2e-xsl-'));
  folder = join(work, 'workspace');
  mkdirSync(folder);
  for (const file of ['alma-sis.config.json', 'plif-to-sis.xsl', 'legacy-plif.xml']) copyFileSync(join(root, 'test', 'fixtures', 'xsl', file), join(folder, file));
  editor = await openEditor({ root, work, folder });
}, { timeout: 240_000 });

after(async () => {
  await closeEditor(editor, join(artifacts, 'code-server-xsl-preview.png'), work);
});

test('Preview XSL Conversion opens the converter\'s output beside the file, with its problems, and runs again on save', { skip, timeout: 180_000 }, async () => {
  const page = editor!.browser.page;
  await quickOpen(page, 'legacy-plif.xml');
  await runCommand(page, 'Alma SIS: Preview XSL Conversion');
  await waitForToast(page, 'legacy-plif.xml (after XSL): 5 users, 3 errors, 0 warnings (plif-to-sis.xsl', 90_000);
  const tab = page.locator('.tabs-container .tab', { hasText: 'legacy-plif.xml (after XSL)' }).first();
  await tab.waitFor({ timeout: 30_000 });
  assert.equal((await waitFor(() => problemCounts(page), (c) => c.errors === 3, 30_000)).errors, 3);

  // A fourth error typed into the source and saved: P0002's expiry 20280131 becomes 20280139.
  const lines = readFileSync(join(folder, 'legacy-plif.xml'), 'utf8').split('\n');
  const line = lines.findIndex((l) => l.includes('<z305-expiry-date>20280131</z305-expiry-date>'));
  const column = lines[line].indexOf('20280131') + 8;
  await quickOpen(page, 'legacy-plif.xml');
  await goToPosition(page, line + 1, column);
  await page.keyboard.press('Delete');
  await page.keyboard.type('9');
  await page.keyboard.press('Control+S');
  const counts = await waitFor(() => problemCounts(page), (c) => c.errors === 4, 60_000);
  assert.equal(counts.errors, 4);
});
