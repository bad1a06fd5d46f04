import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CodeActionKind, type Diagnostic } from 'vscode-languageserver-types';
import { getCodeActions } from '../../../server/src/engine/languageService/codeActions';
import { DEFAULT_SETTINGS } from '../../../server/src/engine/config/types';
import { applyWorkspaceEdit, diagnosticsOf, doc } from './serviceFixtures';

/*
 * invalid-date: the message says what is wrong with the date in the reader's terms (no such day,
 * the wrong form), and where it says what to write, the quick fix writes exactly that.
 */

const settings = { ...DEFAULT_SETTINGS, rules: {} };

const V2 = (element: string, value: string): string => `<users>\n  <user>\n    <primary_id>a1</primary_id>\n    <${element}>${value}</${element}>\n  </user>\n</users>\n`;
const NOTE = (value: string): string => V2('user_notes', `<user_note><note_type>X</note_type><note_text>t</note_text><user_viewable>false</user_viewable><popup_note>false</popup_note><created_date>${value}</created_date></user_note>`);
const V1 = (value: string): string => `<userRecords xmlns="http://com/exlibris/digitool/repository/extsystem/xmlbeans">
  <userRecord><userDetails><userName>a</userName><status>Active</status><expiryDate>${value}</expiryDate></userDetails></userRecord>
</userRecords>
`;

function dateDiagnostic(text: string): { document: ReturnType<typeof doc>; diagnostic: Diagnostic | undefined } {
  const document = doc(text);
  return { document, diagnostic: diagnosticsOf(document, settings).find((d) => d.code === 'invalid-date') };
}

const MESSAGES: [string, string][] = [
  [V2('expiry_date', '2031-02-30'), '"2031-02-30" in <expiry_date> is not a day: February 2031 has 28 days.'],
  [V2('birth_date', '2001-02-29'), '"2001-02-29" in <birth_date> is not a day: February 2001 has 28 days.'],
  [V2('expiry_date', '2024-04-31Z'), '"2024-04-31Z" in <expiry_date> is not a day: April 2024 has 30 days.'],
  [V2('expiry_date', '2025-13-01'), '"2025-13-01" in <expiry_date> is not a day: there is no month 13.'],
  [V2('expiry_date', '2025-06-00'), '"2025-06-00" in <expiry_date> is not a day: there is no day 00.'],
  [V2('expiry_date', '0000-01-01'), '"0000-01-01" in <expiry_date> is not a day: there is no year 0000 (the year before 0001 is -0001).'],
  [V2('purge_date', '20251231'), '"20251231" in <purge_date> is not a valid date: write it as 2025-12-31 (YYYY-MM-DD, optionally with a zone).'],
  [V2('purge_date', '2025-12-31T08:00:00Z'), '"2025-12-31T08:00:00Z" in <purge_date> is not a valid date: a date has no time part, write 2025-12-31Z.'],
  [V2('expiry_date', '30/06/2027'), '"30/06/2027" in <expiry_date> is not a valid date: write YYYY-MM-DD, optionally with a zone, e.g. 2027-06-30Z.'],
  [NOTE('2025-01-15'), '"2025-01-15" in <created_date> is not a valid date and time: it needs a time of day, e.g. 2025-01-15T00:00:00Z.'],
  [NOTE('2025-02-30T10:00:00Z'), '"2025-02-30T10:00:00Z" in <created_date> is not a day: February 2025 has 28 days.'],
  [V1('2027-06-30'), '"2027-06-30" in <expiryDate> is not a v1 date: write it as 20270630 (YYYYMMDD).'],
  [V1('20310230'), '"20310230" in <expiryDate> is not a day: February 2031 has 28 days.'],
];

for (const [text, message] of MESSAGES) {
  test(`invalid-date says: ${message}`, () => {
    const { diagnostic } = dateDiagnostic(text);
    assert.equal(diagnostic?.message, message);
  });
}

test('the quick fix writes what the message says to write, and only where the message says it', () => {
  for (const [text, message] of MESSAGES) {
    const { document, diagnostic } = dateDiagnostic(text);
    const actions = getCodeActions(document, diagnostic!.range, { diagnostics: [diagnostic!] }, settings);
    const said = /write (?:it as )?(\S+?)(?: \(|\.$)/.exec(message)?.[1];
    if (said === undefined) {
      assert.deepEqual(actions.map((a) => a.title), [], `${message}: the message proposes nothing, nor does a fix`);
      continue;
    }
    assert.equal(actions.length, 1, message);
    assert.equal(actions[0].title, `Write ${said}`);
    const edits = actions[0].edit!.changes![document.uri];
    assert.deepEqual(edits.map((e) => e.newText), [said], message);
    const fixed = applyWorkspaceEdit(document, actions[0].edit);
    assert.ok(!diagnosticsOf(fixed, settings).some((d) => d.code === 'invalid-date'), `${message}: still invalid after the fix`);
  }
});

test('fix all rewrites a compact date but leaves a time part for the person to decide', () => {
  const text = `<users>\n  <user>\n    <primary_id>a1</primary_id>\n    <purge_date>20251231</purge_date>\n    <expiry_date>2025-06-30T08:00:00</expiry_date>\n  </user>\n</users>\n`;
  const document = doc(text);
  const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  const [all] = getCodeActions(document, range, { diagnostics: [], only: [CodeActionKind.SourceFixAll] }, settings);
  assert.equal(all.title, 'Fix 1 Alma SIS problem: 1 invalid-date');
  const fixed = applyWorkspaceEdit(document, all.edit).getText();
  assert.match(fixed, /<purge_date>2025-12-31<\/purge_date>/);
  assert.match(fixed, /<expiry_date>2025-06-30T08:00:00<\/expiry_date>/);
});
