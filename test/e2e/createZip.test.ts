import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { openZip } from '../../server/src/engine/files/zipReader';
import { readAll } from '../engine/files/zipFixtures';
import { repoRoot } from '../helpers/repoRoot';
import {
  answer, chooseFromContextMenu, closeEditor, editorText, explorerRow, goToPosition, missingForCodeServer, openEditor, promptValue, quickOpen,
  runCommand, selectInExplorer, waitFor, waitForToast, type Editor,
} from './codeServerHarness';

/*
 * "Alma SIS: Create Zip" in a real VS Code (code-server) in Chromium, as a person runs it: from the
 * palette on the open file and from the explorer on two selected files, the profile and the zip's
 * name answered in the quick input, the zip read back entry by entry; a file with errors refused
 * with "Show Errors" and "Zip Anyway".
 */

const root = repoRoot();
const skip = missingForCodeServer();
const artifacts = join(root, '.tmp', 'artifacts');
const SAVE_TITLE = 'the zip to create';
const PROFILE_TITLE = 'integration profile the zip is for';

let work: string;
let folder: string;
let editor: Editor | undefined;

/** A clean one-user v2 file whose identifiers the sample file does not hold; `expiry` lets a test break it. */
function oneUserFile(id: string, barcode: string, expiry = '2027-06-30Z'): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<users>
  <user>
    <primary_id>${id}</primary_id>
    <first_name>Zoe</first_name>
    <last_name>Marchetti</last_name>
    <user_group desc="Undergraduate student">STUDENT</user_group>
    <expiry_date>${expiry}</expiry_date>
    <status desc="Active">ACTIVE</status>
    <contact_info>
      <emails>
        <email preferred="true" segment_type="External">
          <email_address>${id}@example.edu</email_address>
          <email_types>
            <email_type desc="School">school</email_type>
          </email_types>
        </email>
      </emails>
    </contact_info>
    <user_identifiers>
      <user_identifier segment_type="External">
        <id_type desc="Barcode">BARCODE</id_type>
        <value>${barcode}</value>
        <status>ACTIVE</status>
      </user_identifier>
    </user_identifiers>
  </user>
</users>
`;
}

before(async () => {
  if (skip !== undefined) return;
  work = mkdtempSync(join(tmpdir(), 'alma-sis-e2e-zip-'));
  folder = join(work, 'workspace');
  mkdirSync(folder);
  copyFileSync(join(root, 'samples', 'valid', 'users-v2.xml'), join(folder, 'users-v2.xml'));
  writeFileSync(join(folder, 'transfers.xml'), oneUserFile('zoe.marchetti', '21000100000991'));
  writeFileSync(join(folder, 'broken.xml'), oneUserFile('li.broken', '21000100000992', '2027-13-45Z'));
  // The sample configuration with a second profile and no default, so the command asks which.
  const config = JSON.parse(readFileSync(join(root, 'samples', 'alma-sis.config.json'), 'utf8'));
  delete config.$schema;
  delete config.defaultProfile;
  const { sftp: _sftp, ...students } = config.profiles[0];
  config.profiles.push({ ...students, code: 'STAFF', name: 'Staff from Workday' });
  writeFileSync(join(folder, 'alma-sis.config.json'), JSON.stringify(config, null, 2));
  copyFileSync(join(root, 'samples', 'code-tables.json'), join(folder, 'code-tables.json'));

  editor = await openEditor({ root, work, folder });
}, { timeout: 240_000 });

after(() => closeEditor(editor, join(artifacts, 'code-server-zip.png'), work));

/** The zip's entries in stored order (the order Alma reads them), each with its bytes. */
async function zipEntries(zipPath: string): Promise<Array<[string, Buffer]>> {
  const archive = await openZip(zipPath);
  try {
    const entries: Array<[string, Buffer]> = [];
    for (const entry of archive.entries) entries.push([entry.name, await readAll(archive.read(entry))]);
    return entries;
  } finally {
    archive.close();
  }
}

function workspaceFile(name: string): Buffer {
  return readFileSync(join(folder, name));
}

function zipsInWorkspace(): string[] {
  return readdirSync(folder).filter((name) => name.endsWith('.zip')).sort();
}

/** Answers the profile and the name prompts: the name offered is the profile's, in the first file's folder. */
async function answerProfileAndName(page: Page, profile: string, zipName: string): Promise<void> {
  await answer(page, PROFILE_TITLE, profile);
  const offered = await promptValue(page, SAVE_TITLE);
  assert.match(offered, new RegExp(`^${folder}/${profile}-\\d{8}T\\d{6}Z\\.zip$`), offered);
  await answer(page, SAVE_TITLE, join(folder, zipName));
}

async function clearNotifications(page: Page): Promise<void> {
  await runCommand(page, 'Notifications: Clear All Notifications');
  await page.locator('.notifications-toasts .notification-toast').first().waitFor({ state: 'detached', timeout: 15_000 });
}

test('from the palette: the open file, the profile and the name asked, the zip in the workspace', { skip, timeout: 120_000 }, async () => {
  const page = editor!.browser.page;
  await quickOpen(page, 'users-v2.xml');
  await runCommand(page, 'Alma SIS: Create Zip');
  await answerProfileAndName(page, 'STAFF', 'single.zip');
  const toast = await waitForToast(page, 'created single.zip', 60_000);
  assert.match(toast, /1 XML file in this order: users-v2\.xml/);
  assert.deepEqual(await zipEntries(join(folder, 'single.zip')), [['users-v2.xml', workspaceFile('users-v2.xml')]]);
  await clearNotifications(page);
});

test('from the explorer: two selected files go into one zip in the order they were selected', { skip, timeout: 120_000 }, async () => {
  const page = editor!.browser.page;
  // Selected against the explorer's (alphabetical) order: the zip keeps the order of selection.
  await selectInExplorer(page, ['users-v2.xml', 'transfers.xml']);
  await chooseFromContextMenu(page, explorerRow(page, 'transfers.xml'), 'Create Zip');
  await answerProfileAndName(page, 'STUDENTS', 'pair.zip');
  const toast = await waitForToast(page, 'created pair.zip', 60_000);
  assert.match(toast, /2 XML files in this order: users-v2\.xml, transfers\.xml/);
  assert.deepEqual(await zipEntries(join(folder, 'pair.zip')), [
    ['users-v2.xml', workspaceFile('users-v2.xml')],
    ['transfers.xml', workspaceFile('transfers.xml')],
  ]);
  await page.keyboard.press('Escape');
  await clearNotifications(page);
});

test('unsaved changes: Save and Zip saves the file first and zips what was saved', { skip, timeout: 120_000 }, async () => {
  const page = editor!.browser.page;
  await quickOpen(page, 'transfers.xml');
  const line = workspaceFile('transfers.xml').toString().split('\n').findIndex((l) => l.includes('<first_name>')) + 1;
  await goToPosition(page, line, '    <first_name>'.length + 1);
  await page.keyboard.type('Chloe-', { delay: 10 });
  await runCommand(page, 'Alma SIS: Create Zip');
  const warning = await waitForToast(page, 'unsaved changes', 30_000);
  assert.match(warning, /transfers\.xml: unsaved changes/);
  const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'unsaved changes' }).first();
  await toast.locator('.monaco-button', { hasText: 'Save and Zip' }).click();
  await answerProfileAndName(page, 'STUDENTS', 'saved.zip');
  await waitForToast(page, 'created saved.zip', 60_000);
  const saved = workspaceFile('transfers.xml');
  assert.match(saved.toString(), /<first_name>Chloe-Zoe<\/first_name>/);
  assert.deepEqual(await zipEntries(join(folder, 'saved.zip')), [['transfers.xml', saved]]);
  await clearNotifications(page);
});

test('a file with errors is refused: Show Errors lists them, Zip Anyway (confirmed) writes the zip', { skip, timeout: 120_000 }, async () => {
  const page = editor!.browser.page;
  const zipsBefore = zipsInWorkspace();
  await quickOpen(page, 'broken.xml');
  await runCommand(page, 'Alma SIS: Create Zip');
  await answerProfileAndName(page, 'STUDENTS', 'broken.zip');
  const refusal = await waitForToast(page, 'no zip was written', 60_000);
  assert.match(refusal, /1 error in the files/);
  assert.match(refusal, /First: broken\.xml:8:/);
  assert.doesNotMatch(refusal, /--force/, 'the command line\'s advice is not the editor\'s');
  const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'no zip was written' }).first();
  await toast.locator('.monaco-button', { hasText: 'Show Errors' }).click();
  const list = await waitFor(() => editorText(page), (text) => text.includes('broken.xml:8:'));
  assert.match(list, /broken\.xml:8:\d+: \S+/);
  assert.deepEqual(zipsInWorkspace(), zipsBefore, 'nothing written');

  await clearNotifications(page);
  await quickOpen(page, 'broken.xml');
  await runCommand(page, 'Alma SIS: Create Zip');
  await answerProfileAndName(page, 'STUDENTS', 'broken.zip');
  await waitForToast(page, 'no zip was written', 60_000);
  await toast.locator('.monaco-button', { hasText: 'Zip Anyway' }).click();
  const dialog = page.locator('.monaco-dialog-box');
  await dialog.waitFor({ timeout: 15_000 });
  assert.match(await dialog.innerText(), /zip files that have errors\?/);
  await dialog.locator('.monaco-button', { hasText: 'Zip Anyway' }).first().click();
  const created = await waitForToast(page, 'created broken.zip', 60_000);
  assert.match(created, /despite 1 error: 1 XML file/);
  assert.deepEqual(await zipEntries(join(folder, 'broken.zip')), [['broken.xml', workspaceFile('broken.xml')]]);
  assert.deepEqual(zipsInWorkspace(), [...zipsBefore, 'broken.zip'].sort());
});
