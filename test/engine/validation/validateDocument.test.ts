import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DiagnosticSeverity } from 'vscode-languageserver-types';
import { validateText, toLspDiagnostic, validateInputs, DEFAULT_SETTINGS, type InputDocument } from '../../../server/src/engine';
import { MAX_SCAN_PROBLEMS } from '../../../server/src/engine/xml/scanner';

const user = (id: string, barcode: string) =>
  `<user><primary_id>${id}</primary_id><first_name>A</first_name><last_name>B</last_name>` +
  `<user_identifiers><user_identifier><id_type>BARCODE</id_type><value>${barcode}</value></user_identifier></user_identifiers></user>`;

function memoryDocument(path: string, text: string, chunk = 7): InputDocument {
  const bytes = Buffer.from(text, 'utf8');
  return {
    path,
    size: bytes.length,
    async *read() {
      for (let off = 0; off < bytes.length; off += chunk) yield bytes.subarray(off, off + chunk);
    },
  };
}

test('an editor buffer in, LSP diagnostics out: code, source, severity, related information', () => {
  const text = `<users>\n${user('a1', '111')}\n${user('a2', '111')}\n</users>`;
  const result = validateText(text, 'users.xml', DEFAULT_SETTINGS);
  assert.equal(result.users, 2);
  const diagnostics = result.findings.map((f) => toLspDiagnostic(f, (p) => `file:///work/${p}`));
  assert.equal(diagnostics.length, 1);
  const [d] = diagnostics;
  assert.equal(d.code, 'duplicate-identifier');
  assert.equal(d.source, 'alma-sis');
  assert.equal(d.severity, DiagnosticSeverity.Error);
  const valueCol = `<user><primary_id>a2</primary_id><first_name>A</first_name><last_name>B</last_name><user_identifiers><user_identifier><id_type>BARCODE</id_type><value>`.length;
  assert.deepEqual(d.range, { start: { line: 2, character: valueCol }, end: { line: 2, character: valueCol + 3 } });
  assert.equal(d.relatedInformation?.[0].location.uri, 'file:///work/users.xml');
  assert.equal(d.relatedInformation?.[0].location.range.start.line, 1);
});

test('a set: uniqueness crosses files in order, a rejected user takes no identifiers, primary_id ignores case', async () => {
  const first = memoryDocument('one.xml', `<users>${user('Ann', '111')}</users>`);
  // ann (case-insensitive primary_id) is rejected, so its barcode 222 stays free for the third user.
  const second = memoryDocument('two.xml', `<users>${user('ann', '222')}${user('bob', '222')}</users>`);
  const result = await validateInputs([first, second], DEFAULT_SETTINGS);
  const findings = result.documents[1].findings.map((f) => `${f.rule} ${f.range.start.line}:${f.range.start.character} ${f.related[0]?.path}`);
  assert.equal(findings.length, 1, findings.join('\n'));
  assert.match(findings[0], /^duplicate-identifier 0:25 one\.xml$/);
  assert.equal(result.summary.users, 3);
  assert.equal(result.summary.errors, 1);
});

test('rule settings: a rule can be turned off or given another severity; strict makes empty values errors', () => {
  const text = '<users><user><primary_id>x</primary_id><pin_number>12</pin_number><expiry_date/></user></users>';
  const rulesOf = (settings: typeof DEFAULT_SETTINGS) => validateText(text, 'p.xml', settings).findings.map((f) => `${f.rule}:${f.severity}`);
  assert.deepEqual(rulesOf(DEFAULT_SETTINGS), ['pin-format:warning', 'empty-value:warning']);
  assert.deepEqual(rulesOf({ rules: { 'pin-format': 'off' }, strict: false }), ['empty-value:warning']);
  assert.deepEqual(rulesOf({ rules: { 'pin-format': 'error' }, strict: true }), ['pin-format:error', 'empty-value:error']);
});

test('binary input: well-formedness problems are capped with a closing remark, and nothing throws', async () => {
  const bytes = Buffer.alloc(2 << 20);
  let x = 7;
  for (let i = 0; i < bytes.length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
  const doc: InputDocument = { path: 'photo.xml', size: bytes.length, async *read() { yield bytes; } };
  const result = await validateInputs([doc], DEFAULT_SETTINGS);
  const findings = result.documents[0].findings;
  const scannerRules = new Set(['xml-syntax', 'encoding', 'invalid-char', 'bom', 'doctype']);
  assert.equal(findings.filter((f) => scannerRules.has(f.rule)).length, MAX_SCAN_PROBLEMS);
  assert.ok(findings.some((f) => /later ones in this file are not: is it XML at all\?/.test(f.message)));
});

test('a user that repeats its own identifier is rejected, so its values stay free for later users', () => {
  const text = `<users>${user('dup', 'dup')}${user('dup2', '777')}${user('x9', '777')}${user('y9', 'DUP')}</users>`;
  const found = validateText(text, 'u.xml', DEFAULT_SETTINGS).findings.map((f) => f.rule);
  // dup repeats itself (rejected, registers nothing): 'DUP' later is free. 777 is taken by dup2, so x9 is rejected.
  assert.deepEqual(found, ['duplicate-identifier-in-user', 'duplicate-identifier']);
});

test('CRLF and LF line ends give the same findings at the same positions', () => {
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<users>', user('a1', '111'), user('a2', '111'), '<user><primary_id>a3</primary_id><expiry_date>2025-02-30</expiry_date></user>', '</users>'];
  const describe = (text: string) => validateText(text, 'f.xml', DEFAULT_SETTINGS).findings.map((f) => `${f.rule} ${JSON.stringify(f.range)}`);
  const lf = describe(lines.join('\n'));
  assert.equal(lf.length, 2);
  assert.deepEqual(describe(lines.join('\r\n')), lf);
});

test('columns after an emoji and CJK count UTF-16 units, as LSP does', () => {
  const text = '<users><user><primary_id>x</primary_id><first_name>😀日本</first_name><expiry_date>nope</expiry_date></user></users>';
  const [finding] = validateText(text, 'f.xml', DEFAULT_SETTINGS).findings;
  assert.equal(finding.rule, 'invalid-date');
  const col = text.indexOf('nope'); // JavaScript string indexes are UTF-16 units too
  assert.deepEqual(finding.range, { start: { line: 0, character: col }, end: { line: 0, character: col + 4 } });
});

test('deep nesting and a huge attribute go through the whole checker without trouble', () => {
  const depth = 100_000;
  const nested = `<users><user><primary_id>x</primary_id>${'<junk>'.repeat(depth)}${'</junk>'.repeat(depth)}</user></users>`;
  const deep = validateText(nested, 'deep.xml', DEFAULT_SETTINGS);
  // Only the outermost unknown element is reported; its content is not walked rule by rule.
  // Past the depth no real file reaches the scanner says so once and stops tracking levels.
  assert.deepEqual(deep.findings.map((f) => f.rule), ['unknown-element', 'xml-syntax']);
  assert.match(deep.findings[1].message, /nested more than 64 deep/);
  const desc = 'd'.repeat(3_000_000);
  const huge = validateText(`<users><user><primary_id>x</primary_id><user_group desc="${desc}">STUDENT</user_group></user></users>`, 'huge.xml', DEFAULT_SETTINGS);
  assert.deepEqual(huge.findings.map((f) => [f.rule, f.message]), [['max-length', 'Attribute desc is over a million characters long; the limit is 4000.']]);
});
