import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateText } from '../../../server/src/engine/validation/validateDocument';
import { DEFAULT_SETTINGS, type ValidationSettings } from '../../../server/src/engine/config/types';
import type { Finding } from '../../../server/src/engine/rules/finding';
import { summarize } from '../../../server/src/engine/validation/results';

/*
 * Issue 12: files in the shapes real producers write (written here, not copied), and what a
 * report about them must say for a librarian to trust it.
 */

const V1_NS = 'http://com/exlibris/digitool/repository/extsystem/xmlbeans';

function v2(users: string, root = 'users'): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root}>\n${users}</${root}>\n`;
}

function v2User(id: string, body = ''): string {
  return `  <user>\n    <primary_id>${id}</primary_id>\n    <first_name>Ana</first_name>\n    <last_name>Lima</last_name>\n${body}  </user>\n`;
}

function rules(findings: readonly Finding[]): string[] {
  return findings.map((f) => `${f.severity} ${f.rule}`);
}

function find(findings: readonly Finding[], rule: string): Finding[] {
  return findings.filter((f) => f.rule === rule);
}

describe('roots that used to switch off all checking', () => {
  it('a production script\'s <Users> root is one error, and the users inside are still checked', () => {
    const text = v2(v2User('a1', '    <expiry_date>2027-02-30</expiry_date>\n') + v2User('a1'), 'Users');
    const result = validateText(text, 'users.xml', DEFAULT_SETTINGS);
    assert.equal(result.users, 2);
    assert.equal(result.schemaVersion, 2);
    assert.deepEqual(rules(result.findings), ['error root-element', 'error invalid-date', 'error duplicate-identifier']);
    assert.equal(find(result.findings, 'root-element').length, 1);
  });

  it('a prefixed v1 root (XMLBeans: <x:userRecords xmlns:x="...xmlbeans">) is v1, not an error, and its users are checked', () => {
    const text = `<?xml version="1.0" encoding="UTF-8"?>\n<x:userRecords xmlns:x="${V1_NS}">\n  <x:userRecord>\n    <x:userDetails>\n      <x:userName>otago.1</x:userName>\n      <x:firstName>Mere</x:firstName>\n      <x:lastName>Ngata</x:lastName>\n      <x:status>Active</x:status>\n      <x:expiryDate>20271301</x:expiryDate>\n    </x:userDetails>\n  </x:userRecord>\n</x:userRecords>\n`;
    const result = validateText(text, 'otago.xml', DEFAULT_SETTINGS);
    assert.equal(result.schemaVersion, 1);
    assert.equal(result.users, 1);
    assert.deepEqual(rules(result.findings), ['info v1-deprecated', 'error invalid-date']);
  });
});

describe('empty mandatory address lines and empty protected fields', () => {
  it('warns on an empty <line1></line1> and <city/>, as on missing ones (SIS-12), even under strict', () => {
    const address = '    <contact_info><addresses><address preferred="true">\n      <line1></line1>\n      <city/>\n      <address_types><address_type>home</address_type></address_types>\n    </address></addresses></contact_info>\n';
    for (const strict of [false, true]) {
      const { findings } = validateText(v2(v2User('pdx.1', address)), 'pdx.xml', { ...DEFAULT_SETTINGS, strict });
      assert.deepEqual(find(findings, 'empty-value').map((f) => `${f.severity} ${f.message}`), [
        'warning <line1> is empty; Alma documents this field as mandatory.',
        'warning <city> is empty; Alma documents this field as mandatory.',
      ]);
    }
  });

  it('warns on an empty protected field (SIS-06), which may delete or reset the value', () => {
    const body = '    <user_group/>\n    <pin_number></pin_number>\n    <job_category/>\n    <rs_libraries/>\n';
    const { findings } = validateText(v2(v2User('gil.1', body) + v2User('gil.2', body)), 'gil.xml', { ...DEFAULT_SETTINGS, strict: true });
    const empty = find(findings, 'empty-value');
    assert.deepEqual(empty.map((f) => f.message.split(' ')[0]), ['<user_group>', '<pin_number>', '<job_category>', '<rs_libraries>']);
    for (const f of empty) {
      assert.equal(f.severity, 'warning', 'not an XSD error, so strict does not make it one');
      assert.match(f.message, /may delete the existing value or reset it to the default/);
      assert.equal(f.occurrences, 2, 'each field said once per file');
    }
  });

  it('xsi:nil="true" is an empty element', () => {
    const body = '    <expiry_date xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:nil="true"/>\n';
    const { findings } = validateText(v2(v2User('bu.1', body)), 'bu.xml', DEFAULT_SETTINGS);
    assert.deepEqual(rules(findings), ['warning empty-value']);
  });
});

describe('checks that were missing', () => {
  it('a v1 <userIdentifier> without <type> is an error, as its v2 twin is', () => {
    const text = `<userRecords xmlns="${V1_NS}"><userRecord><userDetails><userName>c1</userName><firstName>A</firstName><status>Active</status></userDetails>` +
      '<userIdentifiers><userIdentifier><value>2100001</value></userIdentifier></userIdentifiers></userRecord></userRecords>';
    const { findings } = validateText(text, 'condorcet.xml', DEFAULT_SETTINGS);
    const missing = find(findings, 'missing-element');
    assert.equal(missing.length, 1);
    assert.equal(missing[0].severity, 'error');
    assert.match(missing[0].message, /^<userIdentifier> is missing the required <type>/);
  });

  it('year 0000 is not a date', () => {
    const { findings } = validateText(v2(v2User('y0', '    <birth_date>0000-01-01</birth_date>\n')), 'y.xml', DEFAULT_SETTINGS);
    assert.deepEqual(rules(findings), ['error invalid-date']);
  });

  it('a value the schema rejects inside a field SIS ignores is still reported', () => {
    const { findings } = validateText(v2(v2User('pw', `    <password>${'x'.repeat(300)}</password>\n`)), 'p.xml', DEFAULT_SETTINGS);
    assert.deepEqual(find(findings, 'max-length').map((f) => f.message), ['<password> is 300 characters long; the limit is 255.']);
  });
});

describe('severity and consistency', () => {
  it('segment_type="external" is a warning (SIS takes an illegal value as External), with the fix', () => {
    const body = '    <user_identifiers><user_identifier segment_type="external"><id_type>BARCODE</id_type><value>b1</value></user_identifier></user_identifiers>\n';
    const { findings } = validateText(v2(v2User('s1', body)), 's.xml', DEFAULT_SETTINGS);
    const value = find(findings, 'attribute-value');
    assert.deepEqual(value.map((f) => f.severity), ['warning']);
    assert.match(value[0].message, /write "External" \(SIS takes any other value as External\)/);
    assert.deepEqual(value[0].suggestions, ['External']);
  });

  it('segment_type="Internal" is one info per file: SIS loads every incoming segment as External', () => {
    const body = '    <user_identifiers><user_identifier segment_type="Internal"><id_type>BARCODE</id_type><value>VALUE</value></user_identifier></user_identifiers>\n';
    const { findings } = validateText(v2(v2User('b1', body.replace('VALUE', 'x1')) + v2User('b2', body.replace('VALUE', 'x2'))), 'berkeley.xml', DEFAULT_SETTINGS);
    assert.deepEqual(rules(findings), ['info segment-type-ignored']);
    assert.equal(findings[0].occurrences, 2);
  });

  it('no code-case on a field the profile sets: its value is ignored', () => {
    const { findings } = validateText(v2(v2User('r1', '    <record_type>Public</record_type>\n    <account_type>External</account_type>\n')), 'r.xml', DEFAULT_SETTINGS);
    assert.deepEqual(rules(findings), ['info profile-field', 'info profile-field']);
  });

  it('<users total_record_count="N">, declared by Ex Libris\'s rest_users.xsd, is allowed', () => {
    const { findings } = validateText(v2(v2User('t1'), 'users total_record_count="1"').replace('</users total_record_count="1">', '</users>'), 't.xml', DEFAULT_SETTINGS);
    assert.deepEqual(findings, []);
  });
});

describe('a match on another identifier type', () => {
  const settings: ValidationSettings = { ...DEFAULT_SETTINGS, matchIdType: 'OTHER_ID_1' };
  const noPrimary = (names: string) => `  <user>\n${names}    <user_identifiers><user_identifier><id_type>OTHER_ID_1</id_type><value>9001</value></user_identifier></user_identifiers>\n  </user>\n`;

  it('a user without primary_id but with the match id is a warning that says an existing user keeps its primary_id', () => {
    const { findings } = validateText(v2(noPrimary('    <first_name>A</first_name>\n')), 'suny.xml', settings);
    assert.deepEqual(rules(findings), ['warning missing-primary-id']);
    assert.match(findings[0].message, /If it matches an existing user by OTHER_ID_1, that user keeps its primary_id/);
  });

  it('even without names it is not an error: only a new user needs a generated primary id', () => {
    const { findings } = validateText(v2(noPrimary('')), 'suny.xml', settings);
    assert.deepEqual(rules(findings), ['warning missing-primary-id']);
    assert.match(findings[0].message, /if it is new, Alma cannot generate one without a first or last name and rejects it/);
  });
});

describe('a collapsed finding that rejects users says which users', () => {
  it('lists every place with its primary_id, and the summary counts the users rejected', () => {
    const users = ['u1', 'u2', 'u3'].map((id) => v2User(id, '    <expiry_date>31/12/2027</expiry_date>\n')).join('') + v2User('u4');
    const result = validateText(v2(users), 'temple.xml', DEFAULT_SETTINGS);
    const dates = find(result.findings, 'invalid-date');
    assert.equal(dates.length, 1, 'said once in the text report');
    assert.equal(dates[0].occurrences, 3);
    assert.deepEqual(dates[0].places!.map((p) => `${p.range.start.line + 1} ${p.user?.primaryId}`), ['7 u1', '13 u2', '19 u3']);
    assert.equal(dates[0].user?.primaryId, 'u1');
    assert.equal(result.rejectedUsers, 3);
    assert.equal(summarize([result]).rejectedUsers, 3);
  });

  it('a user with two rejecting errors counts once; warnings reject nobody', () => {
    const users = v2User('u1', '    <expiry_date>2027-13-01</expiry_date>\n    <birth_date>x</birth_date>\n    <pin_number>12</pin_number>\n');
    assert.equal(validateText(v2(users), 'one.xml', DEFAULT_SETTINGS).rejectedUsers, 1);
  });
});

describe('messages', () => {
  it('name identifier types as the file writes them', () => {
    const id = (type: string, value: string) => `<user_identifier><id_type>${type}</id_type><value>${value}</value></user_identifier>`;
    const users = v2User('m1', `    <user_identifiers>${id('BARCODE', '2100')}</user_identifiers>\n`) + v2User('m2', `    <user_identifiers>${id('UNIV_ID', '2100')}</user_identifiers>\n`);
    const [dup] = find(validateText(v2(users), 'ucla.xml', DEFAULT_SETTINGS).findings, 'duplicate-identifier');
    assert.match(dup.message, /^Identifier UNIV_ID "2100" is already used/);
    assert.equal(dup.related[0].message, 'first used by user m1 as identifier BARCODE');
  });

  it('use the v1 names in a v1 file', () => {
    const text = `<userRecords xmlns="${V1_NS}"><userRecord><userDetails><status>Active</status></userDetails></userRecord></userRecords>`;
    const { findings } = validateText(text, 'v1.xml', { ...DEFAULT_SETTINGS, matchIdType: 'primary_id' });
    assert.match(find(findings, 'missing-match-id')[0].message, /^This user has no userName, the profile's match identifier/);
  });

  it('preferred="yes" is not a case problem', () => {
    const body = '    <contact_info><emails><email preferred="yes"><email_address>a@b.c</email_address><email_types><email_type>work</email_type></email_types></email></emails></contact_info>\n';
    const [value] = find(validateText(v2(v2User('p1', body)), 'laverne.xml', DEFAULT_SETTINGS).findings, 'attribute-value');
    assert.match(value.message, /a boolean is true, false, 1 or 0: write "true"/);
    assert.doesNotMatch(value.message, /lowercase/);
  });
});
