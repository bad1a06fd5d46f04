import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';
import { repoRoot } from '../helpers/repoRoot';
import {
  answer, closeEditor, goToPosition, missingForCodeServer, openEditor, problemRows, quickOpen, runCommand, waitFor, waitForToast, type Editor,
} from './codeServerHarness';

/*
 * "Alma SIS: Dry-run Synchronize" in a real VS Code (code-server) on the sample pair under
 * samples/dry-run: the baseline is picked once in the file dialog, the report view opens beside
 * the feed (a webview: the server's HTML page, its own nonce'd style and script under its CSP),
 * a rejected user's row opens the feed at that <user>, Save as HTML writes what the CLI writes,
 * and an edit of the feed takes the dry-run's problems away and marks the report out of date.
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

/** The report view's page: VS Code puts a webview's document in an iframe inside an iframe. */
function reportView(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
}

const REPORT_TAB = 'Dry-run: feed.xml';

/** The cursor's place as the status bar shows it ("Ln 73, Col 4"). */
async function cursorPlace(page: Page): Promise<string> {
  const item = page.locator('#status\\.editor\\.selection').first();
  return (await item.isVisible()) ? (await item.innerText()).trim() : '';
}

/** 1-based line of the n-th `<user>` tag of the feed. */
function userLine(n: number): number {
  const lines = readFileSync(join(folder, 'feed.xml'), 'utf8').split('\n');
  return lines.map((line, k) => [line, k + 1] as const).filter(([line]) => /^\s*<user>/.test(line))[n][1];
}

test('Dry-run Synchronize: baseline picked once, the report view beside the feed, rejected users as problems', { skip, timeout: 180_000 }, async () => {
  const page = editor!.browser.page;
  await runCommand(page, 'Alma SIS: Dry-run Synchronize');
  await pickFile('Export Users', 'Use as Baseline', exportPath);
  const toast = await waitForToast(page, '8 users (synchronize', 60_000);
  assert.match(toast, /1 new, 1 updated, 1 unchanged, 5 rejected/);
  await page.locator('.tabs-container .tab', { hasText: REPORT_TAB }).first().waitFor({ timeout: 15_000 });

  // The page's counts, its style applied (the card's coloured top border comes from the nonce'd
  // stylesheet) and its script run (it marks the rows that can jump): the view's CSP lets both through.
  const view = reportView(page);
  await view.locator('h1', { hasText: 'Dry-run: synchronize of 8 users' }).waitFor({ timeout: 30_000 });
  assert.equal(await view.locator('.card.rejected .n').innerText(), '5');
  assert.equal(await view.locator('.card.rate .n').innerText(), '62.5%');
  assert.equal(await view.locator('.card.rejected').evaluate((card) => (globalThis as unknown as { getComputedStyle(e: unknown): { borderTopWidth: string } }).getComputedStyle(card).borderTopWidth), '4px');
  await view.locator('table.rejected tr.jump').first().waitFor({ timeout: 15_000 });
  assert.equal(await view.locator('table.rejected tr.jump').count(), 5);
  assert.equal(await view.locator('svg.outcomes line.threshold').count(), 1);
  assert.ok((await view.locator('table.fields td.field', { hasText: 'contact_info/phones/phone' }).count()) > 0);
  await page.screenshot({ path: join(artifacts, 'code-server-dry-run-report.png') });

  // The Problems panel, filtered to the dry-run's source (the validator's own problems are there too).
  await quickOpen(page, 'feed.xml');
  await page.keyboard.press('Control+Shift+M');
  await page.keyboard.press('Control+F');
  await page.waitForTimeout(500);
  await page.keyboard.type('dry-run', { delay: 20 });
  const rows = await waitFor(() => problemRows(page), (r) => r.some((row) => row.includes('internal-user')), 20_000);
  for (const reason of ['internal-user', 'duplicate-in-feed', 'identifier-taken', 'missing-match-id', 'invalid']) {
    assert.ok(rows.some((row) => row.includes(reason)), `${reason} in ${JSON.stringify(rows)}`);
  }

  // The second run does not ask again (the baseline is remembered for the profile) and reuses the view.
  await page.keyboard.press('Escape');
  await runCommand(page, 'Notifications: Clear All Notifications');
  await page.locator('.notifications-toasts .notification-toast').first().waitFor({ state: 'detached', timeout: 15_000 });
  await quickOpen(page, 'feed.xml');
  await runCommand(page, 'Alma SIS: Dry-run Synchronize');
  await waitForToast(page, 'baseline export.xml', 60_000);
  assert.equal(await page.locator('.quick-input-widget').isVisible(), false, 'no dialog the second time');
  assert.equal(await page.locator('.tabs-container .tab', { hasText: REPORT_TAB }).count(), 1);
  assert.equal(await page.locator('.tabs-container .tab', { hasText: 'Untitled' }).count(), 0, 'no Markdown editor any more');
  await runCommand(page, 'Notifications: Clear All Notifications');
});

test('a rejected user\'s row in the report opens the feed at that <user>', { skip, timeout: 120_000 }, async () => {
  const page = editor!.browser.page;
  // Somewhere else first, so that landing on the user is the row's doing.
  await quickOpen(page, 'feed.xml');
  await goToPosition(page, 1, 1);
  const view = reportView(page);
  await view.locator('table.rejected tr.jump', { hasText: 'gia.russo' }).click();
  // gia.russo is the feed's sixth user; the cursor lands on the tag's name, after the indent and '<'.
  const wanted = `Ln ${userLine(5)}, Col 4`;
  const place = await waitFor(() => cursorPlace(page), (p) => p.startsWith(wanted), 20_000);
  assert.ok(place.startsWith(wanted), `the cursor is at "${place}", not ${wanted}`);
  await page.locator('.editor-group-container.active .tabs-container .tab.active', { hasText: 'feed.xml' }).first().waitFor({ timeout: 10_000 });
});

test('Save as HTML writes the page the CLI writes for the same files', { skip, timeout: 120_000 }, async () => {
  const page = editor!.browser.page;
  const saved = join(work, 'report.html');
  await reportView(page).locator('button[data-action="html"]').click();
  await answer(page, 'save the dry-run report as HTML', saved);
  await waitForToast(page, 'saved as report.html', 30_000);
  assert.ok(existsSync(saved));
  const cli = spawnSync(process.execPath, [join(root, 'dist', 'cli.js'), 'dry-run', join(folder, 'feed.xml'), '--baseline', exportPath, '--format', 'html'], { cwd: work, encoding: 'utf8' });
  assert.equal(cli.status, 1, cli.stderr);
  assert.equal(readFileSync(saved, 'utf8'), cli.stdout);
  await runCommand(page, 'Notifications: Clear All Notifications');
});

test('an edit of the feed takes the dry-run\'s problems away and marks the report out of date', { skip, timeout: 120_000 }, async () => {
  const page = editor!.browser.page;
  // The Problems panel keeps its "dry-run" filter from the first test; the second run put the rejections back.
  const before = await waitFor(() => problemRows(page), (r) => r.some((row) => row.includes('Alma would reject')), 20_000);
  assert.ok(before.some((row) => row.includes('Alma would reject')), JSON.stringify(before));
  // Into the feed by a row of the report (cleo.admin, the third user): then a space before its tag.
  await reportView(page).locator('table.rejected tr.jump', { hasText: 'cleo.admin' }).click();
  const wanted = `Ln ${userLine(2)}, Col 4`;
  assert.ok((await waitFor(() => cursorPlace(page), (p) => p.startsWith(wanted), 20_000)).startsWith(wanted));
  await page.keyboard.press('Home');
  await page.keyboard.type(' ');
  const rows = await waitFor(() => problemRows(page), (r) => !r.some((row) => row.includes('Alma would reject')), 20_000);
  assert.ok(!rows.some((row) => row.includes('Alma would reject')), JSON.stringify(rows));
  // The report's tab, in case the feed covers it in its group: a webview shown again starts from
  // its HTML, and that HTML says so too.
  await page.locator('.tabs-container .tab', { hasText: REPORT_TAB }).first().click();
  const view = reportView(page);
  await view.locator('.almasis-outdated', { hasText: 'feed.xml was edited after this dry-run' }).waitFor({ timeout: 20_000 });
  assert.equal(await view.locator('.almasis-outdated button[data-action="rerun"]').count(), 1);
  await page.screenshot({ path: join(artifacts, 'code-server-dry-run-outdated.png') });
});

test('Run Again in an out-of-date report runs the dry-run again and takes the banner away', { skip, timeout: 180_000 }, async () => {
  const page = editor!.browser.page;
  await runCommand(page, 'Notifications: Clear All Notifications');
  await reportView(page).locator('.almasis-outdated button[data-action="rerun"]').click();
  // The dry-run reads the file on disk: an edit not saved yet is asked about first.
  const question = page.locator('.notifications-toasts .notification-toast', { hasText: 'has unsaved changes' }).first();
  const summary = page.locator('.notifications-toasts .notification-toast', { hasText: 'baseline export.xml' }).first();
  await summary.or(question).first().waitFor({ timeout: 60_000 });
  if (await question.isVisible()) {
    await question.locator('.monaco-button', { hasText: 'Save and Run' }).click();
    await summary.waitFor({ timeout: 60_000 });
  }
  assert.notEqual(readFileSync(join(folder, 'feed.xml'), 'utf8'), readFileSync(join(root, 'samples', 'dry-run', 'feed.xml'), 'utf8'), 'the run read the edited feed');
  const view = reportView(page);
  await view.locator('h1', { hasText: 'Dry-run: synchronize of 8 users' }).waitFor({ timeout: 30_000 });
  await view.locator('.almasis-outdated').waitFor({ state: 'detached', timeout: 30_000 });
  const rows = await waitFor(() => problemRows(page), (r) => r.some((row) => row.includes('Alma would reject')), 20_000);
  assert.ok(rows.some((row) => row.includes('Alma would reject')), JSON.stringify(rows));
});

test('Change Baseline on the summary asks for another export and runs the dry-run against it', { skip, timeout: 180_000 }, async () => {
  const page = editor!.browser.page;
  // The second baseline: the export with its first user left out, so that user is new against it.
  const secondExport = join(work, 'export-older.xml');
  const exportText = readFileSync(exportPath, 'utf8');
  const first = exportText.search(/<user[\s>]/);
  const afterFirst = exportText.indexOf('</user>', first) + '</user>'.length;
  writeFileSync(secondExport, exportText.slice(0, first) + exportText.slice(afterFirst));
  const cli = spawnSync(process.execPath, [join(root, 'dist', 'cli.js'), 'dry-run', join(folder, 'feed.xml'), '--baseline', secondExport, '--format', 'json'], { cwd: work, encoding: 'utf8' });
  assert.equal(cli.status, 1, cli.stderr);
  const expected = JSON.parse(cli.stdout) as { summary: { new: number } };
  const before = JSON.parse(spawnSync(process.execPath, [join(root, 'dist', 'cli.js'), 'dry-run', join(folder, 'feed.xml'), '--baseline', exportPath, '--format', 'json'], { cwd: work, encoding: 'utf8' }).stdout) as { summary: { new: number } };
  assert.notEqual(expected.summary.new, before.summary.new, 'the second baseline makes a difference to show');

  // A fresh summary to answer (the one of the run before may have gone by now).
  await runCommand(page, 'Notifications: Clear All Notifications');
  // The feed's own tab (not the report's, "Dry-run: feed.xml"): the command takes the active editor's file.
  const feedTab = page.locator('.tabs-container .tab', { hasText: /^\s*feed\.xml/ }).first();
  await feedTab.click();
  await page.locator('.editor-group-container.active .tabs-container .tab.active', { hasText: /^\s*feed\.xml/ }).first().waitFor({ timeout: 15_000 });
  await runCommand(page, 'Alma SIS: Dry-run Synchronize');
  await waitForToast(page, 'baseline export.xml', 60_000);
  const summary = page.locator('.notifications-toasts .notification-toast', { hasText: 'baseline export.xml' }).first();
  await summary.locator('.monaco-button', { hasText: 'Change Baseline' }).click();
  await pickFile('Export Users', 'Use as Baseline', secondExport);
  await waitForToast(page, 'baseline export-older.xml', 60_000);
  const view = reportView(page);
  const shownNew = await waitFor(() => view.locator('.card.new .n').innerText(), (n) => n === String(expected.summary.new), 30_000);
  assert.equal(shownNew, String(expected.summary.new));
  await page.screenshot({ path: join(artifacts, 'code-server-dry-run-changed-baseline.png') });
});
