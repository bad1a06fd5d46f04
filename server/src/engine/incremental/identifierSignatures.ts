import type { IdentifierUse } from '../validation/identifiers';
import type { EarlierFiles } from './incrementalDocument';
import type { FileIdentifiers } from './setIdentifiers';

/**
 * What a document gives the later files of its set, flat: its schema version (the set's first
 * decides theirs), then for each user whether it repeats an identifier (then it holds none), its
 * label (messages name the holder by it) and its identifiers. Values as written, not their keys:
 * a case-only change turns another file's identifier-case warning into a duplicate-identifier
 * error. Flat values rather than one string: it is taken after every validation of a file whose
 * set has later files open, and building and comparing it costs no string per identifier.
 */
export type IdentifierSignature = readonly (string | number | boolean | null)[];

/** The signature before any validation: unlike that of every document, so the first one counts as a change. */
export const NO_IDENTIFIER_SIGNATURE: IdentifierSignature = [];

export function identifierSignature(file: Pick<FileIdentifiers, 'version' | 'users'>): IdentifierSignature {
  const flat: (string | number | boolean | null)[] = [file.version];
  for (const user of file.users) {
    flat.push(user.repeats, user.label, user.uses.length);
    // The uses are copied field by field: the incremental document moves them in place after an edit.
    for (const u of user.uses) flat.push(u.primary, u.type, u.value, u.line, u.col, u.endLine, u.endCol);
  }
  return flat;
}

/** Equal signatures: the later files would read the same from the document, and need no new validation. */
export function sameIdentifierSignature(a: IdentifierSignature, b: IdentifierSignature): boolean {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
  return true;
}

function holder(u: IdentifierUse): string {
  return `${u.primary ? '*' : ''}${u.type}=${u.value}@${u.line}:${u.col}-${u.endLine}:${u.endCol}#${u.documentIndex}:${u.userLabel}`;
}

/**
 * Asked on every validation of a document with earlier files, and the set hands out the same
 * object until one of them changes (it makes a new one then and never changes one it made), so a
 * keystroke does not pay a pass over every identifier of the earlier files.
 */
const earlierSignatures = new WeakMap<EarlierFiles, string>();

/**
 * What the earlier files of a set leave behind for a document, as one string: their paths, the
 * set's first version and the file that set it (messages name it), and every holder as written,
 * with its place, file and user. Equal strings mean the document's incremental state still stands;
 * a change of any of them makes the next validation whole.
 */
export function earlierFilesSignature(earlier: EarlierFiles | undefined): string {
  if (!earlier || earlier.paths.length === 0) return '';
  let signature = earlierSignatures.get(earlier);
  if (signature === undefined) {
    signature = `${earlier.setName ?? ''}#${earlier.paths.join('|')}#${earlier.version ?? ''}:${earlier.versionPath ?? ''}#${earlier.holders.map(holder).join(',')}`;
    earlierSignatures.set(earlier, signature);
  }
  return signature;
}
