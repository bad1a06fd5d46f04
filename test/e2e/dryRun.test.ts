import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../helpers/repoRoot';
import {
  closeEditor, missingForCodeServer, openEditor, problemRows, quickOpen, runCommand, waitFor, waitForToast, type Editor,
} from './codeServerHarness';

/*
 * "Alma SIS: Dry-run Synchronize" in a real VS Code (code-server) on the sample pair under
 * samples/dry-run: the baseline is picked once in the file dialog, the Markdown report opens
 * beside the feed, and the rejected users are problems on the feed with their reason as code.
 */

const root = repoRoot();
const skip = missingForCodeServer();
const artifacts = join(root, '.tmp', 'artifacts');

let work: string;
let folder: string;
/** Outside the workspace: the language server would otherwise check it as one set with the feed. */
let exportPath: string;
let editor: Editor | undefined;

before(async () => {
  if (skip !== undefined) return;
  work = mkdtempSync(join(tmpdir(), 'alma-sis-e2e-dry-run-'));
  folder = join(work, 'workspace');
  mkdirSync(folder);
  copyFileSync(join(root, 'samples', 'dry-run', 'feed.xml'), join(folder, 'feed.xml'));
  exportPath = join(work, 'export.xml');
  copyFileSync(join(root, 'samples', 'dry-run', 'export.xml'), exportPath);
  editor = await openEditor({ root, work, folder });
  await quickOpen(editor.browser.page, 'feed.xml');
}, { timeout: 240_000 });

after(() => closeEditor(editor, join(artifacts, 'code-server-dry-run.png'), work));

/** Answers VS Code's own file dialog (a quick input in the browser, titled `title`, OK button `okLabel`) with a path. */
async function pickFile(title: string, okLabel: string, path: string): Promise<void> {
  const page = editor!.browser.page;
  await page.locator('.quick-input-widget .quick-input-title', { hasText: title }).waitFor({ state: 'visible', timeout: 15_000 });
  const input = page.locator('.quick-input-widget input');
  const widget = page.locator('.quick-input-widget');
  // The dialog fills in its starting folder by itself, sometimes after a first value was typed: so
  // type the path, let the dialog list the file's folder, and accept only if the path is still there.
  for (let attempt = 0; attempt < 5 && (await widget.isVisible()); attempt++) {
    await input.fill(path);
    await page.waitForTimeout(1_000);
    if ((await input.inputValue()) !== path) continue;
    await page.locator('.quick-input-widget .monaco-button', { hasText: okLabel }).first().click();
    await page.waitForTimeout(1_000);
  }
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 15_000 });
}

test('Dry-run Synchronize: baseline picked once, report beside the feed, rejected users as problems', { skip, timeout: 180_000 }, async () => {
  const page = editor!.browser.page;
  await runCommand(page, 'Alma SIS: Dry-run Synchronize');
  await pickFile('Export Users', 'Use as Baseline', exportPath);
  const toast = await waitForToast(page, '8 users (synchronize', 60_000);
  assert.match(toast, /1 new, 1 updated, 1 unchanged, 5 rejected/);
  await page.locator('.tabs-container .tab', { hasText: 'Untitled' }).first().waitFor({ timeout: 15_000 });

  // The Problems panel, filtered to the dry-run's source (the validator's own problems are there too).
  await page.keyboard.press('Control+Shift+M');
  await page.keyboard.press('Control+F');
  await page.waitForTimeout(500);
  await page.keyboard.type('dry-run', { delay: 20 });
  const rows = await waitFor(() => problemRows(page), (r) => r.some((row) => row.includes('internal-user')), 20_000);
  for (const reason of ['internal-user', 'duplicate-in-feed', 'identifier-taken', 'missing-match-id', 'invalid']) {
    assert.ok(rows.some((row) => row.includes(reason)), `${reason} in ${JSON.stringify(rows)}`);
  }

  // The second run does not ask again (the baseline is remembered for the profile) and reuses the report.
  await page.keyboard.press('Escape');
  await runCommand(page, 'Notifications: Clear All Notifications');
  await page.locator('.notifications-toasts .notification-toast').first().waitFor({ state: 'detached', timeout: 15_000 });
  await quickOpen(page, 'feed.xml');
  await runCommand(page, 'Alma SIS: Dry-run Synchronize');
  await waitForToast(page, 'baseline export.xml', 60_000);
  assert.equal(await page.locator('.quick-input-widget').isVisible(), false, 'no dialog the second time');
  assert.equal(await page.locator('.tabs-container .tab', { hasText: 'Untitled' }).count(), 1);
});
