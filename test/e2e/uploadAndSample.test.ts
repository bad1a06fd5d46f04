import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { repoRoot } from '../helpers/repoRoot';
import { SFTP_TEST_PASSWORD, SFTP_TEST_USER, sshServerMissing, startSshServer, type SshServer } from '../helpers/sshServer';
import {
  goToPosition, launchBrowser, missingForCodeServer, openWorkbench, quickOpen, runCommand, startCodeServer, waitFor, waitForToast,
  type Browser, type CodeServer,
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
let server: CodeServer | undefined;
let browser: Browser | undefined;
let sshd: SshServer | undefined;
const zipBytes = randomBytes(200 * 1024);

before(async () => {
  if (skip !== undefined) return;
  work = mkdtempSync(join(tmpdir(), 'alma-sis-e2e-upload-'));
  folder = join(work, 'workspace');
  mkdirSync(folder);
  copyFileSync(join(root, 'samples', 'valid', 'users-v2.xml'), join(folder, 'users-v2.xml'));
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
  let vsix = process.env.ALMA_SIS_VSIX;
  if (vsix === undefined) {
    vsix = join(work, 'alma-sis-toolkit.vsix');
    execFileSync(process.execPath, [join(root, 'scripts', 'package.mjs'), '--out', vsix], { cwd: root, stdio: 'pipe' });
  }
  console.log(`# .vsix ${(statSync(vsix).size / 1024).toFixed(0)} KB`);
  server = await startCodeServer({ folder, vsix });
  browser = await launchBrowser();
  await openWorkbench(browser.page, server.url, folder);
}, { timeout: 240_000 });

after(async () => {
  try {
    if (browser !== undefined) {
      mkdirSync(artifacts, { recursive: true });
      await browser.page.screenshot({ path: join(artifacts, 'code-server-upload-sample.png') }).catch(() => undefined);
    }
  } finally {
    await browser?.close();
    await server?.stop();
    await sshd?.stop();
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  }
});

/** The text the active editor shows (its visible lines). */
async function editorText(page: Page): Promise<string> {
  return (await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().innerText()).replace(/\u00a0/g, ' ');
}

/**
 * Answers the quick input (pick or input box) whose title contains `title`: types `typed` if given,
 * then Enter, repeated while the same prompt stays (code-server's file dialog may first complete the path).
 */
async function answer(page: Page, title: string, typed?: string): Promise<void> {
  const widget = page.locator('.quick-input-widget');
  const current = () => widget.locator('.quick-input-title', { hasText: title });
  await current().first().waitFor({ state: 'visible', timeout: 30_000 });
  if (typed !== undefined) {
    // code-server's file dialog fills in its folder a moment after it shows: type until the value stays.
    const input = widget.locator('input').first();
    for (let i = 0; i < 10; i++) {
      await input.fill(typed);
      await page.waitForTimeout(300);
      if ((await input.inputValue()) === typed) break;
    }
  }
  for (let i = 0; i < 3; i++) {
    await page.keyboard.press('Enter');
    await page.waitForTimeout(500);
    if (!(await current().first().isVisible())) return;
  }
  throw new Error(`the prompt "${title}" did not accept the answer`);
}

test('New File from This User opens a one-user file of the user under the cursor', { skip, timeout: 120_000 }, async () => {
  const page = browser!.page;
  await quickOpen(page, 'users-v2.xml');
  const line = readFileSync(join(folder, 'users-v2.xml'), 'utf8').split('\n').findIndex((l) => l.includes('wang.xiaoming')) + 1;
  await goToPosition(page, line, 10);
  await runCommand(page, 'Alma SIS: New File from This User');
  await answer(page, 'new file from this user');
  const text = await waitFor(() => editorText(page), (t) => t.includes('<users>') && t.includes('wang.xiaoming'));
  assert.match(text, /<primary_id>wang\.xiaoming<\/primary_id>/);
  assert.doesNotMatch(text, /amelie\.dubois/);
});

test('Generate Sample File opens a sample in a new editor', { skip, timeout: 120_000 }, async () => {
  const page = browser!.page;
  await runCommand(page, 'Alma SIS: Generate Sample File');
  await answer(page, 'what kind of sample file'); // Users (User XSD v2), the first
  await answer(page, 'how many users', '3');
  await answer(page, 'seed', 'e2e');
  await answer(page, 'where should the sample go'); // Open in a new editor, the first
  const text = await waitFor(() => editorText(page), (t) => t.includes('<users>') && t.includes('<primary_id>'));
  assert.match(text, /<\?xml version="1\.0" encoding="UTF-8"\?>/);
});

test('Upload to SFTP: first contact shows the fingerprint, trusting pins it, the password is asked once, the zip lands', { skip: sshSkip, timeout: 180_000 }, async () => {
  const page = browser!.page;
  await runCommand(page, 'Alma SIS: Upload to SFTP');
  // code-server's own file dialog: the zip's path is typed.
  await answer(page, 'the zip to upload', join(folder, 'nightly.zip'));
  await answer(page, 'which of STUDENTS', 'Synchronize');
  await answer(page, 'the password of', SFTP_TEST_PASSWORD);
  const dialog = page.locator('.monaco-dialog-box');
  await dialog.waitFor({ timeout: 60_000 });
  assert.ok((await dialog.innerText()).includes(sshd!.fingerprint), await dialog.innerText());
  await dialog.locator('.monaco-button', { hasText: 'Trust and Save' }).first().click();
  await waitForToast(page, 'uploaded nightly.zip', 60_000);

  assert.ok(readFileSync(join(sshd!.localDir, 'synchronize', 'nightly.zip')).equals(zipBytes));
  assert.deepEqual(readdirSync(join(sshd!.localDir, 'synchronize')), ['nightly.zip']);
  const config = readFileSync(join(folder, 'alma-sis.config.json'), 'utf8');
  assert.ok(config.includes(`"hostKeyFingerprint": "${sshd!.fingerprint}"`), config);

  // The password went to secret storage only: not to settings, logs or the output channel.
  const logs = [...server!.logFiles(''), server!.logFile, join(server!.stateDir, 'user', 'User', 'settings.json')];
  const leaked = logs.filter((file) => existsSync(file) && statSync(file).isFile() && readFileSync(file, 'utf8').includes(SFTP_TEST_PASSWORD));
  assert.deepEqual(leaked, []);
  assert.ok(!config.includes(SFTP_TEST_PASSWORD));

  // The second upload asks for neither the password (secret storage) nor trust (pinned now).
  writeFileSync(join(folder, 'nightly-2.zip'), zipBytes);
  await runCommand(page, 'Alma SIS: Upload to SFTP');
  await answer(page, 'the zip to upload', join(folder, 'nightly-2.zip'));
  await answer(page, 'which of STUDENTS', 'Import');
  await waitForToast(page, 'uploaded nightly-2.zip', 60_000);
  assert.equal(await page.locator('.monaco-dialog-box').count(), 0);
  assert.ok(readFileSync(join(sshd!.localDir, 'import', 'nightly-2.zip')).equals(zipBytes));
});
