import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatJson } from '../../../server/src/cli/formatJson';
import { DEFAULT_SETTINGS, type Finding, type ValidationSettings } from '../../../server/src/engine';
import { summarize } from '../../../server/src/engine/validation/results';
import { validateText } from '../../../server/src/engine/validation/validateDocument';
import { berkeleyFeed, mitFeed, princetonFeed, templeFeed } from '../../helpers/productionFeeds';

/*
 * Files shaped like real libraries' nightly feeds, which Alma loads: what the validator says
 * about them must be what a librarian would act on, each thing said once.
 */

const USERS_PROFILE: ValidationSettings = { ...DEFAULT_SETTINGS, usedFor: 'users' };

function list(findings: Finding[]): string {
  return findings.map((f) => `${f.severity} ${f.rule} ${f.range.start.line + 1}:${f.range.start.character + 1} ${f.message}`).join('\n');
}

/** What a finding is about: its rule and the first element its message names. */
function subject(finding: Finding): string {
  return `${finding.rule} ${/<[^>]+>/.exec(finding.message)?.[0] ?? ''}`;
}

function rulesOf(findings: Finding[]): string[] {
  return findings.map((f) => `${f.severity} ${f.rule}`).sort();
}

describe('an MIT-shaped clean feed of 20,000 users', () => {
  const text = mitFeed(20_000);
  for (const [label, settings] of [['without a profile', DEFAULT_SETTINGS], ['with a users-only profile', USERS_PROFILE]] as const) {
    it(`is quiet ${label}: no error, each finding once, under 20 in all, a JSON report under 1 MB`, () => {
      const result = validateText(text, 'mit.xml', settings);
      assert.equal(result.users, 20_000);
      const { findings } = result;
      assert.deepEqual(findings.filter((f) => f.severity === 'error'), [], list(findings));
      const subjects = findings.map(subject);
      assert.deepEqual(subjects, [...new Set(subjects)], `a finding repeats:\n${list(findings)}`);
      assert.ok(findings.length < 20, list(findings));
      const json = formatJson({ documents: [result], summary: summarize([result]) });
      assert.ok(json.length < 1_000_000, `JSON report of ${json.length} bytes`);
      // The repeats are counted, not lost.
      const recordType = findings.find((f) => f.rule === 'profile-field' && f.message.includes('<record_type>'));
      assert.equal(recordType?.occurrences, 20_000);
      assert.match(recordType!.message, /The same in 19,999 more places in this file/);
    });
  }

  it('says once per file that empty placeholders SIS ignores are harmless (one info), and a non-empty ignored field is a warning', () => {
    const { findings } = validateText(mitFeed(3), 'mit.xml', DEFAULT_SETTINGS);
    const empties = findings.filter((f) => f.rule === 'not-loaded' && f.severity === 'info');
    assert.equal(empties.length, 1, list(findings));
    const [password] = empties;
    assert.match(password.message, /^<password> is empty, and SIS does not load this field/);
    // <password/>, <force_password_change/>, <status_date/> and <proxy_for_users/> in each of 3 users.
    assert.equal(password.occurrences, 12);
    const roles = findings.find((f) => f.message.startsWith('<user_roles>'));
    assert.equal(roles?.severity, 'warning');
  });

  it('does not take an empty or false is_researcher, or an empty pref_name_suffix, for researcher data', () => {
    const { findings } = validateText(mitFeed(4), 'mit.xml', USERS_PROFILE);
    assert.deepEqual(findings.filter((f) => f.rule === 'researcher-fields'), [], list(findings));
  });

  it('still reports real researcher data in a users-only profile', () => {
    const text = mitFeed(2).replace('<pref_name_suffix />', '<pref_name_suffix>Jr.</pref_name_suffix>').replace('<is_researcher>false</is_researcher>', '<is_researcher>true</is_researcher>');
    const { findings } = validateText(text, 'mit.xml', USERS_PROFILE);
    assert.deepEqual(findings.filter((f) => f.rule === 'researcher-fields').map(subject), ['researcher-fields <pref_name_suffix>', 'researcher-fields <is_researcher>']);
  });
});

describe('other production shapes', () => {
  it('Berkeley: <pref_full_name> is a warning that says the schema copy lacks it, never an error', () => {
    const { findings } = validateText(berkeleyFeed(50), 'berkeley.xml', USERS_PROFILE);
    // Its Internal-marked segments: one info that SIS ignores the marking.
    assert.deepEqual(rulesOf(findings), ['info segment-type-ignored', 'warning empty-value', 'warning unlisted-element'], list(findings));
    const unlisted = findings.find((f) => f.rule === 'unlisted-element')!;
    assert.match(unlisted.message, /^<pref_full_name> is not in the 2022 User XSD copy this tool checks against: Alma may read it or ignore it/);
    assert.doesNotMatch(unlisted.message, /Berkeley/);
    assert.equal(unlisted.occurrences, 50);
  });

  it('Princeton: any order of user children is fine; a purge date before the expiry is said once per pair of dates', () => {
    const { findings } = validateText(princetonFeed(30), 'princeton.xml', USERS_PROFILE);
    assert.deepEqual(rulesOf(findings), ['warning purge-before-expiry', 'warning purge-before-expiry'], list(findings));
    assert.deepEqual(findings.map((f) => f.occurrences), [20, 10]);
  });

  it('Temple: the purge date before the expiry and the phone without a type, and nothing else', () => {
    const { findings } = validateText(templeFeed(), 'temple.xml', USERS_PROFILE);
    assert.deepEqual(rulesOf(findings), ['warning missing-type', 'warning purge-before-expiry'], list(findings));
  });
});
