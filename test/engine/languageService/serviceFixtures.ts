/**
 * Shared by the language service tests: documents from text or samples, the fixtures' settings,
 * a cursor marker, and edits applied the way an editor applies them.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Diagnostic, Position, TextEdit, WorkspaceEdit } from 'vscode-languageserver-types';
import { repoRoot } from '../../helpers/repoRoot';
import { parseCodeTables } from '../../../server/src/engine/config/codeTables';
import { DEFAULT_SETTINGS, type ValidationSettings } from '../../../server/src/engine/config/types';
import { toLspDiagnostic } from '../../../server/src/engine/validation/lspDiagnostics';
import { validateText } from '../../../server/src/engine/validation/validateDocument';

export const samplesDir = join(repoRoot(), 'samples');

export function doc(text: string, uri = 'file:///test.xml'): TextDocument {
  return TextDocument.create(uri, 'xml', 1, text);
}

/** A document from text with one `|` marking the cursor, and that position. */
export function withCursor(marked: string): { document: TextDocument; position: Position } {
  const k = marked.indexOf('|');
  if (k < 0) throw new Error('no | cursor marker');
  const document = doc(marked.slice(0, k) + marked.slice(k + 1));
  return { document, position: document.positionAt(k) };
}

export const sampleCodeTables = parseCodeTables(readFileSync(join(samplesDir, 'code-tables.json'), 'utf8'), 'code-tables.json');

/** The sample profile's settings: code tables, match on primary_id, users only. */
export const SAMPLE_SETTINGS: ValidationSettings = {
  ...DEFAULT_SETTINGS,
  rules: {},
  codeTables: sampleCodeTables,
  matchIdType: 'primary_id',
  usedFor: 'users',
};

/** A samples/invalid fixture as text, with the settings its `settings:` header line names. */
export function fixture(name: string): { document: TextDocument; settings: ValidationSettings } {
  const path = join(samplesDir, 'invalid', name);
  const text = readFileSync(path, 'utf8');
  const line = /^\s*settings:\s*(\{.*\})\s*$/m.exec(text);
  const { codeTablesFile, ...partial } = line ? (JSON.parse(line[1]) as Record<string, unknown>) : {};
  const settings: ValidationSettings = { ...DEFAULT_SETTINGS, rules: {}, ...(partial as Partial<ValidationSettings>) };
  if (typeof codeTablesFile === 'string') {
    const tablesPath = resolve(dirname(path), codeTablesFile);
    settings.codeTables = parseCodeTables(readFileSync(tablesPath, 'utf8'), tablesPath);
  }
  return { document: doc(text, `file://${path}`), settings };
}

export function diagnosticsOf(document: TextDocument, settings: ValidationSettings): Diagnostic[] {
  return validateText(document.getText(), document.uri, settings).findings.map((f) => toLspDiagnostic(f, (p) => p));
}

export function applyEdits(document: TextDocument, edits: readonly TextEdit[]): TextDocument {
  return doc(TextDocument.applyEdits(document, [...edits]), document.uri);
}

export function applyWorkspaceEdit(document: TextDocument, edit: WorkspaceEdit | undefined): TextDocument {
  const edits = edit?.changes?.[document.uri];
  if (!edits) throw new Error('the action has no edits for this document');
  return applyEdits(document, edits);
}

/** A v2 document of `count` small users, indented as producers write them. */
export function generatedUsers(count: number): string {
  const users: string[] = [];
  for (let k = 0; k < count; k++) {
    users.push(`  <user>
    <primary_id>user${k}</primary_id>
    <first_name>First${k}</first_name>
    <last_name>Last${k}</last_name>
    <user_group>STUDENT</user_group>
    <user_identifiers>
      <user_identifier>
        <id_type>BARCODE</id_type>
        <value>B${k}</value>
      </user_identifier>
    </user_identifiers>
  </user>`);
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<users>\n${users.join('\n')}\n</users>\n`;
}
