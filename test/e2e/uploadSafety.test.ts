import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { repoRoot } from '../helpers/repoRoot';
import { SFTP_TEST_PASSWORD, SFTP_TEST_USER, sshServerMissing, startSshServer, type SshServer } from '../helpers/sshServer';
import {
  answer, closeEditor, missingForCodeServer, openEditor, quickInputView, quickOpen, runCommand, waitFor, waitForToast, type Editor,
} from './codeServerHarness';

/*
 * Upload to SFTP's safety in a real VS Code (code-server) against a real sshd on loopback, as a
 * person meets it: Create Zip's "Upload…" on the zip just made, the question before a synchronize
 * naming the target (first with no dry-run on record and "Run Dry-run First", then with the dry-run's
 * summary), the workspace's zips offered newest first, and a host key mismatch whose message leads
 * to the pinned fingerprint in the configuration. Screenshots of each step in .tmp/artifacts.
 * Skipped where code-server, Chromium or sshd (root, openssh-server) is missing.
 */

const root = repoRoot();
const skip = missingForCodeServer() ?? sshServerMissing();
const artifacts = join(root, '.tmp', 'artifacts');
/** Well-formed, and no server's: the MIRROR profile pins it. */
const WRONG_FINGERPRINT = `SHA256:${'Wr0ngKey'.repeat(5)}Abc`;
const HOUR = 3_600_000;

let work: string;
let folder: string;
/** Outside the workspace, so that the language server does not read it as a file of the feed's set. */
let exportPath: string;
let editor: Editor | undefined;
let sshd: SshServer | undefined;

before(async () => {
  if (skip !== undefined) return;
  work = mkdtempSync(join(tmpdir(), 'alma-sis-e2e-upload-safety-'));
  folder = join(work, 'workspace');
  mkdirSync(join(folder, 'archive'), { recursive: true });
  copyFileSync(join(root, 'samples', 'valid', 'users-v2.xml'), join(folder, 'users-v2.xml'));
  copyFileSync(join(root, 'samples', 'code-tables.json'), join(folder, 'code-tables.json'));
  exportPath = join(work, 'export.xml');
  copyFileSync(join(root, 'samples', 'dry-run', 'export.xml'), exportPath);
  // Older zips the pick must place after the one Create Zip makes.
  const now = Date.now();
  for (const [name, ageMs] of [['middle.zip', 2 * HOUR + 60_000], [join('archive', 'old-feed.zip'), 3 * 24 * HOUR + 60_000]] as const) {
    writeFileSync(join(folder, name), Buffer.alloc(3_000, 1));
    const at = new Date(now - ageMs);
    utimesSync(join(folder, name), at, at);
  }

  sshd = await startSshServer();
  const config = JSON.parse(readFileSync(join(root, 'samples', 'alma-sis.config.json'), 'utf8'));
  delete config.$schema;
  const students = config.profiles[0];
  const server = { host: '127.0.0.1', port: sshd.port, directory: '/upload', importPath: 'import', synchronizePath: 'synchronize' };
  // Pinned already: the first-contact dialog is uploadAndSample.test.ts's.
  students.sftp = { ...server, username: SFTP_TEST_USER, hostKeyFingerprint: sshd.fingerprint };
  // The same server with a key login and a fingerprint it does not show.
  config.profiles.push({
    ...students, code: 'MIRROR', name: 'Mirror with an old host key',
    sftp: { ...server, username: SFTP_TEST_USER, privateKeyPath: sshd.clientKeyPath, hostKeyFingerprint: WRONG_FINGERPRINT },
  });
  writeFileSync(join(folder, 'alma-sis.config.json'), `${JSON.stringify(config, null, 2)}\n`);
  editor = await openEditor({ root, work, folder });
}, { timeout: 240_000 });

after(async () => {
  try {
    await closeEditor(editor, join(artifacts, 'code-server-upload-safety.png'), work);
  } finally {
    await sshd?.stop();
  }
});

async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: join(artifacts, name) });
}

/** The dialog (a modal message) that holds `text`, once it shows. */
async function dialogWith(page: Page, text: string): Promise<Locator> {
  const dialog = page.locator('.monaco-dialog-box', { hasText: text }).first();
  await dialog.waitFor({ timeout: 60_000 });
  return dialog;
}

/** The labels of a dialog's or notification's buttons, sorted: a dialog orders them by platform (Linux puts the default last). */
async function buttons(container: Locator): Promise<string[]> {
  return (await container.locator('.monaco-button').allInnerTexts()).map((label) => label.trim()).filter((label) => label !== '').sort();
}

/** The dialog's default button, the one Enter presses: the others are drawn as secondary. */
async function defaultButton(dialog: Locator): Promise<string> {
  return (await dialog.locator('.dialog-buttons .monaco-button:not(.secondary)').first().innerText()).trim();
}

async function click(container: Locator, label: string): Promise<void> {
  await container.locator('.monaco-button', { hasText: new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }).first().click();
}

/** Answers VS Code's own file dialog (a quick input titled `title`, OK button `okLabel`) with a path. */
async function pickFile(page: Page, title: string, okLabel: string, path: string): Promise<void> {
  const widget = page.locator('.quick-input-widget');
  await widget.locator('.quick-input-title', { hasText: title }).waitFor({ state: 'visible', timeout: 60_000 });
  const input = widget.locator('input');
  // The dialog fills in its starting folder by itself, sometimes after a first value was typed.
  for (let attempt = 0; attempt < 5 && (await widget.isVisible()); attempt++) {
    await input.fill(path);
    await page.waitForTimeout(1_000);
    if ((await input.inputValue()) !== path) continue;
    await widget.locator('.monaco-button', { hasText: okLabel }).first().click();
    await page.waitForTimeout(1_000);
  }
  await widget.waitFor({ state: 'hidden', timeout: 15_000 });
}

async function clearNotifications(page: Page): Promise<void> {
  await runCommand(page, 'Notifications: Clear All Notifications');
  await page.locator('.notifications-toasts .notification-toast').first().waitFor({ state: 'detached', timeout: 15_000 });
}

test('Create Zip ends with "Upload…"; before a synchronize the target is named and, with no dry-run on record, one is offered first', { skip, timeout: 240_000 }, async () => {
  const page = editor!.browser.page;
  await quickOpen(page, 'users-v2.xml');
  await runCommand(page, 'Alma SIS: Create Zip');
  // The configuration's default profile: no profile asked.
  await answer(page, 'the zip to create', join(folder, 'nightly.zip'));
  await waitForToast(page, 'created nightly.zip', 60_000);
  const created = page.locator('.notifications-toasts .notification-toast', { hasText: 'created nightly.zip' }).first();
  assert.deepEqual(await buttons(created), ['Reveal in Explorer', 'Upload…']);
  await screenshot(page, 'upload-safety-1-create-zip-upload-button.png');
  await click(created, 'Upload…');

  // Started on that zip: the profile and the target are asked, not the zip.
  await answer(page, 'upload with which integration profile', 'STUDENTS');
  await answer(page, 'which of STUDENTS', 'Synchronize');
  const confirm = await dialogWith(page, 'for a synchronize?');
  const text = await confirm.innerText();
  assert.match(text, /upload nightly\.zip to 127\.0\.0\.1:\/upload\/synchronize for a synchronize\?/);
  assert.match(text, /synchronize job of profile STUDENTS/);
  assert.match(text, /No dry-run of this zip is on record/);
  assert.deepEqual(await buttons(confirm), ['Cancel', 'Run Dry-run First', 'Upload Anyway']);
  assert.equal(await defaultButton(confirm), 'Run Dry-run First');
  await screenshot(page, 'upload-safety-2-confirm-without-dry-run.png');

  // The dry-run runs on the zip (its baseline asked once); nothing is uploaded.
  await click(confirm, 'Run Dry-run First');
  await pickFile(page, 'Export Users', 'Use as Baseline', exportPath);
  await waitForToast(page, '(baseline export.xml)', 90_000);
  assert.equal(readdirOrEmpty(join(sshd!.localDir, 'synchronize')).length, 0);
});

test('Upload to SFTP offers the workspace\'s zips newest first; the synchronize question shows the zip\'s last dry-run; the zip lands', { skip, timeout: 240_000 }, async () => {
  const page = editor!.browser.page;
  await clearNotifications(page);
  await runCommand(page, 'Alma SIS: Upload to SFTP');
  const view = await waitFor(() => quickInputView(page), (v) => v !== undefined && v.title.includes('which zip to upload') && v.rows.length >= 4, 60_000);
  assert.ok(view?.title.includes('which zip to upload'), JSON.stringify(view));
  const rows = view!.rows;
  // A row's text is its label, its folder (none at the root) and its size and age, as the page joins them.
  assert.match(rows[0], /^nightly\.zip\s*\d+(\.\d)? KB, modified (just now|\d+ minutes? ago)$/, rows[0]);
  assert.match(rows[1], /^middle\.zip\s*3\.0 KB, modified 2 hours ago$/, rows[1]);
  assert.match(rows[2], /^old-feed\.zip\s*archive\s*3\.0 KB, modified 3 days ago$/, rows[2]);
  assert.match(rows[3], /^Browse…/, rows[3]);
  await screenshot(page, 'upload-safety-3-zip-pick-newest-first.png');
  await answer(page, 'which zip to upload', 'nightly.zip');

  await answer(page, 'upload with which integration profile', 'STUDENTS');
  await answer(page, 'which of STUDENTS', 'Synchronize');
  const confirm = await dialogWith(page, 'for a synchronize?');
  const text = await confirm.innerText();
  assert.match(text, /upload nightly\.zip to 127\.0\.0\.1:\/upload\/synchronize for a synchronize\?/);
  assert.match(text, /Last dry-run of this zip, (just now|\d+ minutes? ago) \(baseline export\.xml, profile STUDENTS\):\s+\d+ users \(synchronize/);
  assert.doesNotMatch(text, /Warning:/);
  assert.deepEqual(await buttons(confirm), ['Cancel', 'Run Dry-run Again', 'Upload']);
  assert.equal(await defaultButton(confirm), 'Upload');
  await screenshot(page, 'upload-safety-4-confirm-with-dry-run.png');
  await click(confirm, 'Upload');

  await answer(page, 'the password of', SFTP_TEST_PASSWORD);
  await waitForToast(page, 'uploaded nightly.zip', 60_000);
  assert.ok(readFileSync(join(sshd!.localDir, 'synchronize', 'nightly.zip')).equals(readFileSync(join(folder, 'nightly.zip'))));
});

test('a host key mismatch: the first sentence, Show Details with all of it, and Open Configuration on the pinned fingerprint', { skip, timeout: 180_000 }, async () => {
  const page = editor!.browser.page;
  await clearNotifications(page);
  await runCommand(page, 'Alma SIS: Upload to SFTP');
  await answer(page, 'which zip to upload', 'middle.zip');
  await answer(page, 'upload with which integration profile', 'MIRROR');
  await answer(page, 'which of MIRROR', 'Import');
  await waitForToast(page, 'does not match sftp.hostKeyFingerprint', 60_000);
  const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'does not match sftp.hostKeyFingerprint' }).first();
  const shownText = (await toast.innerText()).replace(/\s+/g, ' ');
  assert.match(shownText, /upload failed: the host key of 127\.0\.0\.1:\d+ does not match sftp\.hostKeyFingerprint/);
  // The rest waits behind Show Details: the fingerprints are not in the notification.
  assert.ok(!shownText.includes(WRONG_FINGERPRINT), shownText);
  assert.deepEqual(await buttons(toast), ['Open Configuration', 'Show Details']);
  await screenshot(page, 'upload-safety-5-host-key-mismatch.png');

  await click(toast, 'Show Details');
  const details = await dialogWith(page, 'the configuration pins');
  const detail = await details.innerText();
  assert.ok(detail.includes(sshd!.fingerprint) && detail.includes(WRONG_FINGERPRINT), detail);
  assert.deepEqual(await buttons(details), ['Cancel', 'Open Configuration']);
  await screenshot(page, 'upload-safety-6-host-key-details.png');
  await click(details, 'Open Configuration');

  await page.locator('.editor-group-container.active .tabs-container .tab.active', { hasText: 'alma-sis.config.json' }).first().waitFor({ timeout: 30_000 });
  const selection = page.locator('#status\\.editor\\.selection').first();
  const status = await waitFor(async () => ((await selection.isVisible()) ? (await selection.innerText()).trim() : ''), (s) => s.includes('selected'), 15_000);
  assert.match(status, new RegExp(`\\(${WRONG_FINGERPRINT.length} selected\\)`), status);
  await screenshot(page, 'upload-safety-7-open-configuration.png');
  assert.equal(readdirOrEmpty(join(sshd!.localDir, 'import')).length, 0);
});

function readdirOrEmpty(path: string): string[] {
  return existsSync(path) ? readdirSync(path) : [];
}
