/**
 * Plain words turned into Markdown that renders as written. VS Code renders hover and completion
 * documentation with marked, which takes `<user_group>` for an HTML tag and its sanitizer then drops
 * it: element names must reach the reader as code spans, and every other character that Markdown
 * would read as markup is escaped.
 */

/** A code span holding `text` literally (a run of backticks inside is fenced by a longer run). */
export function codeSpan(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  // A span that starts or ends with a backtick needs a space, which CommonMark strips again.
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/**
 * `text` with every character Markdown could read as markup escaped (emphasis, links, HTML,
 * entities, headings, tables). An underscore inside a word (`user_group`) and an `&` that starts no
 * entity stay as they are: they are no markup, and editors that show the Markdown as text (Neovim)
 * show the backslashes.
 */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*[\]<>|~]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])|&(?=#?\w+;)|^#/gm, (c) => `\\${c}`);
}

/** An XML name written as a tag (`<user_group>`, `</x>`, `<x/>`) in running text. */
const TAG_WORD = /<\/?[A-Za-z_][\w.:-]*\/?>/g;

/**
 * Running text (the field notes, the type summaries) as Markdown: the tags it names become code
 * spans, the rest is escaped.
 */
export function prose(text: string): string {
  let out = '';
  let from = 0;
  for (const match of text.matchAll(TAG_WORD)) {
    out += escapeMarkdown(text.slice(from, match.index)) + codeSpan(match[0]);
    from = match.index + match[0].length;
  }
  return out + escapeMarkdown(text.slice(from));
}
