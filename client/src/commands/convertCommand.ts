import * as vscode from 'vscode';
import { conversionSummary, noHomeDetails } from '../conversionText';
import type { AlmaServer } from '../serverAccess';
import { convertedFileName } from '../untitledNames';
import { showFailure, shown } from './commandSupport';
import { openUntitled } from './untitledDocument';
import type { CommandActivator } from './index';

export const CONVERT_TO_V2 = 'almaSis.convertToV2';

/**
 * "Alma SIS: Convert to User XSD v2": the server converts the active v1 buffer; the v2 text opens
 * in a new untitled editor, and what had no v2 home is said, its list one click away.
 */
export const activateConvert: CommandActivator = (context, server) => {
  context.subscriptions.push(vscode.commands.registerCommand(CONVERT_TO_V2, () => convertToV2(server).catch((error) => showFailure('Convert to User XSD v2', error))));
};

async function convertToV2(server: AlmaServer): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (editor === undefined) {
    void vscode.window.showInformationMessage('Alma SIS: open a User XSD v1 file (root <userRecords>) first, then convert it.');
    return;
  }
  const source = editor.document;
  const result = await server.command('alma-sis.convertToV2', { uri: server.uri(source.uri) });
  const converted = await openUntitled(convertedFileName(source.uri.path), result.text, source.languageId);
  await vscode.window.showTextDocument(converted);
  if (result.noHomeCount === 0) {
    void vscode.window.showInformationMessage(`Alma SIS: ${shown(conversionSummary(result))}`);
    return;
  }
  const details = 'Show Details';
  const choice = await vscode.window.showWarningMessage(`Alma SIS: ${shown(conversionSummary(result))}`, details);
  if (choice !== details) return;
  const output = server.client.outputChannel;
  for (const line of noHomeDetails(source.uri.path.split('/').pop() ?? source.uri.path, result)) output.appendLine(line);
  output.show(true);
}
