import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { IncrementalDocument, validateText, DEFAULT_SETTINGS, type ValidationSettings, type DocumentResult } from '../../../server/src/engine';
import { repoRoot } from '../../helpers/repoRoot';
import { mulberry32 as seededRandom } from '../../../server/src/engine/samples/sampleGenerator';

const PATH = '/work/doc.xml';

function user(id: string, extra = ''): string {
  return `  <user>\n    <primary_id>${id}</primary_id>\n    <first_name>Ann</first_name>\n    <last_name>Lee</last_name>\n    <user_group>Student</user_group>${extra}\n    <user_identifiers>\n      <user_identifier segment_type="External">\n        <id_type>BARCODE</id_type>\n        <value>B-${id}</value>\n      </user_identifier>\n    </user_identifiers>\n  </user>\n`;
}

function usersDocument(ids: string[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<users>\n${ids.map((id) => user(id, id.endsWith('7') ? '\n    <record_type>PUBLIC</record_type>' : '')).join('')}</users>\n`;
}

function open(text: string, settings: ValidationSettings = DEFAULT_SETTINGS): IncrementalDocument {
  return new IncrementalDocument(TextDocument.create('file:///work/doc.xml', 'xml', 1, text), PATH, settings);
}

function full(doc: IncrementalDocument, settings: ValidationSettings = DEFAULT_SETTINGS): DocumentResult {
  return validateText(doc.document.getText(), PATH, settings);
}

/** Replaces [start, end) (offsets in the current text) with `text`, as an editor would send it. */
function edit(doc: IncrementalDocument, start: number, end: number, text: string): void {
  const d = doc.document;
  doc.update([{ range: { start: d.positionAt(start), end: d.positionAt(end) }, text }], d.version + 1);
}

test('an edit inside one user re-checks that user only, and the result equals a full validation', () => {
  const doc = open(usersDocument(['a1', 'a2', 'a3', 'a4']));
  assert.deepEqual(doc.validate(), full(doc));
  assert.equal(doc.stats.fullScans, 1);
  const text = doc.document.getText();
  const at = text.indexOf('<first_name>Ann', text.indexOf('a3')) + '<first_name>'.length;
  edit(doc, at, at + 1, 'B');
  assert.deepEqual(doc.validate(), full(doc));
  assert.deepEqual({ ...doc.stats }, { fullScans: 1, elementScans: 1 });
});

test('a duplicate identifier that appears or disappears elsewhere is still right', () => {
  const doc = open(usersDocument(['a1', 'a2', 'a3', 'a4']));
  doc.validate();
  let text = doc.document.getText();
  // a4's primary_id becomes a1's: a4 is now the later holder and is rejected.
  let at = text.indexOf('<primary_id>a4') + '<primary_id>a'.length;
  edit(doc, at, at + 1, '1');
  let result = doc.validate();
  assert.deepEqual(result, full(doc));
  const duplicate = result.findings.find((f) => f.rule === 'duplicate-identifier');
  assert.ok(duplicate, 'the duplicate is reported');
  assert.equal(duplicate.related[0].path, PATH);
  // a1 (the first holder) changes: the duplicate on the later user disappears.
  text = doc.document.getText();
  at = text.indexOf('<primary_id>a1') + '<primary_id>a'.length;
  edit(doc, at, at + 1, '9');
  result = doc.validate();
  assert.deepEqual(result, full(doc));
  assert.equal(result.findings.filter((f) => f.rule === 'duplicate-identifier').length, 0);
  assert.equal(doc.stats.fullScans, 1, 'both edits were inside a user');
});

test('lines added inside a user move the findings of the users below it', () => {
  const doc = open(usersDocument(['a1', 'a2', 'a7', 'a1']));
  doc.validate();
  const text = doc.document.getText();
  const at = text.indexOf('<last_name>', text.indexOf('a2'));
  edit(doc, at, at, '<!-- two\nnew lines\n-->');
  assert.deepEqual(doc.validate(), full(doc));
  assert.equal(doc.stats.fullScans, 1);
});

test('an edit outside the users, or one that leaves a user open, is a full scan; a problem inside a user is not', () => {
  const doc = open(usersDocument(['a1', 'a2', 'a3']));
  doc.validate();
  edit(doc, 0, 0, ' ');
  assert.deepEqual(doc.validate(), full(doc));
  assert.equal(doc.stats.fullScans, 2);
  // A user's end tag removed: the next user would be read inside it.
  let text = doc.document.getText();
  let at = text.indexOf('</user>');
  edit(doc, at, at + 2, '');
  assert.deepEqual(doc.validate(), full(doc));
  assert.equal(doc.stats.fullScans, 3);
});

test('a well-formedness problem that stays inside a user is re-checked in that user alone', () => {
  const doc = open(usersDocument(['a1', 'a2', 'a3']));
  doc.validate();
  // A bare "&" inside a value: reported, and the scanner leaves the user as it would anyway.
  const text = doc.document.getText();
  const at = text.lastIndexOf('<last_name>Lee') + '<last_name>'.length;
  edit(doc, at, at, '&');
  const result = doc.validate();
  assert.deepEqual(result, full(doc));
  assert.ok(result.findings.some((f) => f.rule === 'xml-syntax'));
  assert.deepEqual({ ...doc.stats }, { fullScans: 1, elementScans: 1 });
});

test('a comment left open inside a user, then closed by typing "-->", ends with what a full validation says', () => {
  for (const which of ['a1', 'a2', 'a3']) {
    const doc = open(usersDocument(['a1', 'a2', 'a3']));
    doc.validate();
    const text = doc.document.getText();
    const at = text.indexOf('<last_name>', text.indexOf(`<primary_id>${which}<`));
    edit(doc, at, at, '<!--');
    assert.deepEqual(doc.validate(), full(doc), `${which}: the comment runs to the end of the file`);
    for (const [k, c] of [...'-->'].entries()) {
      edit(doc, at + 4 + k, at + 4 + k, c);
      assert.deepEqual(doc.validate(), full(doc), `${which}: after typing "${'-->'.slice(0, k + 1)}"`);
    }
    assert.equal(doc.validate().findings.filter((f) => f.rule === 'xml-syntax').length, 0, `${which}: the comment is closed`);
  }
});

test('a line break typed or deleted next to a CR or a LF counts the lines as LSP does: later findings do not move', () => {
  // Each user carries a finding of its own (an uncollapsed one), so a wrong shift shows in every later user.
  const base = `<users>\n${['a1', 'a2', 'a3', 'a4'].map((id) => user(id, `\n    <expiry_date>${id}</expiry_date>`)).join('')}</users>\n`;
  const cr = base.replace(/\n/g, '\r');
  const tight = cr.replace(/\r {2}<user>/g, '\r<user>');
  const crsp = base.replace(/\n/g, '\r \n');
  const cases: [string, string, number, number, string][] = [
    // A CR before a LF, or a LF after a CR, makes one line break of two: no line is added.
    ['a CR typed before a LF', base, base.indexOf('\n', base.indexOf('<first_name>')), 0, '\r'],
    ['a LF typed after a CR', cr, cr.indexOf('\r', cr.indexOf('<first_name>')) + 1, 0, '\n'],
    // The same where one user ends and the next begins: the edit belongs to the user before.
    ['a LF typed between a CR and the next <user>', tight, tight.indexOf('<user>', tight.indexOf('</user>')), 0, '\n'],
    // A space deleted between a CR and a LF: two line breaks become one.
    ['the space of CR space LF deleted', crsp, crsp.indexOf(' \n', crsp.indexOf('<first_name>')), 1, ''],
  ];
  for (const [what, text, at, length, insert] of cases) {
    const doc = open(text);
    doc.validate();
    edit(doc, at, at + length, insert);
    assert.deepEqual(doc.validate(), full(doc), what);
    assert.equal(doc.stats.fullScans, 1, `${what}: re-checked in one user`);
  }
});

// -------------------------------------------------------------------------------------------
// Property: any sequence of edits gives what a full validation of the same text gives.


const SNIPPETS = ['a', 'Z', '1', ' ', '\n', '\r\n', '<', '>', '/', '"', '&', '&amp;', 'é', '😀', '</user>', '<user>', '</users>',
  '<primary_id>a1</primary_id>', '<value>B-a2</value>', '<record_type>STAFF</record_type>', '<Primary_ID>x</Primary_ID>',
  '<!-- c -->', 'text', '<user_group>Student</user_group>', '<id_type>BARCODE</id_type>', '<expiry_date>2020</expiry_date>'];

function randomEdit(doc: IncrementalDocument, random: () => number): void {
  const text = doc.document.getText();
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  let start: number;
  // Mostly inside values and names (where people type), sometimes anywhere.
  if (random() < 0.7) {
    const anchors = ['<primary_id>', '<value>', '<first_name>', '<user_group>', '<last_name>', '</user>', '<user>'];
    const anchor = pick(anchors);
    const hits: number[] = [];
    for (let i = text.indexOf(anchor); i >= 0; i = text.indexOf(anchor, i + 1)) hits.push(i);
    start = hits.length > 0 ? pick(hits) + Math.floor(random() * (anchor.length + 3)) : Math.floor(random() * text.length);
  } else {
    start = Math.floor(random() * (text.length + 1));
  }
  start = Math.min(start, text.length);
  const kind = random();
  let end = start;
  let insert = '';
  if (kind < 0.45) insert = pick(SNIPPETS);
  else if (kind < 0.7) end = Math.min(text.length, start + 1 + Math.floor(random() * 3));
  else if (kind < 0.9) {
    end = Math.min(text.length, start + 1 + Math.floor(random() * 2));
    insert = pick(SNIPPETS);
  } else {
    // Paste a piece of the document elsewhere (often a whole user).
    const from = Math.floor(random() * text.length);
    insert = text.slice(from, from + Math.floor(random() * 400));
  }
  // Never split a surrogate pair: editors do not, and the two texts would then differ in UTF-8.
  const isLow = (i: number) => i > 0 && i < text.length && (text.charCodeAt(i) & 0xfc00) === 0xdc00;
  if (isLow(start)) start--;
  if (isLow(end)) end++;
  edit(doc, start, Math.max(start, end), insert);
}

function samplesOf(...names: string[]): string[] {
  return names.map((name) => readFileSync(join(repoRoot(), 'samples', name), 'utf8'));
}

test('property: random edit sequences always give the full validation\'s result', () => {
  const bases = [
    usersDocument(['a1', 'a2', 'a3', 'a7', 'a1', 'A2', 'b5']),
    ...samplesOf('valid/users-v2.xml', 'invalid/common-mistakes.xml', 'invalid/duplicate-identifier.xml', 'valid/users-v1.xml', 'invalid/unexpected-text.xml', 'invalid/root-element-userRecords.xml'),
  ];
  const settingsList: ValidationSettings[] = [DEFAULT_SETTINGS, { rules: { 'profile-field': 'off' }, strict: true, matchIdType: 'BARCODE' }];
  let checks = 0;
  let elementScans = 0;
  for (let seed = 1; seed <= 32; seed++) {
    const random = seededRandom(seed);
    const base = bases[seed % bases.length];
    const settings = settingsList[seed % settingsList.length];
    const doc = open(base, settings);
    for (let step = 0; step < 40; step++) {
      const edits = 1 + Math.floor(random() * 2);
      for (let e = 0; e < edits; e++) randomEdit(doc, random);
      if (random() < 0.3 && step < 39) continue; // sometimes several edits before one validation
      const got = doc.validate();
      const want = full(doc, settings);
      assert.deepEqual(got, want, `seed ${seed} step ${step}: text:\n${doc.document.getText()}`);
      checks++;
    }
    elementScans += doc.stats.elementScans;
  }
  assert.ok(checks > 500);
  assert.ok(elementScans > 100, `the incremental path ran (${elementScans} element re-checks)`);
});
