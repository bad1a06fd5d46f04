/**
 * The outline (one symbol per user, its sections as children) and folding ranges, from one pass
 * over the document's tags. The pass keeps only a stack of open element names and the few texts
 * an outline names users by, so it is linear in the document and allocates per user, not per tag.
 */
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { DocumentSymbol, FoldingRange, Range, SymbolKind } from 'vscode-languageserver-types';
import { detectRoot, type RootInfo } from './documentContext';
import { readTags, TokenKind } from './xmlTokens';

export interface OutlineOptions {
  /** Users listed before a final notice symbol says how many more there are. Default 5,000. */
  maxUsers?: number;
}

export interface FoldingOptions {
  /** Ranges returned at most (editors also cap them). Default 20,000. */
  maxRanges?: number;
  /** Give each user's fold the text a client shows when it is folded (its primary id and name). */
  collapsedText?: boolean;
}

export const DEFAULT_MAX_OUTLINE_USERS = 5000;
export const DEFAULT_MAX_FOLDING_RANGES = 20000;

/** Names that identify a user in the outline, per version. */
const NAME_FIELDS: Record<1 | 2, { id: string; first: string; last: string }> = {
  2: { id: 'primary_id', first: 'first_name', last: 'last_name' },
  1: { id: 'userName', first: 'firstName', last: 'lastName' },
};

/** One element closing, as the pass reports it. */
interface Closed {
  name: string;
  /** Depth below the user record: 0 the user itself, 1 its sections, 2 their children... */
  level: number;
  start: number;
  nameStart: number;
  end: number;
  /** Offset of the end tag's '<' (the start tag's end for a self-closing tag). */
  endTagStart: number;
  /** The element's trimmed text, for the few the outline reads (otherwise ''). */
  text: string;
  /** It holds child elements (a section, not a field). */
  hasChildren: boolean;
}

/**
 * Walks every element at or below a user record and reports each when it closes. `wantText`
 * says which names' text the caller reads (by level), so other texts are never sliced.
 */
function walkUsers(text: string, root: RootInfo, wantText: (name: string, level: number) => boolean, onClose: (e: Closed) => void): void {
  const names: string[] = [];
  const starts: number[] = [];
  const nameStarts: number[] = [];
  const contentStarts: number[] = [];
  const parents: boolean[] = [];
  // Depth (in `names`) of the user record being walked, -1 outside users.
  let userDepth = -1;
  /**
   * Closes the open elements from the innermost down to depth `k`: the element at `k` ends at
   * `end`, those inside it where its end tag starts (`endTagStart`), and only the element at `k`
   * has its text read (when `withText`).
   */
  const closeDownTo = (k: number, end: number, endTagStart: number, withText: boolean): void => {
    for (let j = names.length - 1; j >= k; j--) {
      if (userDepth >= 0 && j >= userDepth) {
        const level = j - userDepth;
        const body = withText && j === k && wantText(names[j], level) ? text.slice(contentStarts[j], endTagStart).trim() : '';
        onClose({ name: names[j], level, start: starts[j], nameStart: nameStarts[j], end: j === k ? end : endTagStart, endTagStart, text: body, hasChildren: parents[j] });
      }
    }
    names.length = k;
    starts.length = k;
    nameStarts.length = k;
    contentStarts.length = k;
    if (userDepth >= 0 && k <= userDepth) userDepth = -1;
  };
  readTags(text, 0, text.length, false, (tag) => {
    if (tag.kind === TokenKind.StartTag) {
      // A tag being typed (a bare `<`, `<prim` with no `>`) holds nothing: opened, it would take the
      // elements after it as its children and give the outline a nameless section, which VS Code
      // refuses (a DocumentSymbol needs a name): the whole outline then goes.
      if (tag.name === '' || !tag.terminated) return;
      // Users do not nest: a user's start tag inside a user ends the one left open (its end tag
      // half typed, `</use<r>`), so the users after it keep their entries.
      if (userDepth >= 0 && tag.name === root.userName) closeDownTo(userDepth, tag.start, tag.start, false);
      if (userDepth < 0 && tag.name !== root.userName) {
        if (!tag.selfClosing) {
          names.push(tag.name);
          starts.push(tag.start);
          nameStarts.push(tag.nameStart);
          contentStarts.push(tag.end);
        }
        return;
      }
      if (userDepth < 0) userDepth = names.length;
      if (names.length > 0) parents[names.length - 1] = true;
      if (tag.selfClosing) {
        onClose({ name: tag.name, level: names.length - userDepth, start: tag.start, nameStart: tag.nameStart, end: tag.end, endTagStart: tag.end, text: '', hasChildren: false });
        if (names.length === userDepth) userDepth = -1;
        return;
      }
      names.push(tag.name);
      starts.push(tag.start);
      nameStarts.push(tag.nameStart);
      contentStarts.push(tag.end);
      parents[names.length - 1] = false;
    } else if (tag.kind === TokenKind.EndTag) {
      let k = names.length - 1;
      while (k >= 0 && names[k] !== tag.name) k--;
      // Whatever is left open inside closes here too, innermost first.
      if (k >= 0) closeDownTo(k, tag.end, tag.start, true);
    }
  });
}

function rangeOf(document: TextDocument, start: number, end: number): Range {
  return Range.create(document.positionAt(start), document.positionAt(end));
}

/**
 * What names each user while the pass walks it: the id and name fields as they close (the v1
 * names sit one level down, in userDetails). `take` is called for every closing element, `label`
 * when the user closes, and `reset` after it.
 */
class UserNames {
  private readonly fields: { id: string; first: string; last: string };
  private readonly level: number;
  private id = '';
  private first = '';
  private last = '';

  constructor(version: 1 | 2) {
    this.fields = NAME_FIELDS[version];
    this.level = version === 1 ? 2 : 1;
  }

  readonly wanted = (name: string, level: number): boolean =>
    level === this.level && (name === this.fields.id || name === this.fields.first || name === this.fields.last);

  take(e: Closed): void {
    if (e.level !== this.level || !e.text) return;
    if (e.name === this.fields.id) this.id = e.text;
    else if (e.name === this.fields.first) this.first = e.text;
    else if (e.name === this.fields.last) this.last = e.text;
  }

  /** The user's primary id (v1: userName), or a note that it has none; and its name, when given. */
  label(): { title: string; person: string } {
    return { title: this.id || `(no ${this.fields.id})`, person: [this.first, this.last].filter((s) => s).join(' ') };
  }

  reset(): void {
    this.id = this.first = this.last = '';
  }
}

/** One symbol per user, named by its primary id and name, with its sections as children. */
export function documentSymbols(document: TextDocument, options: OutlineOptions = {}): DocumentSymbol[] {
  const text = document.getText();
  const root = detectRoot(text);
  const max = options.maxUsers ?? DEFAULT_MAX_OUTLINE_USERS;
  const names = new UserNames(root.version);
  const symbols: DocumentSymbol[] = [];
  let users = 0;
  let sections: DocumentSymbol[] = [];
  walkUsers(text, root, names.wanted, (e) => {
    names.take(e);
    if (users >= max) {
      if (e.level === 0) users++;
      return;
    }
    if (e.level === 1 && e.hasChildren) {
      sections.push(DocumentSymbol.create(e.name, undefined, SymbolKind.Field, rangeOf(document, e.start, e.end),
        rangeOf(document, e.nameStart, e.nameStart + e.name.length)));
    } else if (e.level === 0) {
      users++;
      const { title, person } = names.label();
      const symbol = DocumentSymbol.create(title, person || undefined, SymbolKind.Object, rangeOf(document, e.start, e.end),
        rangeOf(document, e.nameStart, e.nameStart + e.name.length), sections);
      symbols.push(symbol);
      sections = [];
      names.reset();
    }
  });
  if (users > max) {
    const at = Range.create(document.positionAt(text.length), document.positionAt(text.length));
    symbols.push(DocumentSymbol.create(`… ${(users - max).toLocaleString('en-US')} more users not listed`,
      `the outline shows the first ${max.toLocaleString('en-US')} of ${users.toLocaleString('en-US')}`, SymbolKind.Null, at, at));
  }
  return symbols;
}

/**
 * A fold per user record, per section, and per segment of a list section (one address, one note).
 * With `collapsedText` (a client that declares textDocument.foldingRange.foldingRange.collapsedText,
 * LSP 3.17), a folded user reads `<user> amelie.dubois (Amélie Dubois-Lefèvre)` instead of the
 * editor's default.
 */
export function foldingRanges(document: TextDocument, options: FoldingOptions = {}): FoldingRange[] {
  const text = document.getText();
  const root = detectRoot(text);
  const max = options.maxRanges ?? DEFAULT_MAX_FOLDING_RANGES;
  const names = options.collapsedText ? new UserNames(root.version) : undefined;
  const ranges: FoldingRange[] = [];
  walkUsers(text, root, names?.wanted ?? (() => false), (e) => {
    names?.take(e);
    if (e.level <= 3 && ranges.length < max) {
      const startLine = document.positionAt(e.start).line;
      // The fold ends on the line before the end tag, so the end tag stays in view (as editors fold HTML).
      const endLine = document.positionAt(e.endTagStart).line - 1;
      if (endLine > startLine) {
        const range = FoldingRange.create(startLine, endLine);
        if (names && e.level === 0) {
          const { title, person } = names.label();
          range.collapsedText = `<${e.name}> ${title}${person ? ` (${person})` : ''}`;
        }
        ranges.push(range);
      }
    }
    if (e.level === 0) names?.reset();
  });
  ranges.sort((a, b) => a.startLine - b.startLine);
  return ranges;
}
