import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../helpers/repoRoot';
import {
  answer, closeEditor, editorText, missingForCodeServer, openEditor, problemRows, promptValue, quickOpen, runCommand, settledCounts, waitFor, waitForPrompt, waitForToast, type Editor,
} from './codeServerHarness';

/*
 * A relative alma-sis.configPath ("etc/sis.json", in the user settings) in a real VS Code
 * (code-server): validation and every command must read it from the workspace folder. Before the
 * commands ran in the language server they read it from the extension host's working directory,
 * where it is not. No alma-sis.config.json lies above the files, so only the setting can name it;
 * each test looks for something only that configuration gives (its profile code, its rules, its
 * code tables).
 */

const root = repoRoot();
const skip = missingForCodeServer();
const artifacts = join(root, '.tmp', 'artifacts');
const PROFILE = 'RELCONF';
const GROUP = 'RELGROUP';

let work: string;
let folder: string;
let editor: Editor | undefined;

before(async () => {
  if (skip !== undefined) return;
  work = mkdtempSync(join(tmpdir(), 'alma-sis-e2e-relconfig-'));
  folder = join(work, 'workspace');
  mkdirSync(join(folder, 'etc'), { recursive: true });
  mkdirSync(join(folder, 'feeds'));
  const codeTables = JSON.parse(readFileSync(join(root, 'samples', 'code-tables.json'), 'utf8'));
  codeTables.userGroups = [{ code: GROUP, description: 'Only in the relative configuration' }];
  writeFileSync(join(folder, 'etc', 'tables.json'), JSON.stringify(codeTables, null, 2));
  writeFileSync(join(folder, 'etc', 'sis.json'), JSON.stringify({
    rules: { 'unknown-code': 'error' },
    profiles: [{
      code: PROFILE,
      codeTables: 'tables.json',
      // Nothing listens there: the test stops at the choice of the job, which names the profile.
      sftp: { host: '127.0.0.1', port: 1, username: 'nobody', directory: '/in', importPath: 'import', synchronizePath: 'synchronize' },
    }],
  }, null, 2));
  copyFileSync(join(root, 'samples', 'valid', 'users-v2.xml'), join(folder, 'feeds', 'users-v2.xml'));
  copyFileSync(join(root, 'samples', 'dry-run', 'export.xml'), join(folder, 'export.xml'));
  writeFileSync(join(folder, 'nightly.zip'), Buffer.alloc(1024));
  editor = await openEditor({ root, work, folder, settings: { 'alma-sis.configPath': join('etc', 'sis.json') } });
}, { timeout: 240_000 });

after(() => closeEditor(editor, join(artifacts, 'code-server-relative-config.png'), work));

test('validation reads the code tables and rules of the configuration the relative setting names', { skip, timeout: 120_000 }, async () => {
  const page = editor!.browser.page;
  await quickOpen(page, 'users-v2.xml');
  // The sample is clean by default; its user groups are not in that configuration's code tables,
  // whose rules make unknown-code an error.
  const counts = await waitFor(() => settledCounts(page), (c) => c.errors > 0, 60_000);
  assert.ok(counts.errors > 0, JSON.stringify(counts));
  await page.keyboard.press('Control+Shift+M');
  const rows = await waitFor(() => problemRows(page), (r) => r.some((row) => row.includes(GROUP)), 20_000);
  assert.ok(rows.some((row) => row.includes('unknown-code') && row.includes(`Known codes: ${GROUP}`)), rows.join(' | '));
  await page.keyboard.press('Control+Shift+M');
});

test('Create Zip names the zip after the profile of that configuration and validates with its rules', { skip, timeout: 120_000 }, async () => {
  const page = editor!.browser.page;
  await quickOpen(page, 'users-v2.xml');
  await runCommand(page, 'Alma SIS: Create Zip');
  const offered = await promptValue(page, 'the zip to create');
  assert.match(offered, new RegExp(`/feeds/${PROFILE}-\\d{8}T\\d{6}Z\\.zip$`), offered);
  const out = join(folder, 'feeds', 'relative.zip');
  await answer(page, 'the zip to create', out);
  // The configuration's code tables and rules make the sample's groups errors: the zip is refused for them.
  const refusal = await waitForToast(page, 'no zip was written', 60_000);
  assert.match(refusal, new RegExp(`Known codes: ${GROUP}`));
  assert.ok(!existsSync(out));
  await page.keyboard.press('Escape');
  await runCommand(page, 'Notifications: Clear All Notifications');
});

test('Dry-run Synchronize asks for the baseline of that profile and runs with it', { skip, timeout: 180_000 }, async () => {
  const page = editor!.browser.page;
  await quickOpen(page, 'users-v2.xml');
  await runCommand(page, 'Alma SIS: Dry-run Synchronize');
  await answer(page, `(profile ${PROFILE})`, join(folder, 'export.xml'));
  await waitForToast(page, 'baseline export.xml', 60_000);
});

test('Generate Sample File takes its codes from the code tables of that configuration', { skip, timeout: 120_000 }, async () => {
  const page = editor!.browser.page;
  await runCommand(page, 'Alma SIS: Generate Sample File');
  await answer(page, 'what kind of sample file');
  await answer(page, 'how many users', '4');
  await answer(page, 'seed', 'relative');
  await answer(page, 'where should the sample go');
  // The sample's own tab, not the feed still open from the tests before (its groups are the feed's).
  await page.locator('.tabs-container .tab.active', { hasText: 'sample-4-users' }).first().waitFor({ timeout: 60_000 });
  const text = await waitFor(() => editorText(page), (t) => t.includes('<user_group') && !t.includes('wang.xiaoming'), 60_000);
  const groups = [...text.matchAll(/<user_group[^>]*>([^<]*)</g)].map((m) => m[1]);
  assert.ok(groups.length > 0 && groups.every((g) => g === GROUP), groups.join(', '));
});

test('Upload to SFTP finds that configuration\'s profile for a zip in the workspace', { skip, timeout: 120_000 }, async () => {
  const page = editor!.browser.page;
  await runCommand(page, 'Alma SIS: Upload to SFTP');
  // The workspace's zips are offered first (the file dialog is behind Browse…).
  await answer(page, 'which zip to upload', 'nightly.zip');
  // The one profile with sftp settings is taken without asking; its jobs are offered with their folders.
  await waitForPrompt(page, `which of ${PROFILE}'s jobs`);
  const rows = await page.locator('.quick-input-list .monaco-list-row').allInnerTexts();
  assert.ok(rows.some((row) => row.includes('/in/synchronize')), rows.join(' | '));
  await page.keyboard.press('Escape');
});
