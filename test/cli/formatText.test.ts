import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatText, summaryLine } from '../../server/src/cli/formatText';
import { doc, finding, range, sampleSet, setResult } from './setResults';

describe('formatText', () => {
  it('prints one line per finding with 1-based positions, related places as indented notes, then the summary', () => {
    assert.equal(
      formatText(sampleSet()),
      [
        'feed/students.xml:5:18: error invalid-date "2025-13-01" is not a valid date for <expiry_date>; use YYYY-MM-DD.',
        'feed/staff.xml:3:17: error duplicate-identifier primary_id "a1" is already used by an earlier user (feed/students.xml line 3); Alma loads the first and rejects this user.',
        '  feed/students.xml:3:17: note: first used here',
        'feed/staff.xml:6:15: warning pin-format pin_number "12" is not four digits.',
        'feed/staff.xml:2:2: info v1-deprecated This is a User XSD version 1 file.',
        '2 files, 5 users: 2 errors, 1 warning, 1 info',
        '',
      ].join('\n'),
    );
  });

  it('prints notes about the input first, as path: note: lines', () => {
    const text = formatText(setResult(doc('a.zip!/users.xml', [])), {
      notes: [
        { path: 'a.zip!/readme.txt', message: 'not an XML file, skipped' },
        { path: '', message: 'a note about nothing in particular' },
      ],
    });
    assert.deepEqual(text.split('\n'), [
      'a.zip!/readme.txt: note: not an XML file, skipped',
      'note: a note about nothing in particular',
      '1 file, 1 user: 0 errors, 0 warnings, 0 infos',
      '',
    ]);
  });

  it('counts in the plural except for exactly one', () => {
    assert.equal(summaryLine({ files: 0, users: 0, errors: 0, warnings: 0, infos: 0 }), '0 files, 0 users: 0 errors, 0 warnings, 0 infos');
    assert.equal(summaryLine({ files: 1, users: 1, errors: 1, warnings: 1, infos: 1 }), '1 file, 1 user: 1 error, 1 warning, 1 info');
    assert.equal(summaryLine({ files: 3, users: 1200, errors: 2, warnings: 5, infos: 0 }), '3 files, 1200 users: 2 errors, 5 warnings, 0 infos');
  });

  it('leaves the summary out when asked, and prints nothing at all for a clean result then', () => {
    assert.equal(formatText(setResult(doc('a.xml', [])), { summary: false }), '');
    assert.equal(formatText(sampleSet(), { summary: false }).split('\n').at(-2), 'feed/staff.xml:2:2: info v1-deprecated This is a User XSD version 1 file.');
  });

  it('keeps a finding on one line when its message quotes a line break', () => {
    const text = formatText(setResult(doc('a.xml', [finding('xml-syntax', 'error', 'unexpected text:\n  "a\r\nb"', range(0, 0, 0, 1))])));
    assert.equal(text.split('\n')[0], 'a.xml:1:1: error xml-syntax unexpected text: "a b"');
  });
});
