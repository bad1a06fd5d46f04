/**
 * The language service: completion, hover, quick fixes, outline and folding for Alma user files,
 * as pure functions in the manner of vscode-json-languageservice. No LSP connection, no vscode:
 * each takes a TextDocument (vscode-languageserver-textdocument), a position or range, and the
 * engine's ValidationSettings (which carry the institution's code tables), and returns LSP types
 * (vscode-languageserver-types). The server's handlers call them and send the result as it is.
 *
 *   doComplete(document, position, settings): CompletionList
 *     Elements the enclosing element may still take (required first, snippets with their
 *     required children), attribute names and values, coded values (Alma's fixed lists and the
 *     code tables). Trigger characters: COMPLETION_TRIGGER_CHARACTERS.
 *   doHover(document, position, settings): Hover | null
 *     An element or attribute name: what it is, type and length limit, whether SIS loads it, what
 *     a synchronize does to it. A coded value: its description from the code tables.
 *   getCodeActions(document, range, context, settings, allDiagnostics?, options?): CodeAction[]
 *     Quick fixes for context.diagnostics (our own, recognised by `source` "alma-sis" and `code`,
 *     reading `data.suggestions`); beside a certain fix, "Fix all <rule> problems in the file"
 *     when the rule has more places (`allDiagnostics`, the document's current diagnostics, holds
 *     more of it, or the diagnostic is a collapsed one); and `source.fixAll` when context.only
 *     asks for `source` or `source.fixAll` (every certain fix at once). Both "fix all" kinds find
 *     their places with one validation of the text (collapsed and capped diagnostics do not list
 *     them all). With `options.resolveSupport` (the client resolves `edit`), "fix all of a kind"
 *     comes without its edit and costs nothing until chosen. Kinds: CODE_ACTION_KINDS.
 *   resolveCodeAction(document, action, settings): CodeAction
 *     For codeAction/resolve: fills in the edit of such an action; its `data.uri` (FixAllData)
 *     names the document.
 *   findDocumentSymbols(document, options?): DocumentSymbol[]
 *     One symbol per user (primary id, name as detail), its sections as children; capped
 *     (default 5,000 users) with a final notice symbol.
 *   getFoldingRanges(document, options?): FoldingRange[]
 *     Users, sections and segments.
 *
 * Cost: completion, hover and quick fixes read only the user record around the position (found by
 * searching backwards in the text); outline and folding make one linear pass over the tags; the
 * two "fix all" actions validate the text once.
 */
export { doComplete, COMPLETION_TRIGGER_CHARACTERS } from './completion';
export { doHover } from './hover';
export { getCodeActions, resolveCodeAction, CODE_ACTION_KINDS, type CodeActionOptions, type FixAllData } from './codeActions';
export {
  documentSymbols as findDocumentSymbols,
  foldingRanges as getFoldingRanges,
  DEFAULT_MAX_OUTLINE_USERS,
  type OutlineOptions,
  type FoldingOptions,
} from './outline';
export { detectRoot as detectSchemaRoot, type RootInfo } from './documentContext';
