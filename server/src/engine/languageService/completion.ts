/**
 * Completion from the record model: the children the enclosing element may still take, attribute
 * names and values, and coded values from Alma's fixed lists and the institution's code tables.
 * Only the user record around the position is read.
 */
import type { TextDocument } from 'vscode-languageserver-textdocument';
import {
  CompletionItemKind,
  CompletionList,
  InsertTextFormat,
  InsertTextMode,
  MarkupKind,
  Range,
  TextEdit,
  type CompletionItem,
  type Position,
} from 'vscode-languageserver-types';
import type { ValidationSettings } from '../config/types';
import type { ElementNode } from '../schema/compiledModel';
import { contextAt, defChain, defOf, rootDef, type PositionContext } from './documentContext';
import { viewAround } from './textWindow';
import { attributeSummary, codesFor, describeAttribute, describeElement, occurrence, typeSummary } from './fieldInfo';
import { indentUnitOf, lineIndent, requiredChildren } from './skeleton';
import { nameEnd, readTag, TokenKind, type Tag } from './xmlTokens';
import { trimmedTextRange, type XmlElement } from './xmlTree';

/** '<' a new element, '/' an end tag, quotes an attribute value. */
export const COMPLETION_TRIGGER_CHARACTERS = ['<', '/', '"', "'"];

/** Only these many codes go into a snippet's choice list; longer tables are completed in the text. */
const MAX_SNIPPET_CHOICES = 30;

interface Where {
  document: TextDocument;
  text: string;
  ctx: PositionContext;
  settings: ValidationSettings;
  range: Range;
}

/** What may be written at the position. */
export function doComplete(whole: TextDocument, position: Position, settings: ValidationSettings): CompletionList {
  const { document, root } = viewAround(whole, whole.offsetAt(position));
  const text = document.getText();
  const offset = document.offsetAt(position);
  const ctx = contextAt(text, offset, root);
  const tag = tagBefore(text, offset);
  const at = (start: number, end: number): Where => ({
    document, text, ctx, settings, range: Range.create(document.positionAt(start), document.positionAt(end)),
  });
  let items: CompletionItem[] = [];
  if (tag?.kind === TokenKind.StartTag) {
    const element = elementOfTag(ctx, tag);
    if (offset <= tag.nameEnd) {
      const parent = element?.parent ?? null;
      items = elementItems(at(tag.nameStart, tag.nameEnd), parent, element, !tag.terminated, false);
    } else {
      items = attributeItems(at(offset, offset), tag, element, offset);
    }
  } else if (tag?.kind === TokenKind.EndTag) {
    const open = ctx.element;
    if (open && offset <= tag.nameEnd) {
      items = [{
        label: open.name,
        kind: CompletionItemKind.Property,
        textEdit: TextEdit.replace(at(tag.nameStart, tag.nameEnd).range, tag.terminated ? open.name : `${open.name}>`),
      }];
    }
  } else if (!tag) {
    items = textItems(text, offset, at, ctx);
  }
  return CompletionList.create(items, false);
}

/** The start or end tag the offset is inside (after its '<'), or null in text. */
function tagBefore(text: string, offset: number): Tag | null {
  if (offset === 0) return null;
  const k = text.lastIndexOf('<', offset - 1);
  if (k < 0) return null;
  const tag = readTag(text, k, text.length, true);
  if (tag.kind === TokenKind.Other) return offset < tag.end ? tag : null;
  return offset < tag.end || (!tag.terminated && offset <= tag.end) ? tag : null;
}

function elementOfTag(ctx: PositionContext, tag: Tag): XmlElement | null {
  let found: XmlElement | null = null;
  const visit = (e: XmlElement): void => {
    if (e.start === tag.start) found = e;
    else if (e.start < tag.start && tag.start < e.end) e.children.forEach(visit);
  };
  if (ctx.user) visit(ctx.user);
  return found;
}

/** The definitions down to the element that holds new children: in the user's tree, or the root. */
function holderChain(ctx: PositionContext, holder: XmlElement | null): ElementNode[] {
  return holder ? defChain(holder, ctx.root.version) : [rootDef(ctx.root.version)];
}

/**
 * Elements `holder` may still take. `self` is the element being named (not counted as present);
 * `openTag` means the user is typing a new tag (insert the whole element after '<'); `withBracket`
 * means the insertion must also write the '<'.
 */
function elementItems(where: Where, holder: XmlElement | null, self: XmlElement | null, openTag: boolean, withBracket: boolean): CompletionItem[] {
  const { ctx, text } = where;
  if (!holder && ctx.root.name === '') return rootItems(where, withBracket || openTag, withBracket);
  const chain = holderChain(ctx, holder);
  const def = chain[chain.length - 1];
  if (!def || def.content === 'simple') return [];
  const present = new Map<string, number>();
  for (const child of holder?.children ?? []) {
    if (child !== self) present.set(child.name, (present.get(child.name) ?? 0) + 1);
  }
  const indent = lineIndent(text, self?.start ?? where.document.offsetAt(where.range.start));
  const unit = indentUnitOf(text, ctx.user);
  const [lowest, highest] = sequenceWindow(def, holder, self, where.document.offsetAt(where.range.start));
  const items: CompletionItem[] = [];
  def.children.forEach((child, position) => {
    if ((present.get(child.name) ?? 0) >= child.max || position < lowest || position > highest) return;
    const required = child.min >= 1 || child.documentedMandatory;
    const item: CompletionItem = {
      label: child.name,
      kind: child.content === 'simple' ? CompletionItemKind.Field : CompletionItemKind.Module,
      detail: `${typeSummary(child)} · ${occurrence(child)}`,
      documentation: { kind: MarkupKind.Markdown, value: describeElement([...chain, child], ctx.root.version) },
      sortText: `${required ? 0 : 1}${String(position).padStart(3, '0')}`,
    };
    if (openTag || withBracket) {
      const snippet = elementSnippet(child, indent, unit, where.settings, { n: 1 });
      item.textEdit = TextEdit.replace(where.range, withBracket ? snippet : snippet.slice(1));
      item.insertTextFormat = InsertTextFormat.Snippet;
      item.insertTextMode = InsertTextMode.asIs;
    } else {
      item.textEdit = TextEdit.replace(where.range, child.name);
    }
    items.push(item);
  });
  return items;
}

/**
 * For a sequence (contact_info): the model positions that may stand at `offset` without breaking
 * the order of the children already there. Any position for other content.
 */
function sequenceWindow(def: ElementNode, holder: XmlElement | null, self: XmlElement | null, offset: number): [number, number] {
  if (def.content !== 'sequence' || !holder) return [0, Infinity];
  let lowest = 0;
  let highest = Infinity;
  for (const child of holder.children) {
    if (child === self) continue;
    const position = def.children.findIndex((c) => c.name === child.name);
    if (position < 0) continue;
    if (child.start < offset) lowest = Math.max(lowest, position);
    else highest = Math.min(highest, position);
  }
  return [lowest, highest];
}

/** An empty document: the root of a v2 file with one user. */
function rootItems(where: Where, whole: boolean, withBracket: boolean): CompletionItem[] {
  const root = rootDef(2);
  const snippet = elementSnippet(root, '', '  ', where.settings, { n: 1 });
  return [{
    label: root.name,
    kind: CompletionItemKind.Module,
    detail: 'root of a User XSD v2 file',
    textEdit: TextEdit.replace(where.range, whole ? (withBracket ? snippet : snippet.slice(1)) : root.name),
    insertTextFormat: InsertTextFormat.Snippet,
    insertTextMode: InsertTextMode.asIs,
  }];
}

function escapeChoice(value: string): string {
  return value.replace(/[\\|,$}]/g, (c) => `\\${c}`);
}

/** `<name>…</name>` with tab stops, its required children written out below it. */
function elementSnippet(def: ElementNode, indent: string, unit: string, settings: ValidationSettings, counter: { n: number }): string {
  if (def.content === 'simple') {
    const codes = codesFor(def, settings.codeTables);
    const choices = def.type === 'boolean' ? ['false', 'true'] : codes && codes.length <= MAX_SNIPPET_CHOICES ? codes.map((c) => c.code) : undefined;
    const stop = choices && choices.length > 0 ? `\${${counter.n++}|${choices.map(escapeChoice).join(',')}|}` : `\$${counter.n++}`;
    return `<${def.name}>${stop}</${def.name}>`;
  }
  const children = requiredChildren(def);
  if (children.length === 0) return `<${def.name}>\$${counter.n++}</${def.name}>`;
  const inner = children.map((child) => `${indent}${unit}${elementSnippet(child, indent + unit, unit, settings, counter)}`);
  return `<${def.name}>\n${inner.join('\n')}\n${indent}</${def.name}>`;
}

function attributeItems(where: Where, tag: Tag, element: XmlElement | null, offset: number): CompletionItem[] {
  const { ctx } = where;
  const def = element ? defOf(element, ctx.root.version) : tag.name === ctx.root.name ? rootDef(ctx.root.version) : undefined;
  if (!def) return [];
  const present = new Set(tag.attributes.map((a) => a.name));
  for (const attribute of tag.attributes) {
    if (attribute.valueStart >= 0 && offset >= attribute.valueStart && offset <= attribute.valueEnd) {
      const attrDef = def.attributeIndex.exact.get(attribute.name) ?? def.attributeIndex.lowerCase.get(attribute.name.toLowerCase());
      const values = attrDef?.type === 'enum' ? attrDef.values ?? [] : attrDef?.type === 'boolean' ? ['true', 'false'] : [];
      const range = Range.create(where.document.positionAt(attribute.valueStart), where.document.positionAt(attribute.valueEnd));
      return values.map((value, k) => ({
        label: value,
        kind: CompletionItemKind.Value,
        sortText: String(k),
        textEdit: TextEdit.replace(range, value),
      }));
    }
    if (offset >= attribute.nameStart && offset <= attribute.nameEnd) {
      present.delete(attribute.name);
      const range = Range.create(where.document.positionAt(attribute.nameStart), where.document.positionAt(attribute.nameEnd));
      return attributeNameItems({ ...where, range }, def, present, attribute.valueStart < 0);
    }
  }
  // Between attributes: a new one (not inside a name that runs on, `segm|ent`).
  if (nameEnd(where.text, offset) !== offset) return [];
  return attributeNameItems(where, def, present, true);
}

function attributeNameItems(where: Where, def: ElementNode, present: ReadonlySet<string>, withValue: boolean): CompletionItem[] {
  return def.attributes.filter((a) => !present.has(a.name) && a.sis !== 'output').map((attribute) => {
    const values = attribute.type === 'enum' ? attribute.values ?? [] : attribute.type === 'boolean' ? ['true', 'false'] : [];
    const value = values.length > 0 ? `\${1|${values.map(escapeChoice).join(',')}|}` : '$1';
    return {
      label: attribute.name,
      kind: CompletionItemKind.Property,
      detail: attributeSummary(attribute),
      documentation: { kind: MarkupKind.Markdown, value: describeAttribute(attribute, def, where.ctx.root.version) },
      textEdit: TextEdit.replace(where.range, withValue ? `${attribute.name}="${value}"` : attribute.name),
      insertTextFormat: withValue ? InsertTextFormat.Snippet : InsertTextFormat.PlainText,
    };
  });
}

/** In text: a coded value inside a simple element, or a new child element inside a complex one. */
function textItems(text: string, offset: number, at: (start: number, end: number) => Where, ctx: PositionContext): CompletionItem[] {
  const element = ctx.element;
  if (!element) {
    // Between users, inside the root: a new user.
    if (ctx.root.name && offset >= ctx.root.contentStart && !ctx.root.rootIsUser) {
      return elementItems(at(wordStart(text, offset), offset), null, null, true, true);
    }
    return ctx.root.name === '' ? elementItems(at(wordStart(text, offset), offset), null, null, true, true) : [];
  }
  const def = defOf(element, ctx.root.version);
  if (!def) return [];
  if (def.content !== 'simple') return elementItems(at(wordStart(text, offset), offset), element, null, true, true);
  const where = at(offset, offset);
  const span = trimmedTextRange(text, element);
  const range = span && offset >= span.start && offset <= span.end ? at(span.start, span.end).range : where.range;
  return valueItems({ ...where, range }, def);
}

function wordStart(text: string, offset: number): number {
  let k = offset;
  while (k > 0 && /[\w.:-]/.test(text[k - 1])) k--;
  return k;
}

function valueItems(where: Where, def: ElementNode): CompletionItem[] {
  if (def.type === 'boolean') {
    return ['true', 'false'].map((value) => ({ label: value, kind: CompletionItemKind.Value, textEdit: TextEdit.replace(where.range, value) }));
  }
  const codes = codesFor(def, where.settings.codeTables);
  if (!codes) return [];
  const table = def.fixedCodes ? `Alma's ${def.name} values` : `${def.codeTable} code table`;
  return codes.map((entry, k) => ({
    label: entry.code,
    kind: CompletionItemKind.EnumMember,
    detail: entry.description,
    documentation: `${entry.description ? `${entry.description} · ` : ''}${table}`,
    sortText: String(k).padStart(5, '0'),
    textEdit: TextEdit.replace(where.range, entry.code),
  }));
}
