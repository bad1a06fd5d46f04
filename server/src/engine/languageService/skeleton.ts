/**
 * New elements as text: which children an element is written with, and the indentation the
 * document already uses, shared by completion snippets and the quick fixes that add elements.
 */
import type { ElementNode } from '../schema/compiledModel';
import type { XmlElement } from './xmlTree';

/**
 * The children a new element is written with: the required ones (and those documented as
 * mandatory), one item of a list, and for a user record the fields that name it.
 */
export function requiredChildren(def: ElementNode): ElementNode[] {
  if (def.content === 'simple') return [];
  if (def.content === 'list') return def.children.slice(0, 1);
  if (def.role === 'user') {
    return def.children.filter((c) => c.role === 'primaryId' || c.role === 'firstName' || c.role === 'lastName' || c.min >= 1);
  }
  return def.children.filter((c) => c.min >= 1 || c.documentedMandatory);
}

/** The white space that starts the line holding `offset`. */
export function lineIndent(text: string, offset: number): string {
  // A line ends at a LF or a CR (a file written with CR alone has no LF to look for).
  const lineStart = Math.max(text.lastIndexOf('\n', offset - 1), text.lastIndexOf('\r', offset - 1)) + 1;
  let k = lineStart;
  while (k < text.length && (text[k] === ' ' || text[k] === '\t')) k++;
  return text.slice(lineStart, k);
}

/** One level of indentation as the user record writes it (its first child against itself); two spaces otherwise. */
export function indentUnitOf(text: string, user: XmlElement | null): string {
  const child = user?.children[0];
  if (user && child) {
    const outer = lineIndent(text, user.start);
    const inner = lineIndent(text, child.start);
    if (inner.length > outer.length && inner.startsWith(outer)) return inner.slice(outer.length);
  }
  return '  ';
}

/**
 * A new element as plain text with empty values to fill in (booleans get their documented
 * default, false), its required children below it, each line after the first at `indent` + unit.
 */
export function elementText(def: ElementNode, indent: string, unit: string, eol: string): string {
  if (def.content === 'simple') return `<${def.name}>${def.type === 'boolean' ? 'false' : ''}</${def.name}>`;
  // A list's item would be written empty and pass unnoticed; its wrapper alone keeps it flagged.
  const children = def.content === 'list' ? [] : requiredChildren(def);
  if (children.length === 0) return `<${def.name}></${def.name}>`;
  const inner = children.map((child) => `${indent}${unit}${elementText(child, indent + unit, unit, eol)}`);
  return `<${def.name}>${eol}${inner.join(eol)}${eol}${indent}</${def.name}>`;
}
