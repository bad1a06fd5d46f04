import * as path from 'node:path';
import * as vscode from 'vscode';
import { DidChangeWatchedFilesNotification, FileChangeType, type LanguageClient } from 'vscode-languageclient/node';
import { codeTablesFilesOf } from './configFiles';
import { watchTargets, type ClientSettings, type WatchTarget } from './settings';

/**
 * Tells the server when a configuration or code-tables file changes. The set of files depends on
 * the settings and on what the configurations name, so the watchers are rebuilt when either
 * changes (the language client's own `synchronize.fileEvents` is fixed at start).
 */
export class ServerFileWatchers implements vscode.Disposable {
  private watchers: vscode.FileSystemWatcher[] = [];
  private key = '';

  constructor(
    private readonly client: LanguageClient,
    private readonly settings: () => ClientSettings,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  async refresh(): Promise<void> {
    const settings = this.settings();
    const configs = await this.configFiles(settings);
    const targets = watchTargets(settings, await codeTablesFilesOf(configs));
    const key = JSON.stringify(targets);
    if (key === this.key) return;
    this.key = key;
    this.disposeWatchers();
    this.watchers = targets.map((target) => this.watch(target));
    this.log.info(`watching ${targets.map((t) => (t.base ? path.join(t.base, t.pattern) : t.pattern)).join(', ')}`);
  }

  private async configFiles(settings: ClientSettings): Promise<string[]> {
    const found = await vscode.workspace.findFiles('**/alma-sis.config.json', '**/node_modules/**', 50);
    const paths = found.map((uri) => uri.fsPath);
    if (settings.configPath !== '') {
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd();
      paths.push(path.resolve(folder, settings.configPath));
    }
    return paths;
  }

  private watch(target: WatchTarget): vscode.FileSystemWatcher {
    const pattern = target.base === undefined
      ? target.pattern
      : new vscode.RelativePattern(vscode.Uri.file(target.base), target.pattern);
    const watcher = vscode.workspace.createFileSystemWatcher(pattern);
    const forward = (type: FileChangeType) => (uri: vscode.Uri): void => {
      if (!this.client.isRunning()) return;
      void this.client.sendNotification(DidChangeWatchedFilesNotification.type, {
        changes: [{ uri: this.client.code2ProtocolConverter.asUri(uri), type }],
      });
      // A configuration may now name other code tables; rare enough to look again each time.
      this.refresh().catch((error: unknown) => this.log.error(`watching configuration files: ${String(error)}`));
    };
    watcher.onDidCreate(forward(FileChangeType.Created));
    watcher.onDidChange(forward(FileChangeType.Changed));
    watcher.onDidDelete(forward(FileChangeType.Deleted));
    return watcher;
  }

  private disposeWatchers(): void {
    for (const watcher of this.watchers) watcher.dispose();
    this.watchers = [];
  }

  dispose(): void {
    this.disposeWatchers();
  }
}
