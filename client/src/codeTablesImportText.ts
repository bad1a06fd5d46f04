import type { ImportCodeTablesResult } from '../../server/src/protocol/messages';

/**
 * What Import Code Tables shows, apart from the command so it is tested without VS Code
 * (test/client/codeTablesImportText.test.ts): a notification is one short line, the full
 * account (every table, every row left out) goes in a document the person can keep.
 */

type Imported = Extract<ImportCodeTablesResult, { imported: true }>;

/** `Alma SIS: imported userGroups (5 codes) into code-tables.json; 1 row left out`. */
export function importNotification(result: Imported, shownPath: string): string {
  const tables = result.tables.map((line) => {
    const match = /^(\S+): (\d+ codes?) /.exec(line);
    return match ? `${match[1]} (${match[2]})` : line;
  });
  const notes = result.notes.length === 0 ? '' : `; ${result.notes.length} ${result.notes.length === 1 ? 'row' : 'rows'} left out`;
  const remaining = result.remainingProblems.length === 0 ? '' : `; the file still has ${result.remainingProblems.length} ${result.remainingProblems.length === 1 ? 'problem' : 'problems'} in other tables`;
  return `Alma SIS: imported ${tables.join(', ')} ${result.created ? 'into the new file' : 'into'} ${shownPath}${notes}${remaining}`;
}

/** The account of an import, or of why nothing was written, as plain text lines. */
export function importReport(result: ImportCodeTablesResult): string {
  if (!result.imported) return [result.message, '', ...(result.problems ?? []), ''].join('\n');
  return [
    `${result.created ? 'Created' : 'Wrote'} ${result.into}`,
    '',
    ...result.tables,
    ...(result.notes.length > 0 ? ['', 'Left out:', ...result.notes] : []),
    ...(result.remainingProblems.length > 0 ? ['', 'Problems in tables that were not imported:', ...result.remainingProblems] : []),
    '',
  ].join('\n');
}

/** The quick pick of tables for a CSV: ours as the label, Alma's name beside it. */
export function tableItems(tables: readonly { name: string; almaName?: string }[]): { label: string; description?: string; name: string }[] {
  return tables.map((table) => (table.almaName === undefined ? { label: table.name, name: table.name } : { label: table.name, description: `Alma: ${table.almaName}`, name: table.name }));
}
