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
  await recordQuickInput(page);
  await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 60_000 });
}

/** What the quick input shows: its title, its value, its placeholder and its first rows. */
export interface QuickInputView {
  title: string;
  value: string;
  placeholder: string;
  rows: string[];
}

/** The little of the browser's DOM that the functions run in the page use (the project compiles without the DOM library). */
interface PageElement {
  readonly innerText: string;
  readonly value?: string;
  readonly placeholder?: string;
  /** An input's type: 'password' for a password box, whose value is never read. */
  readonly type?: string;
  getBoundingClientRect(): { width: number; height: number };
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): ArrayLike<PageElement>;
}

interface PageWindow {
  document: PageElement;
  getComputedStyle(element: PageElement): { visibility: string };
  /** What recordQuickInput keeps. */
  almaSisQuickInputLog?: string[];
}

/**
 * The quick input as it is now, undefined when it is hidden. Read in the page in one go: the
 * widget may change between the reads of several locators.
 */
export async function quickInputView(page: Page): Promise<QuickInputView | undefined> {
  return page.evaluate(() => {
    const win = globalThis as unknown as PageWindow;
    const widget = win.document.querySelector('.quick-input-widget');
    if (widget === null) return undefined;
    const box = widget.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || win.getComputedStyle(widget).visibility === 'hidden') return undefined;
    const input = widget.querySelector('input');
    const rows = Array.from(widget.querySelectorAll('.quick-input-list .monaco-list-row')).slice(0, 5);
    return {
      title: widget.querySelector('.quick-input-title')?.innerText.trim() ?? '',
      value: input?.type === 'password' ? '(a password)' : input?.value ?? '',
      placeholder: input?.placeholder ?? '',
      rows: rows.map((row) => row.innerText.replace(/\s+/g, ' ').trim()),
    };
  });
}

function describeView(view: QuickInputView | undefined): string {
  if (view === undefined) return 'no quick input';
  const parts = [`title "${view.title}"`, `value "${view.value}"`];
  if (view.placeholder !== '') parts.push(`placeholder "${view.placeholder}"`);
  if (view.rows.length > 0) parts.push(`rows ${JSON.stringify(view.rows)}`);
  return `the quick input (${parts.join(', ')})`;
}

/**
 * Keeps, in the page, what the quick input showed each time it changed (the last 40 states, with
 * the time), so that an error can say what was open before, not only what is open now.
 */
async function recordQuickInput(page: Page): Promise<void> {
  await page.evaluate(() => {
    const win = globalThis as unknown as PageWindow;
    const log: string[] = [];
    win.almaSisQuickInputLog = log;
    let last = '';
    const start = Date.now();
    setInterval(() => {
      const widget = win.document.querySelector('.quick-input-widget');
      let now = 'hidden';
      if (widget !== null && widget.getBoundingClientRect().height > 0) {
        const title = widget.querySelector('.quick-input-title')?.innerText.trim() ?? '';
        const input = widget.querySelector('input');
        const value = input?.type === 'password' ? '(a password)' : input?.value ?? '';
        now = `title "${title}", value "${value}", placeholder "${input?.placeholder ?? ''}"`;
      }
      if (now === last) return;
      last = now;
      log.push(`${((Date.now() - start) / 1000).toFixed(1)} s: ${now}`);
      if (log.length > 40) log.shift();
    }, 100);
  });
}

/**
 * What the page shows that a waiting test may be missing: the quick input (and what it showed
 * lately), the notifications and a dialog. For error messages.
 */
export async function describeScreen(page: Page): Promise<string> {
  try {
    const view = await quickInputView(page);
    const { history, toasts, dialog } = await page.evaluate(() => {
      const win = globalThis as unknown as PageWindow;
      const toastElements = win.document.querySelectorAll('.notifications-toasts .notification-toast');
      return {
        history: win.almaSisQuickInputLog ?? [],
        toasts: Array.from(toastElements).map((t) => t.innerText.replace(/\s+/g, ' ').trim()),
        dialog: win.document.querySelector('.monaco-dialog-box')?.innerText.replace(/\s+/g, ' ').trim() ?? '',
      };
    });
    const lines = [`now ${describeView(view)}`];
    lines.push(toasts.length > 0 ? `notifications: ${JSON.stringify(toasts)}` : 'no notifications');
    if (dialog !== '') lines.push(`dialog: "${dialog}"`);
    if (history.length > 0) lines.push(`the quick input lately (seconds since the workbench loaded):\n    ${history.join('\n    ')}`);
    return lines.join('\n  ');
  } catch (error) {
    return `(the page could not be read: ${(error as Error).message})`;
  }
}

/**
 * Closes any quick input left open (a picker still closing, a prompt from before) with Escape,
 * until it stays hidden. The quick input closes on Escape only while it has the focus, so its
 * input is focused first. Says on the test's output what it closed; throws, saying what it showed,
 * if it does not close.
 */
export async function dismissQuickInput(page: Page, timeout = 15_000): Promise<void> {
  await closeQuickInput(page, timeout, (seen) => console.log(`# closed a quick input left open: ${seen.join('; then ')}`));
}

async function closeQuickInput(page: Page, timeout: number, closed?: (seen: string[]) => void): Promise<void> {
  const deadline = Date.now() + timeout;
  const seen: string[] = [];
  for (;;) {
    const view = await quickInputView(page);
    if (view === undefined) {
      if (seen.length > 0) closed?.(seen);
      return;
    }
    const text = describeView(view);
    if (!seen.includes(text)) seen.push(text);
    if (Date.now() > deadline) {
      throw new Error(`the quick input did not close with Escape; it showed ${seen.join('; then ')}\n  ${await describeScreen(page)}`);
    }
    await page.locator('.quick-input-widget input').first().focus({ timeout: 1_000 }).catch(() => undefined);
    await page.keyboard.press('Escape');
    await page.locator('.quick-input-widget').first().waitFor({ state: 'hidden', timeout: 1_000 }).catch(() => undefined);
  }
}

/** Waits for `locator`; on a timeout, the error says what the page showed instead. */
async function waitOrExplain(page: Page, locator: Locator, what: string, timeout: number): Promise<void> {
  try {
    await locator.waitFor({ timeout });
  } catch (error) {
    if (page.isClosed()) throw error;
    throw new Error(`${what} did not show within ${timeout / 1000} s\n  ${await describeScreen(page)}`);
  }
}

/** The quick input once `accepts` holds for it (Go to Line's ':', the palette's '>'), or undefined when it does not in time. */
async function openQuickInput(page: Page, accepts: (view: QuickInputView) => boolean, timeout: number): Promise<QuickInputView | undefined> {
  const view = await waitFor(() => quickInputView(page), (v) => v !== undefined && accepts(v), timeout);
  return view !== undefined && accepts(view) ? view : undefined;
}

/**
 * Opens the quick input with `key` and types `text` into it, after closing whatever quick input
 * was open; `accepts` recognises the mode `key` opens (Go to Line's ':', the palette's '>').
 * Returns why it did not get there, or undefined. The quick input closes when it loses the focus:
 * a new editor taking the focus closes it a moment after it opened (seen after Generate Sample).
 */
async function typeInQuickInput(page: Page, key: string, accepts: (view: QuickInputView) => boolean, text: string): Promise<string | undefined> {
  await dismissQuickInput(page);
  await page.keyboard.press(key);
  const opened = await openQuickInput(page, accepts, 15_000);
  if (opened === undefined) return `${key} did not open it (${describeView(await quickInputView(page))})`;
  // A busy page may take seconds to take the text: what counts is whether the input holds it.
  await page.locator('.quick-input-widget input').first().fill(text, { timeout: 15_000 }).catch(() => undefined);
  const view = await quickInputView(page);
  return view?.value === text ? undefined : `it did not keep "${text}" (${describeView(view)})`;
}

/**
 * Runs `attempt` until it succeeds (it returns undefined), three times at most; says on the test's
 * output why an attempt failed, and throws with all the reasons and what the page shows.
 */
async function retried(page: Page, what: string, attempt: () => Promise<string | undefined>): Promise<void> {
  const failures: string[] = [];
  for (let i = 1; i <= 3; i++) {
    const failure = await attempt();
    if (failure === undefined) return;
    failures.push(failure);
    console.log(`# ${what}, attempt ${i}: ${failure}`);
  }
  throw new Error(`${what} failed three times:\n  ${failures.join('\n  ')}\n  ${await describeScreen(page)}`);
}

/** Opens `fileName` with Quick Open (Ctrl+P); returns once its editor is active and the picker closed. */
export async function quickOpen(page: Page, fileName: string): Promise<void> {
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: fileName }).first();
  // The active tab of the active group: the file may be open, and active, in another group too.
  const tab = page.locator('.editor-group-container.active .tabs-container .tab.active', { hasText: fileName }).first();
  await retried(page, `Quick Open ${fileName}`, async () => {
    // Quick Open for files has no title and no prefix ('>' is the palette, ':' Go to Line).
    const failure = await typeInQuickInput(page, 'Control+P', (v) => v.title === '' && !/^[>:@#%]/.test(v.value), fileName);
    if (failure !== undefined) return failure;
    // The file search runs ripgrep: slow on a loaded machine.
    if (!(await row.waitFor({ timeout: 30_000 }).then(() => true, () => false))) return `no row for it (${describeView(await quickInputView(page))})`;
    if ((await quickInputView(page))?.value !== fileName) return `the picker closed or changed (${describeView(await quickInputView(page))})`;
    await page.keyboard.press('Enter');
    if (!(await tab.waitFor({ timeout: 15_000 }).then(() => true, () => false))) {
      // Seen on loaded machines: the file opened (or was open already) but its group did not become
      // the active one. A click on its tab makes it so; the file's own tab, not a "Dry-run: …" one.
      const anyTab = page.locator('.tabs-container .tab', { has: page.locator('.label-name', { hasText: new RegExp(`^${fileName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }) }).first();
      if (!(await anyTab.isVisible())) return 'its tab did not become the active one (and no tab of it shows)';
      await anyTab.click();
      if (!(await tab.waitFor({ timeout: 15_000 }).then(() => true, () => false))) return 'its tab did not become the active one, even clicked';
    }
    // The picker may still be closing when the tab appears: a key pressed then would go to it.
    await dismissQuickInput(page);
    return undefined;
  });
}

/** The cursor's position as the status bar shows it ("Ln 12, Col 10"), or '' when it shows none. */
async function statusBarPosition(page: Page): Promise<string> {
  const item = page.locator('#status\\.editor\\.selection').first();
  return (await item.isVisible()) ? (await item.innerText()).trim() : '';
}

/**
 * Moves the cursor of the active editor to a 1-based line and column (Go to Line), and checks that
 * it is there and that the editor has the focus (for what is typed next). Go to Line opened on an editor whose text is still loading (the tab shows first)
 * offers "Type a line number to navigate to." and ignores Enter, staying open: so it waits for the
 * status bar's "Ln, Col", which shows once the editor has its text.
 */
export async function goToPosition(page: Page, line: number, column: number): Promise<void> {
  const wanted = `Ln ${line}, Col ${column}`;
  const ready = await waitFor(() => statusBarPosition(page), (position) => position.startsWith('Ln '), 30_000);
  if (!ready.startsWith('Ln ')) throw new Error(`no editor with its text to go to ${wanted} in\n  ${await describeScreen(page)}`);
  await retried(page, `Go to Line ${line}:${column}`, async () => {
    // Go to Line is the quick input in ':' mode: what is typed before it is would go to another picker.
    const failure = await typeInQuickInput(page, 'Control+G', (v) => v.value.startsWith(':'), `:${line}:${column}`);
    if (failure !== undefined) return failure;
    await page.keyboard.press('Enter');
    await dismissQuickInput(page);
    const now = await waitFor(() => statusBarPosition(page), (position) => position.startsWith(wanted), 10_000);
    if (!now.startsWith(wanted)) return `the cursor is at "${now}"`;
    // The editor takes the focus back a moment after Go to Line closes: keys typed before go nowhere.
    const focused = page.locator('.editor-group-container.active .monaco-editor.focused').first();
    return (await focused.waitFor({ timeout: 10_000 }).then(() => true, () => false)) ? undefined : 'the editor did not take the focus back';
  });
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
  await retried(page, 'the command palette', () => typeInQuickInput(page, 'F1', (v) => v.value.startsWith('>'), `>${text}`));
  const rows = page.locator('.quick-input-list .monaco-list-row');
  try {
    await rows.filter({ hasText: text }).first().waitFor({ timeout: 10_000 });
  } catch {
    // none: the caller reports what was offered
  }
  const offered = await rows.allInnerTexts();
  await closeQuickInput(page, 15_000);
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

/**
 * Runs a command by its palette title: in the palette ('>' mode), once its row shows and is the
 * one chosen. Tried again from the start while the command has not run (the palette closed
 * before, or the row did not show); never once it has.
 */
export async function runCommand(page: Page, title: string): Promise<void> {
  const typed = `>${title}`;
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
  await retried(page, `the command "${title}"`, async () => {
    const failure = await typeInQuickInput(page, 'F1', (v) => v.value.startsWith('>'), typed);
    if (failure !== undefined) return failure;
    if (!(await row.waitFor({ timeout: 15_000 }).then(() => true, () => false))) return `no row for it (${describeView(await quickInputView(page))})`;
    if ((await quickInputView(page))?.value !== typed) return `the palette closed or changed (${describeView(await quickInputView(page))})`;
    const focused = page.locator('.quick-input-list .monaco-list-row.focused', { hasText: title });
    if ((await focused.count()) > 0) await page.keyboard.press('Enter');
    else await row.click();
    // The palette closes as it runs the command (which may open a quick input of its own).
    const left = await waitFor(() => quickInputView(page), (v) => v?.value !== typed, 15_000);
    if (left?.value === typed) throw new Error(`the command palette did not run "${title}"\n  ${await describeScreen(page)}`);
    return undefined;
  });
}

/** Waits for a notification containing `text`; returns its text once it has slid in (for screenshots). */
export async function waitForToast(page: Page, text: string, timeout = 60_000): Promise<string> {
  const toast = page.locator('.notifications-toasts .notification-toast', { hasText: text }).first();
  await waitOrExplain(page, toast, `the notification "${text}"`, timeout);
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
 * How long a prompt may take to show after the step that asks for it: the extension may still be
 * activating, or reading the configuration, on a machine that runs other tests too.
 */
const PROMPT_TIMEOUT = 90_000;

/** Waits for the quick input titled `title` (a prompt of the extension, or code-server's file dialog); the error says what showed instead. */
export async function waitForPrompt(page: Page, title: string, timeout = PROMPT_TIMEOUT): Promise<void> {
  await waitOrExplain(page, page.locator('.quick-input-widget .quick-input-title', { hasText: title }).first(), `the prompt "${title}"`, timeout);
}

/**
 * Answers the quick input (pick or input box) whose title contains `title`: types `typed` if given,
 * then Enter, repeated while the same prompt stays (code-server's file dialog may first complete the path).
 */
export async function answer(page: Page, title: string, typed?: string): Promise<void> {
  const widget = page.locator('.quick-input-widget');
  const current = widget.locator('.quick-input-title', { hasText: title }).first();
  await waitForPrompt(page, title);
  if (typed !== undefined) {
    // code-server's file dialog fills in its folder a moment after it shows: type until the value stays.
    const input = widget.locator('input').first();
    for (let i = 0, kept = 0; i < 20 && kept < 2; i++) {
      if ((await input.inputValue()) !== typed) {
        await input.fill(typed);
        kept = 0;
      } else {
        kept++;
      }
      await page.waitForTimeout(300);
    }
    if ((await input.inputValue()) !== typed) throw new Error(`the prompt "${title}" did not keep "${typed}"\n  ${await describeScreen(page)}`);
  }
  for (let i = 0; i < 3; i++) {
    await page.keyboard.press('Enter');
    // A loaded machine may take seconds to accept: Enter again only when the prompt stays.
    const gone = await current.waitFor({ state: 'hidden', timeout: 5_000 }).then(() => true, () => false);
    if (gone) return;
  }
  throw new Error(`the prompt "${title}" did not accept the answer\n  ${await describeScreen(page)}`);
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
 * Saves what the page shows (the state at the end, or at a failure) as `screenshot`, and beside it
 * (.txt) what the quick input and the notifications showed; then closes Chromium and code-server
 * and removes `work`. Each part may be missing (the test skipped, or failed on the way).
 */
export async function closeEditor(editor: Partial<Editor> | undefined, screenshot: string, work?: string): Promise<void> {
  try {
    if (editor?.browser !== undefined) {
      mkdirSync(dirname(screenshot), { recursive: true });
      await editor.browser.page.screenshot({ path: screenshot }).catch(() => undefined);
      writeFileSync(screenshot.replace(/\.png$/, '') + '.txt', `${await describeScreen(editor.browser.page)}\n`);
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
  await waitForPrompt(page, title);
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
