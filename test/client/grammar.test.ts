import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { v1Vocabulary, v2Vocabulary } from '../../server/src/engine/index';
import { almaGrammar, KNOWN_TAG_SCOPE, knownNamesOf, UNKNOWN_TAG_SCOPE } from '../../client/src/grammar/almaGrammar';
import { repoRoot } from '../helpers/repoRoot';

const committed = JSON.parse(readFileSync(join(repoRoot(), 'syntaxes', 'alma-sis-users.tmLanguage.json'), 'utf8'));
const vocabulary = new Set([...v2Vocabulary, ...v1Vocabulary]);

test('the committed grammar is the one the models give (else run node scripts/generate-grammar.mjs)', () => {
  assert.deepEqual(new Set(knownNamesOf(committed)), vocabulary);
  assert.deepEqual(committed, almaGrammar(vocabulary));
});

/** The scope the grammar's tag rules give the name in `markup`, trying the rules in order as TextMate does. */
function tagScope(markup: string): string | undefined {
  for (const rule of committed.patterns as { begin?: string; beginCaptures?: Record<string, { name: string }> }[]) {
    if (rule.begin === undefined || rule.beginCaptures?.[2] === undefined) continue;
    const match = new RegExp(rule.begin, 'y').exec(markup);
    if (match !== null) return `${rule.beginCaptures[2].name}:${match[2]}`;
  }
  return undefined;
}

test('known element names are scoped apart from unknown and miscased ones, in start and end tags', () => {
  assert.equal(tagScope('<primary_id>'), `${KNOWN_TAG_SCOPE}:primary_id`);
  assert.equal(tagScope('</user_group>'), `${KNOWN_TAG_SCOPE}:user_group`);
  assert.equal(tagScope('<email preferred="true">'), `${KNOWN_TAG_SCOPE}:email`);
  assert.equal(tagScope('<expiry_date/>'), `${KNOWN_TAG_SCOPE}:expiry_date`);
  assert.equal(tagScope('<userRecord>'), `${KNOWN_TAG_SCOPE}:userRecord`);
  assert.equal(tagScope('<Primary_ID>'), `${UNKNOWN_TAG_SCOPE}:Primary_ID`);
  assert.equal(tagScope('<record_typ>'), `${UNKNOWN_TAG_SCOPE}:record_typ`);
  // One grammar serves both versions, so v1's camelCase names are known in a v2 file too.
  assert.equal(tagScope('<recordType>'), `${KNOWN_TAG_SCOPE}:recordType`);
  // A known name that merely begins an unknown one is not known.
  assert.equal(tagScope('<user_groups>'), `${UNKNOWN_TAG_SCOPE}:user_groups`);
  assert.equal(tagScope('</emailx>'), `${UNKNOWN_TAG_SCOPE}:emailx`);
});
