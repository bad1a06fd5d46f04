import type { EarlierFiles, UserIdentifiers } from './incrementalDocument';

/**
 * What a document's users give the later files of its set, as one string: each user's identifiers
 * with their keys and positions, and whether the user repeats one (such a user holds none). Equal
 * strings mean the later files would read the same holders, so they need no new validation; the
 * positions count because a later file's related information points at them.
 */
export function identifierSignature(users: readonly UserIdentifiers[]): string {
  return users.map((u) => `${u.repeats ? '!' : ''}${u.uses.map((x) => `${x.key}@${x.line}:${x.col}`).join(' ')}`).join('\n');
}

/**
 * What the earlier files of a set leave behind for a document, as one string: their paths, the
 * set's first version and every holder with its file, position and user. Equal strings mean the
 * document's incremental state still stands; a change of any of them makes the next validation whole.
 */
export function earlierFilesSignature(earlier: EarlierFiles | undefined): string {
  if (!earlier || earlier.paths.length === 0) return '';
  const holders = earlier.holders.map((h) => `${h.key}@${h.documentIndex}:${h.line}:${h.col}:${h.userLabel}`).join(',');
  return `${earlier.paths.join('|')}#${earlier.version ?? ''}#${holders}`;
}
