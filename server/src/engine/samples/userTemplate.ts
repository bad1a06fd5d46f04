import { DOMParser, XMLSerializer, type Element, type Node } from '@xmldom/xmldom';

/*
 * "New file from this user": a one-user file made from the user under the cursor. Only that user
 * is parsed (a DOM of one user is small; a DOM of a whole 100k-user file is not), after the
 * enclosing <user> or <userRecord> has been found by a plain text search around the cursor.
 */

export type TemplateValues = 'keep' | 'blank';

export interface UserTemplate {
  /** The complete one-user file. */
  text: string;
  schemaVersion: 1 | 2;
  /** The user's primary_id (v2) or userName (v1), when it has one: a name for the new file. */
  primaryId?: string;
}

/** Thrown when the cursor is not inside a user, or the user is not well-formed XML. */
export class UserTemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserTemplateError';
  }
}

const V1_NAMESPACE = 'http://com/exlibris/digitool/repository/extsystem/xmlbeans';

const SHAPES = [
  { version: 2 as const, open: '<user', close: '</user>', root: 'users', rootOpen: '<users>', idElement: 'primary_id' },
  { version: 1 as const, open: '<userRecord', close: '</userRecord>', root: 'userRecords', rootOpen: `<userRecords xmlns="${V1_NAMESPACE}">`, idElement: 'userName' },
];

/** The start and end offsets of the user element around `offset`, or undefined. */
export function findEnclosingUser(text: string, offset: number): { start: number; end: number; version: 1 | 2 } | undefined {
  for (const shape of SHAPES) {
    // The cursor may sit inside the start tag itself.
    let start = text.lastIndexOf(shape.open, Math.min(offset, text.length));
    while (start >= 0 && !isTagEnd(text.charCodeAt(start + shape.open.length))) start = start === 0 ? -1 : text.lastIndexOf(shape.open, start - 1);
    if (start < 0) continue;
    const close = text.indexOf(shape.close, start);
    if (close < 0 || close + shape.close.length < offset) continue;
    return { start, end: close + shape.close.length, version: shape.version };
  }
  return undefined;
}

/** Whitespace, `>` or `/`: what may follow an element name in a tag. */
function isTagEnd(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d || code === 0x3e || code === 0x2f;
}

/** The one-user file for the user around `offset`: its values kept, or blanked to fill in. */
export function userTemplate(text: string, offset: number, values: TemplateValues): UserTemplate {
  const span = findEnclosingUser(text, offset);
  if (!span) throw new UserTemplateError('the cursor is not inside a <user> (v2) or <userRecord> (v1)');
  const shape = SHAPES.find((s) => s.version === span.version)!;
  const fragment = text.slice(span.start, span.end);
  const problems: string[] = [];
  const notWellFormed = (message: string) => new UserTemplateError(`this user is not well-formed XML: ${message.split('\n')[0]}`);
  let document;
  try {
    document = new DOMParser({
      onError: (level, message) => {
        if (level !== 'warning') problems.push(message);
      },
    }).parseFromString(`${shape.rootOpen}\n  ${fragment}\n</${shape.root}>`, 'text/xml');
  } catch (error) {
    // xmldom stops at a fatal error by throwing a ParseError.
    throw notWellFormed(error instanceof Error ? error.message : String(error));
  }
  if (problems.length > 0) throw notWellFormed(problems[0]);
  const root = document.documentElement;
  const user = root ? firstElement(root) : undefined;
  if (!root || !user) throw new UserTemplateError('this user could not be read');
  const primaryId = childText(user, shape.idElement);
  if (values === 'blank') blankValues(user);
  const body = new XMLSerializer().serializeToString(root);
  return { text: `<?xml version="1.0" encoding="UTF-8"?>\n${body}\n`, schemaVersion: span.version, primaryId: primaryId || undefined };
}

function firstElement(node: Node): Element | undefined {
  for (let child = node.firstChild; child; child = child.nextSibling) if (child.nodeType === child.ELEMENT_NODE) return child as Element;
  return undefined;
}

function childText(user: Element, name: string): string | undefined {
  for (let child = user.firstChild; child; child = child.nextSibling) {
    if (child.nodeType === child.ELEMENT_NODE && (child as Element).localName === name) return (child.textContent ?? '').trim();
  }
  // v1 keeps the user name one level down, in userDetails.
  for (let child = user.firstChild; child; child = child.nextSibling) {
    if (child.nodeType === child.ELEMENT_NODE && (child as Element).localName === 'userDetails') return childText(child as Element, name);
  }
  return undefined;
}

/**
 * Empties every value: the text of elements without child elements and the `desc` attributes. The
 * structure and the structural attributes (preferred, segment_type) stay, so the file shows what to fill in.
 */
function blankValues(element: Element): void {
  let hasElementChild = false;
  for (let child = element.firstChild; child; child = child.nextSibling) {
    if (child.nodeType === child.ELEMENT_NODE) {
      hasElementChild = true;
      blankValues(child as Element);
    }
  }
  if (!hasElementChild) {
    element.textContent = '';
    // An empty text node keeps `<city></city>` rather than `<city/>`: a place to type the value.
    const owner = element.ownerDocument;
    if (owner) element.appendChild(owner.createTextNode(''));
  }
  if (element.hasAttribute('desc')) element.setAttribute('desc', '');
}
