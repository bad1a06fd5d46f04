import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { BrowserContext, Locator, Page } from 'playwright-core';

/*
 * code-server (VS Code 1.100.3 from npm) on loopback with its own user and extension folders,
 * driven in Debian's Chromium through playwright-core. The DOM hooks are VS Code 1.100's.
 */

export const CODE_SERVER_VERSION = '4.100.3';

/** $ALMA_SIS_CODE_SERVER, else where scripts/install-code-server.sh puts it. */
export function codeServerBinary(): string {
  return process.env.ALMA_SIS_CODE_SERVER
    ?? join(homedir(), '.cache', 'alma-sis', 'code-server', 'node_modules', '.bin', 'code-server');
}

export function chromiumBinary(): string {
  return process.env.CHROMIUM ?? '/usr/bin/chromium';
}

/** Why the end-to-end test cannot run here, or undefined when it can. */
export function missingForCodeServer(): string | undefined {
  if (!existsSync(codeServerBinary())) {
    return `code-server not found at ${codeServerBinary()} (run scripts/install-code-server.sh, or set ALMA_SIS_CODE_SERVER)`;
  }
  if (!existsSync(chromiumBinary())) return `${chromiumBinary()} not found (apt-get install chromium, or set CHROMIUM)`;
  try {
    require.resolve('playwright-core');
  } catch {
    return 'playwright-core is not installed (npm ci)';
  }
  return undefined;
}

const USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'update.mode': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'chat.disableAIFeatures': true,
  'editor.quickSuggestions': { other: false, comments: false, strings: false },
};

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface CodeServer {
  url: string;
  stateDir: string;
  logFile: string;
  /** Every file under code-server's logs folder whose name contains `part`. */
  logFiles(part: string): string[];

  stop(): Promise<void>;
}

export interface CodeServerOptions {
  folder: string;
  vsix: string;
  settings?: Record<string, unknown>;
}

export async function startCodeServer(options: CodeServerOptions): Promise<CodeServer> {
  const bin = codeServerBinary();
  const stateDir = mkdtempSync(join(tmpdir(), 'alma-sis-code-server-'));
  const userDir = join(stateDir, 'user');
  const extensionsDir = join(stateDir, 'extensions');
  mkdirSync(join(userDir, 'User'), { recursive: true });
  writeFileSync(join(userDir, 'User', 'settings.json'), JSON.stringify({ ...USER_SETTINGS, ...options.settings }, null, 2));
  const config = join(stateDir, 'config.yaml');
  const port = await freePort();
  // Every run names its config: code-server writes ~/.config/code-server/config.yaml otherwise.
  writeFileSync(config, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const common = ['--config', config, '--user-data-dir', userDir, '--extensions-dir', extensionsDir];
  execFileSync(bin, [...common, '--install-extension', options.vsix, '--force'], { stdio: 'pipe', timeout: 60_000 });

  const logFile = join(stateDir, 'code-server.log');
  const log = openSync(logFile, 'a');
  const child: ChildProcess = spawn(bin, [
    ...common, '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
    '--disable-getting-started-override', options.folder,
  ], { stdio: ['ignore', log, log], detached: true });
  const url = `http://127.0.0.1:${port}`;

  const stop = async (): Promise<void> => {
    // code-server forks its entry, which forks the extension host and the language server: end the group.
    if (child.exitCode === null && child.pid !== undefined) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      await exited;
    }
    rmSync(stateDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      const text = readFileSync(logFile, 'utf8');
      await stop();
      throw new Error(`code-server did not start:\n${text}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  const logFiles = (part: string): string[] => {
    const found: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (name.includes(part)) found.push(path);
      }
    };
    const logs = join(userDir, 'logs');
    if (existsSync(logs)) walk(logs);
    return found;
  };
  return { url, stateDir, logFile, logFiles, stop };
}

const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export interface Browser {
  page: Page;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  // A persistent context gives a fresh profile folder (Playwright refuses --user-data-dir in args).
  const profile = mkdtempSync(join(tmpdir(), 'alma-sis-chromium-'));
  const context: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumBinary(),
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: CHROMIUM_ARGS,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    page,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export async function openWorkbench(page: Page, url: string, folder: string): Promise<void> {
  await page.goto(`${url}/?folder=${encodeURIComponent(folder)}`);
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 60_000 });
}

export async function quickOpen(page: Page, fileName: string): Promise<void> {
  await page.keyboard.press('Control+P');
  await page.waitForSelector('.quick-input-widget input', { state: 'visible', timeout: 15_000 });
  await page.keyboard.type(fileName, { delay: 20 });
  await page.locator('.quick-input-list .monaco-list-row', { hasText: fileName }).first().waitFor({ timeout: 15_000 });
  await page.keyboard.press('Enter');
  await page.locator('.tabs-container .tab', { hasText: fileName }).first().waitFor({ timeout: 15_000 });
  // The picker may still be closing when the tab appears: a key pressed then would go to it.
  await page.waitForSelector('.quick-input-widget', { state: 'hidden', timeout: 15_000 });
}

/** Moves the cursor of the active editor to a 1-based line and column (Go to Line). */
export async function goToPosition(page: Page, line: number, column: number): Promise<void> {
  await page.waitForSelector('.quick-input-widget', { state: 'hidden', timeout: 15_000 });
  await page.keyboard.press('Control+G');
  // Go to Line is the quick input in ':' mode; typing before it is would go to another picker.
  const input = page.locator('.quick-input-widget input').first();
  await input.waitFor({ state: 'visible', timeout: 15_000 });
  const mode = await waitFor(() => input.inputValue(), (value) => value.startsWith(':'), 15_000);
  if (!mode.startsWith(':')) throw new Error(`Go to Line did not open (the quick input holds "${mode}")`);
  await page.keyboard.type(`${line}:${column}`, { delay: 10 });
  await page.keyboard.press('Enter');
  await page.waitForSelector('.quick-input-widget', { state: 'hidden', timeout: 15_000 });
}

/** The rows the Problems panel shows (it is a virtual list: only those in view). */
export async function problemRows(page: Page): Promise<string[]> {
  return page.locator('.markers-panel .monaco-list-row').allInnerTexts();
}

/** The counts the status bar shows for the workspace: errors, warnings, infos. */
export async function problemCounts(page: Page): Promise<{ errors: number; warnings: number; infos: number }> {
  const label = (await page.locator('#status\\.problems').first().getAttribute('aria-label')) ?? '';
  // "Errors: 9, Warnings: 6, Infos: 1", or "No Problems".
  const number = (name: string): number => Number(new RegExp(`${name}s?: (\\d+)`, 'i').exec(label)?.[1] ?? 0);
  return { errors: number('error'), warnings: number('warning'), infos: number('info') };
}

/** Opens the command palette and returns the titles it offers for `text` (typed after the `>`). */
export async function paletteMatches(page: Page, text: string): Promise<string[]> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 15_000 });
  await input.fill(`>${text}`);
  const rows = page.locator('.quick-input-list .monaco-list-row');
  try {
    await rows.filter({ hasText: text }).first().waitFor({ timeout: 10_000 });
  } catch {
    // none: the caller reports what was offered
  }
  const offered = await rows.allInnerTexts();
  await page.keyboard.press('Escape');
  return offered;
}

/** Polls `read` until `done` holds for its value (or the time is up); returns the last value. */
export async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, timeout = 30_000): Promise<T> {
  const deadline = Date.now() + timeout;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    value = await read();
  }
  return value;
}

/**
 * In the open Quick Fix list, moves to the first action whose title contains `text` and applies
 * it with Enter (the list's overlay takes mouse clicks).
 */
export async function chooseAction(page: Page, text: string): Promise<void> {
  const actions = page.locator('.action-widget .monaco-list-row.action');
  await actions.filter({ hasText: text }).first().waitFor({ timeout: 15_000 });
  const count = await actions.count();
  for (let step = 0; step <= count; step++) {
    const focused = (await page.locator('.action-widget .monaco-list-row.action.focused').allInnerTexts())[0] ?? '';
    if (focused.includes(text)) {
      await page.keyboard.press('Enter');
      return;
    }
    await page.keyboard.press('ArrowDown');
  }
  throw new Error(`no quick fix "${text}" in ${JSON.stringify(await actions.allInnerTexts())}`);
}

/** Runs a command by its palette title. */
export async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 15_000 });
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 15_000 });
  await page.keyboard.press('Enter');
}

/** Waits for a notification containing `text`; returns its text once it has slid in (for screenshots). */
export async function waitForToast(page: Page, text: string, timeout = 30_000): Promise<string> {
  const toast = page.locator('.notifications-toasts .notification-toast', { hasText: text }).first();
  await toast.waitFor({ timeout });
  await page.waitForTimeout(800);
  return toast.innerText();
}

/** The problem counts once they have stayed the same for a second (validation after an edit is done). */
export async function settledCounts(page: Page, timeout = 30_000): Promise<Awaited<ReturnType<typeof problemCounts>>> {
  const deadline = Date.now() + timeout;
  let last = JSON.stringify(await problemCounts(page));
  for (;;) {
    await page.waitForTimeout(1_000);
    const now = JSON.stringify(await problemCounts(page));
    if (now === last || Date.now() > deadline) return JSON.parse(now);
    last = now;
  }
}

/** The text the active editor shows (its visible lines). */
export async function editorText(page: Page): Promise<string> {
  return (await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().innerText()).replace(/\u00a0/g, ' ');
}

/**
 * Answers the quick input (pick or input box) whose title contains `title`: types `typed` if given,
 * then Enter, repeated while the same prompt stays (code-server's file dialog may first complete the path).
 */
export async function answer(page: Page, title: string, typed?: string): Promise<void> {
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

/** The .vsix under test: the one $ALMA_SIS_VSIX names, else packaged now from dist/ into `folder`. */
export function vsixUnderTest(root: string, folder: string): string {
  const given = process.env.ALMA_SIS_VSIX;
  if (given !== undefined) return given;
  const vsix = join(folder, 'alma-sis-toolkit.vsix');
  execFileSync(process.execPath, [join(root, 'scripts', 'package.mjs'), '--out', vsix], { cwd: root, stdio: 'pipe' });
  return vsix;
}

export interface Editor {
  server: CodeServer;
  browser: Browser;
}

/** The .vsix under test installed in code-server on `folder`, and Chromium showing its workbench. */
export async function openEditor(options: { root: string; work: string; folder: string; settings?: Record<string, unknown> }): Promise<Editor> {
  const vsix = vsixUnderTest(options.root, options.work);
  console.log(`# .vsix ${(statSync(vsix).size / 1024).toFixed(0)} KB`);
  const server = await startCodeServer({ folder: options.folder, vsix, settings: options.settings });
  let browser: Browser;
  try {
    browser = await launchBrowser();
    await openWorkbench(browser.page, server.url, options.folder);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return { server, browser };
}

/**
 * Saves what the page shows (the state at the end, or at a failure) as `screenshot`, then closes
 * Chromium and code-server and removes `work`. Each part may be missing (the test skipped, or
 * failed on the way).
 */
export async function closeEditor(editor: Partial<Editor> | undefined, screenshot: string, work?: string): Promise<void> {
  try {
    if (editor?.browser !== undefined) {
      mkdirSync(dirname(screenshot), { recursive: true });
      await editor.browser.page.screenshot({ path: screenshot }).catch(() => undefined);
    }
  } finally {
    await editor?.browser?.close();
    await editor?.server?.stop();
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  }
}

/** The value the quick input titled `title` holds once it has stayed the same for a moment (a file dialog fills its path in late). */
export async function promptValue(page: Page, title: string): Promise<string> {
  const widget = page.locator('.quick-input-widget');
  await widget.locator('.quick-input-title', { hasText: title }).first().waitFor({ state: 'visible', timeout: 30_000 });
  const input = widget.locator('input').first();
  let value = await input.inputValue();
  for (let i = 0; i < 20; i++) {
    await page.waitForTimeout(250);
    const now = await input.inputValue();
    if (now === value && now !== '') return now;
    value = now;
  }
  return value;
}

/** The explorer's first row whose label contains `name` (a file or folder shown in the workspace's tree). */
export function explorerRow(page: Page, name: string): Locator {
  return page.locator('.explorer-folders-view .monaco-list-row', { hasText: name }).first();
}

/**
 * Selects the explorer's rows for `names`: a click on the first (which opens it), Ctrl+click on the
 * others once its editor is open (the explorer selects the active editor's file when it opens,
 * which would drop a selection made before).
 */
export async function selectInExplorer(page: Page, names: readonly string[]): Promise<void> {
  await explorerRow(page, names[0]).click();
  await page.locator('.tabs-container .tab.active', { hasText: names[0] }).first().waitFor({ timeout: 15_000 });
  await page.waitForTimeout(500);
  for (const name of names.slice(1)) await explorerRow(page, name).click({ modifiers: ['Control'] });
  const selected = page.locator('.explorer-folders-view .monaco-list-row.selected');
  const count = await waitFor(() => selected.count(), (n) => n === names.length, 15_000);
  if (count !== names.length) throw new Error(`${count} rows selected in the explorer, not ${names.length}`);
}

/**
 * Right-clicks `target` and chooses `item` in its context menu (VS Code draws it in the page, in a
 * shadow root Playwright looks into). The menu is opened again while the item is not in it: an
 * extension's entries are there only once the workbench has read its contributions.
 */
export async function chooseFromContextMenu(page: Page, target: Locator, item: string): Promise<void> {
  const items = page.locator('.context-view .monaco-menu .action-item');
  for (let attempt = 0; attempt < 10; attempt++) {
    await target.click({ button: 'right' });
    await items.first().waitFor({ timeout: 15_000 });
    const entry = items.filter({ hasText: item }).first();
    if (await entry.isVisible()) {
      // The menu ignores a click that comes as it opens (the right-click's own mouse-up must not choose).
      await entry.hover();
      await page.waitForTimeout(300);
      await entry.click();
      await items.first().waitFor({ state: 'hidden', timeout: 15_000 });
      return;
    }
    await page.keyboard.press('Escape');
    await page.waitForTimeout(1_000);
  }
  throw new Error(`no "${item}" in the context menu: ${JSON.stringify(await items.allInnerTexts())}`);
}
