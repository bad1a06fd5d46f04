import * as vscode from 'vscode';
import { uniqueName } from '../untitledNames';

/**
 * An untitled editor named `name` holding `text`. VS Code opens `untitled:<name>` as an untitled
 * document of that name (its tab, and what Save proposes); openTextDocument({ content }) would
 * call it "Untitled-1". A name an open untitled editor has gets a number, since VS Code would
 * hand back that editor, text and all.
 */
export async function openUntitled(name: string, text: string, languageId?: string): Promise<vscode.TextDocument> {
  const taken = new Set(vscode.workspace.textDocuments.filter((d) => d.uri.scheme === 'untitled').map((d) => d.uri.path));
  const uri = vscode.Uri.from({ scheme: 'untitled', path: uniqueName(name, taken) });
  let document = await vscode.workspace.openTextDocument(uri);
  const edit = new vscode.WorkspaceEdit();
  edit.insert(uri, new vscode.Position(0, 0), text);
  if (!(await vscode.workspace.applyEdit(edit))) throw new Error(`the new editor ${uri.path} could not be filled`);
  if (languageId !== undefined && document.languageId !== languageId) document = await vscode.languages.setTextDocumentLanguage(document, languageId);
  return document;
}
