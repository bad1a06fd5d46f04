import * as path from 'node:path';
import * as vscode from 'vscode';
import { State } from 'vscode-languageclient/node';
import { ValidateFileOnDiskRequest, type ValidateFileOnDiskResult } from '../../server/src/protocol/messages';
import { followServerProgress, isCancelled, errorText, shown } from './commands/commandSupport';
import { VALIDATE_ON_DISK } from './commands/serverCommandIds';
import { formatDiskStatus, mayBeHeldBack, unsyncedXmlFiles, type DiskCheckState, type TabFile } from './diskTabs';
import type { AlmaServer } from './serverAccess';

/** One file open in a tab that extensions are not given: validated from disk instead. */
interface HeldBackFile {
  uri: vscode.Uri;
  state?: DiskCheckState;
  /** Not validated since it was opened or last changed on disk. */
  stale: boolean;
  /** Saving the file in VS Code writes it to disk: the only sign of an edit extensions get. */
  watcher: vscode.Disposable;
  changeTimer?: ReturnType<typeof setTimeout>;
}

interface Run {
  key: string;
  source: vscode.CancellationTokenSource;
}

/** Tab events come in bursts (a file opening moves several tabs); and a small file's document arrives just after its tab. */
const SETTLE_MS = 500;

/** A big file is written in many pieces: it is read once the writes have stopped for this long. */
const WRITE_SETTLE_MS = 1000;

/**
 * Files too big for VS Code to give extensions (over 50 MB): no document, no diagnostics, no
 * status, unless someone looks at the tabs. Each such Alma file in a tab is validated from disk by
 * the language server (streaming, with the files before it in its folder) when its tab opens and
 * when it is written, its problems published on it, and a status bar item stands in for the
 * language status (which needs an active text editor these tabs do not have).
 *
 * One check runs at a time, with its progress in the status bar: a check that starts cancels the
 * one under way, whose file is checked again after it. Validate File on Disk goes through here too.
 */
export class DiskChecks implements vscode.Disposable {
  private readonly files = new Map<string, HeldBackFile>();
  private readonly item = vscode.window.createStatusBarItem('alma-sis.diskStatus', vscode.StatusBarAlignment.Right, 100);
  private readonly disposables: vscode.Disposable[] = [];
  private running: Run | undefined;
  private settleTimer: ReturnType<typeof setTimeout> | undefined;
  /** Tab files found too small to be held back, until their tab closes (then asked again). */
  private readonly small = new Set<string>();
  private looking = Promise.resolve();
  /** The server has been running once: running again, it is a restarted one. */
  private hasRun = false;

  constructor(
    private readonly server: AlmaServer,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.item.name = 'Alma SIS (file checked from disk)';
    this.disposables.push(
      this.item,
      vscode.window.tabGroups.onDidChangeTabs(() => this.tabsChanged()),
      vscode.window.tabGroups.onDidChangeTabGroups(() => this.tabsChanged()),
      vscode.workspace.onDidOpenTextDocument((document) => this.documentOpened(document)),
      vscode.workspace.onDidCloseTextDocument(() => this.tabsChanged()),
      server.client.onDidChangeState((change) => this.serverStateChanged(change.newState)),
    );
    this.tabsChanged();
  }

  /**
   * Validate File on Disk: `uri` checked now, with a notification to follow and cancel; what it
   * found also shows in the status when the file is one of the tabs held back. Undefined when it
   * was cancelled.
   */
  async validate(uri: vscode.Uri): Promise<ValidateFileOnDiskResult | undefined> {
    return this.run(uri.toString(), uri, 'asked');
  }

  /** Everything checked again: the settings changed (they may decide other problems), or the server restarted. */
  checkAgain(): void {
    for (const file of this.files.values()) file.stale = true;
    this.next();
  }

  /** A restarted server starts without the problems the last one published: they are found again. */
  private serverStateChanged(state: State): void {
    if (state !== State.Running) return;
    if (this.hasRun) this.checkAgain();
    this.hasRun = true;
  }

  private tabsChanged(): void {
    this.show();
    if (this.settleTimer !== undefined) clearTimeout(this.settleTimer);
    this.settleTimer = setTimeout(() => {
      this.settleTimer = undefined;
      // One look at a time: a look waits for file sizes, and the next must see what it added.
      this.looking = this.looking.then(() => this.lookAtTabs()).catch((error: unknown) => this.log.error(`looking at the tabs: ${String(error)}`));
    }, SETTLE_MS);
  }

  private async lookAtTabs(): Promise<void> {
    const synced = new Set(vscode.workspace.textDocuments.map((d) => d.uri.toString()));
    const tabs = unsyncedXmlFiles(allTabFiles(), synced);
    const open = new Set(tabs.map((t) => t.uri));
    for (const key of [...this.files.keys()]) if (!open.has(key)) this.forget(key);
    for (const key of [...this.small]) if (!open.has(key)) this.small.delete(key);
    const added: string[] = [];
    for (const tab of tabs) {
      if (this.files.has(tab.uri) || this.small.has(tab.uri)) continue;
      const uri = vscode.Uri.parse(tab.uri);
      const size = await vscode.workspace.fs.stat(uri).then((s) => s.size, () => undefined);
      if (size === undefined || !mayBeHeldBack(size)) {
        if (size !== undefined) this.small.add(tab.uri);
        continue;
      }
      // Its document may have come, or its tab gone, while the size was read.
      if (this.files.has(tab.uri) || vscode.workspace.textDocuments.some((d) => d.uri.toString() === tab.uri)) continue;
      this.files.set(tab.uri, { uri, stale: true, watcher: this.watch(uri, tab.uri) });
      this.log.info(`${uri.fsPath}: ${(size / 1048576).toFixed(0)} MB, not given to extensions; validated from disk`);
      added.push(tab.uri);
    }
    if (added.length === 0) return;
    const active = activeTabFile()?.uri;
    const first = active !== undefined && added.includes(active) ? active : added[0];
    // The tab just opened comes before a check already under way.
    if (this.running?.key !== first) void this.check(first);
  }

  private watch(uri: vscode.Uri, key: string): vscode.Disposable {
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(path.dirname(uri.fsPath)), path.basename(uri.fsPath)));
    const written = (): void => {
      const file = this.files.get(key);
      if (file === undefined) return;
      file.stale = true;
      if (file.changeTimer !== undefined) clearTimeout(file.changeTimer);
      file.changeTimer = setTimeout(() => {
        file.changeTimer = undefined;
        if (this.files.get(key) === file) void this.check(key);
      }, WRITE_SETTLE_MS);
    };
    watcher.onDidChange(written);
    watcher.onDidCreate(written);
    return watcher;
  }

  private forget(key: string): void {
    const file = this.files.get(key);
    if (file === undefined) return;
    this.files.delete(key);
    file.watcher.dispose();
    if (file.changeTimer !== undefined) clearTimeout(file.changeTimer);
    if (this.running?.key === key) this.running.source.cancel();
  }

  /** A held-back file's document came after all (a file under 50 MB opened with Open Anyway): the editor's validation takes over. */
  private documentOpened(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    if (this.files.has(key)) {
      this.forget(key);
      this.show();
    }
  }

  private check(key: string): Promise<ValidateFileOnDiskResult | undefined> {
    const file = this.files.get(key);
    return file === undefined ? Promise.resolve(undefined) : this.run(key, file.uri, 'opened');
  }

  /** The next file that waits for a check: the active tab's first. */
  private next(): void {
    if (this.running !== undefined) return;
    const active = activeTabFile()?.uri;
    const waiting = [...this.files.entries()].filter(([, file]) => file.stale).map(([key]) => key);
    const key = active !== undefined && waiting.includes(active) ? active : waiting[0];
    if (key !== undefined) void this.check(key);
  }

  private async run(key: string, uri: vscode.Uri, how: 'opened' | 'asked'): Promise<ValidateFileOnDiskResult | undefined> {
    this.running?.source.cancel();
    const run: Run = { key, source: new vscode.CancellationTokenSource() };
    this.running = run;
    const file = this.files.get(key);
    const before = file?.state;
    if (file !== undefined) {
      file.stale = false;
      file.state = { kind: 'checking', last: before?.kind === 'checked' ? before : before?.kind === 'checking' ? before.last : undefined };
    }
    this.show();
    const name = path.basename(uri.fsPath);
    // A newer check of the same file owns its state: this one's outcome is out of date.
    const superseded = (): boolean => this.running !== run && this.running?.key === key;
    try {
      const result = await this.progress(how, name, run.source.token, (token, workDoneToken) =>
        // Only a check nobody asked for by name leaves another kind of XML file alone.
        this.server.request(ValidateFileOnDiskRequest, { uri: this.server.uri(uri), workDoneToken, ...(how === 'opened' ? { onlyAlma: true } : {}) }, token),
      );
      if (file !== undefined && this.files.get(key) === file && !file.stale && !superseded()) {
        file.state = result.notAlma ? { kind: 'not-alma' } : { kind: 'checked', result, at: new Date() };
      }
      if (!result.notAlma) this.log.info(`${uri.fsPath} checked from disk: ${result.users} users, ${result.errors} errors, ${result.warnings} warnings, ${result.infos} infos in ${result.ms} ms`);
      return result;
    } catch (error) {
      if (isCancelled(error) || run.source.token.isCancellationRequested) {
        // Cancelled by a check of another file that started after it: this file waits its turn again.
        if (file !== undefined && this.files.get(key) === file && !superseded()) {
          file.stale = true;
          file.state = before;
        }
        this.log.info(`${uri.fsPath}: check from disk cancelled`);
        return undefined;
      }
      if (file !== undefined && this.files.get(key) === file && !superseded()) file.state = { kind: 'failed', message: errorText(error), at: new Date() };
      this.log.error(`${uri.fsPath}: could not check it from disk: ${errorText(error)}`);
      if (how === 'asked') throw error;
      return undefined;
    } finally {
      run.source.dispose();
      if (this.running === run) this.running = undefined;
      this.show();
      this.next();
    }
  }

  /**
   * The server's progress: in the status bar for the checks that come by themselves, in a
   * notification with Cancel for Validate File on Disk. Either ends when `token` is cancelled.
   */
  private progress<T>(how: 'opened' | 'asked', name: string, token: vscode.CancellationToken, work: (token: vscode.CancellationToken, workDoneToken: string) => Promise<T>): Thenable<T> {
    const options: vscode.ProgressOptions = how === 'asked'
      ? { location: vscode.ProgressLocation.Notification, title: shown(`Alma SIS: validating ${name} on disk`), cancellable: true }
      : { location: vscode.ProgressLocation.Window, title: `Alma SIS: checking ${name} from disk` };
    return vscode.window.withProgress(options, async (progress, shownToken) => {
      const both = new vscode.CancellationTokenSource();
      const links = [token.onCancellationRequested(() => both.cancel()), shownToken.onCancellationRequested(() => both.cancel())];
      if (token.isCancellationRequested) both.cancel();
      const followed = followServerProgress(this.server, progress);
      try {
        return await work(both.token, followed.workDoneToken);
      } finally {
        followed.dispose();
        for (const link of links) link.dispose();
        both.dispose();
      }
    });
  }

  /** The status bar item, while the active tab is a file checked from disk. */
  private show(): void {
    const active = activeTabFile();
    const file = active === undefined ? undefined : this.files.get(active.uri);
    const status = file?.state === undefined ? undefined : formatDiskStatus(file.state);
    if (file === undefined || status === undefined) {
      this.item.hide();
      return;
    }
    this.item.text = status.text;
    this.item.tooltip = status.tooltip;
    this.item.command = { title: 'Validate File on Disk', command: VALIDATE_ON_DISK, arguments: [file.uri] };
    this.item.show();
  }

  dispose(): void {
    if (this.settleTimer !== undefined) clearTimeout(this.settleTimer);
    this.running?.source.cancel();
    for (const key of [...this.files.keys()]) this.forget(key);
    for (const disposable of this.disposables) disposable.dispose();
  }
}

function tabFileOf(tab: vscode.Tab | undefined): TabFile | undefined {
  const input = tab?.input;
  if (!(input instanceof vscode.TabInputText)) return undefined;
  return { uri: input.uri.toString(), scheme: input.uri.scheme, path: input.uri.path };
}

function allTabFiles(): (TabFile | undefined)[] {
  return vscode.window.tabGroups.all.flatMap((group) => group.tabs.map(tabFileOf));
}

function activeTabFile(): TabFile | undefined {
  return tabFileOf(vscode.window.tabGroups.activeTabGroup.activeTab);
}

/** The file of the active group's active tab: where the person looks, whether or not it has a text editor. */
export function activeTabUri(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  return input instanceof vscode.TabInputText ? input.uri : undefined;
}
