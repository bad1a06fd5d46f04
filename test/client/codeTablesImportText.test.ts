import assert from 'node:assert/strict';
import { test } from 'node:test';
import { importNotification, importReport, tableItems } from '../../client/src/codeTablesImportText';

const imported = {
  imported: true as const,
  into: '/work/etc/code-tables.json',
  created: false,
  tables: ["userGroups: 5 codes from /exports/UserGroups.json (Alma's UserGroups); replaced 6 codes: 4 added, 5 removed", 'genders: 1 code from g.csv; a new table'],
  notes: ['/exports/UserGroups.json:48:5: row[4] "05" is disabled in Alma; left out'],
  remainingProblems: [],
};

test('the notification names each table with its count, the file, and what was left out', () => {
  assert.equal(importNotification(imported, 'etc/code-tables.json'), 'Alma SIS: imported userGroups (5 codes), genders (1 code) into etc/code-tables.json; 1 row left out');
  assert.equal(
    importNotification({ ...imported, created: true, notes: [], remainingProblems: ['x:1:1: a', 'x:2:1: b'] }, 'codes.json'),
    'Alma SIS: imported userGroups (5 codes), genders (1 code) into the new file codes.json; the file still has 2 problems in other tables',
  );
});

test('the report lists every table line and every note; a refusal lists every problem', () => {
  assert.equal(
    importReport(imported),
    ['Wrote /work/etc/code-tables.json', '', ...imported.tables, '', 'Left out:', ...imported.notes, ''].join('\n'),
  );
  const refused = { imported: false as const, reason: 'problems' as const, message: '2 problems; codes.json was not changed:', problems: ['a.csv:2: line 2: the code is empty', 'a.csv:4: a quoted field is never closed'] };
  assert.equal(importReport(refused), '2 problems; codes.json was not changed:\n\na.csv:2: line 2: the code is empty\na.csv:4: a quoted field is never closed\n');
});

test("the table pick shows Alma's name beside ours where Alma has one", () => {
  assert.deepEqual(tableItems([{ name: 'userGroups', almaName: 'UserGroups' }, { name: 'campusCodes' }]), [
    { label: 'userGroups', description: 'Alma: UserGroups', name: 'userGroups' },
    { label: 'campusCodes', name: 'campusCodes' },
  ]);
});
