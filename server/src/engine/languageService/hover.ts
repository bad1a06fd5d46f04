import type { TextDocument } from 'vscode-languageserver-textdocument';
import { MarkupKind, Range, type Hover, type Position } from 'vscode-languageserver-types';
import type { ValidationSettings } from '../config/types';
import { chainAt, contextAt, tagAround } from './documentContext';
import { codesFor, describeAttribute, describeElement } from './fieldInfo';
import { escapeMarkdown } from './markdown';
import { TokenKind } from './xmlTokens';
import { viewAround } from './textWindow';
import { trimmedTextRange } from './xmlTree';

function hover(document: TextDocument, markdown: string, start: number, end: number): Hover {
  return {
    contents: { kind: MarkupKind.Markdown, value: markdown },
    range: Range.create(document.positionAt(start), document.positionAt(end)),
  };
}

/**
 * Documentation of what is under the position: an element name (in its start or end tag), an
 * attribute, or an element's text (a coded value's description, or the element's own notes).
 */
export function doHover(whole: TextDocument, position: Position, settings: ValidationSettings): Hover | null {
  const { document, root } = viewAround(whole, whole.offsetAt(position));
  const text = document.getText();
  const offset = document.offsetAt(position);
  const ctx = contextAt(text, offset, root);
  const tag = tagAround(text, offset);
  if (tag && tag.kind === TokenKind.Other) return null;
  const chain = chainAt(ctx.element, tag, ctx.root);
  const def = chain[chain.length - 1];
  if (!def) return null;
  const version = ctx.root.version;
  if (tag) {
    if (offset >= tag.nameStart && offset <= tag.nameEnd) {
      return hover(document, describeElement(chain, version), tag.nameStart, tag.nameEnd);
    }
    for (const attribute of tag.attributes) {
      const inName = offset >= attribute.nameStart && offset <= attribute.nameEnd;
      const inValue = attribute.valueStart >= 0 && offset >= attribute.valueStart && offset <= attribute.valueEnd;
      if (!inName && !inValue) continue;
      const attrDef = def.attributeIndex.exact.get(attribute.name) ?? def.attributeIndex.lowerCase.get(attribute.name.toLowerCase());
      if (!attrDef) return null;
      return inName
        ? hover(document, describeAttribute(attrDef, def, version), attribute.nameStart, attribute.nameEnd)
        : hover(document, describeAttribute(attrDef, def, version), attribute.valueStart, attribute.valueEnd);
    }
    return null;
  }
  const element = ctx.element;
  if (!element || def.content !== 'simple') return null;
  const span = trimmedTextRange(text, element);
  if (!span) return null;
  const value = text.slice(span.start, span.end);
  const codes = codesFor(def, settings.codeTables);
  if (codes) {
    const table = escapeMarkdown(def.fixedCodes ? `Alma's ${def.name} values` : `the ${def.codeTable} code table`);
    const entry = codes.find((c) => c.code === value) ?? codes.find((c) => c.code.toLowerCase() === value.toLowerCase());
    // The value is the file's and the description the institution's: either may hold markup characters.
    const shown = `**${escapeMarkdown(value)}**`;
    const description = entry?.description ? `: ${escapeMarkdown(entry.description)}` : '';
    const words = !entry ? `${shown} is not in ${table}.`
      : entry.code !== value ? `${shown} matches **${escapeMarkdown(entry.code)}** of ${table} only when case is ignored${description}.`
      : `${shown}${description} (${table}).`;
    return hover(document, `${words}\n\n---\n\n${describeElement(chain, version)}`, span.start, span.end);
  }
  return hover(document, describeElement(chain, version), span.start, span.end);
}
