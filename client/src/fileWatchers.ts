import * as path from 'node:path';
import * as vscode from 'vscode';
import { DidChangeWatchedFilesNotification, FileChangeType } from 'vscode-languageclient/node';
import { WatchedConfigFilesRequest } from '../../server/src/protocol/messages';
import type { AlmaServer } from './serverAccess';
import { watchTargets, type WatchTarget } from './settings';

/**
 * Tells the server when a configuration or code-tables file changes. The set of files depends on
 * the settings and on what the configurations name (the server resolves both), so the watchers
 * are rebuilt when either changes (the language client's own `synchronize.fileEvents` is fixed
 * at start).
 */
export class ServerFileWatchers implements vscode.Disposable {
  private watchers: vscode.FileSystemWatcher[] = [];
  private key = '';

  constructor(
    private readonly server: AlmaServer,
    private readonly log: vscode.LogOutputChannel,
    /** After the server was told: what was checked with the old configuration is checked again (files the server does not hold, such as big feeds read from disk). */
    private readonly changed: () => void = () => {},
  ) {}

  async refresh(): Promise<void> {
    const found = await vscode.workspace.findFiles('**/alma-sis.config.json', '**/node_modules/**', 50);
    const { named, codeTablesFiles } = await this.server.request(WatchedConfigFilesRequest, { configPaths: found.map((uri) => uri.fsPath) });
    const targets = watchTargets(named, codeTablesFiles);
    const key = JSON.stringify(targets);
    if (key === this.key) return;
    this.key = key;
    this.disposeWatchers();
    this.watchers = targets.map((target) => this.watch(target));
    this.log.info(`watching ${targets.map((t) => (t.base ? path.join(t.base, t.pattern) : t.pattern)).join(', ')}`);
  }

  private watch(target: WatchTarget): vscode.FileSystemWatcher {
    const pattern = target.base === undefined
      ? target.pattern
      : new vscode.RelativePattern(vscode.Uri.file(target.base), target.pattern);
    const watcher = vscode.workspace.createFileSystemWatcher(pattern);
    const client = this.server.client;
    const forward = (type: FileChangeType) => (uri: vscode.Uri): void => {
      if (!client.isRunning()) return;
      void client.sendNotification(DidChangeWatchedFilesNotification.type, {
        changes: [{ uri: client.code2ProtocolConverter.asUri(uri), type }],
      });
      // The server handles messages in order, so a check asked after the notification reads the new configuration.
      this.changed();
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
