import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  IncrementalDocument,
  identifierSignature,
  sameIdentifierSignature,
  earlierFilesSignature,
  NO_IDENTIFIER_SIGNATURE,
  type IdentifierSignature,
  earlierFilesOf,
  expandInputs,
  validateInputs,
  NO_EARLIER_FILES,
  DEFAULT_SETTINGS,
  type FileIdentifiers,
} from '../../../server/src/engine';

function user(id: string, barcode: string, firstName = 'Ann'): string {
  return `  <user>\n    <primary_id>${id}</primary_id>\n    <first_name>${firstName}</first_name>\n    <last_name>Lee</last_name>\n    <user_identifiers><user_identifier><id_type>BARCODE</id_type><value>${barcode}</value></user_identifier></user_identifiers>\n  </user>\n`;
}

const file = (...users: string[]) => `<?xml version="1.0" encoding="UTF-8"?>\n<users>\n${users.join('')}</users>\n`;

/** The signature of a text as the server computes it: from the incremental document's users after a validation. */
function signatureOf(text: string): IdentifierSignature {
  const doc = new IncrementalDocument(TextDocument.create('file:///work/a.xml', 'xml', 1, text), '/work/a.xml', DEFAULT_SETTINGS);
  doc.validate();
  return identifierSignature({ version: doc.version(), users: doc.users() });
}

const same = (a: IdentifierSignature, b: IdentifierSignature, what?: string) => assert.ok(sameIdentifierSignature(a, b), what);
const differ = (a: IdentifierSignature, b: IdentifierSignature, what?: string) => assert.ok(!sameIdentifierSignature(a, b), what);

test('the identifier signature stays when nothing a later file reads changed', () => {
  const before = signatureOf(file(user('p1', 'b1'), user('p2', 'b2')));
  same(signatureOf(file(user('p1', 'b1'), user('p2', 'b2'))), before);
  same(signatureOf(file(user('p1', 'b1', 'Bob'), user('p2', 'b2'))), before, 'another first name, as long: no identifier moves');
});

test('the identifier signature changes when an identifier changes, moves or repeats', () => {
  const before = signatureOf(file(user('p1', 'b1'), user('p2', 'b2')));
  differ(signatureOf(file(user('p1', 'b1'), user('p2', 'b3'))), before, 'another value');
  differ(signatureOf(file(user('p1', 'b1'), user('p2', 'B2'))), before, 'the same value in another case');
  differ(signatureOf(file(user('p1', 'b1'), user('p2', 'b2')).replace('    <user_identifiers>', '      <user_identifiers>')), before, 'the first user\'s barcode moves along its line');
  differ(signatureOf(file(user('p1', 'b1'), user('p2', 'b2')).replace('<users>\n', '<users>\n\n')), before, 'every identifier moves down a line');
  differ(signatureOf(file(user('p2', 'b2'), user('p1', 'b1'))), before, 'the users swap');
  differ(signatureOf(file(user('p1', 'b1'))), signatureOf(file(user('p1', 'b1'), user('p2', 'b2'))), 'a user fewer');
  // p1 given p1 as its barcode too: the user repeats an identifier and so holds none.
  differ(signatureOf(file(user('p1', 'p1'), user('p2', 'b2'))), signatureOf(file(user('p1', 'p3'), user('p2', 'b2'))));
  const users = fileOf('/w/a.xml', { id: 'p1', line: 3 }).users;
  differ(identifierSignature({ version: 2, users: [{ ...users[0], repeats: true }] }), identifierSignature({ version: 2, users }), 'the repeat alone');
});

test('a signature taken before an edit stays as it was: the incremental document moves identifiers in place', () => {
  const text = file(user('p1', 'b1'), user('p2', 'b2'));
  const doc = new IncrementalDocument(TextDocument.create('file:///work/a.xml', 'xml', 1, text), '/work/a.xml', DEFAULT_SETTINGS);
  doc.validate();
  const before = identifierSignature({ version: doc.version(), users: doc.users() });
  const copy = [...before];
  // A line typed inside the first user, before its identifiers: the second user's move down, in place.
  const at = doc.document.positionAt(text.indexOf('<first_name>'));
  doc.update([{ range: { start: at, end: at }, text: '\n    ' }], 2);
  doc.validate();
  assert.deepEqual(before, copy);
  differ(identifierSignature({ version: doc.version(), users: doc.users() }), before);
  same(identifierSignature({ version: doc.version(), users: doc.users() }), signatureOf(doc.document.getText()), 'the same as a fresh document of that text');
});

test('a document without users still gives its schema version, and the first signature always counts as a change', () => {
  same(identifierSignature({ version: 2, users: [] }), identifierSignature({ version: 2, users: [] }));
  differ(identifierSignature({ version: 2, users: [] }), identifierSignature({ version: 1, users: [] }));
  differ(identifierSignature({ version: null, users: [] }), NO_IDENTIFIER_SIGNATURE);
});

function earlier(...files: FileIdentifiers[]) {
  return earlierFilesOf(files);
}

function fileOf(path: string, ...users: { id: string; line: number; col?: number; label?: string }[]): FileIdentifiers {
  return {
    path,
    version: 2,
    users: users.map(({ id, line, col = 17, label = id }) => ({
      repeats: false,
      label,
      uses: [{ type: 'primary_id', primary: true, value: id, key: id.toLowerCase(), line, col, endLine: line, endCol: col + id.length, documentIndex: -1, userLabel: '' }],
    })),
  };
}

test('the earlier files signature is empty when there are none, and stays when they leave the same', () => {
  assert.equal(earlierFilesSignature(undefined), '');
  assert.equal(earlierFilesSignature(NO_EARLIER_FILES), '');
  const a = earlierFilesSignature(earlier(fileOf('/w/a.xml', { id: 'p1', line: 3 }, { id: 'p2', line: 9 })));
  assert.notEqual(a, '');
  assert.equal(earlierFilesSignature(earlier(fileOf('/w/a.xml', { id: 'p1', line: 3 }, { id: 'p2', line: 9 }))), a);
});

test('the earlier files signature changes when a holder\'s value, position, user, file or the set\'s version differs', () => {
  const base = earlierFilesSignature(earlier(fileOf('/w/a.xml', { id: 'p1', line: 3 }, { id: 'p2', line: 9 })));
  assert.notEqual(earlierFilesSignature(earlier(fileOf('/w/a.xml', { id: 'p1', line: 4 }, { id: 'p2', line: 9 }))), base, 'another line');
  assert.notEqual(earlierFilesSignature(earlier(fileOf('/w/a.xml', { id: 'p1', line: 3, col: 18 }, { id: 'p2', line: 9 }))), base, 'another column');
  assert.notEqual(earlierFilesSignature(earlier(fileOf('/w/a.xml', { id: 'p1', line: 3, label: 'Ann' }, { id: 'p2', line: 9 }))), base, 'another user label');
  assert.notEqual(earlierFilesSignature(earlier(fileOf('/w/a.xml', { id: 'p1', line: 3 }, { id: 'p3', line: 9 }))), base, 'another identifier');
  assert.notEqual(earlierFilesSignature(earlier(fileOf('/w/b.xml', { id: 'p1', line: 3 }, { id: 'p2', line: 9 }))), base, 'another file');
  assert.notEqual(earlierFilesSignature(earlier(fileOf('/w/z.xml'), fileOf('/w/a.xml', { id: 'p1', line: 3 }, { id: 'p2', line: 9 }))), base, 'the holders in the set\'s second file');
  const v1 = { ...fileOf('/w/a.xml', { id: 'p1', line: 3 }, { id: 'p2', line: 9 }), version: 1 as const };
  assert.notEqual(earlierFilesSignature(earlier(v1)), base, 'another schema version');
  assert.notEqual(earlierFilesSignature(earlier(fileOf('/w/a.xml', { id: 'P1', line: 3 }, { id: 'p2', line: 9 }))), base, 'the same identifier in another case');
  // The same set and version, decided by another file (messages name it).
  const a = fileOf('/w/a.xml', { id: 'p1', line: 3 });
  assert.notEqual(earlierFilesSignature(earlier({ ...fileOf('/w/0.xml'), version: null }, a)), earlierFilesSignature(earlier(fileOf('/w/0.xml'), a)), 'the file that decided the version');
  // A user that repeats its identifier holds nothing, so the holders, and the signature, change.
  const repeating = fileOf('/w/a.xml', { id: 'p1', line: 3 }, { id: 'p2', line: 9 });
  repeating.users[0].repeats = true;
  assert.notEqual(earlierFilesSignature(earlier(repeating)), base, 'a holder gone');
});

/** The later file's result and both signatures, for an earlier file's text (b.xml follows a.xml in the set). */
async function setOf(earlierText: string, laterText: string) {
  const dir = mkdtempSync(join(tmpdir(), 'alma-sis-signature-'));
  try {
    writeFileSync(join(dir, 'a.xml'), earlierText);
    writeFileSync(join(dir, 'b.xml'), laterText);
    const { documents } = await expandInputs([dir]);
    const set = await validateInputs(documents, DEFAULT_SETTINGS);
    const a = new IncrementalDocument(TextDocument.create('file:///a.xml', 'xml', 1, earlierText), 'a.xml', DEFAULT_SETTINGS);
    a.validate();
    const indexed = { path: 'a.xml', version: a.version(), users: a.users() };
    return {
      later: set.documents[1].findings.map((f) => `${f.rule}: ${f.message}`),
      signature: identifierSignature(indexed),
      earlier: earlierFilesSignature(earlierFilesOf([indexed])),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('whatever an earlier file changes that changes a later file\'s result changes both signatures', async () => {
  const later = file(user('p1', 'b9'));
  const changes: [string, string, string][] = [
    ['the case of an identifier (identifier-case becomes duplicate-identifier)', file(user('P1', 'b1')), file(user('p1', 'b1'))],
    ['the case of the holder\'s primary id (how messages name the user)', file(user('q1', 'b9')), file(user('Q1', 'b9'))],
    ['the schema version, with no identifiers at all', '<users>\n</users>\n', '<userRecords xmlns="http://com/exlibris/digitool/repository/extsystem/xmlbeans">\n</userRecords>\n'],
  ];
  for (const [what, before, after] of changes) {
    const [x, y] = [await setOf(before, later), await setOf(after, later)];
    assert.notDeepEqual(x.later, y.later, `${what}: the later file's result changes`);
    differ(x.signature, y.signature, `${what}: the identifier signature`);
    assert.notEqual(x.earlier, y.earlier, `${what}: the earlier files' signature`);
  }
});
