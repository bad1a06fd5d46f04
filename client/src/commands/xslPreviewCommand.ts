import * as vscode from 'vscode';
import type { PreviewXslConversionResult } from '../../../server/src/protocol/messages';
import { previewDetails, previewPath, previewSummary } from '../xslPreviewText';
import { OPEN_CONFIGURATION } from './configCommandIds';
import { showFailure, shown } from './commandSupport';
import type { CommandActivator } from './index';

export const PREVIEW_XSL_CONVERSION = 'almaSis.previewXslConversion';

/** The output is a document of its own, read-only, under this scheme; its query is the source's URI. */
const SCHEME = 'alma-sis-xsl';

interface Preview {
  source: vscode.Uri;
  uri: vscode.Uri;
  text: string;
  stylesheet?: string;
}

/**
 * "Alma SIS: Preview XSL Conversion": the profile's XSL converter's output for the active file,
 * what Alma loads, opened beside it with its problems; saving the file or the stylesheet runs it
 * again.
 */
export const activateXslPreview: CommandActivator = (context, server) => {
  const previews = new Map<string, Preview>();
  const changed = new vscode.EventEmitter<vscode.Uri>();
  const diagnostics = vscode.languages.createDiagnosticCollection('alma-sis-xsl');
  const provider: vscode.TextDocumentContentProvider = {
    onDidChange: changed.event,
    provideTextDocumentContent: (uri) => previews.get(uri.toString())?.text ?? '',
  };

  const refresh = async (preview: Preview, reveal: boolean): Promise<void> => {
    const result = await server.command('alma-sis.previewXslConversion', { uri: server.uri(preview.source), previewUri: preview.uri.toString() });
    if (!result.converted) {
      diagnostics.delete(preview.uri);
      await showRefusal(result);
      return;
    }
    preview.text = result.text;
    preview.stylesheet = result.stylesheet;
    changed.fire(preview.uri);
    diagnostics.set(preview.uri, await server.client.protocol2CodeConverter.asDiagnostics(result.diagnostics));
    const details = previewDetails(result);
    if (details.length > 0) for (const line of details) server.client.outputChannel.appendLine(line);
    if (!reveal) return;
    const document = await vscode.workspace.openTextDocument(preview.uri);
    if (document.languageId !== 'xml') await vscode.languages.setTextDocumentLanguage(document, 'xml');
    await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, preview: false, preserveFocus: true });
    const summary = `Alma SIS: ${shown(previewSummary(result))}`;
    if (result.stylesheetWarnings.length === 0) {
      void vscode.window.showInformationMessage(summary);
      return;
    }
    const choice = await vscode.window.showWarningMessage(`${summary}. The stylesheet: ${shown(result.stylesheetWarnings[0])}`, 'Show Details');
    if (choice === 'Show Details') server.client.outputChannel.show(true);
  };

  const showRefusal = async (result: Extract<PreviewXslConversionResult, { converted: false }>): Promise<void> => {
    if (result.reason === 'untrusted') {
      const manage = 'Manage Workspace Trust';
      if ((await vscode.window.showWarningMessage(`Alma SIS: ${shown(result.message)}`, manage)) === manage) await vscode.commands.executeCommand('workbench.trust.manage');
      return;
    }
    if (result.reason === 'no-converter') {
      const choice = await vscode.window.showInformationMessage(`Alma SIS: ${shown(result.message)}`, 'Open Configuration');
      if (choice === 'Open Configuration') await vscode.commands.executeCommand(OPEN_CONFIGURATION);
      return;
    }
    const open = result.stylesheet !== undefined ? 'Open Stylesheet' : undefined;
    const choice = await vscode.window.showErrorMessage(`Alma SIS: ${shown(result.message)}`, ...(open ? [open] : []));
    if (choice !== open || result.stylesheet === undefined) return;
    const editor = await vscode.window.showTextDocument(vscode.Uri.file(result.stylesheet));
    if (result.at !== undefined) {
      const at = new vscode.Position(result.at.line, result.at.character);
      editor.selection = new vscode.Selection(at, at);
      editor.revealRange(new vscode.Range(at, at));
    }
  };

  const previewActive = async (): Promise<void> => {
    const editor = vscode.window.activeTextEditor;
    if (editor === undefined || editor.document.uri.scheme !== 'file') {
      void vscode.window.showInformationMessage("Alma SIS: open the file your SIS writes (before the profile's XSL converter) first, then preview its conversion.");
      return;
    }
    const source = editor.document.uri;
    const uri = vscode.Uri.from({ scheme: SCHEME, path: previewPath(source.path), query: source.toString() });
    const preview = previews.get(uri.toString()) ?? { source, uri, text: '' };
    previews.set(uri.toString(), preview);
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Alma SIS: converting with the XSL converter' }, () => refresh(preview, true));
  };

  context.subscriptions.push(
    changed,
    diagnostics,
    vscode.workspace.registerTextDocumentContentProvider(SCHEME, provider),
    vscode.commands.registerCommand(PREVIEW_XSL_CONVERSION, () => previewActive().catch((error) => showFailure('Preview XSL Conversion', error))),
    vscode.workspace.onDidSaveTextDocument((saved) => {
      for (const preview of previews.values()) {
        const stylesheetSaved = preview.stylesheet !== undefined && saved.uri.scheme === 'file' && saved.uri.fsPath === preview.stylesheet;
        if (saved.uri.toString() === preview.source.toString() || stylesheetSaved) {
          refresh(preview, false).catch((error) => showFailure('Preview XSL Conversion', error));
        }
      }
    }),
    vscode.workspace.onDidCloseTextDocument((closed) => {
      if (closed.uri.scheme !== SCHEME) return;
      previews.delete(closed.uri.toString());
      diagnostics.delete(closed.uri);
    }),
  );
};
