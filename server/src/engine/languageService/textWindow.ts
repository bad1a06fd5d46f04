import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Position, Range } from '../text/span';
import { EditableText } from '../incremental/editableText';
import { detectRoot, HEAD_LIMIT, isTagBoundary, type RootInfo } from './documentContext';

/**
 * What completion and hover read of a document, and its root. A document kept in pieces (an
 * editor buffer once validated: one piece per user) is read through a window of the pieces around
 * the position, not as its whole text: joining the text of a 100k-user document after each edit
 * (250 MB) made the first completion or hover after a keystroke wait 0.2-0.3 s.
 *
 * The features search backwards for the start of the user around the position and forwards for
 * its end and the next user's start, so the window runs from the line of a piece that starts a
 * user to the end of a later piece that starts one (or to the document's ends); the root is read
 * from the document's head. A test holds completion
 * and hover through the window to what they give on the whole text.
 */
export interface DocumentView {
  document: TextDocument;
  root: RootInfo;
}

/** Past this many pieces in the window (no user starts near the position), the whole text is read. */
const MAX_WINDOW_PIECES = 24;
/** A tag read at the head's limit may look a few characters past it. */
const HEAD_MARGIN = 64;

export function viewAround(document: TextDocument, offset: number): DocumentView {
  if (!(document instanceof EditableText) || document.pieceCount <= MAX_WINDOW_PIECES / 4) return { document, root: detectRoot(document.getText()) };
  const root = detectRoot(document.slice(0, HEAD_LIMIT + HEAD_MARGIN));
  // Back to the user that starts at or before the character before the position (a position at a
  // user's '<' reads the tag before it), on to the next user's start after the position's piece and
  // through that piece (the next user's start tag bounds the one around the position).
  let from = document.pieceIndexAt(offset - 1);
  while (from > 0 && !startsUser(document, from, root)) from--;
  const last = document.pieceCount - 1;
  let to = document.pieceIndexAt(offset) + 1;
  while (to < last && !startsUser(document, to, root)) to++;
  to = Math.min(to, last);
  if (to - from + 1 > MAX_WINDOW_PIECES) return { document, root };
  // From the start of the line the user starts on: its indentation sets the unit of new elements.
  const base = document.offsetAt({ line: document.positionAt(document.pieceStart(from)).line, character: 0 });
  // Offsets in the window count from its start, the root's content start too.
  return { document: new WindowDocument(document, base, document.pieceStart(to + 1)), root: { ...root, contentStart: root.contentStart - base } };
}

/** Piece `i` begins with the user element's start tag (`<user` then a character that ends the name). */
function startsUser(document: EditableText, i: number, root: RootInfo): boolean {
  const at = document.pieceStart(i);
  const head = document.slice(at, at + root.userName.length + 2);
  if (!head.startsWith(`<${root.userName}`)) return false;
  return isTagBoundary(head.charCodeAt(root.userName.length + 1));
}

/** Characters [base, end) of a document, as a TextDocument whose offsets count from `base` and whose positions are the document's. */
class WindowDocument implements TextDocument {
  private readonly text: string;

  constructor(private readonly whole: EditableText, private readonly base: number, end: number) {
    this.text = whole.slice(base, end);
  }

  get uri(): string {
    return this.whole.uri;
  }

  get languageId(): string {
    return this.whole.languageId;
  }

  get version(): number {
    return this.whole.version;
  }

  get lineCount(): number {
    return this.whole.lineCount;
  }

  getText(range?: Range): string {
    return range ? this.whole.getText(range) : this.text;
  }

  getLineRange(line: number): Range {
    return this.whole.getLineRange(line);
  }

  getEOLCharacters(line: number): string {
    return this.whole.getEOLCharacters(line);
  }

  positionAt(offset: number): Position {
    return this.whole.positionAt(this.base + Math.max(0, Math.min(offset, this.text.length)));
  }

  offsetAt(position: Position): number {
    return Math.max(0, Math.min(this.whole.offsetAt(position) - this.base, this.text.length));
  }
}
