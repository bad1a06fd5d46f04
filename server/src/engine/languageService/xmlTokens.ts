/**
 * A forgiving tag reader over a string, for the editor features. The validator's scanner works on
 * bytes and reports lines and columns; the language service needs string offsets (edits are made
 * on the document's text) and must read half-typed markup (`<prim` with no `>`), so it reads tags
 * here: one indexOf per tag, character by character only inside tags. Nothing is decoded.
 */

export interface TagAttribute {
  name: string;
  nameStart: number;
  nameEnd: number;
  /** Inside the quotes; -1 when the attribute has no value yet (`preferred` being typed). */
  valueStart: number;
  valueEnd: number;
  /** The quote was closed. */
  closed: boolean;
}

export const enum TokenKind {
  StartTag,
  EndTag,
  /** Comment, CDATA section, processing instruction, DOCTYPE or XML declaration. */
  Other,
}

export interface Tag {
  kind: TokenKind;
  /** Offset of '<'. */
  start: number;
  /** Offset just past '>' (or where an unterminated tag stops: the next '<' or the end). */
  end: number;
  name: string;
  nameStart: number;
  nameEnd: number;
  selfClosing: boolean;
  /** The tag ends with '>'; false for a tag still being typed. */
  terminated: boolean;
  /** Filled for start tags when the reader is asked to (readTags(..., true)). */
  attributes: TagAttribute[];
}

function isNameChar(c: number): boolean {
  // Letters, digits, '_', ':', '.', '-' and anything outside ASCII.
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 58 || c === 46 || c === 45 || c > 127;
}

/** The end of the name that starts at `i`. */
export function nameEnd(text: string, i: number, to = text.length): number {
  while (i < to && isNameChar(text.charCodeAt(i))) i++;
  return i;
}

/** Where markup that opens with `open` at `i` ends (just past `close`), or `to` when it never does. */
function skipTo(text: string, i: number, close: string, to: number): number {
  const k = text.indexOf(close, i);
  return k < 0 || k + close.length > to ? to : k + close.length;
}

/**
 * Reads the tag that starts with '<' at `i`. Start and end tags are parsed; comments, CDATA,
 * PIs and declarations are skipped whole.
 */
export function readTag(text: string, i: number, to: number, withAttributes: boolean): Tag {
  const next = text.charCodeAt(i + 1);
  if (next === 33 /* ! */) {
    const end = text.startsWith('<!--', i) ? skipTo(text, i + 4, '-->', to)
      : text.startsWith('<![CDATA[', i) ? skipTo(text, i + 9, ']]>', to)
      : skipTo(text, i + 2, '>', to);
    return otherTag(i, end);
  }
  if (next === 63 /* ? */) return otherTag(i, skipTo(text, i + 2, '?>', to));
  const isEnd = next === 47; /* / */
  const nameStart = isEnd ? i + 2 : i + 1;
  const nEnd = nameEnd(text, nameStart, to);
  const tag: Tag = {
    kind: isEnd ? TokenKind.EndTag : TokenKind.StartTag,
    start: i,
    end: to,
    name: text.slice(nameStart, nEnd),
    nameStart,
    nameEnd: nEnd,
    selfClosing: false,
    terminated: false,
    attributes: [],
  };
  let k = nEnd;
  let quote = 0;
  let attr: TagAttribute | null = null;
  while (k < to) {
    const c = text.charCodeAt(k);
    if (quote !== 0) {
      if (c === quote) {
        quote = 0;
        if (attr) {
          attr.valueEnd = k;
          attr.closed = true;
          attr = null;
        }
      } else if (c === 60 /* < */) {
        // An unclosed quote: the tag is being typed; stop before the next tag.
        if (attr) attr.valueEnd = k;
        tag.end = k;
        return tag;
      }
      k++;
      continue;
    }
    if (c === 62 /* > */) {
      tag.end = k + 1;
      tag.terminated = true;
      tag.selfClosing = !isEnd && text.charCodeAt(k - 1) === 47;
      return tag;
    }
    if (c === 60) {
      tag.end = k;
      return tag;
    }
    if (c === 34 || c === 39) {
      quote = c;
      if (attr && attr.valueStart < 0) attr.valueStart = k + 1;
      k++;
      continue;
    }
    if (!isEnd && withAttributes && isNameChar(c)) {
      const end = nameEnd(text, k, to);
      attr = { name: text.slice(k, end), nameStart: k, nameEnd: end, valueStart: -1, valueEnd: -1, closed: false };
      tag.attributes.push(attr);
      k = end;
      continue;
    }
    k++;
  }
  if (attr && attr.valueStart >= 0 && !attr.closed) attr.valueEnd = to;
  return tag;
}

function otherTag(start: number, end: number): Tag {
  return { kind: TokenKind.Other, start, end, name: '', nameStart: start, nameEnd: start, selfClosing: false, terminated: true, attributes: [] };
}

/**
 * Calls `visit` for every tag between `from` and `to`, in order. Text is what lies between one
 * tag's end and the next tag's start. `visit` returns false to stop.
 */
export function readTags(text: string, from: number, to: number, withAttributes: boolean, visit: (tag: Tag) => boolean | void): void {
  let i = text.indexOf('<', from);
  while (i >= 0 && i < to) {
    const tag = readTag(text, i, to, withAttributes);
    if (visit(tag) === false) return;
    i = text.indexOf('<', Math.max(tag.end, i + 1));
  }
}
