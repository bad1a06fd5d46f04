/**
 * The fix for each rule where one is clear, as offset edits on the document's text. A fix is
 * `certain` when it cannot change what the producer meant (a name's case, `&` → `&amp;`, the
 * schema's order): only those go into "fix all". Each reads no more than the element it fixes,
 * or the user record around it.
 */
import type { Diagnostic } from 'vscode-languageserver-types';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { ValidationSettings } from '../config/types';
import type { DiagnosticData } from '../validation/lspDiagnostics';
import { looseName } from '../schema/models';
import type { ElementNode } from '../schema/compiledModel';
import { childDef, contextAt, defOf, detectRoot, type RootInfo } from './documentContext';
import { elementText, indentUnitOf, lineIndent } from './skeleton';
import { readTag, TokenKind } from './xmlTokens';
import { elementStartingAt, type XmlElement } from './xmlTree';

export interface OffsetEdit {
  start: number;
  end: number;
  newText: string;
  /**
   * For an edit that moves whole pieces of the original text (a reorder): its new text with
   * smaller edits inside those pieces applied (offsets in the original text), or undefined when
   * one falls outside them. Lets "fix all" fix a name inside <contact_info> and reorder it at once.
   */
  compose?: (inner: readonly OffsetEdit[]) => string | undefined;
}

/** `text` (which starts at offset `base` of the document) with `edits` applied; they lie inside it and do not overlap. */
export function applyInside(text: string, base: number, edits: readonly OffsetEdit[]): string {
  let result = text;
  for (const edit of [...edits].sort((a, b) => b.start - a.start)) {
    result = result.slice(0, edit.start - base) + edit.newText + result.slice(edit.end - base);
  }
  return result;
}

export interface Fix {
  title: string;
  edits: OffsetEdit[];
  /** Safe to apply without looking: goes into "fix all". */
  certain: boolean;
  /** The one fix an editor may apply with its "auto fix" key. */
  preferred: boolean;
  /** The rule of the diagnostic it fixes, where fixes of several rules go together ("fix all"). */
  rule?: string;
}

/** What a fixer is given: the document's text, the diagnostic's offsets and its data. */
export interface FixInput {
  document: TextDocument;
  text: string;
  start: number;
  end: number;
  diagnostic: Diagnostic;
  /** The diagnostic's message as plain text. */
  message: string;
  suggestions: string[];
  settings: ValidationSettings;
  root: () => RootInfo;
}

type Fixer = (input: FixInput) => Fix[];

function fix(title: string, edits: OffsetEdit[], certain: boolean, preferred = certain): Fix {
  return { title, edits, certain, preferred };
}

function replace(input: FixInput, newText: string): OffsetEdit {
  return { start: input.start, end: input.end, newText };
}

/** The element whose start-tag name begins at `nameStart`. */
function elementNamedAt(text: string, nameStart: number): XmlElement | null {
  const start = text.lastIndexOf('<', nameStart);
  return start >= 0 && start === nameStart - 1 ? elementStartingAt(text, start) : null;
}

/** Both tags of the element at the diagnostic renamed. */
function renameElement(input: FixInput, name: string): OffsetEdit[] {
  const element = elementNamedAt(input.text, input.start);
  const edits: OffsetEdit[] = [{ start: input.start, end: input.end, newText: name }];
  if (element && element.endNameStart >= 0 && !element.selfClosing) {
    const endName = readTag(input.text, element.endTagStart, element.end, false);
    edits.push({ start: endName.nameStart, end: endName.nameEnd, newText: name });
  }
  return edits;
}

/** The extent to delete for an element: with its line when nothing else is on it. */
function removalExtent(text: string, start: number, end: number): { start: number; end: number } {
  let s = start;
  while (s > 0 && (text[s - 1] === ' ' || text[s - 1] === '\t')) s--;
  let e = end;
  while (e < text.length && (text[e] === ' ' || text[e] === '\t')) e++;
  const wholeLine = (s === 0 || text[s - 1] === '\n') && (e === text.length || text[e] === '\n' || text[e] === '\r');
  if (!wholeLine) return { start, end };
  if (text[e] === '\r') e++;
  if (text[e] === '\n') e++;
  return { start: s, end: e };
}

function removeElement(input: FixInput, title: string, certain: boolean): Fix[] {
  const element = elementNamedAt(input.text, input.start);
  if (!element) return [];
  const extent = removalExtent(input.text, element.start, element.end);
  return [fix(title, [{ ...extent, newText: '' }], certain, false)];
}

/** The model definition of the element whose start-tag name begins at `nameStart` (within its user). */
function defAtName(input: FixInput, nameStart: number): { element: XmlElement; def: ElementNode; user: XmlElement | null } | null {
  const root = input.root();
  const ctx = contextAt(input.text, nameStart, root);
  const element = ctx.element;
  if (!element || element.nameStart !== nameStart) return null;
  const def = defOf(element, root.version);
  return def ? { element, def, user: ctx.user } : null;
}

function eolOf(text: string): string {
  const k = text.indexOf('\n');
  return k > 0 && text[k - 1] === '\r' ? '\r\n' : '\n';
}

/** Inserts a new last child into `parent`, on its own line, indented like its siblings. */
function insertChild(text: string, parent: XmlElement, user: XmlElement | null, childText: (indent: string) => string): OffsetEdit[] {
  const eol = eolOf(text);
  const unit = indentUnitOf(text, user ?? parent);
  const parentIndent = lineIndent(text, parent.start);
  const last = parent.children[parent.children.length - 1];
  const indent = last ? lineIndent(text, last.start) : parentIndent + unit;
  if (parent.selfClosing) {
    // <email/> becomes <email>…</email>.
    const slash = text.lastIndexOf('/', parent.startTagEnd);
    return [{ start: slash, end: parent.startTagEnd, newText: `>${eol}${indent}${childText(indent)}${eol}${parentIndent}</${parent.name}>` }];
  }
  if (parent.endTagStart < 0) return [];
  const lineStart = text.lastIndexOf('\n', parent.endTagStart - 1) + 1;
  const endOnOwnLine = /^[ \t]*$/.test(text.slice(lineStart, parent.endTagStart)) && lineStart > parent.startTagEnd;
  if (endOnOwnLine) return [{ start: lineStart, end: lineStart, newText: `${indent}${childText(indent)}${eol}` }];
  return [{ start: parent.endTagStart, end: parent.endTagStart, newText: `${eol}${indent}${childText(indent)}${eol}${parentIndent}` }];
}

const caseOfElement: Fixer = (input) => input.suggestions.slice(0, 1).map((name) => fix(`Rename to <${name}> (both tags)`, renameElement(input, name), true));

const unknownElement: Fixer = (input) => {
  const written = input.text.slice(input.start, input.end);
  const sure = input.suggestions.length === 1 && looseName(written) === looseName(input.suggestions[0]);
  return input.suggestions.map((name) => fix(`Rename to <${name}> (both tags)`, renameElement(input, name), sure, input.suggestions.length === 1));
};

const caseOfAttribute: Fixer = (input) => input.suggestions.slice(0, 1).map((name) => fix(`Write ${name}`, [replace(input, name)], true));

const unknownAttribute: Fixer = (input) => {
  const written = input.text.slice(input.start, input.end);
  const sure = input.suggestions.length === 1 && looseName(written) === looseName(input.suggestions[0]);
  return input.suggestions.map((name) => fix(`Rename to ${name}`, [replace(input, name)], sure, input.suggestions.length === 1));
};

/** One action per suggested value; certain only for a rule that knows the one right value (case). */
const replaceValue = (verb: string, mayBeCertain: boolean): Fixer => (input) => input.suggestions.map((value) =>
  fix(`${verb} "${value}"`, [replace(input, value)], mayBeCertain && input.suggestions.length === 1, input.suggestions.length === 1));

const duplicateElement: Fixer = (input) => {
  const name = input.text.slice(input.start, input.end);
  return removeElement(input, `Remove this duplicate <${name}>`, false);
};

const bom: Fixer = (input) => {
  const text = input.text;
  if (text.charCodeAt(0) === 0xfeff) return [fix('Remove the byte order mark', [{ start: 0, end: 1, newText: '' }], true)];
  const declaration = text.indexOf('<?xml');
  if (declaration <= 0) return [];
  const blank = /^\s*$/.test(text.slice(0, declaration));
  return [fix('Remove what comes before the XML declaration', [{ start: 0, end: declaration, newText: '' }], blank)];
};

const missingElement: Fixer = (input) => {
  const name = input.suggestions[0];
  const found = name ? defAtName(input, input.start) : null;
  const child = found ? childDef(found.def, name) : undefined;
  if (!found || !child) return [];
  const eol = eolOf(input.text);
  const unit = indentUnitOf(input.text, found.user);
  const edits = insertChild(input.text, found.element, found.user, (indent) => elementText(child, indent, unit, eol));
  return edits.length > 0 ? [fix(`Add <${name}> to <${found.element.name}>`, edits, false, true)] : [];
};

const elementOrder: Fixer = (input) => {
  const found = defAtName(input, input.start);
  const parent = found?.element.parent;
  if (!found || !parent) return [];
  const parentDef = defOf(parent, input.root().version);
  const children = parent.children;
  if (!parentDef || children.length < 2) return [];
  const rank = (e: XmlElement): number => {
    const def = childDef(parentDef, e.name);
    return def ? parentDef.children.indexOf(def) : parentDef.children.length;
  };
  // Only white space between the children: a comment would lose its place.
  const gaps: string[] = [];
  for (let k = 1; k < children.length; k++) {
    const gap = input.text.slice(children[k - 1].end, children[k].start);
    if (!/^\s*$/.test(gap)) return [];
    gaps.push(gap);
  }
  const sorted = children.map((e, k) => ({ e, k, r: rank(e) })).sort((a, b) => a.r - b.r || a.k - b.k).map((x) => x.e);
  // The children in order, the white space between them where it was; edits inside a child move with it.
  const build = (inner: readonly OffsetEdit[]): string | undefined => {
    if (inner.some((edit) => !children.some((e) => e.start <= edit.start && edit.end <= e.end))) return undefined;
    let newText = '';
    sorted.forEach((e, k) => {
      const own = inner.filter((edit) => e.start <= edit.start && edit.end <= e.end);
      newText += (k > 0 ? gaps[k - 1] : '') + applyInside(input.text.slice(e.start, e.end), e.start, own);
    });
    return newText;
  };
  const order = parentDef.children.map((c) => c.name).join(', ');
  const edit: OffsetEdit = { start: children[0].start, end: children[children.length - 1].end, newText: build([])!, compose: build };
  return [fix(`Put the children of <${parent.name}> in order (${order})`, [edit], true)];
};

const BOOLEAN_WORDS: Record<string, string> = { yes: 'true', y: 'true', no: 'false', n: 'false' };

const invalidBoolean: Fixer = (input) => {
  const value = input.text.slice(input.start, input.end);
  const lower = value.toLowerCase();
  if (lower === 'true' || lower === 'false') return [fix(`Write "${lower}"`, [replace(input, lower)], true)];
  const word = BOOLEAN_WORDS[lower];
  return word ? [fix(`Write "${word}"`, [replace(input, word)], false, true)] : [];
};

/**
 * The date the message tells to write (the checker's suggestion: lexical.ts checkDate), written.
 * Certain when it is the same digits in the other form (20251231 → 2025-12-31, v1's 2027-06-30 →
 * 20270630); dropping a time part is offered, not applied by "fix all".
 */
const invalidDate: Fixer = (input) => {
  const to = input.suggestions[0];
  if (to === undefined) return [];
  const value = input.text.slice(input.start, input.end);
  const digits = (s: string): string => s.replace(/\D/g, '');
  return [fix(`Write ${to}`, [replace(input, to)], digits(value) === digits(to), true)];
};

const emptyValue: Fixer = (input) => {
  if (!/leave the element out/.test(input.message)) return [];
  const name = input.text.slice(input.start, input.end);
  return removeElement(input, `Remove the empty <${name}>`, false);
};

/** A field SIS ignores: remove it (an element, or an output attribute such as link). */
const notLoaded: Fixer = (input) => {
  const text = input.text;
  if (text[input.start - 1] === '<') {
    const name = text.slice(input.start, input.end);
    return removeElement(input, `Remove <${name}> (SIS does not load it)`, false);
  }
  // An attribute: from the space before its name to its closing quote.
  const tagStart = text.lastIndexOf('<', input.start);
  const tag = readTag(text, tagStart, text.length, true);
  const attribute = tag.attributes.find((a) => a.nameStart === input.start);
  if (!attribute || attribute.valueStart < 0) return [];
  let s = attribute.nameStart;
  while (s > tag.nameEnd && /\s/.test(text[s - 1])) s--;
  return [fix(`Remove ${attribute.name} (output only)`, [{ start: s, end: attribute.valueEnd + 1, newText: '' }], false, false)];
};

const multiplePreferred: Fixer = (input) => [fix('Set this one to "false"', [replace(input, 'false')], false, true)];

const xmlSyntax: Fixer = (input) => {
  const written = input.text.slice(input.start, input.end);
  if (written === '&' && /bare "&"/.test(input.message)) return [fix('Write &amp;', [replace(input, '&amp;')], true)];
  const mismatch = /does not match the open element <([^>\s]+)>/.exec(input.message);
  if (mismatch) {
    const tagStart = input.text.lastIndexOf('<', input.start);
    const tag = tagStart >= 0 ? readTag(input.text, tagStart, input.text.length, false) : null;
    if (tag && tag.kind === TokenKind.EndTag && tag.nameStart === input.start) {
      return [fix(`Write </${mismatch[1]}>`, [{ start: tag.nameStart, end: tag.nameEnd, newText: mismatch[1] }], true)];
    }
  }
  return [];
};

const invalidChar: Fixer = (input) => [fix('Remove the forbidden character', [replace(input, '')], true)];

/** A type list without a type: one action per code of the institution's table (the first few). */
const missingType: Fixer = (input) => {
  const found = defAtName(input, input.start);
  const item = found?.def.children[0];
  const codes = item?.codeTable ? input.settings.codeTables?.[item.codeTable] : undefined;
  if (!found || !item || !codes) return [];
  return codes.slice(0, 8).map((entry) =>
    fix(`Add <${item.name}>${entry.code}</${item.name}>${entry.description ? ` (${entry.description})` : ''}`,
      insertChild(input.text, found.element, found.user, () => `<${item.name}>${entry.code}</${item.name}>`), false, false));
};

export const FIXERS: Readonly<Record<string, Fixer>> = {
  'element-case': caseOfElement,
  'unknown-element': unknownElement,
  'attribute-case': caseOfAttribute,
  'unknown-attribute': unknownAttribute,
  'attribute-value': replaceValue('Write', true),
  'code-case': replaceValue('Write', true),
  'unknown-code': replaceValue('Replace with', false),
  'duplicate-element': duplicateElement,
  bom,
  'missing-element': missingElement,
  'element-order': elementOrder,
  'invalid-boolean': invalidBoolean,
  'invalid-date': invalidDate,
  'empty-value': emptyValue,
  'not-loaded': notLoaded,
  'profile-field': (input) => {
    const name = input.text.slice(input.start, input.end);
    return removeElement(input, `Remove <${name}> (the profile sets it)`, false);
  },
  'multiple-preferred': multiplePreferred,
  'xml-syntax': xmlSyntax,
  'invalid-char': invalidChar,
  'missing-type': missingType,
};

/** Rules whose fix may be certain: "fix all" looks at these only. */
export const RULES_WITH_CERTAIN_FIXES: ReadonlySet<string> = new Set([
  'element-case', 'unknown-element', 'attribute-case', 'unknown-attribute', 'attribute-value', 'code-case', 'bom',
  'element-order', 'invalid-boolean', 'invalid-date', 'xml-syntax', 'invalid-char',
]);

/** The fixes for one of our diagnostics (none for a rule without a clear fix). */
export function fixesFor(document: TextDocument, text: string, diagnostic: Diagnostic, settings: ValidationSettings, root: () => RootInfo): Fix[] {
  const fixer = typeof diagnostic.code === 'string' ? FIXERS[diagnostic.code] : undefined;
  if (!fixer) return [];
  const data = diagnostic.data as DiagnosticData | undefined;
  const input: FixInput = {
    document,
    text,
    start: document.offsetAt(diagnostic.range.start),
    end: document.offsetAt(diagnostic.range.end),
    diagnostic,
    message: typeof diagnostic.message === 'string' ? diagnostic.message : diagnostic.message.value,
    suggestions: data?.suggestions ?? [],
    settings,
    root,
  };
  try {
    return fixer(input);
  } catch {
    // A fix that cannot be worked out on odd text is simply not offered.
    return [];
  }
}

/** A root detector that reads the document head once, when a fixer first asks. */
export function lazyRoot(text: string): () => RootInfo {
  let root: RootInfo | undefined;
  return () => (root ??= detectRoot(text));
}
