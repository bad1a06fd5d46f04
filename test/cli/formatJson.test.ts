import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatJson, jsonReport } from '../../server/src/cli/formatJson';
import { doc, finding, range, sampleSet, setResult } from './setResults';

describe('formatJson', () => {
  it('writes exactly the documented shape, with the engine\'s 0-based positions', () => {
    const parsed = JSON.parse(formatJson(sampleSet()));
    assert.deepEqual(parsed, {
      files: [
        {
          path: 'feed/students.xml',
          schemaVersion: 2,
          users: 2,
          diagnostics: [
            {
              rule: 'invalid-date',
              severity: 'error',
              message: '"2025-13-01" is not a valid date for <expiry_date>; use YYYY-MM-DD.',
              range: { start: { line: 4, character: 17 }, end: { line: 4, character: 27 } },
              related: [],
            },
          ],
        },
        {
          path: 'feed/staff.xml',
          schemaVersion: 2,
          users: 3,
          diagnostics: [
            {
              rule: 'duplicate-identifier',
              severity: 'error',
              message: 'primary_id "a1" is already used by an earlier user (feed/students.xml line 3); Alma loads the first and rejects this user.',
              range: { start: { line: 2, character: 16 }, end: { line: 2, character: 18 } },
              related: [
                { path: 'feed/students.xml', range: { start: { line: 2, character: 16 }, end: { line: 2, character: 18 } }, message: 'first used here' },
              ],
            },
            {
              rule: 'pin-format',
              severity: 'warning',
              message: 'pin_number "12" is not four digits.',
              range: { start: { line: 5, character: 14 }, end: { line: 5, character: 16 } },
              related: [],
            },
            {
              rule: 'v1-deprecated',
              severity: 'info',
              message: 'This is a User XSD version 1 file.',
              range: { start: { line: 1, character: 1 }, end: { line: 1, character: 12 } },
              related: [],
            },
          ],
        },
      ],
      summary: { files: 2, users: 5, errors: 2, warnings: 1, infos: 1, rejectedUsers: 0 },
    });
  });

  it('leaves engine-only fields out and keeps an unrecognised document\'s null version', () => {
    const withSuggestion = { ...finding('element-case', 'error', '<Primary_ID> should be written <primary_id>.', range(0, 1, 0, 11)), suggestions: ['primary_id'] };
    const parsed = JSON.parse(formatJson(setResult(doc('odd.xml', [withSuggestion], 0, null))));
    assert.equal(parsed.files[0].schemaVersion, null);
    assert.deepEqual(Object.keys(parsed.files[0].diagnostics[0]), ['rule', 'severity', 'message', 'range', 'related']);
  });

  it('says how many places a collapsed finding stands for, and how many a capped rule left out', () => {
    const collapsed = { ...finding('profile-field', 'info', '<record_type> is set by the profile.', range(2, 4, 2, 15)), occurrences: 300 };
    const notice = { ...finding('xml-syntax', 'error', '57 more xml-syntax findings from here on are not listed.', range(9, 0, 9, 1)), omitted: 57 };
    const parsed = JSON.parse(formatJson(setResult(doc('feed.xml', [collapsed, notice]))));
    const [first, second] = parsed.files[0].diagnostics;
    assert.equal(first.occurrences, 300);
    assert.equal(first.omitted, undefined);
    assert.equal(second.omitted, 57);
    assert.equal(second.occurrences, undefined);
  });

  it('writes an empty set as empty lists and zero counts', () => {
    assert.deepEqual(JSON.parse(formatJson(setResult())), { files: [], summary: { files: 0, users: 0, errors: 0, warnings: 0, infos: 0, rejectedUsers: 0 } });
  });

  it('is written in pieces that join to exactly the canonical pretty-printed JSON', () => {
    const cases = [sampleSet(), setResult(), setResult(doc('clean.xml', [], 3, 2))];
    for (const result of cases) {
      const pieces = [...jsonReport(result)];
      const text = pieces.join('');
      assert.equal(text, `${JSON.stringify(JSON.parse(text), null, 2)}\n`);
    }
    assert.ok([...jsonReport(sampleSet())].length > 3, 'one piece per diagnostic, not one string');
  });
});
