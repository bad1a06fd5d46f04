/**
 * Code actions: the quick fixes of fixes.ts for the diagnostics in the request, "fix all of this
 * kind" beside them, and `source.fixAll` (every certain fix in the document that does not
 * overlap another).
 */
import type { TextDocument } from 'vscode-languageserver-textdocument';
import {
  CodeAction,
  CodeActionKind,
  TextEdit,
  Range,
  type CodeActionContext,
  type Diagnostic,
  type WorkspaceEdit,
} from 'vscode-languageserver-types';
import type { ValidationSettings } from '../config/types';
import { DIAGNOSTIC_SOURCE, toLspDiagnostic } from '../validation/lspDiagnostics';
import { validateText } from '../validation/validateDocument';
import { fixesFor, lazyRoot, RULES_WITH_CERTAIN_FIXES, type Fix, type OffsetEdit } from './fixes';

export const CODE_ACTION_KINDS = [CodeActionKind.QuickFix, CodeActionKind.SourceFixAll];

function wants(context: CodeActionContext, kind: string): boolean {
  if (!context.only) return kind === CodeActionKind.QuickFix;
  return context.only.some((k) => kind === k || kind.startsWith(`${k}.`));
}

function isOurs(diagnostic: Diagnostic): boolean {
  return diagnostic.source === DIAGNOSTIC_SOURCE && typeof diagnostic.code === 'string';
}

function workspaceEdit(document: TextDocument, edits: readonly OffsetEdit[]): WorkspaceEdit {
  return {
    changes: {
      [document.uri]: edits.map((e) => TextEdit.replace(Range.create(document.positionAt(e.start), document.positionAt(e.end)), e.newText)),
    },
  };
}

/**
 * The fixes that can be applied together: certain ones, taken in document order, each dropped
 * when one of its edits overlaps an edit already taken (a fix's edits go in together or not at all).
 */
export function compatibleFixes(fixes: readonly Fix[]): Fix[] {
  const ordered = [...fixes].sort((a, b) => Math.min(...a.edits.map((e) => e.start)) - Math.min(...b.edits.map((e) => e.start)));
  const taken: OffsetEdit[] = [];
  const chosen: Fix[] = [];
  const overlaps = (a: OffsetEdit, b: OffsetEdit): boolean =>
    a.start < b.end && b.start < a.end || a.start === b.start || (a.start === a.end && a.start > b.start && a.start < b.end) || (b.start === b.end && b.start > a.start && b.start < a.end);
  for (const fix of ordered) {
    if (fix.edits.some((e) => taken.some((t) => overlaps(e, t)))) continue;
    taken.push(...fix.edits);
    chosen.push(fix);
  }
  return chosen;
}

function combined(document: TextDocument, title: string, kind: string, fixes: readonly Fix[]): CodeAction {
  return CodeAction.create(title, workspaceEdit(document, fixes.flatMap((f) => f.edits)), kind);
}

/** Every certain fix for the given diagnostics, as one non-overlapping set. */
export function certainFixes(document: TextDocument, diagnostics: readonly Diagnostic[], settings: ValidationSettings): Fix[] {
  const text = document.getText();
  const root = lazyRoot(text);
  const fixes: Fix[] = [];
  for (const diagnostic of diagnostics) {
    if (!isOurs(diagnostic) || !RULES_WITH_CERTAIN_FIXES.has(diagnostic.code as string)) continue;
    const certain = fixesFor(document, text, diagnostic, settings, root).filter((f) => f.certain);
    // A rule that proposes several certain fixes for one place is not certain which.
    if (certain.length === 1) fixes.push(certain[0]);
  }
  return compatibleFixes(fixes);
}

/** The document's diagnostics: those the caller holds, or one validation of the text. */
function documentDiagnostics(document: TextDocument, settings: ValidationSettings, allDiagnostics?: readonly Diagnostic[]): readonly Diagnostic[] {
  if (allDiagnostics) return allDiagnostics;
  return validateText(document.getText(), document.uri, settings).findings.map((f) => toLspDiagnostic(f, (p) => p));
}

/**
 * Quick fixes for the diagnostics in the context, and "fix all" when asked. `range` is part of
 * the LSP request but not needed: the client puts the diagnostics at that range in the context.
 */
export function getCodeActions(
  document: TextDocument,
  range: Range,
  context: CodeActionContext,
  settings: ValidationSettings,
  allDiagnostics?: readonly Diagnostic[],
): CodeAction[] {
  void range;
  const actions: CodeAction[] = [];
  if (wants(context, CodeActionKind.QuickFix)) {
    const text = document.getText();
    const root = lazyRoot(text);
    const kindsDone = new Set<string>();
    for (const diagnostic of context.diagnostics) {
      if (!isOurs(diagnostic)) continue;
      for (const fix of fixesFor(document, text, diagnostic, settings, root)) {
        const action = CodeAction.create(fix.title, workspaceEdit(document, fix.edits), CodeActionKind.QuickFix);
        action.diagnostics = [diagnostic];
        if (fix.preferred) action.isPreferred = true;
        actions.push(action);
      }
      const rule = diagnostic.code as string;
      if (allDiagnostics && !kindsDone.has(rule) && RULES_WITH_CERTAIN_FIXES.has(rule)) {
        kindsDone.add(rule);
        const same = allDiagnostics.filter((d) => isOurs(d) && d.code === rule);
        if (same.length > 1) {
          const fixes = certainFixes(document, same, settings);
          if (fixes.length > 1) actions.push(combined(document, `Fix all ${rule} problems in the file (${fixes.length})`, CodeActionKind.QuickFix, fixes));
        }
      }
    }
  }
  if (context.only && wants(context, CodeActionKind.SourceFixAll)) {
    const fixes = certainFixes(document, documentDiagnostics(document, settings, allDiagnostics), settings);
    if (fixes.length > 0) actions.push(combined(document, `Fix all certain Alma SIS problems (${fixes.length})`, CodeActionKind.SourceFixAll, fixes));
  }
  return actions;
}
