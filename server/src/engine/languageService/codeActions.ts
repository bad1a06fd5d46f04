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
import { RULES } from '../rules/ruleTable';
import { fixableFindings } from './fixableFindings';
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

/** The fixes chosen to go together, and the edits that apply them. */
export interface FixSet {
  fixes: Fix[];
  edits: OffsetEdit[];
}

function overlaps(a: OffsetEdit, b: OffsetEdit): boolean {
  if (a.start === b.start) return true; // two inserts at one place: their order would be a guess
  if (a.start === a.end) return a.start > b.start && a.start < b.end;
  if (b.start === b.end) return b.start > a.start && b.start < a.end;
  return a.start < b.end && b.start < a.end;
}

/**
 * The fixes that can be applied together, taken in document order. A fix whose edits overlap an
 * edit already taken is dropped (its edits go in together or not at all), unless that edit moves
 * whole pieces of text (a reorder) and can carry the fix's edits inside them.
 */
export function compatibleFixes(fixes: readonly Fix[]): FixSet {
  const first = (f: Fix): number => Math.min(...f.edits.map((e) => e.start));
  const ordered = [...fixes].sort((a, b) => first(a) - first(b));
  const edits: OffsetEdit[] = [];
  const carried = new Map<OffsetEdit, OffsetEdit[]>();
  const chosen: Fix[] = [];
  for (const fix of ordered) {
    const hit = edits.filter((t) => fix.edits.some((e) => overlaps(e, t)));
    if (hit.length === 0) {
      edits.push(...fix.edits.map((e) => ({ ...e })));
      chosen.push(fix);
      continue;
    }
    const container = hit.length === 1 ? hit[0] : undefined;
    if (!container?.compose || !fix.edits.every((e) => container.start <= e.start && e.end <= container.end)) continue;
    const inner = [...(carried.get(container) ?? []), ...fix.edits];
    const newText = container.compose(inner);
    if (newText === undefined) continue;
    container.newText = newText;
    carried.set(container, inner);
    chosen.push(fix);
  }
  return { fixes: chosen, edits };
}

function combined(document: TextDocument, title: string, kind: string, set: FixSet): CodeAction {
  return CodeAction.create(title, workspaceEdit(document, set.edits), kind);
}

/** Every certain fix for the given diagnostics, as one set that can be applied at once. */
export function certainFixes(document: TextDocument, diagnostics: readonly Diagnostic[], settings: ValidationSettings): FixSet {
  const text = document.getText();
  const root = lazyRoot(text);
  const fixes: Fix[] = [];
  for (const diagnostic of diagnostics) {
    if (!isOurs(diagnostic) || !RULES_WITH_CERTAIN_FIXES.has(diagnostic.code as string)) continue;
    const certain = fixesFor(document, text, diagnostic, settings, root).filter((f) => f.certain);
    // A rule that proposes several certain fixes for one place is not certain which.
    if (certain.length === 1) fixes.push({ ...certain[0], rule: diagnostic.code as string });
  }
  return compatibleFixes(fixes);
}

/** Every place in the document where one of `rules` has a finding, as diagnostics. */
function placesOf(document: TextDocument, settings: ValidationSettings, rules: ReadonlySet<string>): Diagnostic[] {
  return fixableFindings(document.getText(), document.uri, settings, rules).map((f) => toLspDiagnostic(f, (p) => p));
}

/** A finding the validator reported once for many places ("The same in 12 more places..."). */
const COLLAPSED = /\(The same in [\d,]+ more places?\b/;

/** What an action to be resolved later carries; `uri` lets the server find the document again. */
export interface FixAllData {
  fixAllRule: string;
  uri: string;
}

export interface CodeActionOptions {
  /**
   * The client resolves code actions (codeAction/resolve with `edit`): "fix all of this kind"
   * comes without its edit, computed by resolveCodeAction only when chosen.
   */
  resolveSupport?: boolean;
}

function fixAllOfRule(document: TextDocument, settings: ValidationSettings, rule: string): FixSet {
  return certainFixes(document, placesOf(document, settings, new Set([rule])), settings);
}

/**
 * Quick fixes for the diagnostics in the context, and "fix all" when asked. `range` is part of
 * the LSP request but not needed: the client puts the diagnostics at that range in the context.
 * `allDiagnostics` (the document's current ones) tells whether a rule has more places than the
 * one at hand; a finding collapsed into one diagnostic says so itself.
 */
export function getCodeActions(
  document: TextDocument,
  range: Range,
  context: CodeActionContext,
  settings: ValidationSettings,
  allDiagnostics?: readonly Diagnostic[],
  options: CodeActionOptions = {},
): CodeAction[] {
  void range;
  const actions: CodeAction[] = [];
  // The client asks at every move of the cursor, mostly where none of our diagnostics is: the
  // whole text (250 MB joined after each edit of a 100k-user document) is read only when one is.
  if (wants(context, CodeActionKind.QuickFix) && context.diagnostics.some(isOurs)) {
    const text = document.getText();
    const root = lazyRoot(text);
    const kindsDone = new Set<string>();
    for (const diagnostic of context.diagnostics) {
      if (!isOurs(diagnostic)) continue;
      const fixes = fixesFor(document, text, diagnostic, settings, root);
      for (const fix of fixes) {
        const action = CodeAction.create(fix.title, workspaceEdit(document, fix.edits), CodeActionKind.QuickFix);
        action.diagnostics = [diagnostic];
        if (fix.preferred) action.isPreferred = true;
        actions.push(action);
      }
      const rule = diagnostic.code as string;
      if (kindsDone.has(rule) || !RULES_WITH_CERTAIN_FIXES.has(rule) || !fixes.some((f) => f.certain)) continue;
      kindsDone.add(rule);
      const message = typeof diagnostic.message === 'string' ? diagnostic.message : diagnostic.message.value;
      const more = COLLAPSED.test(message) || (allDiagnostics?.filter((d) => isOurs(d) && d.code === rule).length ?? 0) > 1;
      if (!more) continue;
      const title = `Fix all ${rule} problems in the file`;
      if (options.resolveSupport) {
        const action = CodeAction.create(title, CodeActionKind.QuickFix);
        action.data = { fixAllRule: rule, uri: document.uri } satisfies FixAllData;
        actions.push(action);
      } else {
        const set = fixAllOfRule(document, settings, rule);
        if (set.fixes.length > 1) actions.push(combined(document, `${title} (${set.fixes.length})`, CodeActionKind.QuickFix, set));
      }
    }
  }
  if (context.only && wants(context, CodeActionKind.SourceFixAll)) {
    const set = certainFixes(document, placesOf(document, settings, RULES_WITH_CERTAIN_FIXES), settings);
    if (set.fixes.length > 0) actions.push(combined(document, fixAllTitle(set.fixes), CodeActionKind.SourceFixAll, set));
  }
  return actions;
}

/**
 * "Fix 12 Alma SIS problems: 8 element-case, 4 code-case": what source.fixAll will change, by
 * rule, most first (then in the rule table's order), so the person knows before choosing it.
 */
export function fixAllTitle(fixes: readonly Fix[]): string {
  const counts = new Map<string, number>();
  for (const fix of fixes) counts.set(fix.rule ?? 'other', (counts.get(fix.rule ?? 'other') ?? 0) + 1);
  const order = (rule: string): number => {
    const k = RULES.findIndex((r) => r.id === rule);
    return k < 0 ? RULES.length : k;
  };
  const parts = [...counts].sort((a, b) => b[1] - a[1] || order(a[0]) - order(b[0])).map(([rule, n]) => `${n.toLocaleString('en-US')} ${rule}`);
  const total = fixes.length.toLocaleString('en-US');
  return `Fix ${total} Alma SIS problem${fixes.length === 1 ? '' : 's'}: ${parts.join(', ')}`;
}

/** Fills in the edit of an action getCodeActions left to be resolved; other actions come back as they are. */
export function resolveCodeAction(document: TextDocument, action: CodeAction, settings: ValidationSettings): CodeAction {
  const data = action.data as Partial<FixAllData> | undefined;
  if (action.edit || typeof data?.fixAllRule !== 'string') return action;
  const set = fixAllOfRule(document, settings, data.fixAllRule);
  return { ...action, edit: workspaceEdit(document, set.edits) };
}
