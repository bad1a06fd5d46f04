import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CONFIG_FILE_NAME,
  ConfigError,
  RECORD_TYPES,
  RULE_SETTINGS,
  UNMATCHED_ACTIONS,
  USED_FOR,
  XSD_VERSIONS,
  findConfig,
  loadConfig,
  parseConfig,
  resolveXslConverterPath,
  selectProfile,
  settingsFor,
} from '../../../server/src/engine/config/configFile';
import type { AlmaSisConfig, CodeTables } from '../../../server/src/engine/config/types';
import { RULES } from '../../../server/src/engine/rules/ruleTable';
import { repoRoot } from '../../helpers/repoRoot';
import { schemaProblems } from '../../helpers/jsonSchemaCheck';

const CONFIG_PATH = 'alma-sis.config.json';
const FINGERPRINT = 'SHA256:1TUUU0fGwnXCcMFJK3jgzSl0wUQ1giudLZyP9EIJc+A';

function configError(text: string): ConfigError {
  try {
    parseConfig(text, CONFIG_PATH);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  assert.fail(`expected a ConfigError for ${text}`);
}

function problemsOf(value: unknown): string[] {
  return configError(JSON.stringify(value, null, 2)).problems.map((problem) => problem.message);
}

function readSchema(): Record<string, unknown> {
  return JSON.parse(readFileSync(join(repoRoot(), 'schemas', 'alma-sis.config.schema.json'), 'utf8')) as Record<string, unknown>;
}

function withProfile(profile: Record<string, unknown>): unknown {
  return { profiles: [{ code: 'STUDENTS', ...profile }] };
}

function withSftp(sftp: Record<string, unknown>): unknown {
  return withProfile({ sftp: { host: 'sftp.example.edu', username: 'alma', ...sftp } });
}

describe('parseConfig: the sample', () => {
  it('parses samples/alma-sis.config.json into the profile it describes', async () => {
    const path = join(repoRoot(), 'samples', CONFIG_FILE_NAME);
    const config = await loadConfig(path);
    assert.equal(config.path, path);
    assert.equal(config.defaultProfile, 'STUDENTS');
    assert.equal(config.strict, false);
    assert.equal(config.profiles.length, 1);
    const [profile] = config.profiles;
    assert.deepEqual(
      { code: profile.code, xsdVersion: profile.xsdVersion, recordType: profile.recordType, usedFor: profile.usedFor, matchIdType: profile.matchIdType, unmatched: profile.unmatched, codeTables: profile.codeTables },
      { code: 'STUDENTS', xsdVersion: 2, recordType: 'PUBLIC', usedFor: 'users', matchIdType: 'primary_id', unmatched: 'add', codeTables: 'code-tables.json' },
    );
    assert.equal(profile.sftp?.port, 22);
    assert.match(profile.sftp?.hostKeyFingerprint ?? '', /^SHA256:[A-Za-z0-9+/]{43}$/);
    assert.deepEqual(Object.keys(profile.sftp ?? {}).sort(), ['directory', 'exportPath', 'host', 'hostKeyFingerprint', 'importPath', 'port', 'privateKeyPath', 'synchronizePath', 'username']);
  });

  it('gives a minimal file its defaults and keeps absent optional settings absent', () => {
    const config = parseConfig('{"profiles": [{"code": "P"}]}', 'sub/alma-sis.config.json');
    assert.deepEqual(config.profiles, [{ code: 'P' }]);
    assert.deepEqual(config.rules, {});
    assert.equal(config.strict, false);
    assert.equal(config.defaultProfile, undefined);
    assert.equal(config.path, join(process.cwd(), 'sub', 'alma-sis.config.json'));
  });

  it('accepts a file without profiles (rule severities only) and ignores $schema', () => {
    const config = parseConfig('{"$schema": "whatever", "rules": {"pin-format": "off", "not-loaded": "info"}}', CONFIG_PATH);
    assert.deepEqual(config.profiles, []);
    assert.deepEqual(config.rules, { 'pin-format': 'off', 'not-loaded': 'info' });
  });
});

/** Each case: the raw config, the exact messages, and whether the JSON Schema can see the problem too. */
const INVALID: Array<{ name: string; value: unknown; messages: string[]; schemaRejects: boolean }> = [
  { name: 'xsdVersion as a string', value: withProfile({ xsdVersion: '2' }), messages: ['profiles[0].xsdVersion must be 1 or 2, not "2"'], schemaRejects: true },
  { name: 'xsdVersion 3', value: withProfile({ xsdVersion: 3 }), messages: ['profiles[0].xsdVersion must be 1 or 2, not 3'], schemaRejects: true },
  {
    name: 'recordType in the wrong case',
    value: withProfile({ recordType: 'public' }),
    messages: ['profiles[0].recordType must be "PUBLIC", "STAFF" or "CONTACT", not "public"; did you mean "PUBLIC"?'],
    schemaRejects: true,
  },
  { name: 'usedFor unknown', value: withProfile({ usedFor: 'patrons' }), messages: ['profiles[0].usedFor must be "users", "researchers" or "both", not "patrons"'], schemaRejects: true },
  { name: 'unmatched unknown', value: withProfile({ unmatched: 'ignore' }), messages: ['profiles[0].unmatched must be "add" or "reject", not "ignore"'], schemaRejects: true },
  { name: 'matchIdType empty', value: withProfile({ matchIdType: ' ' }), messages: ['profiles[0].matchIdType must not be empty'], schemaRejects: true },
  { name: 'codeTables a number', value: withProfile({ codeTables: 1 }), messages: ['profiles[0].codeTables must be a string, not 1'], schemaRejects: true },
  { name: 'xslConverter a number', value: withProfile({ xslConverter: 2 }), messages: ['profiles[0].xslConverter must be a string, not 2'], schemaRejects: true },
  { name: 'xslConverter empty', value: withProfile({ xslConverter: ' ' }), messages: ['profiles[0].xslConverter must not be empty'], schemaRejects: true },
  {
    name: 'xslConverter holding the stylesheet itself',
    value: withProfile({ xslConverter: '<xsl:stylesheet version="1.0"/>' }),
    messages: ['profiles[0].xslConverter must be the path of the stylesheet file (relative to this file, e.g. "plif-to-sis.xsl"), not the stylesheet itself'],
    schemaRejects: false,
  },
  { name: 'strict as a string', value: { strict: 'yes' }, messages: ['strict must be true or false, not "yes"'], schemaRejects: true },
  { name: 'profile strict as a number', value: withProfile({ strict: 1 }), messages: ['profiles[0].strict must be true or false, not 1'], schemaRejects: true },
  { name: 'a top-level typo', value: { profile: [] }, messages: ['profile is not a known top-level setting; did you mean "profiles"?'], schemaRejects: true },
  {
    name: 'a top-level key far from any setting',
    value: { colour: 'blue' },
    messages: ['colour is not a known top-level setting; the top-level settings are defaultProfile, strict, rules, profiles'],
    schemaRejects: true,
  },
  { name: 'a profile key in the wrong case', value: withProfile({ xsdversion: 2 }), messages: ['profiles[0].xsdversion is not a known profile setting; did you mean "xsdVersion"?'], schemaRejects: true },
  { name: 'an sftp key typo', value: withSftp({ hostname: 'x' }), messages: ['profiles[0].sftp.hostname is not a known SFTP setting; did you mean "host"?'], schemaRejects: true },
  { name: 'an unknown rule', value: { rules: { 'pin-fromat': 'off' } }, messages: ['rules: unknown rule "pin-fromat"; did you mean "pin-format"?'], schemaRejects: true },
  {
    name: 'an unknown rule in a profile',
    value: withProfile({ rules: { 'Unknown-Code': 'error' } }),
    messages: ['profiles[0].rules: unknown rule "Unknown-Code"; did you mean "unknown-code"?'],
    schemaRejects: true,
  },
  {
    name: 'an unknown rule like no other',
    value: { rules: { zzz: 'off' } },
    messages: [`rules: unknown rule "zzz"; the rules are ${RULES.map((rule) => rule.id).join(', ')}`],
    schemaRejects: true,
  },
  {
    name: 'a severity abbreviated',
    value: { rules: { 'pin-format': 'warn' } },
    messages: ['rules.pin-format must be "error", "warning", "info" or "off", not "warn"; did you mean "warning"?'],
    schemaRejects: true,
  },
  {
    name: 'a severity as false',
    value: { rules: { bom: false } },
    messages: ['rules.bom must be "error", "warning", "info" or "off", not false; use "off" to turn a rule off'],
    schemaRejects: true,
  },
  { name: 'rules as an array', value: { rules: ['bom'] }, messages: ['rules must be an object of rule ids and severities, not an array'], schemaRejects: true },
  { name: 'profiles as an object', value: { profiles: { code: 'X' } }, messages: ['profiles must be an array of profiles, not an object'], schemaRejects: true },
  { name: 'a profile as a string', value: { profiles: ['STUDENTS'] }, messages: ['profiles[0] must be an object (a profile), not "STUDENTS"'], schemaRejects: true },
  { name: 'a profile without a code', value: { profiles: [{ name: 'Students' }] }, messages: ['profiles[0] has no code; every profile needs the code of its Alma integration profile'], schemaRejects: true },
  {
    name: 'duplicate profile codes',
    value: { profiles: [{ code: 'STUDENTS' }, { code: 'STAFF' }, { code: 'STUDENTS' }] },
    messages: ['profiles[2].code "STUDENTS" is already used by profiles[0]; profile codes must be unique'],
    schemaRejects: false,
  },
  {
    name: 'profile codes differing only in case',
    value: { profiles: [{ code: 'STUDENTS' }, { code: 'students' }] },
    messages: ['profiles[1].code "students" differs only in case from "STUDENTS" in profiles[0]; profile codes must be unique'],
    schemaRejects: false,
  },
  {
    name: 'a defaultProfile naming no profile',
    value: { defaultProfile: 'GRADS', profiles: [{ code: 'STUDENTS' }, { code: 'STAFF' }] },
    messages: ['defaultProfile "GRADS" does not name a profile; the profiles are STUDENTS, STAFF'],
    schemaRejects: false,
  },
  {
    name: 'a defaultProfile with a typo',
    value: { defaultProfile: 'STUDENT', profiles: [{ code: 'STUDENTS' }, { code: 'STAFF' }] },
    messages: ['defaultProfile "STUDENT" does not name a profile; did you mean "STUDENTS"?'],
    schemaRejects: false,
  },
  { name: 'a defaultProfile without profiles', value: { defaultProfile: 'X' }, messages: ['defaultProfile "X" does not name a profile; there are no profiles'], schemaRejects: false },
  { name: 'port 0', value: withSftp({ port: 0 }), messages: ['profiles[0].sftp.port must be a whole number from 1 to 65535, not 0'], schemaRejects: true },
  { name: 'port 65536', value: withSftp({ port: 65536 }), messages: ['profiles[0].sftp.port must be a whole number from 1 to 65535, not 65536'], schemaRejects: true },
  { name: 'port as a string', value: withSftp({ port: '22' }), messages: ['profiles[0].sftp.port must be a whole number from 1 to 65535, not "22"'], schemaRejects: true },
  { name: 'port with a fraction', value: withSftp({ port: 22.5 }), messages: ['profiles[0].sftp.port must be a whole number from 1 to 65535, not 22.5'], schemaRejects: true },
  {
    name: 'a padded fingerprint',
    value: withSftp({ hostKeyFingerprint: `${FINGERPRINT}=` }),
    messages: [`profiles[0].sftp.hostKeyFingerprint must be "SHA256:" followed by 43 base64 characters without padding, as ssh-keygen -lf prints it, not "${FINGERPRINT}="; drop the trailing "=" padding`],
    schemaRejects: true,
  },
  {
    name: 'an MD5 fingerprint',
    value: withSftp({ hostKeyFingerprint: 'MD5:16:27:ac:a5:76:28:2d:36:63:1b:56:4d:eb:df:a6:48' }),
    messages: ['profiles[0].sftp.hostKeyFingerprint must be "SHA256:" followed by 43 base64 characters without padding, as ssh-keygen -lf prints it, not "MD5:16:27:ac:a5:76:28:2d:36:63:1b:56:4d:eb:df:a6:48"; that is an MD5 fingerprint, use the SHA256 one'],
    schemaRejects: true,
  },
  {
    name: 'a short fingerprint',
    value: withSftp({ hostKeyFingerprint: 'SHA256:abc' }),
    messages: ['profiles[0].sftp.hostKeyFingerprint must be "SHA256:" followed by 43 base64 characters without padding, as ssh-keygen -lf prints it, not "SHA256:abc"'],
    schemaRejects: true,
  },
  {
    name: 'a host written as a URL',
    value: withSftp({ host: 'sftp://sftp.example.edu/incoming' }),
    messages: ['profiles[0].sftp.host must be a host name or address, not "sftp://sftp.example.edu/incoming"; put the folder in directory'],
    schemaRejects: true,
  },
  {
    name: 'sftp without host and username',
    value: withProfile({ sftp: { port: 22 } }),
    messages: ['profiles[0].sftp has no host; it is required to connect', 'profiles[0].sftp has no username; it is required to connect'],
    schemaRejects: true,
  },
  { name: 'sftp as a string', value: withProfile({ sftp: 'sftp.example.edu' }), messages: ['profiles[0].sftp must be an object (the SFTP server settings), not "sftp.example.edu"'], schemaRejects: true },
  { name: 'a root that is an array', value: [], messages: ['the configuration must be a JSON object, not an array'], schemaRejects: true },
];

const SECRET_ADVICE =
  'secrets do not belong in alma-sis.config.json (it is usually shared or committed): the VS Code extension keeps passwords and key passphrases in its secret storage, and the CLI reads them from the environment or an ssh agent';

const SECRETS: Array<{ name: string; value: unknown; messages: string[] }> = [
  { name: 'an sftp password', value: withSftp({ password: 'hunter2' }), messages: [`profiles[0].sftp.password: ${SECRET_ADVICE}`] },
  { name: 'a key passphrase on the profile', value: withProfile({ passphrase: 'x' }), messages: [`profiles[0].passphrase: ${SECRET_ADVICE}`] },
  { name: 'a password under another name, anywhere', value: { rules: { sftpPassword: 'x' } }, messages: [`rules.sftpPassword: ${SECRET_ADVICE}`] },
  {
    name: 'a password inside an unknown object',
    value: { credentials: { Password: 'x' } },
    messages: ['credentials is not a known top-level setting; the top-level settings are defaultProfile, strict, rules, profiles', `credentials.Password: ${SECRET_ADVICE}`],
  },
  {
    name: 'the private key itself',
    value: withSftp({ privateKey: '-----BEGIN OPENSSH PRIVATE KEY-----' }),
    messages: [`profiles[0].sftp.privateKey would hold the private key itself; name the key file with privateKeyPath instead. Keys and other ${SECRET_ADVICE}`],
  },
];

describe('parseConfig: precise messages', () => {
  for (const { name, value, messages } of [...INVALID, ...SECRETS]) {
    it(name, () => assert.deepEqual(problemsOf(value), messages));
  }

  it('the schema rejects every invalid shape it can express, and accepts the ones only the parser can see', () => {
    const schema = readSchema();
    for (const { name, value, schemaRejects } of INVALID) {
      assert.equal(schemaProblems(schema, value).length > 0, schemaRejects, `${name}: ${schemaProblems(schema, value).join('; ')}`);
    }
    for (const { name, value } of SECRETS) assert.notDeepEqual(schemaProblems(schema, value), [], name);
  });

  it('reports every problem of the file together, each at its line and column', () => {
    const text = [
      '{',
      '  "strict": "no",',
      '  "rules": { "pin-fromat": "off" },',
      '  "profiles": [',
      '    { "code": "A", "xsdVersion": "2",',
      '      "sftp": { "host": "h", "username": "u", "port": 70000, "password": "p" } },',
      '    { "code": "A" }',
      '  ]',
      '}',
    ].join('\n');
    const error = configError(text);
    assert.deepEqual(error.problems, [
      { message: 'strict must be true or false, not "no"', line: 2, column: 3 },
      { message: 'rules: unknown rule "pin-fromat"; did you mean "pin-format"?', line: 3, column: 14 },
      { message: 'profiles[0].xsdVersion must be 1 or 2, not "2"', line: 5, column: 20 },
      { message: 'profiles[0].sftp.port must be a whole number from 1 to 65535, not 70000', line: 6, column: 47 },
      { message: `profiles[0].sftp.password: ${SECRET_ADVICE}`, line: 6, column: 62 },
      { message: 'profiles[1].code "A" is already used by profiles[0]; profile codes must be unique', line: 7, column: 7 },
    ]);
    assert.equal(error.path, CONFIG_PATH);
    const lines = error.message.split('\n');
    assert.equal(lines[0], `6 problems in ${CONFIG_PATH}:`);
    assert.equal(lines[3], `  ${CONFIG_PATH}:5:20: profiles[0].xsdVersion must be 1 or 2, not "2"`);
    assert.equal(lines.length, 7);
  });

  it('puts a single problem on one line, as path:line:col: message', () => {
    assert.equal(configError('{\n  "strict": 1\n}').message, `${CONFIG_PATH}:2:3: strict must be true or false, not 1`);
  });

  it('reports a key written twice in one object, which JSON.parse would silently drop', () => {
    const error = configError('{\n  "rules": {"bom": "off"},\n  "rules": {"pin-format": "off"}\n}');
    assert.deepEqual(error.problems, [{ message: 'rules appears twice in one object (first at line 2); JSON keeps only the last one', line: 3, column: 3 }]);
  });
});

describe('parseConfig: JSON syntax errors', () => {
  const cases: Array<[string, string, string]> = [
    // V8's own message for this one has no position at all.
    ['a missing value', '{\n  "strict": }', '2:13: JSON syntax error: expected a value, found \'}\''],
    ['a trailing comma', '{\n  "strict": true,\n}', "3:1: JSON syntax error: trailing comma before '}'"],
    ['a missing comma', '{\n  "strict": true\n  "rules": {}\n}', '3:3: JSON syntax error: expected \',\' or \'}\' after the value of "strict", found \'"\''],
    ['a comment', '{\n  // the profiles\n  "profiles": []\n}', '2:3: JSON syntax error: comments are not allowed in JSON'],
    ['single quotes', "{\n  'strict': true\n}", '2:3: JSON syntax error: expected a property name in double quotes, found \'\'\''],
    ['a Windows path with single backslashes', '{"profiles": [{"code": "A",\n "codeTables": "C:\\data\\x.json"}]}', '2:19: JSON syntax error: invalid escape \\d in a string; write a backslash as \\\\ (or use / in paths)'],
    ['an unterminated string', '{\n  "defaultProfile": "STUDENTS\n}', '2:30: JSON syntax error: line break inside a string (unterminated string?)'],
    ['the end of the file', '{\n  "profiles": [\n', '3:1: JSON syntax error: expected a value, found the end of the file'],
    ['an empty file', '  \n', '2:1: JSON syntax error: the file is empty; it should hold a JSON object'],
    ['text after the object', '{}\n}', "2:1: JSON syntax error: unexpected '}' after the end of the JSON value"],
  ];
  for (const [name, text, expected] of cases) {
    it(`${name} is reported at its line and column`, () => assert.equal(configError(text).message, `${CONFIG_PATH}:${expected}`));
  }

  it('counts columns in UTF-16 code units after non-ASCII text', () => {
    assert.equal(configError('{"profiles": [{"code": "É", "name": "😀" x}]}').problems[0].column, 42);
  });

  it('rejects deep nesting with an error instead of overflowing the stack', () => {
    assert.match(configError('['.repeat(100_000)).message, /nested more than 64 levels deep/);
  });

  it('accepts a byte order mark before the object', () => {
    assert.equal(parseConfig('\uFEFF{"strict": true}', CONFIG_PATH).strict, true);
  });
});

describe('loadConfig and findConfig on real files', () => {
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'alma-sis-config-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('findConfig walks up from a nested folder to the nearest configuration', () => {
    const project = join(root, 'walk', 'project');
    const deep = join(project, 'feeds', '2025', 'autumn');
    mkdirSync(deep, { recursive: true });
    writeFileSync(join(root, 'walk', CONFIG_FILE_NAME), '{}');
    writeFileSync(join(project, CONFIG_FILE_NAME), '{}');
    assert.equal(findConfig(deep), join(project, CONFIG_FILE_NAME));
    assert.equal(findConfig(project), join(project, CONFIG_FILE_NAME));
    assert.equal(findConfig(join(root, 'walk')), join(root, 'walk', CONFIG_FILE_NAME));
  });

  it('findConfig skips a folder that happens to have the name, and returns undefined when there is none', () => {
    const lonely = join(root, 'lonely', 'a');
    mkdirSync(join(lonely, CONFIG_FILE_NAME), { recursive: true });
    assert.equal(findConfig(lonely), undefined);
  });

  it('loadConfig reports a missing file, a folder and bytes that are not UTF-8 clearly', async () => {
    const missing = join(root, 'missing.json');
    await assert.rejects(loadConfig(missing), { name: 'ConfigError', message: `${missing}: cannot read the file: the file does not exist` });
    await assert.rejects(loadConfig(root), { message: `${root}: cannot read the file: it is a folder, not a file` });
    const latin1 = join(root, 'latin1.json');
    writeFileSync(latin1, Buffer.from('{"profiles": [{"code": "A", "name": "R\xe9sidences"}]}', 'latin1'));
    await assert.rejects(loadConfig(latin1), { message: `${latin1}: the file is not valid UTF-8; save it as UTF-8` });
  });
});

describe('selectProfile', () => {
  const two = parseConfig('{"profiles": [{"code": "STUDENTS"}, {"code": "STAFF"}]}', CONFIG_PATH);

  it('returns the profile asked for, matching the code exactly or else ignoring case', () => {
    assert.equal(selectProfile(two, 'STAFF')?.code, 'STAFF');
    assert.equal(selectProfile(two, 'staff')?.code, 'STAFF');
  });

  it('throws a ConfigError listing the codes when the profile asked for does not exist', () => {
    assert.throws(() => selectProfile(two, 'GRADS'), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.message, `${two.path}: there is no profile "GRADS"; the profiles are STUDENTS, STAFF`);
      return true;
    });
    const none = parseConfig('{}', CONFIG_PATH);
    assert.throws(() => selectProfile(none, 'GRADS'), { message: `${none.path}: there is no profile "GRADS": the file defines no profiles` });
  });

  it('falls back to defaultProfile, then to the only profile, else undefined', () => {
    const withDefault = parseConfig('{"defaultProfile": "STAFF", "profiles": [{"code": "STUDENTS"}, {"code": "STAFF"}]}', CONFIG_PATH);
    assert.equal(selectProfile(withDefault)?.code, 'STAFF');
    assert.equal(selectProfile(withDefault, 'STUDENTS')?.code, 'STUDENTS');
    assert.equal(selectProfile(parseConfig('{"profiles": [{"code": "ONLY"}]}', CONFIG_PATH))?.code, 'ONLY');
    assert.equal(selectProfile(two), undefined);
    assert.equal(selectProfile(parseConfig('{}', CONFIG_PATH)), undefined);
  });
});

describe('settingsFor', () => {
  const config: AlmaSisConfig = parseConfig(
    JSON.stringify({
      strict: true,
      rules: { 'pin-format': 'off', bom: 'error', 'not-loaded': 'info' },
      profiles: [
        { code: 'STUDENTS', xsdVersion: 2, usedFor: 'users', matchIdType: 'UNIV_ID', strict: false, rules: { bom: 'info', 'unknown-code': 'error' } },
        { code: 'STAFF', recordType: 'STAFF' },
      ],
    }),
    CONFIG_PATH,
  );
  const [students, staff] = config.profiles;
  const tables: CodeTables = { userGroups: [{ code: 'STUDENT' }] };

  it('layers the profile rules over the top-level rules and takes the profile facts', () => {
    assert.deepEqual(settingsFor(config, students, tables, {}), {
      rules: { 'pin-format': 'off', bom: 'info', 'not-loaded': 'info', 'unknown-code': 'error' },
      strict: false,
      xsdVersion: 2,
      usedFor: 'users',
      matchIdType: 'UNIV_ID',
      codeTables: tables,
    });
  });

  it('takes strict from the caller, then the profile, then the file, then false', () => {
    assert.equal(settingsFor(config, students, undefined, { strict: true }).strict, true);
    assert.equal(settingsFor(config, students, undefined, {}).strict, false);
    assert.equal(settingsFor(config, staff, undefined, {}).strict, true);
    assert.equal(settingsFor(config, staff, undefined, { strict: false }).strict, false);
    assert.equal(settingsFor(undefined, undefined, undefined, {}).strict, false);
  });

  it('without a configuration gives the plain defaults, with no keys for facts nobody set', () => {
    assert.deepEqual(settingsFor(undefined, undefined, undefined, {}), { rules: {}, strict: false });
    assert.deepEqual(settingsFor(config, staff, undefined, {}), { rules: { 'pin-format': 'off', bom: 'error', 'not-loaded': 'info' }, strict: true });
  });

  it('does not let the merge write back into the configuration', () => {
    settingsFor(config, students, undefined, {}).rules.bom = 'warning';
    assert.equal(config.rules.bom, 'error');
  });
});

describe('alma-sis.config.schema.json', () => {
  const schema = readSchema() as {
    $schema: string;
    properties: Record<string, unknown>;
    definitions: Record<string, { properties: Record<string, { enum?: unknown[]; description?: string }>; required?: string[] }>;
  };

  it('is a draft-07 schema', () => {
    assert.equal(schema.$schema, 'http://json-schema.org/draft-07/schema#');
  });

  it('lists exactly the rules of the rule table, in its order, with their default severities', () => {
    const rules = schema.definitions.rules.properties;
    assert.deepEqual(Object.keys(rules), RULES.map((rule) => rule.id));
    for (const rule of RULES) {
      assert.deepEqual(rules[rule.id].enum, [...RULE_SETTINGS], rule.id);
      assert.ok(rules[rule.id].description?.endsWith(`Default: ${rule.severity}.`), `${rule.id}: ${rules[rule.id].description}`);
    }
  });

  it('offers the same choices as the parser', () => {
    const profile = schema.definitions.profile.properties;
    assert.deepEqual(profile.xsdVersion.enum, [...XSD_VERSIONS]);
    assert.deepEqual(profile.recordType.enum, [...RECORD_TYPES]);
    assert.deepEqual(profile.usedFor.enum, [...USED_FOR]);
    assert.deepEqual(profile.unmatched.enum, [...UNMATCHED_ACTIONS]);
    assert.deepEqual(schema.definitions.profile.required, ['code']);
    assert.deepEqual(schema.definitions.sftp.required, ['host', 'username']);
  });

  it('describes every property, so the editor has something to show on hover', () => {
    const undocumented: string[] = [];
    const visit = (properties: Record<string, { description?: string }>, where: string): void => {
      for (const [key, property] of Object.entries(properties)) if (!property.description && !('$ref' in property)) undocumented.push(`${where}.${key}`);
    };
    visit(schema.properties as Record<string, { description?: string }>, '');
    for (const [name, definition] of Object.entries(schema.definitions)) if (definition.properties) visit(definition.properties, name);
    assert.deepEqual(undocumented, []);
  });

  it('names the settings the sample uses, which are all of them', () => {
    const sample = JSON.parse(readFileSync(join(repoRoot(), 'samples', CONFIG_FILE_NAME), 'utf8')) as {
      profiles: Array<Record<string, unknown> & { sftp: Record<string, unknown> }>;
    };
    const settings = (properties: Record<string, unknown>): string[] =>
      Object.keys(properties).filter((key) => !('$ref' in (properties[key] as object) && (properties[key] as { $ref: string }).$ref === '#/definitions/secret')).sort();
    assert.deepEqual(Object.keys(sample).sort(), settings(schema.properties));
    // `feed` is left out on purpose: the tests copy the sample into folders of their own, and a feed
    // would make each of them the profile's feed set (test/engine/config/feedFiles.test.ts has it).
    // `xslConverter` too: every sample would then be checked as a stylesheet's output
    // (test/fixtures/xsl/alma-sis.config.json has a profile with one).
    assert.deepEqual(Object.keys(sample.profiles[0]).sort(), settings(schema.definitions.profile.properties).filter((key) => key !== 'feed' && key !== 'xslConverter'));
    assert.deepEqual(Object.keys(sample.profiles[0].sftp).sort(), settings(schema.definitions.sftp.properties));
  });

  it('accepts the sample and every parser-valid variant', () => {
    const sample = JSON.parse(readFileSync(join(repoRoot(), 'samples', CONFIG_FILE_NAME), 'utf8')) as unknown;
    assert.deepEqual(schemaProblems(schema, sample), []);
    for (const value of [{}, withProfile({ xsdVersion: 1, recordType: 'CONTACT', usedFor: 'both', unmatched: 'reject' }), withSftp({ port: 2222, hostKeyFingerprint: FINGERPRINT })]) {
      parseConfig(JSON.stringify(value), CONFIG_PATH);
      assert.deepEqual(schemaProblems(schema, value), [], JSON.stringify(value));
    }
  });
});

describe('resolveXslConverterPath', () => {
  it("resolves a profile's xslConverter from the configuration's folder, and is undefined without one", () => {
    const config = parseConfig('{"profiles": [{"code": "A", "xslConverter": "xsl/plif-to-sis.xsl"}, {"code": "B", "xslConverter": "/etc/alma/plif.xsl"}, {"code": "C"}]}', join(tmpdir(), 'alma-sis.config.json'));
    const [a, b, c] = config.profiles;
    assert.equal(resolveXslConverterPath(config, a), join(tmpdir(), 'xsl', 'plif-to-sis.xsl'));
    assert.equal(resolveXslConverterPath(config, b), '/etc/alma/plif.xsl');
    assert.equal(resolveXslConverterPath(config, c), undefined);
    assert.equal(resolveXslConverterPath(config, undefined), undefined);
  });
});
