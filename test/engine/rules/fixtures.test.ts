import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { repoRoot } from '../../helpers/repoRoot';
import { validateBytes } from '../../../server/src/engine/validation/validateDocument';
import { loadCodeTables, resolveCodeTablesPath } from '../../../server/src/engine/config/codeTables';
import { loadConfig, selectProfile, settingsFor } from '../../../server/src/engine/config/configFile';
import { DEFAULT_SETTINGS, type ValidationSettings } from '../../../server/src/engine/config/types';
import { RULES, isRuleId, type RuleId } from '../../../server/src/engine/rules/ruleTable';
import type { Finding } from '../../../server/src/engine/rules/finding';

/*
 * Each samples/invalid/*.xml states in its leading comment what the engine must report:
 *   expect: <rule-id> <line>:<col>-<endLine>:<endCol>   (1-based, UTF-16 columns, end exclusive)
 *   settings: {...}                                      (a ValidationSettings partial, plus
 *                                                         codeTablesFile relative to the fixture)
 * For every rule a fixture names, the engine's findings of that rule must be exactly that set.
 */

const samplesDir = join(repoRoot(), 'samples');
const invalidDir = join(samplesDir, 'invalid');

interface Fixture {
  name: string;
  path: string;
  bytes: Buffer;
  expected: Map<RuleId, string[]>;
  settings: Record<string, unknown>;
}

const EXPECT_LINE = /^\s*expect:\s*(\S+)\s+(\d+):(\d+)-(\d+):(\d+)\s*$/;
const SETTINGS_LINE = /^\s*settings:\s*(\{.*\})\s*$/;

function readFixture(name: string): Fixture {
  const path = join(invalidDir, name);
  const bytes = readFileSync(path);
  // latin1 maps every byte to one character, so the ASCII header reads the same in the
  // Latin-1, BOM and broken-UTF-8 fixtures.
  const lines = bytes.toString('latin1').split('\n');
  const expected = new Map<RuleId, string[]>();
  let settings: Record<string, unknown> = {};
  lines.forEach((line, index) => {
    const where = `${name}:${index + 1}`;
    if (/^\s*expect:/.test(line)) {
      const match = EXPECT_LINE.exec(line);
      assert.ok(match, `${where}: malformed expect line: ${line.trim()}`);
      const [, rule, l1, c1, l2, c2] = match;
      assert.ok(isRuleId(rule), `${where}: ${rule} is not a rule id in RULES`);
      const ranges = expected.get(rule) ?? [];
      ranges.push(`${l1}:${c1}-${l2}:${c2}`);
      expected.set(rule, ranges);
    } else if (/^\s*settings:/.test(line)) {
      const match = SETTINGS_LINE.exec(line);
      assert.ok(match, `${where}: malformed settings line: ${line.trim()}`);
      settings = JSON.parse(match[1]) as Record<string, unknown>;
    }
  });
  return { name, path, bytes, expected, settings };
}

async function settingsOf(fixture: Fixture): Promise<ValidationSettings> {
  const { codeTablesFile, ...partial } = fixture.settings;
  const settings: ValidationSettings = { ...DEFAULT_SETTINGS, rules: {}, ...(partial as Partial<ValidationSettings>) };
  if (typeof codeTablesFile === 'string') {
    settings.codeTables = await loadCodeTables(resolve(dirname(fixture.path), codeTablesFile));
  }
  return settings;
}

/** A finding's range in the fixtures' notation: 1-based line and column. */
function oneBased(finding: Finding): string {
  const { start, end } = finding.range;
  return `${start.line + 1}:${start.character + 1}-${end.line + 1}:${end.character + 1}`;
}

function listFindings(findings: Finding[]): string {
  return findings.map((f) => `  ${f.rule} ${oneBased(f)} ${f.message}`).join('\n') || '  (none)';
}

const fixtureNames = readdirSync(invalidDir)
  .filter((name) => name.endsWith('.xml'))
  .sort();
const fixtures = fixtureNames.map(readFixture);

test('there are fixtures to check', () => {
  assert.ok(fixtures.length >= RULES.length, `only ${fixtures.length} fixtures in ${invalidDir}`);
});

for (const fixture of fixtures) {
  test(`samples/invalid/${fixture.name}`, async (t) => {
    assert.ok(fixture.expected.size > 0, `${fixture.name} has no expect: lines`);
    const result = validateBytes(fixture.bytes, relative(repoRoot(), fixture.path), await settingsOf(fixture));

    for (const [rule, ranges] of fixture.expected) {
      await t.test(rule, () => {
        const actual = result.findings.filter((f) => f.rule === rule);
        assert.deepEqual(
          actual.map(oneBased).sort(),
          [...ranges].sort(),
          `${fixture.name}: findings of ${rule} differ from the expectations.\nAll findings:\n${listFindings(result.findings)}`,
        );
      });
    }

    await t.test('reports no rule it does not expect', () => {
      const unexpected = result.findings.filter((f) => !fixture.expected.has(f.rule));
      assert.deepEqual(unexpected.map((f) => `${f.rule} ${oneBased(f)}`), [], `${fixture.name}:\n${listFindings(unexpected)}`);
    });
  });
}

test('every rule has a fixture named after it that expects it', () => {
  const expectedSomewhere = new Set(fixtures.flatMap((f) => [...f.expected.keys()]));
  const missing = RULES.map((r) => r.id).filter((id) => !expectedSomewhere.has(id));
  assert.deepEqual(missing, [], 'rules no fixture expects');
  const unnamed = RULES.map((r) => r.id).filter((id) => {
    const own = fixtures.find((f) => f.name === `${id}.xml`);
    return own === undefined || !own.expected.has(id);
  });
  assert.deepEqual(unnamed, [], 'rules without a samples/invalid/<rule-id>.xml that expects them');
});

/** The sample integration profile (samples/alma-sis.config.json) with its code tables. */
async function sampleProfileSettings(overrides: Partial<ValidationSettings>): Promise<ValidationSettings> {
  const config = await loadConfig(join(samplesDir, 'alma-sis.config.json'));
  const profile = selectProfile(config);
  const tablesPath = resolveCodeTablesPath(config, profile);
  assert.ok(tablesPath, 'the sample profile names a code tables file');
  const settings = settingsFor(config, profile, await loadCodeTables(tablesPath), {});
  return { ...settings, ...overrides };
}

function validateSample(name: string, settings: ValidationSettings): Finding[] {
  const path = join(samplesDir, 'valid', name);
  return validateBytes(readFileSync(path), `samples/valid/${name}`, settings).findings;
}

test('samples/valid/users-v2.xml is clean under the sample profile and code tables', async () => {
  const settings = await sampleProfileSettings({});
  assert.ok(settings.codeTables && settings.usedFor === 'users' && settings.matchIdType === 'primary_id');
  const findings = validateSample('users-v2.xml', settings);
  assert.deepEqual(findings, [], listFindings(findings));
});

test('samples/valid/researchers-v2.xml is clean for a researchers profile with the sample code tables', async () => {
  const findings = validateSample('researchers-v2.xml', await sampleProfileSettings({ usedFor: 'researchers' }));
  assert.deepEqual(findings, [], listFindings(findings));
});

/** 1-based ranges of every start-tag name `name` in text, in the fixtures' notation. */
function startTagNames(text: string, name: string): string[] {
  const ranges: string[] = [];
  text.split('\n').forEach((line, index) => {
    for (const match of line.matchAll(new RegExp(`<(${name})[\\s/>]`, 'g'))) {
      const col = match.index + 2;
      ranges.push(`${index + 1}:${col}-${index + 1}:${col + name.length}`);
    }
  });
  return ranges;
}

test('samples/valid/users-v1.xml has only the v1 infos under a v1 profile with the sample code tables', async () => {
  const bytes = readFileSync(join(samplesDir, 'valid', 'users-v1.xml'));
  const result = validateBytes(bytes, 'samples/valid/users-v1.xml', await sampleProfileSettings({ xsdVersion: 1 }));
  assert.equal(result.schemaVersion, 1);
  assert.equal(result.users, 2);
  const text = bytes.toString('utf8');
  // The deprecation note on the root; recordType and userType are set by the profile in v1 too,
  // each said once at its first place with the count of the other user's.
  const expected = [
    ...startTagNames(text, 'userRecords').map((range) => `v1-deprecated ${range}`),
    ...[startTagNames(text, 'recordType')[0], startTagNames(text, 'userType')[0]].map((range) => `profile-field ${range}`),
  ];
  assert.equal(expected.length, 3);
  assert.deepEqual(result.findings.map((f) => `${f.rule} ${oneBased(f)}`).sort(), expected.sort(), listFindings(result.findings));
  assert.ok(result.findings.every((f) => f.severity === 'info'), listFindings(result.findings));
  const profileFields = result.findings.filter((f) => f.rule === 'profile-field');
  assert.deepEqual(profileFields.map((f) => f.occurrences), [2, 2]);
  assert.ok(profileFields.every((f) => f.message.endsWith('(The same in 1 more place in this file, not listed.)')), listFindings(profileFields));
});

test('the valid samples are recognised as the versions they are, with all their users', async () => {
  const settings = await sampleProfileSettings({});
  const v2 = validateBytes(readFileSync(join(samplesDir, 'valid', 'users-v2.xml')), 'users-v2.xml', settings);
  assert.equal(v2.schemaVersion, 2);
  assert.equal(v2.users, 4);
  const researchers = validateBytes(readFileSync(join(samplesDir, 'valid', 'researchers-v2.xml')), 'researchers-v2.xml', settings);
  assert.equal(researchers.users, 2);
});
