import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InsertTextFormat, type CompletionItem, type MarkupContent, type TextEdit } from 'vscode-languageserver-types';
import { doComplete } from '../../../server/src/engine/languageService/completion';
import { DEFAULT_SETTINGS } from '../../../server/src/engine/config/types';
import { SAMPLE_SETTINGS, applyEdits, diagnosticsOf, withCursor } from './serviceFixtures';
import { renderedText } from '../../helpers/renderedMarkdown';

function complete(marked: string, settings = SAMPLE_SETTINGS): CompletionItem[] {
  const { document, position } = withCursor(marked);
  return doComplete(document, position, settings).items;
}

function labels(items: CompletionItem[]): string[] {
  return items.map((i) => i.label);
}

/** The snippet as the text it leaves once every tab stop is left at its first choice or empty. */
function expandSnippet(snippet: string): string {
  return snippet.replace(/\$\{\d+\|([^,|]*)[^}]*\}/g, '$1').replace(/\$\d+/g, '');
}

const USER = (body: string): string => `<?xml version="1.0" encoding="UTF-8"?>
<users>
  <user>
${body}
  </user>
</users>
`;

test('children of <user>: present ones are left out, repeatable lists stay', () => {
  const items = complete(USER('    <primary_id>a1</primary_id>\n    <first_name>A</first_name>\n    <user_identifiers></user_identifiers>\n    |'));
  const names = labels(items);
  assert.ok(!names.includes('primary_id'));
  assert.ok(!names.includes('first_name'));
  assert.ok(!names.includes('user_identifiers'));
  assert.ok(names.includes('last_name'));
  assert.ok(names.includes('contact_info'));
});

test('list items repeat: a second <user_identifier> is offered, with its required children', () => {
  const items = complete(USER(`    <user_identifiers>
      <user_identifier><id_type>BARCODE</id_type><value>1</value></user_identifier>
      <|
    </user_identifiers>`));
  const item = items.find((i) => i.label === 'user_identifier');
  assert.ok(item);
  const newText = (item.textEdit as TextEdit).newText;
  assert.equal(item.insertTextFormat, InsertTextFormat.Snippet);
  assert.match(newText, /^user_identifier>\n {8}<id_type>\$\{1\|BARCODE,UNIV_ID,ORCID,OTHER_ID_1\|\}<\/id_type>\n {8}<value>\$2<\/value>\n {6}<\/user_identifier>$/);
});

test('required children come first', () => {
  const items = complete(USER(`    <contact_info>
      <emails>
        <email>
          |
        </email>
      </emails>
    </contact_info>`));
  const sorted = [...items].sort((a, b) => (a.sortText ?? '').localeCompare(b.sortText ?? ''));
  assert.deepEqual(labels(sorted).slice(0, 2), ['email_address', 'email_types']);
  assert.deepEqual(labels(sorted).slice(2), ['description']);
});

test('contact_info offers its sequence and the inserted snippet validates', () => {
  const marked = USER('    <primary_id>a1</primary_id>\n    <contact_info>\n      |\n    </contact_info>');
  const items = complete(marked);
  assert.deepEqual(labels(items), ['addresses', 'emails', 'phones']);
  const emails = items.find((i) => i.label === 'emails')!;
  const { document } = withCursor(marked);
  const edit = emails.textEdit as TextEdit;
  const after = applyEdits(document, [{ ...edit, newText: expandSnippet(edit.newText) }]);
  const rules = diagnosticsOf(after, SAMPLE_SETTINGS).map((d) => d.code);
  assert.ok(!rules.includes('unknown-element') && !rules.includes('xml-syntax') && !rules.includes('missing-element'), rules.join(', '));
});

test('typing a name after < replaces only the name and writes the end tag', () => {
  const items = complete(USER('    <primary_id>a1</primary_id>\n    <last_n|'));
  const item = items.find((i) => i.label === 'last_name')!;
  assert.equal((item.textEdit as TextEdit).newText, 'last_name>$1</last_name>');
  const range = (item.textEdit as TextEdit).range;
  assert.equal(range.end.character - range.start.character, 'last_n'.length);
});

test('renaming an existing start tag offers names only', () => {
  const items = complete(USER('    <primary_id>a1</primary_id>\n    <last_n|ame>X</last_name>'));
  assert.equal((items.find((i) => i.label === 'last_name')!.textEdit as TextEdit).newText, 'last_name');
});

test('attribute names on <address>, then their values', () => {
  const names = complete(USER('    <contact_info><addresses><address |></address></addresses></contact_info>'));
  assert.deepEqual(labels(names).sort(), ['preferred', 'segment_type']);
  assert.match((names.find((i) => i.label === 'segment_type')!.textEdit as TextEdit).newText, /^segment_type="\$\{1\|External,Internal\|\}"$/);
  const present = complete(USER('    <contact_info><addresses><address preferred="true" |></address></addresses></contact_info>'));
  assert.deepEqual(labels(present), ['segment_type']);
  const values = complete(USER('    <contact_info><addresses><address segment_type="|"></address></addresses></contact_info>'));
  assert.deepEqual(labels(values), ['External', 'Internal']);
  const booleans = complete(USER('    <contact_info><phones><phone preferred_sms="t|"></phone></phones></contact_info>'));
  assert.deepEqual(labels(booleans), ['true', 'false']);
});

test('coded values come from the institution\'s code tables, with descriptions', () => {
  const items = complete(USER('    <user_group>|</user_group>'));
  assert.deepEqual(labels(items), ['STUDENT', 'GRAD', 'FACULTY', 'STAFF', 'ALUMNI', 'VISITOR']);
  assert.equal(items.find((i) => i.label === 'GRAD')!.detail, 'Graduate student');
  assert.deepEqual(complete(USER('    <user_group>|</user_group>'), DEFAULT_SETTINGS), [], 'no tables, no codes');
});

test('a value being typed is replaced whole', () => {
  const { document, position } = withCursor(USER('    <status>ACT|IV</status>'));
  const items = doComplete(document, position, SAMPLE_SETTINGS).items;
  assert.deepEqual(labels(items), ['ACTIVE', 'INACTIVE']);
  const after = applyEdits(document, [items[0].textEdit as TextEdit]);
  assert.match(after.getText(), /<status>ACTIVE<\/status>/);
});

test('Alma\'s fixed lists: record_type and account_type', () => {
  assert.deepEqual(labels(complete(USER('    <record_type>|</record_type>'))), ['PUBLIC', 'STAFF', 'CONTACT']);
  assert.deepEqual(labels(complete(USER('    <account_type>|</account_type>'))), ['EXTERNAL', 'INTERNAL']);
});

test('boolean elements complete true and false', () => {
  assert.deepEqual(labels(complete(USER('    <user_notes><user_note><popup_note>|</popup_note></user_note></user_notes>'))), ['true', 'false']);
});

test('between users, a new <user> with the fields that name it', () => {
  const items = complete('<users>\n  <user><primary_id>a</primary_id></user>\n  |\n</users>\n');
  assert.deepEqual(labels(items), ['user']);
  assert.match((items[0].textEdit as TextEdit).newText, /^<user>\n {4}<primary_id>\$1<\/primary_id>\n {4}<first_name>\$2<\/first_name>\n {4}<last_name>\$3<\/last_name>\n {2}<\/user>$/);
});

test('an end tag being typed is completed with the open element', () => {
  const items = complete(USER('    <first_name>A</|'));
  assert.deepEqual(labels(items), ['first_name']);
  assert.equal((items[0].textEdit as TextEdit).newText, 'first_name>');
});

test('version 1: the children of <userDetails> and v1 status words', () => {
  const v1 = (body: string): string => `<?xml version="1.0" encoding="UTF-8"?>
<userRecords xmlns="http://com/exlibris/digitool/repository/extsystem/xmlbeans">
  <userRecord>
    <userDetails>
${body}
    </userDetails>
  </userRecord>
</userRecords>
`;
  const names = labels(complete(v1('      <userName>a</userName>\n      |')));
  assert.ok(names.includes('firstName') && names.includes('status') && !names.includes('userName') && !names.includes('first_name'));
  assert.deepEqual(labels(complete(v1('      <status>|</status>'))), ['Active', 'Inactive']);
});

test('nothing inside a comment', () => {
  assert.deepEqual(complete(USER('    <!-- a comment | -->')), []);
});

test('contact_info: only what keeps the order addresses, emails, phones', () => {
  const body = (inside: string): string => USER(`    <contact_info>\n${inside}\n    </contact_info>`);
  assert.deepEqual(labels(complete(body('      |\n      <emails></emails>'))), ['addresses']);
  assert.deepEqual(labels(complete(body('      <emails></emails>\n      |'))), ['phones']);
  assert.deepEqual(labels(complete(body('      <addresses></addresses>\n      |\n      <phones></phones>'))), ['emails']);
});

test('completion documentation names the element as the reader sees it (a bare <name> is dropped by the renderer)', () => {
  const items = complete(USER('    <primary_id>a1</primary_id>\n    |'));
  const userGroup = items.find((i) => i.label === 'user_group')!;
  const shown = renderedText((userGroup.documentation as MarkupContent).value);
  assert.ok(shown.startsWith('<user_group> · code'), shown);
  for (const item of items) {
    const text = renderedText((item.documentation as MarkupContent).value);
    assert.ok(text.startsWith(`<${item.label}> · `), `${item.label}: ${JSON.stringify(text.slice(0, 60))}`);
  }
  const attributes = complete(USER('    <contact_info><emails><email |></email></emails></contact_info>'));
  assert.ok(attributes.length > 0);
  for (const item of attributes) {
    assert.match(renderedText((item.documentation as MarkupContent).value), new RegExp(`^${item.label} on <email> · `));
  }
});

test('a file with CR line ends alone: new elements are indented as in the same file with LF', () => {
  const marked = USER('    <primary_id>a1</primary_id>\n    |');
  const lf = complete(marked).find((i) => i.label === 'user_statistics');
  const cr = complete(marked.replace(/\n/g, '\r')).find((i) => i.label === 'user_statistics');
  assert.ok(lf && cr);
  const newText = (item: CompletionItem) => (item.textEdit as TextEdit).newText;
  assert.match(newText(lf), /\n {6}<user_statistic>/);
  assert.equal(newText(cr).replace(/\r/g, '\n'), newText(lf));
});
