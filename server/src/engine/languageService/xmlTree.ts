/**
 * A light element tree of one region of the document (one user, one element), with string
 * offsets for every part, built from xmlTokens. It is what completion, hover and quick fixes
 * look at; it is never built over a whole file. Broken markup still gives a tree: an end tag
 * closes the nearest open element of its name, and what is left open ends where the region does.
 */
import { readTags, TokenKind, type Tag, type TagAttribute } from './xmlTokens';

export interface XmlElement {
  name: string;
  /** Offset of '<' of the start tag. */
  start: number;
  nameStart: number;
  nameEnd: number;
  /** Just past the start tag's '>'. */
  startTagEnd: number;
  /** Offset of '</' of the end tag; equals startTagEnd for a self-closing tag, -1 when never closed. */
  endTagStart: number;
  /** Just past the end tag (or the start tag when self-closing); the region's end when never closed. */
  end: number;
  selfClosing: boolean;
  /** The start tag reached its '>'. */
  terminated: boolean;
  attributes: TagAttribute[];
  children: XmlElement[];
  parent: XmlElement | null;
  /** Offset of the end tag's name, -1 without an end tag. */
  endNameStart: number;
}

/** Parses the tags in [from, to) into a forest; the elements at the region's top level are returned. */
export function parseRegion(text: string, from: number, to: number): XmlElement[] {
  const top: XmlElement[] = [];
  const stack: XmlElement[] = [];
  readTags(text, from, to, true, (tag: Tag) => {
    if (tag.kind === TokenKind.StartTag) {
      const parent = stack.length > 0 ? stack[stack.length - 1] : null;
      const element: XmlElement = {
        name: tag.name,
        start: tag.start,
        nameStart: tag.nameStart,
        nameEnd: tag.nameEnd,
        startTagEnd: tag.end,
        // A start tag still being typed (no '>') holds nothing: the siblings after it stay siblings.
        endTagStart: tag.selfClosing || !tag.terminated ? tag.end : -1,
        end: tag.selfClosing || !tag.terminated ? tag.end : to,
        selfClosing: tag.selfClosing,
        terminated: tag.terminated,
        attributes: tag.attributes,
        children: [],
        parent,
        endNameStart: -1,
      };
      (parent ? parent.children : top).push(element);
      if (!tag.selfClosing && tag.terminated && tag.name !== '') stack.push(element);
    } else if (tag.kind === TokenKind.EndTag) {
      let k = stack.length - 1;
      while (k >= 0 && stack[k].name !== tag.name) k--;
      if (k < 0) return;
      const element = stack[k];
      element.endTagStart = tag.start;
      element.endNameStart = tag.nameStart;
      element.end = tag.end;
      // Elements left open inside it end where it ends.
      for (let j = stack.length - 1; j > k; j--) stack[j].end = tag.start;
      stack.length = k;
    }
  });
  return top;
}

/** The innermost element whose extent holds `offset` (start tag included). */
export function elementAt(roots: readonly XmlElement[], offset: number): XmlElement | null {
  let found: XmlElement | null = null;
  let level: readonly XmlElement[] = roots;
  for (;;) {
    const hit = level.find((e) => e.start <= offset && (offset < e.end || (e.endTagStart < 0 && offset <= e.end)));
    if (!hit) return found;
    found = hit;
    level = hit.children;
  }
}

/** The element's text content between its tags ('' for a self-closing or unclosed element). */
export function contentOf(text: string, element: XmlElement): string {
  if (element.selfClosing || element.endTagStart < 0) return '';
  return text.slice(element.startTagEnd, element.endTagStart);
}

/** The trimmed text's offsets inside an element, or null when it holds only white space. */
export function trimmedTextRange(text: string, element: XmlElement): { start: number; end: number } | null {
  if (element.selfClosing || element.endTagStart < 0) return null;
  let s = element.startTagEnd;
  let e = element.endTagStart;
  while (s < e && /\s/.test(text[s])) s++;
  while (e > s && /\s/.test(text[e - 1])) e--;
  return s < e ? { start: s, end: e } : null;
}

/** The element that starts at `start` ('<'), read forward to its end tag: cost grows with the element only. */
export function elementStartingAt(text: string, start: number, limit = text.length): XmlElement | null {
  let depth = 0;
  let end = limit;
  readTags(text, start, limit, false, (tag) => {
    if (tag.kind === TokenKind.StartTag) {
      if (tag.selfClosing) {
        if (depth === 0) {
          end = tag.end;
          return false;
        }
      } else depth++;
    } else if (tag.kind === TokenKind.EndTag) {
      depth--;
      if (depth === 0) {
        end = tag.end;
        return false;
      }
    }
    return true;
  });
  const roots = parseRegion(text, start, end);
  return roots.length > 0 && roots[0].start === start ? roots[0] : null;
}
