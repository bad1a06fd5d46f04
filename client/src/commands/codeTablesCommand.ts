import * as vscode from 'vscode';
import type { ImportCodeTablesArgs, ImportCodeTablesResult } from '../../../server/src/protocol/messages';
import { importNotification, importReport, tableItems } from '../codeTablesImportText';
import type { AlmaServer } from '../serverAccess';
import { showFailure, shown } from './commandSupport';
import { openUntitled } from './untitledDocument';
import type { CommandActivator } from './index';

export const IMPORT_CODE_TABLES = 'almaSis.importCodeTables';

/**
 * "Alma SIS: Import Code Tables…": Alma's code table exports (JSON) or code,description CSV files
 * into the code tables file the configuration names (asked for when it names none). The server
 * does the import; what it needs first (the target, a CSV's table) it answers as a reason, and
 * the command asks and runs it again.
 */
export const activateCodeTables: CommandActivator = (context, server) => {
  context.subscriptions.push(
    vscode.commands.registerCommand(IMPORT_CODE_TABLES, async () => {
      try {
        await importCodeTables(server);
      } catch (error) {
        showFailure('Import Code Tables', error);
      }
    }),
  );
};

async function importCodeTables(server: AlmaServer): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const files = await vscode.window.showOpenDialog({
    title: "Alma SIS: code tables to import (Alma's /conf/code-tables JSON, or code,description CSV)",
    canSelectMany: true,
    defaultUri: folder,
    filters: { 'Code tables': ['json', 'csv'] },
  });
  if (files === undefined || files.length === 0) return;
  // The configuration in use is the active file's, as the language status shows it; else the workspace's.
  const active = vscode.window.activeTextEditor?.document.uri;
  const scope = active?.scheme === 'file' ? active : folder;
  const args: ImportCodeTablesArgs = { files: files.map((file) => server.uri(file)), ...(scope ? { scope: server.uri(scope) } : {}) };

  // At most one question of each kind, then the answer is final.
  for (let round = 0; round < 3; round++) {
    const result = await server.command('alma-sis.importCodeTables', args);
    if (result.imported) return showImported(result);
    if (result.reason === 'problems') return showProblems(result);
    if (result.reason === 'needs-table') {
      const pick = await vscode.window.showQuickPick(tableItems(result.tables ?? []), { title: 'Alma SIS: which code table do the CSV files fill?', matchOnDescription: true });
      if (pick === undefined) return;
      args.table = pick.name;
      continue;
    }
    const target = await vscode.window.showSaveDialog({
      title: `Alma SIS: ${result.message.replace(/: choose the file to write$/, '')}; the code tables file to write (an existing one keeps its other tables)`,
      defaultUri: folder && vscode.Uri.joinPath(folder, 'code-tables.json'),
      filters: { 'Code tables': ['json'] },
      saveLabel: 'Import',
    });
    if (target === undefined) return;
    args.into = server.uri(target);
  }
}

async function showImported(result: Extract<ImportCodeTablesResult, { imported: true }>): Promise<void> {
  const into = vscode.Uri.file(result.into);
  const open = 'Open File';
  const details = 'Show Details';
  const extra = result.notes.length > 0 || result.remainingProblems.length > 0 ? [details] : [];
  const choice = await vscode.window.showInformationMessage(shown(importNotification(result, vscode.workspace.asRelativePath(into))), open, ...extra);
  if (choice === open) await vscode.window.showTextDocument(into);
  if (choice === details) await vscode.window.showTextDocument(await openUntitled('code-tables-import.txt', importReport(result), 'plaintext'));
}

async function showProblems(result: Extract<ImportCodeTablesResult, { imported: false }>): Promise<void> {
  const all = 'Show Problems';
  const first = result.problems?.length === 1 ? result.problems[0] : result.message;
  const choice = await vscode.window.showErrorMessage(`Alma SIS: ${shown(first)}`, all);
  if (choice === all) await vscode.window.showTextDocument(await openUntitled('code-tables-import-problems.txt', importReport(result), 'plaintext'));
}
