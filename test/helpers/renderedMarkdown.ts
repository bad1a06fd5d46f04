/**
 * The text a reader sees when VS Code renders a hover's or a completion item's Markdown, for
 * tests: the inline rules that decide whether a name survives. VS Code renders with marked, whose
 * inline HTML rule takes `<` + a letter + word characters for a tag (`^<[a-zA-Z][\w-]*...>`,
 * `^</[a-zA-Z][\w:-]*\s*>`, as in VS Code 1.100's bundle), and its sanitizer then removes tags it
 * does not allow: `**<user_group>**` shows as nothing. Code spans are literal; backslash escapes
 * and entities become their character; emphasis markers disappear.
 */
const HTML_TAG = /^(?:<\/[a-zA-Z][\w:-]*\s*>|<[a-zA-Z][\w-]*(?:\s+[^<>]*?)?\s*\/?>|<!--[\s\S]*?-->)/;
const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: '\'', nbsp: '\u00a0' };

export function renderedText(markdown: string): string {
  let out = '';
  let i = 0;
  while (i < markdown.length) {
    const c = markdown[i];
    if (c === '\\' && i + 1 < markdown.length && /[!-/:-@[-`{-~]/.test(markdown[i + 1])) {
      out += markdown[i + 1];
      i += 2;
      continue;
    }
    if (c === '`') {
      const fence = /^`+/.exec(markdown.slice(i))![0];
      const close = markdown.indexOf(fence, i + fence.length);
      if (close >= 0) {
        let body = markdown.slice(i + fence.length, close).replace(/\n/g, ' ');
        if (body.length > 1 && body.startsWith(' ') && body.endsWith(' ')) body = body.slice(1, -1);
        out += body;
        i = close + fence.length;
        continue;
      }
      out += fence;
      i += fence.length;
      continue;
    }
    if (c === '<') {
      const tag = HTML_TAG.exec(markdown.slice(i));
      if (tag) {
        i += tag[0].length;
        continue;
      }
    }
    if (c === '&') {
      const entity = /^&(#x[0-9a-f]+|#\d+|[a-z]+);/i.exec(markdown.slice(i));
      if (entity) {
        const name = entity[1];
        const decoded = name.startsWith('#x') || name.startsWith('#X') ? String.fromCodePoint(parseInt(name.slice(2), 16))
          : name.startsWith('#') ? String.fromCodePoint(Number(name.slice(1)))
          : ENTITIES[name.toLowerCase()];
        if (decoded !== undefined) {
          out += decoded;
          i += entity[0].length;
          continue;
        }
      }
    }
    if (c === '*') {
      i++;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}
