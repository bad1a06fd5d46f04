import { detectRoot } from '../languageService/documentContext';

const ALMA_ROOTS = new Set(['users', 'userrecords', 'user', 'userrecord']);

/**
 * An Alma user file by content: its root is users, userRecords or a bare user (any case), whatever
 * its name. Editors call many files `.xml`; the name says nothing, the root does. A miscased root is
 * still a user file, with a mistake to show.
 */
export function isAlmaUserFile(text: string): boolean {
  return ALMA_ROOTS.has(detectRoot(text).name.toLowerCase());
}
