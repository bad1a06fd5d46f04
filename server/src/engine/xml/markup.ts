/**
 * A start tag written anew from its name and attributes (values escaped): a root copied in front
 * of a piece of a document scanned on its own (incremental validation, the second half of a split
 * file), where the checker must see the same root as in the whole document.
 */
export function startTagText(name: string, attributes: { name: string; value: string }[]): string {
  const escape = (v: string) => v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
  return `<${name}${attributes.map((a) => ` ${a.name}="${escape(a.value)}"`).join('')}>`;
}
