import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Diagnostic, PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { StdioClient } from './stdioClient';

/*
 * The bundled server over stdio: what an earlier open file of a set gives a later one is told
 * apart by the identifiers as written, not by their keys. A case-only edit leaves every key and
 * position as it was, yet turns the later file's warning into an error (Alma rejects that user).
 */

const users = (id: string, barcode: string) => `<?xml version="1.0" encoding="UTF-8"?>\n<users>\n  <user>\n    <primary_id>${id}</primary_id>\n    <first_name>A</first_name>\n    <last_name>B</last_name>\n    <user_group>STUDENT</user_group>\n    <user_identifiers><user_identifier><id_type>BARCODE</id_type><value>${barcode}</value></user_identifier></user_identifiers>\n  </user>\n</users>\n`;

test('a case-only change in an earlier open file of the set validates the later open file again', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'alma-sis-case-'));
  const client = new StdioClient();
  try {
    await client.initialize({}, dir);
    const a = join(dir, 'a.xml');
    const b = join(dir, 'b.xml');
    writeFileSync(a, users('p1', 'X1'));
    writeFileSync(b, users('p2', 'x1'));
    const aUri = pathToFileURL(a).href;
    const bUri = pathToFileURL(b).href;
    const codes = (p: PublishDiagnosticsParams | Diagnostic[]) => (Array.isArray(p) ? p : p.diagnostics).map((d) => d.code);
    await client.open(bUri, users('p2', 'x1'));
    assert.deepEqual(codes(await client.diagnostics(bUri, (p) => codes(p).includes('identifier-case'))), ['identifier-case']);
    await client.open(aUri, users('p1', 'X1'));
    await client.diagnostics(aUri);

    const from = client.published.length;
    const text = TextDocument.create(aUri, 'xml', 1, users('p1', 'X1'));
    const at = users('p1', 'X1').indexOf('X1');
    await client.change(aUri, [{ range: { start: text.positionAt(at), end: text.positionAt(at + 2) }, text: 'x1' }]);
    const after = await client.diagnostics(bUri, (p) => codes(p).includes('duplicate-identifier'), 20_000, from);
    assert.deepEqual(codes(after), ['duplicate-identifier']);
  } finally {
    await client.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
