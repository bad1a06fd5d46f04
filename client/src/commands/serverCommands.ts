import * as path from 'node:path';
import * as vscode from 'vscode';
import { LSPErrorCodes, ResponseError, WorkDoneProgress, type LanguageClient } from 'vscode-languageclient/node';
import {
  VALIDATE_FILE_ON_DISK,
  type ValidateFileOnDiskParams,
  type ValidateFileOnDiskResult,
} from '../../../server/src/lsp/protocol';
import { formatStatus } from '../statusText';
import { RESTART_SERVER, SHOW_OUTPUT, VALIDATE_ON_DISK } from './serverCommandIds';


/** The commands that act on the language server itself: restart, its output, a file too big to open. */
export function registerServerCommands(
  context: vscode.ExtensionContext,
  client: LanguageClient,
  log: vscode.LogOutputChannel,
): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(RESTART_SERVER, async () => {
      log.info('restarting the language server');
      try {
        await client.restart();
        log.info('language server restarted');
      } catch (error) {
        log.error(`restart failed: ${errorText(error)}`);
        void vscode.window.showErrorMessage(`Alma SIS: the language server did not restart: ${errorText(error)}`);
      }
    }),
    vscode.commands.registerCommand(SHOW_OUTPUT, () => log.show(true)),
    vscode.commands.registerCommand(VALIDATE_ON_DISK, (uri?: vscode.Uri) => validateOnDisk(client, log, uri)),
  );
}

async function validateOnDisk(client: LanguageClient, log: vscode.LogOutputChannel, given?: vscode.Uri): Promise<void> {
  const uri = given ?? fileOfActiveEditor() ?? (await pickXmlFile());
  if (uri === undefined) return;
  const name = path.basename(uri.fsPath);
  await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Alma SIS: validating ${name} on disk`, cancellable: true },
    async (progress, token) => {
      // The server may report its own progress (bytes read) against this token.
      const workDoneToken = `almaSis.validateFileOnDisk.${Date.now()}`;
      let reported = 0;
      const listener = client.onProgress(WorkDoneProgress.type, workDoneToken, (value) => {
        if (value.kind === 'end') return;
        const percentage = value.percentage ?? reported;
        progress.report({ message: value.message, increment: Math.max(0, percentage - reported) });
        reported = Math.max(reported, percentage);
      });
      try {
        const params: ValidateFileOnDiskParams & { workDoneToken: string } = {
          uri: client.code2ProtocolConverter.asUri(uri),
          workDoneToken,
        };
        const result = await client.sendRequest<ValidateFileOnDiskResult>(VALIDATE_FILE_ON_DISK, params, token);
        const { detail } = formatStatus(result);
        log.info(`${uri.fsPath} on disk: ${detail}`);
        void vscode.window.showInformationMessage(`Alma SIS: ${name} on disk: ${detail}`);
      } catch (error) {
        if (token.isCancellationRequested || (error instanceof ResponseError && error.code === LSPErrorCodes.RequestCancelled)) {
          log.info(`${uri.fsPath}: validation cancelled`);
          return;
        }
        log.error(`${uri.fsPath}: ${errorText(error)}`);
        void vscode.window.showErrorMessage(`Alma SIS: could not validate ${name}: ${errorText(error)}`);
      } finally {
        listener.dispose();
      }
    },
  );
}

function fileOfActiveEditor(): vscode.Uri | undefined {
  const uri = vscode.window.activeTextEditor?.document.uri;
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

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
