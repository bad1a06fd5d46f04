import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  IncrementalDocument,
  identifierSignature,
  earlierFilesSignature,
  earlierFilesOf,
  NO_EARLIER_FILES,
  DEFAULT_SETTINGS,
  type FileIdentifiers,
} from '../../../server/src/engine';

function user(id: string, barcode: string, firstName = 'Ann'): string {
  return `  <user>\n    <primary_id>${id}</primary_id>\n    <first_name>${firstName}</first_name>\n    <last_name>Lee</last_name>\n    <user_identifiers><user_identifier><id_type>BARCODE</id_type><value>${barcode}</value></user_identifier></user_identifiers>\n  </user>\n`;
}

const file = (...users: string[]) => `<?xml version="1.0" encoding="UTF-8"?>\n<users>\n${users.join('')}</users>\n`;

/** The signature of a text as the server computes it: from the incremental document's users after a validation. */
function signatureOf(text: string): string {
  const doc = new IncrementalDocument(TextDocument.create('file:///work/a.xml', 'xml', 1, text), '/work/a.xml', DEFAULT_SETTINGS);
  doc.validate();
  return identifierSignature(doc.users());
}

test('the identifier signature stays when nothing a later file reads changed', () => {
  const before = signatureOf(file(user('p1', 'b1'), user('p2', 'b2')));
  assert.equal(signatureOf(file(user('p1', 'b1'), user('p2', 'b2'))), before);
  // Another first name, same length: no identifier moves.
  assert.equal(signatureOf(file(user('p1', 'b1', 'Bob'), user('p2', 'b2'))), before);
});

test('the identifier signature changes when an identifier changes, moves or repeats', () => {
  const before = signatureOf(file(user('p1', 'b1'), user('p2', 'b2')));
  assert.notEqual(signatureOf(file(user('p1', 'b1'), user('p2', 'b3'))), before, 'another value');
  assert.notEqual(signatureOf(file(user('p1', 'b1'), user('p2', 'b2')).replace('    <user_identifiers>', '      <user_identifiers>')), before, 'the first user\'s barcode moves along its line');
  assert.notEqual(signatureOf(file(user('p1', 'b1'), user('p2', 'b2')).replace('<users>\n', '<users>\n\n')), before, 'every identifier moves down a line');
  assert.notEqual(signatureOf(file(user('p2', 'b2'), user('p1', 'b1'))), before, 'the users swap');
  // p1 given p1 as its barcode too: the user repeats an identifier and so holds none.
  const repeating = signatureOf(file(user('p1', 'p1'), user('p2', 'b2')));
  assert.notEqual(repeating, signatureOf(file(user('p1', 'p3'), user('p2', 'b2'))));
  assert.match(repeating, /^!/);
});

test('the identifier signature of no users is empty', () => {
  assert.equal(identifierSignature([]), '');
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

test('the earlier files signature changes when a holder\'s position, user, file or the set\'s version differs', () => {
  const base = earlierFilesSignature(earlier(fileOf('/w/a.xml', { id: 'p1', line: 3 }, { id: 'p2', line: 9 })));
  assert.notEqual(earlierFilesSignature(earlier(fileOf('/w/a.xml', { id: 'p1', line: 4 }, { id: 'p2', line: 9 }))), base, 'another line');
  assert.notEqual(earlierFilesSignature(earlier(fileOf('/w/a.xml', { id: 'p1', line: 3, col: 18 }, { id: 'p2', line: 9 }))), base, 'another column');
  assert.notEqual(earlierFilesSignature(earlier(fileOf('/w/a.xml', { id: 'p1', line: 3, label: 'Ann' }, { id: 'p2', line: 9 }))), base, 'another user label');
  assert.notEqual(earlierFilesSignature(earlier(fileOf('/w/a.xml', { id: 'p1', line: 3 }, { id: 'p3', line: 9 }))), base, 'another identifier');
  assert.notEqual(earlierFilesSignature(earlier(fileOf('/w/b.xml', { id: 'p1', line: 3 }, { id: 'p2', line: 9 }))), base, 'another file');
  assert.notEqual(earlierFilesSignature(earlier(fileOf('/w/z.xml'), fileOf('/w/a.xml', { id: 'p1', line: 3 }, { id: 'p2', line: 9 }))), base, 'the holders in the set\'s second file');
  const v1 = { ...fileOf('/w/a.xml', { id: 'p1', line: 3 }, { id: 'p2', line: 9 }), version: 1 as const };
  assert.notEqual(earlierFilesSignature(earlier(v1)), base, 'another schema version');
  // A user that repeats its identifier holds nothing, so the holders, and the signature, change.
  const repeating = fileOf('/w/a.xml', { id: 'p1', line: 3 }, { id: 'p2', line: 9 });
  repeating.users[0].repeats = true;
  assert.notEqual(earlierFilesSignature(earlier(repeating)), base, 'a holder gone');
});
