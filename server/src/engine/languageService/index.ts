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
 *   getCodeActions(document, range, context, settings, allDiagnostics?): CodeAction[]
 *     Quick fixes for context.diagnostics (our own, recognised by `source` and `code`), and
 *     `source.fixAll` when context.only asks for it (or offers no filter). Pass the document's
 *     current diagnostics as `allDiagnostics` so "fix all" needs no re-validation; without them
 *     it validates the document once. Kinds to advertise: CODE_ACTION_KINDS.
 *   findDocumentSymbols(document, options?): DocumentSymbol[]
 *     One symbol per user (primary id, name as detail), its sections as children; capped
 *     (default 5,000 users) with a final notice symbol.
 *   getFoldingRanges(document, options?): FoldingRange[]
 *     Users, sections and segments.
 *
 * Cost: completion, hover and quick fixes read only the user record around the position (found by
 * searching backwards in the text); outline and folding make one linear pass over the tags; fix
 * all touches the text of the findings it fixes.
 */
export { doComplete, COMPLETION_TRIGGER_CHARACTERS } from './completion';
export { doHover } from './hover';
export { getCodeActions, CODE_ACTION_KINDS } from './codeActions';
export {
  documentSymbols as findDocumentSymbols,
  foldingRanges as getFoldingRanges,
  DEFAULT_MAX_OUTLINE_USERS,
  type OutlineOptions,
  type FoldingOptions,
} from './outline';
export { detectRoot as detectSchemaRoot, type RootInfo } from './documentContext';
