import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { IncrementalDocument, earlierFilesOf, expandInputs, indexIdentifiers, validateInputs, DEFAULT_SETTINGS, type FileIdentifiers } from '../../../server/src/engine';

function user(id: string, barcode: string, repeat = false): string {
  const extra = repeat ? `<user_identifier><id_type>BARCODE</id_type><value>${id}</value></user_identifier>` : '';
  return `  <user>\n    <primary_id>${id}</primary_id>\n    <first_name>A</first_name>\n    <last_name>B</last_name>\n    <user_identifiers><user_identifier><id_type>BARCODE</id_type><value>${barcode}</value></user_identifier>${extra}</user_identifiers>\n  </user>\n`;
}

const file = (...users: string[]) => `<?xml version="1.0" encoding="UTF-8"?>\n<users>\n${users.join('')}</users>\n`;

test('a document validated with what the earlier files of its set leave behind equals validateInputs of the set', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'alma-sis-set-'));
  try {
    // a.xml holds p1, b1 and x (a user that repeats its own id holds nothing); b.xml clashes with
    // them (exact, case-only, and with the rejected user's value); c.xml clashes with b.xml's loaded users.
    writeFileSync(join(dir, 'a.xml'), file(user('p1', 'b1'), user('x', 'bx', true)));
    writeFileSync(join(dir, 'b.xml'), file(user('P1', 'b2'), user('p2', 'B1'), user('x', 'b3'), user('p4', 'b4')));
    writeFileSync(join(dir, 'c.xml'), file(user('p4', 'b9'), user('p5', 'b3')));
    const { documents } = await expandInputs([dir]);
    const set = await validateInputs(documents, DEFAULT_SETTINGS);
    const indexed: FileIdentifiers[] = [];
    for (const [k, input] of documents.entries()) {
      const text = readFileSync(input.path, 'utf8');
      const incremental = new IncrementalDocument(TextDocument.create(`file://${input.path}`, 'xml', 1, text), input.path, DEFAULT_SETTINGS, earlierFilesOf(indexed));
      assert.deepEqual(incremental.validate(), set.documents[k], input.path);
      indexed.push(await indexIdentifiers(input, DEFAULT_SETTINGS, { sliceBytes: 16 }));
    }
    assert.ok(set.documents[1].findings.some((f) => f.rule === 'duplicate-identifier' && f.related[0].path.endsWith('a.xml')));
    assert.ok(set.documents[2].findings.some((f) => f.rule === 'duplicate-identifier'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('new identifiers in an earlier file change the later document\'s result without scanning it again', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'alma-sis-set-'));
  try {
    writeFileSync(join(dir, 'a.xml'), file(user('p1', 'b1')));
    writeFileSync(join(dir, 'b.xml'), file(user('p2', 'b2'), user('p3', 'b3')));
    let { documents } = await expandInputs([dir]);
    const text = readFileSync(documents[1].path, 'utf8');
    const later = new IncrementalDocument(TextDocument.create('file:///b', 'xml', 1, text), documents[1].path, DEFAULT_SETTINGS,
      earlierFilesOf([await indexIdentifiers(documents[0], DEFAULT_SETTINGS)]));
    assert.deepEqual(later.validate(), (await validateInputs(documents, DEFAULT_SETTINGS)).documents[1]);
    // a.xml now takes p3's barcode: b.xml's second user becomes a duplicate.
    writeFileSync(join(dir, 'a.xml'), file(user('p1', 'B3')));
    ({ documents } = await expandInputs([dir]));
    later.reconfigure(DEFAULT_SETTINGS, earlierFilesOf([await indexIdentifiers(documents[0], DEFAULT_SETTINGS)]));
    const result = later.validate();
    assert.deepEqual(result, (await validateInputs(documents, DEFAULT_SETTINGS)).documents[1]);
    assert.ok(result.findings.some((f) => f.rule === 'identifier-case'));
    assert.equal(later.stats.fullScans, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('validateInputs of the later files alone, given what the earlier files leave behind, equals validateInputs of the whole set', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'alma-sis-set-'));
  try {
    writeFileSync(join(dir, 'a.xml'), file(user('p1', 'b1'), user('x', 'bx', true)));
    writeFileSync(join(dir, 'b.xml'), file(user('P1', 'b2'), user('p2', 'B1'), user('x', 'b3'), user('p4', 'b4')));
    // A v1 file after v2 ones: the set's version comes from the earlier files too.
    writeFileSync(join(dir, 'c.xml'), '<?xml version="1.0" encoding="UTF-8"?>\n<userRecords><userRecord><userDetails><userName>p4</userName></userDetails></userRecord></userRecords>\n');
    const { documents } = await expandInputs([dir]);
    const whole = await validateInputs(documents, DEFAULT_SETTINGS);
    for (let k = 1; k < documents.length; k++) {
      const earlier = earlierFilesOf(await Promise.all(documents.slice(0, k).map((d) => indexIdentifiers(d, DEFAULT_SETTINGS))));
      const rest = await validateInputs(documents.slice(k), DEFAULT_SETTINGS, { earlier });
      assert.deepEqual(rest.documents, whole.documents.slice(k), documents[k].path);
    }
    assert.ok(whole.documents[1].findings.some((f) => f.rule === 'duplicate-identifier'));
    assert.ok(whole.documents[2].findings.some((f) => f.rule === 'schema-version'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
