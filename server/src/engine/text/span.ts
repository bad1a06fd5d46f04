/**
 * A source range as the scanner records it: 0-based line and UTF-16 column, exactly as LSP
 * counts them. Kept as one flat object (not LSP's nested Range) because the scanner makes
 * millions of these on a large file; `toRange` builds the LSP shape only for findings.
 */
export interface Span {
  line: number;
  col: number;
  endLine: number;
  endCol: number;
}

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export function toRange(span: Span): Range {
  return {
    start: { line: span.line, character: span.col },
    end: { line: span.endLine, character: span.endCol },
  };
}

/** Orders ranges the way editors and CLI output list them. */
export function compareRanges(a: Range, b: Range): number {
  return (
    a.start.line - b.start.line ||
    a.start.character - b.start.character ||
    a.end.line - b.end.line ||
    a.end.character - b.end.character
  );
}
