import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MarkupContent } from 'vscode-languageserver-types';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { doHover } from '../../../server/src/engine/languageService/hover';
import { SAMPLE_SETTINGS, doc, samplesDir, withCursor } from './serviceFixtures';
import { renderedText } from '../../helpers/renderedMarkdown';

function hoverText(marked: string): string {
  const { document, position } = withCursor(marked);
  const hover = doHover(document, position, SAMPLE_SETTINGS);
  assert.ok(hover, `no hover at ${marked}`);
  return (hover.contents as MarkupContent).value;
}

const USER = (body: string): string => `<users>\n  <user>\n${body}\n  </user>\n</users>\n`;

test('an element name: type and limit, SIS, synchronize', () => {
  const text = hoverText(USER('    <camp|us_code>MAIN</campus_code>'));
  assert.match(text, /<campus_code>/);
  assert.match(text, /at most 50 characters/);
  assert.match(text, /campusCodes/);
  assert.match(text, /\*\*SIS:\*\* loaded/);
  assert.match(text, /protected field/);
});

test('the end tag\'s name gives the same hover', () => {
  assert.equal(hoverText(USER('    <campus_code>MAIN</camp|us_code>')), hoverText(USER('    <camp|us_code>MAIN</campus_code>')));
});

test('fields SIS does not load say so', () => {
  assert.match(hoverText(USER('    <pass|word>x</password>')), /not loaded: it is for internal users only/);
  assert.match(hoverText(USER('    <full_n|ame>x</full_name>')), /output only/);
  assert.match(hoverText(USER('    <record_t|ype>PUBLIC</record_type>')), /profile sets it/);
});

test('a list: what a synchronize does to its entries', () => {
  assert.match(hoverText(USER('    <user_identif|iers></user_identifiers>')), /replace the user's External ones; Internal entries/);
  assert.match(hoverText(USER('    <first_n|ame>A</first_name>')), /left out of the file, the value in Alma is deleted/);
});

test('a date: its format', () => {
  assert.match(hoverText(USER('    <expiry_d|ate>2027-06-30Z</expiry_date>')), /YYYY-MM-DD/);
});

test('a coded value: its description from the code tables', () => {
  assert.match(hoverText(USER('    <user_group>FAC|ULTY</user_group>')), /\*\*FACULTY\*\*: Faculty \(the userGroups code table\)/);
  assert.match(hoverText(USER('    <user_group>EMER|ITUS</user_group>')), /is not in the userGroups code table/);
  assert.match(hoverText(USER('    <status>ACT|IVE</status>')), /Alma's status values/);
});

test('an attribute: its values and what SIS does with it', () => {
  const text = hoverText(USER('    <contact_info><emails><email segm|ent_type="External"></email></emails></contact_info>'));
  assert.match(text, /one of External, Internal \(case-sensitive\)/);
  assert.match(text, /SIS ignores it/);
});

test('version 1 names carry the notes of their version 2 counterparts', () => {
  const text = hoverText(`<userRecords xmlns="http://com/exlibris/digitool/repository/extsystem/xmlbeans">
  <userRecord><userDetails><user|Name>a</userName></userDetails></userRecord>
</userRecords>`);
  assert.match(text, /primary identifier/);
});

test('every element of the valid samples has a hover with notes', () => {
  for (const name of ['users-v2.xml', 'users-v1.xml', 'researchers-v2.xml']) {
    const text = readFileSync(join(samplesDir, 'valid', name), 'utf8');
    const document = doc(text);
    const missing = new Set<string>();
    for (const match of text.matchAll(/<([A-Za-z_][\w.-]*)[\s>/]/g)) {
      const hover = doHover(document, document.positionAt(match.index! + 1), SAMPLE_SETTINGS);
      assert.ok(hover, `${name}: no hover on <${match[1]}>`);
      const value = (hover.contents as MarkupContent).value;
      // The first line is the model's; a note follows it when fieldDocs knows the field.
      if (!/\n\n(?!\*\*SIS|\*\*Synchronize|Attributes)/.test(value)) missing.add(match[1]);
    }
    // Researcher data is described as one block; its many fields need no note each.
    const known = [...missing].filter((n) => !n.startsWith('researcher') && !['organization_code', 'organization_name', 'position', 'title', 'display_title', 'start_date', 'end_date', 'value', 'url', 'description', 'degree', 'from_year', 'to_year', 'field_of_study'].includes(n));
    assert.deepEqual(known, [], `${name}: elements without notes`);
  }
});

test('inside a section SIS does not load, a field says so', () => {
  const text = hoverText(USER('    <user_roles><user_role><role_t|ype>32</role_type></user_role></user_roles>'));
  assert.match(renderedText(text), /inside <user_roles>, which SIS does not load/);
  assert.match(text, /not changed by SIS/);
});

test('researcher fields are loaded by researcher profiles only', () => {
  assert.match(hoverText(USER('    <researcher><researcher_first_n|ame>A</researcher_first_name></researcher>')), /profiles used for researchers/);
});

test('the root has no SIS or synchronize line', () => {
  const text = hoverText('<us|ers>\n  <user><primary_id>a</primary_id></user>\n</users>\n');
  assert.match(text, /root of a version 2 file/);
  assert.doesNotMatch(text, /Synchronize/);
});

test('the renderer the hovers are written for drops a bare tag: the name in bold alone leaves " · "', () => {
  assert.equal(renderedText('**<user_group>** · code'), ' · code');
  assert.equal(renderedText('**`<user_group>`** · code'), '<user_group> · code');
  assert.equal(renderedText('\\<user\\_group\\> &lt;x&gt;'), '<user_group> <x>');
});

test('a hover names its element as the reader sees it, first, in every element of the valid samples', () => {
  for (const name of ['users-v2.xml', 'users-v1.xml', 'researchers-v2.xml']) {
    const text = readFileSync(join(samplesDir, 'valid', name), 'utf8');
    const document = doc(text);
    for (const match of text.matchAll(/<([A-Za-z_][\w.-]*)[\s>/]/g)) {
      const hover = doHover(document, document.positionAt(match.index! + 1), SAMPLE_SETTINGS);
      const shown = renderedText((hover!.contents as MarkupContent).value);
      assert.ok(shown.startsWith(`<${match[1]}> · `), `${name}: the hover on <${match[1]}> reads ${JSON.stringify(shown.slice(0, 80))}`);
    }
  }
});

test('the names inside a hover\'s words are shown too: a list\'s items, an enclosing section, an attribute\'s element', () => {
  assert.match(renderedText(hoverText(USER('    <user_identif|iers></user_identifiers>'))), /^<user_identifiers> · list of <user_identifier> · optional/);
  const attribute = renderedText(hoverText(USER('    <contact_info><emails><email prefer|red="true"></email></emails></contact_info>')));
  assert.match(attribute, /^preferred on <email> · boolean: true, false, 1 or 0 · optional/);
  assert.match(renderedText(hoverText(USER('    <us|er_group>STUDENT</user_group>'))), /^<user_group> · code \(from the userGroups code table\)/);
});

test('a value and a description with Markdown characters are shown as written', () => {
  const settings = { ...SAMPLE_SETTINGS, codeTables: { ...SAMPLE_SETTINGS.codeTables, userGroups: [{ code: 'UG*1', description: 'Under <grad> [main] & co_' }] } };
  const { document, position } = withCursor(USER('    <user_group>UG|*1</user_group>'));
  const hover = doHover(document, position, settings);
  assert.match(renderedText((hover!.contents as MarkupContent).value), /^UG\*1: Under <grad> \[main\] & co_ \(the userGroups code table\)\./);
});
