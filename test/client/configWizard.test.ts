import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig, RECORD_TYPES, UNMATCHED_ACTIONS, USED_FOR, XSD_VERSIONS } from '../../server/src/engine/config/configFile';
import {
  buildConfig, checkHost, checkPort, checkProfileCode, codeTablesReference, configText, identifierTypesOf, looksLikeCodeTables,
  RECORD_TYPE_CHOICES, UNMATCHED_CHOICES, USED_FOR_CHOICES, XSD_VERSION_CHOICES, type WizardAnswers,
} from '../../client/src/configWizard';
import { schemaProblems } from '../helpers/jsonSchemaCheck';
import { repoRoot } from '../helpers/repoRoot';

const schema = JSON.parse(readFileSync(join(repoRoot(), 'schemas', 'alma-sis.config.schema.json'), 'utf8')) as Record<string, unknown>;
const CONFIG = '/srv/feeds/alma-sis.config.json';

const BASE: WizardAnswers = {
  code: 'STUDENTS', name: 'Students from Banner', xsdVersion: 2, recordType: 'PUBLIC', usedFor: 'users', matchIdType: 'primary_id', unmatched: 'add',
};

/** The file the wizard writes, as the schema (the editor) and the engine (validation, the CLI) read it. */
function accepted(answers: WizardAnswers): ReturnType<typeof parseConfig> {
  const text = configText(answers);
  assert.deepEqual(schemaProblems(schema, JSON.parse(text)), [], text);
  return parseConfig(text, CONFIG);
}

test('the picks offer exactly the values the engine knows', () => {
  assert.deepEqual(XSD_VERSION_CHOICES.map((c) => c.value).sort(), [...XSD_VERSIONS].sort());
  assert.deepEqual(RECORD_TYPE_CHOICES.map((c) => c.value), [...RECORD_TYPES]);
  assert.deepEqual(USED_FOR_CHOICES.map((c) => c.value), [...USED_FOR]);
  assert.deepEqual(UNMATCHED_CHOICES.map((c) => c.value), [...UNMATCHED_ACTIONS]);
  // The first of each is what Enter takes: what Alma's wizard proposes.
  assert.deepEqual([XSD_VERSION_CHOICES[0].value, RECORD_TYPE_CHOICES[0].value, USED_FOR_CHOICES[0].value, UNMATCHED_CHOICES[0].value], [2, 'PUBLIC', 'users', 'add']);
});

test('every combination of the picks, with and without code tables and SFTP, passes the schema and the engine', () => {
  let combinations = 0;
  for (const xsdVersion of XSD_VERSION_CHOICES.map((c) => c.value)) {
    for (const recordType of RECORD_TYPE_CHOICES.map((c) => c.value)) {
      for (const usedFor of USED_FOR_CHOICES.map((c) => c.value)) {
        for (const unmatched of UNMATCHED_CHOICES.map((c) => c.value)) {
          for (const extras of [{}, { codeTables: 'tables/institution.json', matchIdType: 'UNIV_ID' }, { sftp: { host: 'sftp.example.edu', port: 2222, username: 'alma' } }]) {
            const config = accepted({ ...BASE, xsdVersion, recordType, usedFor, unmatched, ...extras });
            const profile = config.profiles[0];
            assert.equal(config.defaultProfile, 'STUDENTS');
            assert.deepEqual([profile.xsdVersion, profile.recordType, profile.unmatched], [xsdVersion, recordType, unmatched]);
            // v1 has no researchers: the wizard does not ask, and writes users.
            assert.equal(profile.usedFor, xsdVersion === 1 ? 'users' : usedFor);
            combinations++;
          }
        }
      }
    }
  }
  assert.equal(combinations, 2 * 3 * 3 * 2 * 3);
});

test('the file reads like the sample: the profile\'s keys in order, answers trimmed, empty optional answers left out', () => {
  const text = configText({
    ...BASE, code: '  STUDENTS ', name: ' ', matchIdType: ' UNIV_ID', codeTables: 'code-tables.json',
    sftp: { host: ' sftp.registrar.example.edu ', port: 22, username: 'alma_sis', privateKeyPath: '', directory: '/incoming/sis', importPath: 'import', synchronizePath: 'synchronize', exportPath: '  ' },
  });
  assert.equal(text, `${JSON.stringify({
    defaultProfile: 'STUDENTS',
    profiles: [{
      code: 'STUDENTS', xsdVersion: 2, recordType: 'PUBLIC', usedFor: 'users', matchIdType: 'UNIV_ID', unmatched: 'add', codeTables: 'code-tables.json',
      sftp: { host: 'sftp.registrar.example.edu', port: 22, username: 'alma_sis', directory: '/incoming/sis', importPath: 'import', synchronizePath: 'synchronize' },
    }],
  }, null, 2)}\n`);
  const config = accepted({ ...BASE, sftp: { host: 'h', port: 22, username: 'u', privateKeyPath: '~/.ssh/id_ed25519' } });
  assert.equal(config.profiles[0].sftp?.privateKeyPath, '~/.ssh/id_ed25519');
});

test('no answer can put a secret in the file: the SFTP answers have no password, and the JSON holds only what was asked', () => {
  const json = buildConfig({ ...BASE, sftp: { host: 'h', port: 22, username: 'u' } });
  assert.deepEqual(Object.keys(json.profiles[0].sftp ?? {}), ['host', 'port', 'username']);
  assert.doesNotMatch(JSON.stringify(json), /password|passphrase/i);
});

test('the checks refuse what the schema refuses, with what to write instead', () => {
  assert.match(checkProfileCode('  ') ?? '', /cannot be empty/);
  assert.equal(checkProfileCode('STUDENTS'), undefined);
  for (const host of ['sftp://sftp.example.edu', 'sftp.example.edu/incoming', 'two words', '']) {
    assert.ok(checkHost(host) !== undefined, host);
    assert.notDeepEqual(schemaProblems(schema, { profiles: [{ code: 'A', sftp: { host: host.trim(), username: 'u' } }] }), [], host);
  }
  assert.match(checkHost('sftp://x') ?? '', /not a URL/);
  assert.equal(checkHost(' sftp.example.edu '), undefined);
  for (const port of ['0', '65536', '22.5', 'ssh', '']) assert.equal(checkPort(port), 'a port number from 1 to 65535', port);
  assert.equal(checkPort(' 2222 '), undefined);
});

test('a code tables file is named relative to the configuration, with /', () => {
  assert.equal(codeTablesReference(CONFIG, '/srv/feeds/code-tables.json'), 'code-tables.json');
  assert.equal(codeTablesReference(CONFIG, '/srv/feeds/tables/institution.json'), 'tables/institution.json');
  assert.equal(codeTablesReference(CONFIG, '/srv/shared/codes.codetables.json'), '../shared/codes.codetables.json');
  for (const name of ['code-tables.json', 'Institution.CodeTables.json', 'alma_code_tables.json', 'codetable.json']) assert.ok(looksLikeCodeTables(`/w/${name}`), name);
  for (const name of ['alma-sis.config.json', 'package.json', 'code-tables.xml', 'tables.json']) assert.ok(!looksLikeCodeTables(`/w/${name}`), name);
});

test('the identifier types of a code tables file are offered for the match identifier; an unreadable file offers none', () => {
  const sample = readFileSync(join(repoRoot(), 'samples', 'code-tables.json'), 'utf8');
  assert.deepEqual(identifierTypesOf(sample).map((t) => t.code), ['BARCODE', 'UNIV_ID', 'ORCID', 'OTHER_ID_1']);
  assert.deepEqual(identifierTypesOf('{"identifierTypes": ["UNIV_ID", {"code": "BARCODE", "description": "Barcode"}, {"code": ""}, 7, null]}'), [
    { code: 'UNIV_ID' }, { code: 'BARCODE', description: 'Barcode' },
  ]);
  for (const text of ['{', '[]', 'null', '{"identifierTypes": {}}']) assert.deepEqual(identifierTypesOf(text), [], text);
});
