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
      'a.zip!/users.xml: 1 file, 1 user: 0 errors, 0 warnings, 0 infos',
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

  it('names the file in the summary of a single file, so runs one after another can be told apart', () => {
    assert.equal(formatText(setResult(doc('samples/valid/users-v2.xml', []))), 'samples/valid/users-v2.xml: 1 file, 1 user: 0 errors, 0 warnings, 0 infos\n');
    assert.equal(summaryLine({ files: 1, users: 12, errors: 0, warnings: 0, infos: 0 }, 'a\nb.xml'), 'a\\nb.xml: 1 file, 12 users: 0 errors, 0 warnings, 0 infos');
  });

  it('escapes every control character from the input: no forged line, nothing for the terminal to run', () => {
    // A zip entry name with line breaks that would print a finding of its own, and a value with
    // ESC (an OSC 52 clipboard write), BEL, C1 CSI, DEL, tab and a Unicode line separator.
    const forged = 'i.zip!/a.xml\n/etc/passwd:1:1: error forged FAKE\nb.xml';
    const message = 'value "\x1b]52;c;ZWNobyBoaQ==\x07 \x9b2J\x7f\tx\u2028y\u202e" is odd\r\n';
    const related = [{ path: forged, range: range(0, 0, 0, 1), message: 'first\nhere' }];
    const text = formatText(setResult(doc(forged, [{ ...finding('xml-syntax', 'error', message, range(0, 0, 0, 1)), related }])), {
      notes: [{ path: forged, message: 'skipped\x1b[2K' }],
    });
    const lines = text.split('\n');
    assert.equal(lines.length, 5, text);
    assert.equal(lines[0], 'i.zip!/a.xml\\n/etc/passwd:1:1: error forged FAKE\\nb.xml: note: skipped\\x1b[2K');
    assert.equal(lines[1], 'i.zip!/a.xml\\n/etc/passwd:1:1: error forged FAKE\\nb.xml:1:1: error xml-syntax value "\\x1b]52;c;ZWNobyBoaQ==\\x07 \\x9b2J\\x7f\\tx\\u2028y\\u202e" is odd\\r\\n');
    assert.match(lines[2], /^  i\.zip!\/a\.xml\\n.*: note: first\\nhere$/);
    assert.doesNotMatch(text.replace(/\n/g, ''), /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
  });
});
