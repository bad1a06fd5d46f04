/**
 * Where a position is, in model terms: the schema version (from the root), the user record that
 * holds the position (found by searching backwards in the text, so a request costs the size of
 * one user, not of the file), that user's element tree, and the model definition of each element.
 */
import { compiledModel, type ElementNode } from '../schema/compiledModel';
import { looseName } from '../schema/models';
import { readTag, readTags, TokenKind, type Tag } from './xmlTokens';
import { elementAt, parseRegion, type XmlElement } from './xmlTree';

/** The root element and what it says about the version. */
export interface RootInfo {
  version: 1 | 2;
  /** The root's name as written ('' when there is none yet). */
  name: string;
  /** Offset just past the root's start tag (0 when there is none). */
  contentStart: number;
  /** The user record's element name for this version. */
  userName: 'user' | 'userRecord';
  /** The root is itself a user record (a file of one bare <user>). */
  rootIsUser: boolean;
}

/** How far into the document the root and its first child are looked for. */
export const HEAD_LIMIT = 64 * 1024;

export function detectRoot(text: string): RootInfo {
  let rootName = '';
  let contentStart = 0;
  let firstChild = '';
  let hasV1Namespace = false;
  readTags(text, 0, Math.min(text.length, HEAD_LIMIT), true, (tag) => {
    // A bare `<` being typed names nothing: it is neither the root nor the child that tells v1 from v2.
    if (tag.kind !== TokenKind.StartTag || tag.name === '') return true;
    if (!rootName) {
      rootName = tag.name;
      contentStart = tag.end;
      hasV1Namespace = tag.attributes.some((a) => a.name === 'xmlns' && a.valueStart >= 0 && text.slice(a.valueStart, a.valueEnd).includes('extsystem'));
      return !tag.selfClosing;
    }
    firstChild = tag.name;
    return false;
  });
  const v1 = rootName === 'userRecords' ? firstChild !== 'user' && (firstChild === 'userRecord' || hasV1Namespace || firstChild === '')
    : rootName === 'userRecord';
  const version = v1 ? 1 : 2;
  return {
    version,
    name: rootName,
    contentStart,
    userName: version === 1 ? 'userRecord' : 'user',
    rootIsUser: rootName === 'user' || rootName === 'userRecord',
  };
}

/** The user record's model definition under the root of this version. */
export function userDef(version: 1 | 2): ElementNode {
  return compiledModel(version).root.children[0];
}

/** A character that ends a tag name (or the end of the text, NaN). */
export function isTagBoundary(c: number): boolean {
  return c === 62 || c === 47 || c === 32 || c === 10 || c === 13 || c === 9 || Number.isNaN(c);
}

/** The offset of the last `<name` start tag at or before `offset`, or -1. */
function lastStartTag(text: string, name: string, offset: number): number {
  const needle = `<${name}`;
  let k = text.lastIndexOf(needle, offset);
  while (k >= 0 && !isTagBoundary(text.charCodeAt(k + needle.length))) k = k === 0 ? -1 : text.lastIndexOf(needle, k - 1);
  return k;
}

/** The offset of the next `<name` start tag at or after `offset`, or -1. */
function nextStartTag(text: string, name: string, offset: number): number {
  const needle = `<${name}`;
  let k = text.indexOf(needle, offset);
  while (k >= 0 && !isTagBoundary(text.charCodeAt(k + needle.length))) k = text.indexOf(needle, k + 1);
  return k;
}

/** The offset just past `</name>` at or after `offset`, or -1. */
function nextEndTag(text: string, name: string, offset: number): number {
  const needle = `</${name}`;
  let k = text.indexOf(needle, offset);
  while (k >= 0) {
    const tag = readTag(text, k, text.length, false);
    if (tag.name === name) return tag.end;
    k = text.indexOf(needle, k + 1);
  }
  return -1;
}

/**
 * The extent of the user record that holds `offset`: from its '<' to just past its end tag (or to
 * the next user's start when it is not closed). Null when the offset is between or outside users.
 */
export function userExtentAt(text: string, offset: number, root: RootInfo): { start: number; end: number } | null {
  const name = root.userName;
  const start = lastStartTag(text, name, Math.min(text.length, offset));
  if (start < 0) return null;
  const following = nextStartTag(text, name, start + 1);
  let end = nextEndTag(text, name, start);
  if (end < 0 || (following >= 0 && following < end)) end = following >= 0 ? following : text.length;
  return offset < end || end === text.length ? { start, end } : null;
}

/** What the language features need to know about a position. */
export interface PositionContext {
  root: RootInfo;
  /** The user record's tree (its one top element), or null outside any user. */
  user: XmlElement | null;
  /** The innermost element at the offset (inside the user), or null. */
  element: XmlElement | null;
}

export function contextAt(text: string, offset: number, root: RootInfo = detectRoot(text)): PositionContext {
  const extent = userExtentAt(text, offset, root);
  if (!extent) return { root, user: null, element: null };
  const roots = parseRegion(text, extent.start, extent.end);
  const user = roots[0] ?? null;
  return { root, user, element: user ? elementAt(roots, offset) : null };
}

/** A child definition by name: as written, then by case, then loosely (so misspelt context still resolves). */
export function childDef(parent: ElementNode, name: string): ElementNode | undefined {
  const index = parent.index;
  return (index.exact.get(name) ?? index.lowerCase.get(name.toLowerCase()) ?? index.loose.get(looseName(name)))?.def;
}

/**
 * The model definitions from the user record down to `element` (one per level), or [] when the
 * model does not know one of them.
 */
export function defChain(element: XmlElement, version: 1 | 2): ElementNode[] {
  const path: XmlElement[] = [];
  for (let e: XmlElement | null = element; e; e = e.parent) path.unshift(e);
  const chain: ElementNode[] = [userDef(version)];
  for (let k = 1; k < path.length; k++) {
    const def = childDef(chain[k - 1], path[k].name);
    if (!def) return [];
    chain.push(def);
  }
  return chain;
}

/** The model definition of an element of a user's tree; undefined for one the model does not know. */
export function defOf(element: XmlElement, version: 1 | 2): ElementNode | undefined {
  const chain = defChain(element, version);
  return chain[chain.length - 1];
}

/** The definition of the root element (users / userRecords). */
export function rootDef(version: 1 | 2): ElementNode {
  return compiledModel(version).root;
}

/** The tag (start, end, or other markup) whose text holds `offset`, or null in text. */
export function tagAround(text: string, offset: number): Tag | null {
  const k = text.lastIndexOf('<', Math.min(offset, text.length - 1));
  if (k < 0) return null;
  const tag = readTag(text, k, text.length, true);
  return offset < tag.end || (!tag.terminated && offset <= tag.end) ? tag : null;
}

/** The definitions down to the element at the position: in the user's tree, or the root tag outside it. */
export function chainAt(element: XmlElement | null, tag: Tag | null, root: RootInfo): ElementNode[] {
  if (element) return defChain(element, root.version);
  if (tag && tag.name === root.name && !root.rootIsUser) return [rootDef(root.version)];
  return [];
}
