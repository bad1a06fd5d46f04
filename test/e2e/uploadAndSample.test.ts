import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { repoRoot } from '../helpers/repoRoot';
import { SFTP_TEST_PASSWORD, SFTP_TEST_USER, sshServerMissing, startSshServer, type SshServer } from '../helpers/sshServer';
import {
  answer, closeEditor, editorText, goToPosition, missingForCodeServer, openEditor, quickOpen, runCommand, waitFor, waitForToast, type Editor,
} from './codeServerHarness';

/*
 * The packaged extension's Upload to SFTP, Generate Sample File and New File from This User, driven
 * in code-server and Chromium as a person would: the upload goes to a real sshd on loopback, with
 * the first-contact host key dialog and the password prompt. Skipped where code-server or Chromium
 * is missing; the upload part also where sshd cannot be started (not root, no openssh-server).
 */

const root = repoRoot();
const skip = missingForCodeServer();
const sshSkip = skip ?? sshServerMissing();
const artifacts = join(root, '.tmp', 'artifacts');

let work: string;
let folder: string;
let editor: Editor | undefined;
let sshd: SshServer | undefined;
const zipBytes = randomBytes(200 * 1024);

before(async () => {
  if (skip !== undefined) return;
  work = mkdtempSync(join(tmpdir(), 'alma-sis-e2e-upload-'));
  folder = join(work, 'workspace');
  mkdirSync(folder);
  copyFileSync(join(root, 'samples', 'valid', 'users-v2.xml'), join(folder, 'users-v2.xml'));
  // A folder of its own: the files of a folder are one set, and a v1 file beside v2 ones is another matter.
  mkdirSync(join(folder, 'legacy'));
  copyFileSync(join(root, 'samples', 'valid', 'users-v1.xml'), join(folder, 'legacy', 'users-v1.xml'));
  writeFileSync(join(folder, 'nightly.zip'), zipBytes);
  if (sshSkip === undefined) {
    sshd = await startSshServer();
    // No hostKeyFingerprint: the first upload is a first contact.
    const profile = {
      code: 'STUDENTS',
      sftp: { host: '127.0.0.1', port: sshd.port, username: SFTP_TEST_USER, directory: '/upload', importPath: 'import', synchronizePath: 'synchronize' },
    };
    writeFileSync(join(folder, 'alma-sis.config.json'), `${JSON.stringify({ profiles: [profile] }, null, 2)}\n`);
  }
  editor = await openEditor({ root, work, folder });
}, { timeout: 240_000 });

after(async () => {
  try {
    await closeEditor(editor, join(artifacts, 'code-server-upload-sample.png'), work);
  } finally {
    await sshd?.stop();
  }
});

test('New File from This User opens a one-user file of the user under the cursor', { skip, timeout: 120_000 }, async () => {
  const page = editor!.browser.page;
  await quickOpen(page, 'users-v2.xml');
  const line = readFileSync(join(folder, 'users-v2.xml'), 'utf8').split('\n').findIndex((l) => l.includes('wang.xiaoming')) + 1;
  await goToPosition(page, line, 10);
  const tabs = await tabLabels(page);
  await runCommand(page, 'Alma SIS: New File from This User');
  await answer(page, 'new file from this user');
  await newActiveTab(page, tabs);
  const text = await waitFor(() => editorText(page), (t) => t.includes('<users>') && t.includes('wang.xiaoming'));
  assert.match(text, /<primary_id>wang\.xiaoming<\/primary_id>/);
  assert.doesNotMatch(text, /amelie\.dubois/);
});

test('Generate Sample File opens a sample in a new editor', { skip, timeout: 120_000 }, async () => {
  const page = editor!.browser.page;
  const tabs = await tabLabels(page);
  await runCommand(page, 'Alma SIS: Generate Sample File');
  await answer(page, 'what kind of sample file'); // Users (User XSD v2), the first
  await answer(page, 'how many users', '3');
  await answer(page, 'seed', 'e2e');
  await answer(page, 'where should the sample go'); // Open in a new editor, the first
  // The editor before also holds <users>: only the sample's own tab tells it opened. Seen in CI:
  // a sample editor that opened late closed the next test's command palette.
  await newActiveTab(page, tabs);
  const text = await waitFor(() => editorText(page), (t) => t.includes('<users>') && t.includes('<primary_id>'));
  assert.match(text, /<\?xml version="1\.0" encoding="UTF-8"\?>/);
});

test('Convert to User XSD v2 opens the v2 text of the open v1 file, and says what had no v2 home', { skip, timeout: 120_000 }, async () => {
  const page = editor!.browser.page;
  await quickOpen(page, 'users-v1.xml');
  const tabs = await tabLabels(page);
  await runCommand(page, 'Alma SIS: Convert to User XSD v2');
  await newActiveTab(page, tabs);
  const text = await waitFor(() => editorText(page), (t) => t.includes('<users>') && t.includes('<primary_id>t.ngata</primary_id>'));
  assert.match(text, /<primary_id>t\.ngata<\/primary_id>/);
  assert.doesNotMatch(text, /<userRecords|<userName>/);
  assert.match(await waitForToast(page, 'Converted 2 users to User XSD v2'), /Converted 2 users to User XSD v2/);
});

test('Upload to SFTP: first contact shows the fingerprint, trusting pins it, the password is asked once, the zip lands', { skip: sshSkip, timeout: 180_000 }, async () => {
  const page = editor!.browser.page;
  await runCommand(page, 'Alma SIS: Upload to SFTP');
  // The workspace's zips, newest first (uploadSafety.test.ts checks the order).
  await answer(page, 'which zip to upload', 'nightly.zip');
  await answer(page, 'which of STUDENTS', 'Synchronize');
  // A synchronize is confirmed first; no dry-run was run on this zip.
  const confirm = page.locator('.monaco-dialog-box', { hasText: 'for a synchronize?' }).first();
  await confirm.waitFor({ timeout: 60_000 });
  await confirm.locator('.monaco-button', { hasText: 'Upload Anyway' }).first().click();
  await answer(page, 'the password of', SFTP_TEST_PASSWORD);
  const dialog = page.locator('.monaco-dialog-box', { hasText: 'Trust this server?' }).first();
  await dialog.waitFor({ timeout: 60_000 });
  assert.ok((await dialog.innerText()).includes(sshd!.fingerprint), await dialog.innerText());
  await dialog.locator('.monaco-button', { hasText: 'Trust and Save' }).first().click();
  await waitForToast(page, 'uploaded nightly.zip', 60_000);

  assert.ok(readFileSync(join(sshd!.localDir, 'synchronize', 'nightly.zip')).equals(zipBytes));
  assert.deepEqual(readdirSync(join(sshd!.localDir, 'synchronize')), ['nightly.zip']);
  const config = readFileSync(join(folder, 'alma-sis.config.json'), 'utf8');
  assert.ok(config.includes(`"hostKeyFingerprint": "${sshd!.fingerprint}"`), config);

  // The password went to secret storage only: not to settings, logs or the output channel.
  const logs = [...editor!.server.logFiles(''), editor!.server.logFile, join(editor!.server.stateDir, 'user', 'User', 'settings.json')];
  const leaked = logs.filter((file) => existsSync(file) && statSync(file).isFile() && readFileSync(file, 'utf8').includes(SFTP_TEST_PASSWORD));
  assert.deepEqual(leaked, []);
  assert.ok(!config.includes(SFTP_TEST_PASSWORD));

  // The second upload asks for neither the password (secret storage) nor trust (pinned now).
  writeFileSync(join(folder, 'nightly-2.zip'), zipBytes);
  await runCommand(page, 'Alma SIS: Upload to SFTP');
  // Browse…: code-server's own file dialog, where the zip's path is typed.
  await answer(page, 'which zip to upload', 'Browse');
  await answer(page, 'the zip to upload', join(folder, 'nightly-2.zip'));
  await answer(page, 'which of STUDENTS', 'Import');
  await waitForToast(page, 'uploaded nightly-2.zip', 60_000);
  assert.equal(await page.locator('.monaco-dialog-box').count(), 0);
  assert.ok(readFileSync(join(sshd!.localDir, 'import', 'nightly-2.zip')).equals(zipBytes));
});

/** The labels of the editor tabs now open, in every group. */
async function tabLabels(page: Page): Promise<string[]> {
  return page.locator('.tabs-container .tab .label-name').allInnerTexts();
}

/** Waits until the active tab is one that was not open before (`before`, from tabLabels). */
async function newActiveTab(page: Page, before: string[]): Promise<void> {
  const label = await waitFor(
    async () => (await page.locator('.editor-group-container.active .tabs-container .tab.active .label-name').allInnerTexts())[0],
    (name) => name !== undefined && !before.includes(name),
    60_000,
  );
  if (label === undefined || before.includes(label)) throw new Error(`no new editor became active (tabs before: ${JSON.stringify(before)}; active now: ${JSON.stringify(label)})`);
}
