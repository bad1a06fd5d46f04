import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../helpers/repoRoot';
import {
  closeEditor, explorerRow, goToPosition, missingForCodeServer, openEditor, paletteMatches, problemCounts, problemRows,
  chooseAction, quickOpen, runCommand, settledCounts, waitFor, waitForToast, type CodeServer, type Editor,
} from './codeServerHarness';

/*
 * The packaged extension in a real VS Code (code-server 4.100.3 = VS Code 1.100.3) in Chromium:
 * what a person sees. Skipped, with the reason, where code-server or Chromium is not installed
 * (scripts/install-code-server.sh installs code-server; CI runs it).
 */

const root = repoRoot();
const skip = missingForCodeServer();
const FILE = 'common-mistakes.xml';
const CODE_TABLES = 'tables/institution.json';
const artifacts = join(root, '.tmp', 'artifacts');

let work: string;
let workspace: string;
/** What the CLI reports for the workspace's file: the editor must show the same. */
let cli: { users: number; errors: number; warnings: number; infos: number };
let editor: Editor | undefined;

interface Contributed { command: string; title: string; category?: string }
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  contributes: { commands: Contributed[] };
};

function cliSummary(folder: string): typeof cli {
  const args = ['validate', '--format', 'json', '--config', join(folder, 'alma-sis.config.json'), join(folder, FILE)];
  let report: string;
  try {
    report = execFileSync(process.execPath, [join(root, 'dist', 'cli.js'), ...args], { encoding: 'utf8' });
  } catch (error) {
    // Exit code 1 means errors were found; the report is still on stdout.
    report = String((error as { stdout?: string }).stdout ?? '');
  }
  return (JSON.parse(report) as { summary: typeof cli }).summary;
}

function paletteTitle(command: Contributed): string {
  return command.category === undefined ? command.title : `${command.category}: ${command.title}`;
}

before(async () => {
  if (skip !== undefined) return;
  work = mkdtempSync(join(tmpdir(), 'alma-sis-e2e-'));
  const folder = join(work, 'workspace');
  mkdirSync(folder);
  copyFileSync(join(root, 'samples', 'invalid', FILE), join(folder, FILE));
  // The sample configuration, its code tables under a name only the configuration gives (so only
  // the extension's watcher for named code tables sees them change).
  const config = JSON.parse(readFileSync(join(root, 'samples', 'alma-sis.config.json'), 'utf8'));
  delete config.$schema;
  config.profiles[0].codeTables = CODE_TABLES;
  writeFileSync(join(folder, 'alma-sis.config.json'), JSON.stringify(config, null, 2));
  mkdirSync(join(folder, 'tables'));
  copyFileSync(join(root, 'samples', 'code-tables.json'), join(folder, CODE_TABLES));
  workspace = folder;
  cli = cliSummary(folder);

  editor = await openEditor({ root, work, folder, settings: { 'alma-sis.useAlmaLanguage': true } });
  await quickOpen(editor.browser.page, FILE);
}, { timeout: 240_000 });

after(async () => {
  try {
    if (editor !== undefined) {
      reportActivation(editor.server);
      // The extension's log (its own lines and the server's) beside the screenshots, for a failure.
      mkdirSync(artifacts, { recursive: true });
      writeFileSync(join(artifacts, 'code-server-alma-sis.log'), extensionLog(editor.server));
    }
  } finally {
    // The state at the end (or at a failure), beside code-server.png.
    await closeEditor(editor, join(artifacts, 'code-server-end.png'), work);
  }
});

/** The extension's output channel ("Alma SIS"): its own lines and the language server's. */
function extensionLog(cs: CodeServer): string {
  return cs.logFiles('Alma SIS').map((file) => readFileSync(file, 'utf8')).join('');
}

/**
 * Prints how long activation took: from the extension host's "activate" log line to the
 * extension's own "activated" line (loading the bundle included), and when the server was ready.
 */
function reportActivation(cs: CodeServer): void {
  const stamp = (line: string | undefined): number | undefined => {
    const match = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d\.\d{3})/.exec(line ?? '');
    return match === null ? undefined : Date.parse(`${match[1]}T${match[2]}Z`);
  };
  const lines = (part: string): string[] => cs.logFiles(part).flatMap((file) => readFileSync(file, 'utf8').split('\n'));
  const host = lines('exthost.log').find((l) => l.includes('_doActivateExtension alma-sis-toolkit.alma-sis-toolkit'));
  const ours = lines('Alma SIS');
  const activated = ours.find((l) => l.includes('activated in'));
  const ready = ours.find((l) => l.includes('language server ready'));
  const [start, end] = [stamp(host), stamp(activated)];
  if (start !== undefined && end !== undefined) {
    console.log(`# activation: ${end - start} ms from the extension host's activate to "${activated!.slice(24).trim()}"`);
  }
  if (ready !== undefined) console.log(`# ${ready.slice(24).trim()}`);
}

test('the file\'s problems show in the Problems panel with their rule ids', { skip, timeout: 120_000 }, async () => {
  const page = editor!.browser.page;
  await page.keyboard.press('Control+Shift+M');
  await page.locator('.markers-panel .monaco-list-row', { hasText: 'attribute-value' }).first().waitFor({ timeout: 60_000 });
  // The same problems as the CLI finds in the same file with the same configuration (9, 6 and 1).
  const { errors, warnings, infos } = cli;
  const counts = await waitFor(() => problemCounts(page), (c) => c.errors >= errors);
  assert.deepEqual(counts, { errors, warnings, infos });
  // A row reads "message alma-sis(rule) [Ln, Col]" (source and code in separate elements).
  const rows = (await problemRows(page)).map((row) => row.replace(/\s+/g, ' '));
  for (const rule of ['attribute-value', 'invalid-date', 'duplicate-identifier', 'element-case']) {
    assert.ok(rows.some((r) => new RegExp(`alma-sis\\W*${rule}\\b`).test(r)), `${rule} in ${JSON.stringify(rows)}`);
  }
  assert.ok(rows.some((r) => r.includes('preferred="True"') && r.includes('[Ln 47, Col 27]')), JSON.stringify(rows));
});

test('the Alma file switches to the Alma language and the language status shows its summary', { skip, timeout: 120_000 }, async () => {
  const page = editor!.browser.page;
  await page.locator('#status\\.editor\\.mode', { hasText: 'Alma SIS Users' }).waitFor({ timeout: 30_000 });
  await page.hover('#status\\.languageStatus');
  const hover = page.locator('.monaco-hover, .workbench-hover', { hasText: 'Alma users v2' }).first();
  await hover.waitFor({ timeout: 15_000 });
  const infos = `${cli.infos} info${cli.infos === 1 ? '' : 's'}`;
  const expected = `${cli.users} users: ${cli.errors} errors, ${cli.warnings} warnings, ${infos}; validated in`;
  assert.ok((await hover.innerText()).includes(expected), `${expected} in ${await hover.innerText()}`);
  // The artifact: the problems with their rule ids, the grammar's colours and the status hover.
  mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: join(artifacts, 'code-server.png') });
  await page.mouse.move(700, 300);
});

test('a quick fix applied in the editor removes its problem', { skip, timeout: 120_000 }, async () => {
  const page = editor!.browser.page;
  const before = await problemCounts(page);
  await page.locator('.monaco-editor .view-lines').first().click();
  await goToPosition(page, 47, 29); // inside preferred="True"
  await page.keyboard.press('Control+.');
  await chooseAction(page, '"true"');
  const after = await waitFor(() => problemCounts(page), (c) => c.errors < before.errors);
  assert.deepEqual(after, { ...before, errors: before.errors - 1 });
  // The panel redraws a little after the counts change.
  const rows = await waitFor(() => problemRows(page), (list) => !list.some((r) => r.includes('preferred="True"')));
  assert.ok(!rows.some((r) => r.includes('preferred="True"')), JSON.stringify(rows));
});

test('completion in a new user offers primary_id', { skip, timeout: 120_000 }, async () => {
  const page = editor!.browser.page;
  const lines = readFileSync(join(root, 'samples', 'invalid', FILE), 'utf8').split('\n');
  const closingRoot = lines.findIndex((line) => line.startsWith('</users>')) + 1;
  await goToPosition(page, closingRoot, 1);
  await page.keyboard.type('<user>\n\n</user>\n', { delay: 10 });
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('End');
  await page.keyboard.type('<', { delay: 10 });
  const rows = page.locator('.suggest-widget .monaco-list-row');
  try {
    await rows.first().waitFor({ timeout: 5_000 });
  } catch {
    await page.keyboard.press('Control+Space'); // '<' did not trigger it: ask
  }
  await rows.filter({ hasText: 'primary_id' }).first().waitFor({ timeout: 15_000 });
  const offered = await rows.allInnerTexts();
  assert.ok(offered.some((text) => text.startsWith('primary_id')), JSON.stringify(offered));
  await page.keyboard.press('Escape');
});

test('a code tables file the configuration names is watched: changing it validates the file again', { skip, timeout: 120_000 }, async () => {
  const page = editor!.browser.page;
  const before = await settledCounts(page); // the edits above are validated
  const file = join(workspace, CODE_TABLES);
  const tables = JSON.parse(readFileSync(file, 'utf8'));
  tables.userGroups.push({ code: 'Student', description: 'as the SIS writes it' }); // the file's user_group
  writeFileSync(file, JSON.stringify(tables, null, 2));
  const after = await waitFor(() => problemCounts(page), (c) => c.warnings < before.warnings);
  assert.deepEqual(after, { ...before, warnings: before.warnings - 1 });
});

test('a rule turned off in the workspace settings leaves the Problems panel', { skip, timeout: 120_000 }, async () => {
  const page = editor!.browser.page;
  const before = await settledCounts(page);
  mkdirSync(join(workspace, '.vscode'));
  writeFileSync(join(workspace, '.vscode', 'settings.json'), JSON.stringify({ 'alma-sis.rules': { 'pin-format': 'off' } }));
  const after = await waitFor(() => problemCounts(page), (c) => c.warnings < before.warnings);
  assert.deepEqual(after, { ...before, warnings: before.warnings - 1 });
  const log = await waitFor(async () => extensionLog(editor!.server), (text) => text.includes('settings changed'), 10_000);
  assert.match(log, /settings changed: .*"pin-format":"off"/);
});

test('every command the package contributes is in the command palette', { skip, timeout: 120_000 }, async () => {
  const page = editor!.browser.page;
  const missing: string[] = [];
  for (const command of manifest.contributes.commands) {
    const title = paletteTitle(command);
    const offered = await paletteMatches(page, title);
    if (!offered.some((text) => text.includes(title))) missing.push(`${title} (offered: ${JSON.stringify(offered)})`);
  }
  assert.deepEqual(missing, []);
  await page.keyboard.press('Control+Shift+M');
});

test('Validate File on Disk streams the saved file through the server and reports its summary', { skip, timeout: 120_000 }, async () => {
  const page = editor!.browser.page;
  await page.locator('.monaco-editor .view-lines').first().click();
  await page.keyboard.press('Control+S'); // the edits above (one user more), so disk and editor agree
  const counts = await problemCounts(page);
  await runCommand(page, 'Alma SIS: Validate File on Disk');
  const toast = await waitForToast(page, `${FILE} on disk`);
  const infos = `${counts.infos} info${counts.infos === 1 ? '' : 's'}`;
  assert.match(toast, new RegExp(`^Alma SIS: ${FILE} on disk: 6 users: ${counts.errors} errors, ${counts.warnings} warnings, ${infos}; validated in`));
  // The file is open and unchanged since saving: each problem is still listed once, not once more from disk.
  await page.waitForTimeout(1_000);
  assert.deepEqual(await problemCounts(page), counts);
});

test('the explorer\'s context menu of an .xml file offers Validate File on Disk', { skip, timeout: 120_000 }, async () => {
  const page = editor!.browser.page;
  await explorerRow(page, FILE).click({ button: 'right' });
  const item = page.locator('.context-view .action-label', { hasText: 'Validate File on Disk' }).first();
  await item.waitFor({ timeout: 15_000 });
  await page.keyboard.press('Escape');
});

test('Restart Language Server brings the problems back from a new server', { skip, timeout: 120_000 }, async () => {
  const page = editor!.browser.page;
  const before = await problemCounts(page);
  await runCommand(page, 'Alma SIS: Restart Language Server');
  const log = await waitFor(async () => extensionLog(editor!.server), (text) => text.includes('language server restarted'));
  assert.match(log, /language server restarted/);
  const after = await waitFor(() => problemCounts(page), (c) => c.errors === before.errors && c.warnings === before.warnings, 15_000);
  assert.deepEqual(after, before);
});
