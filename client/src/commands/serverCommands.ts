import * as path from 'node:path';
import * as vscode from 'vscode';
import { activeTabUri, type DiskChecks } from '../diskChecks';
import type { AlmaServer } from '../serverAccess';
import { formatStatus } from '../statusText';
import { errorText, isCancelled, shown } from './commandSupport';
import { RESTART_SERVER, SHOW_OUTPUT, VALIDATE_ON_DISK } from './serverCommandIds';

/** The commands that act on the language server itself: restart, its output, a file too big to open. */
export function registerServerCommands(context: vscode.ExtensionContext, server: AlmaServer, log: vscode.LogOutputChannel, diskChecks: DiskChecks): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(RESTART_SERVER, async () => {
      log.info('restarting the language server');
      try {
        await server.client.restart();
        log.info('language server restarted');
      } catch (error) {
        log.error(`restart failed: ${errorText(error)}`);
        void vscode.window.showErrorMessage(`Alma SIS: the language server did not restart: ${errorText(error)}`);
      }
    }),
    vscode.commands.registerCommand(SHOW_OUTPUT, () => log.show(true)),
    vscode.commands.registerCommand(VALIDATE_ON_DISK, (uri?: vscode.Uri) => validateOnDisk(diskChecks, log, uri)),
  );
}

async function validateOnDisk(diskChecks: DiskChecks, log: vscode.LogOutputChannel, given?: vscode.Uri): Promise<void> {
  const uri = given ?? fileOfActiveEditor() ?? fileOfActiveTab() ?? (await pickXmlFile());
  if (uri === undefined) return;
  const name = path.basename(uri.fsPath);
  try {
    // The server reports its own progress (bytes read) in a notification with Cancel.
    const result = await diskChecks.validate(uri);
    if (result === undefined) {
      log.info(`${uri.fsPath}: validation cancelled`);
      return;
    }
    const { detail } = formatStatus(result);
    log.info(`${uri.fsPath} on disk: ${detail}`);
    void vscode.window.showInformationMessage(shown(`Alma SIS: ${name} on disk: ${detail}`));
  } catch (error) {
    if (isCancelled(error)) {
      log.info(`${uri.fsPath}: validation cancelled`);
      return;
    }
    log.error(`${uri.fsPath}: ${errorText(error)}`);
    void vscode.window.showErrorMessage(`Alma SIS: could not validate ${shown(name)}: ${errorText(error)}`);
  }
}

function fileOfActiveEditor(): vscode.Uri | undefined {
  const uri = vscode.window.activeTextEditor?.document.uri;
  return uri?.scheme === 'file' ? uri : undefined;
}

/** A file too big for VS Code to give extensions has a tab but no text editor. */
function fileOfActiveTab(): vscode.Uri | undefined {
  const uri = activeTabUri();
  return uri?.scheme === 'file' ? uri : undefined;
}

async function pickXmlFile(): Promise<vscode.Uri | undefined> {
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: false,
    filters: { 'XML files': ['xml'] },
    openLabel: 'Validate',
  });
  return picked?.[0];
}
