import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { convertV1ToV2Text } from '../../../server/src/engine/convert/v1ToV2';
import { dryRunJson, dryRunText } from '../../../server/src/engine/dryRun/formatReport';
import { repoRoot } from '../../helpers/repoRoot';
import { InputError } from '../../../server/src/engine/files/inputDocument';
import { DEFAULT_SETTINGS } from '../../../server/src/engine/config/types';
import { document, identifier, outcomeOf, outcomes, run, user, usersFile } from './fixtures';

const PHONE = (number: string, extra = '') =>
  `<phone${extra}><phone_number>${number}</phone_number><phone_types><phone_type>mobile</phone_type></phone_types></phone>`;

describe('dry-run outcomes', () => {
  it('classifies new, updated and unchanged users by primary_id, case-insensitively', async () => {
    const baseline = usersFile(user('alice', '<user_group>UG</user_group>'), user('bob', '<user_group>UG</user_group>'));
    const input = usersFile(user('ALICE', '<user_group>PG</user_group>'), user('bob', '<user_group>UG</user_group>'), user('carol'));
    const report = await run(input, baseline);
    assert.deepEqual(outcomes(report), ['ALICE updated', 'bob unchanged', 'carol new']);
    // A primary id that differs only in case is the same id: not a change.
    assert.deepEqual(report.users[0].changes, [{ path: 'user_group', change: 'changed', old: 'UG', new: 'PG' }]);
    assert.deepEqual(report.summary, { total: 3, new: 1, updated: 1, unchanged: 1, rejected: 0, failureRate: 0, alert: false });
    assert.equal(report.baseline.users, 2);
  });

  it('sees no change where only order, layout, date zones or boolean spelling differ', async () => {
    const baseline = usersFile(`  <user>
      <primary_id>alice</primary_id><last_name>L</last_name><first_name>F</first_name>
      <expiry_date>2027-06-30Z</expiry_date>
      <contact_info><phones>
        ${PHONE('555-1', ' preferred="true"')}
        ${PHONE('555-2', ' preferred="false"')}
      </phones></contact_info>
    </user>`);
    const input = usersFile(user('alice', '<expiry_date>2027-06-30</expiry_date>',
      `<contact_info><phones>${PHONE('555-2')}${PHONE('555-1', ' preferred="1"')}</phones></contact_info>`));
    assert.deepEqual(outcomes(await run(input, baseline)), ['alice unchanged']);
  });

  it('lists swap-all removals, additions and changes with their paths', async () => {
    const baseline = usersFile(user('alice',
      '<middle_name>M</middle_name>',
      `<contact_info><phones>${PHONE('555-1')}${PHONE('555-9')}</phones></contact_info>`,
      identifier('BARCODE', 'B1'),
    ));
    const input = usersFile(user('alice',
      '<user_group>UG</user_group>',
      `<contact_info><phones>${PHONE('555-1')}</phones></contact_info>`,
      '<user_identifiers><user_identifier><id_type>BARCODE</id_type><value>B2</value></user_identifier>',
      '<user_identifier><id_type>UNIV_ID</id_type><value>U1</value></user_identifier></user_identifiers>',
      '<user_statistics><user_statistic><statistic_category>ARTS</statistic_category></user_statistic></user_statistics>',
    ));
    const [alice] = (await run(input, baseline)).users;
    assert.equal(alice.outcome, 'updated');
    assert.deepEqual(alice.changes, [
      { path: 'contact_info/phones/phone', change: 'removed', old: '555-9 (phone_types: mobile)', new: null },
      { path: 'middle_name', change: 'removed', old: 'M', new: null },
      { path: 'user_group', change: 'added', old: null, new: 'UG' },
      { path: 'user_identifiers/BARCODE', change: 'changed', old: 'B1', new: 'B2' },
      { path: 'user_identifiers/UNIV_ID', change: 'added', old: null, new: 'U1' },
      { path: 'user_statistics/user_statistic', change: 'added', old: null, new: 'ARTS' },
    ]);
  });

  it('describes a segment as a person reads it: first field bare, repeated types joined, set flags by name, model order', async () => {
    const baseline = usersFile(user('alice',
      `<contact_info><addresses><address><line1>1 Main St</line1><address_types><address_type>home</address_type></address_types></address></addresses>`,
      `<phones>${PHONE('555-1')}</phones></contact_info>`,
    ));
    // Written out of model order, with two types (in reverse order) and flags: the description does not follow the file.
    const input = usersFile(user('alice',
      '<contact_info><addresses><address preferred="true"><address_types><address_type>work</address_type><address_type>home</address_type></address_types>',
      '<city>Berkeley</city><line1>1 Main St</line1></address></addresses>',
      '<phones><phone preferred="true" preferred_sms="true"><phone_types><phone_type>mobile</phone_type></phone_types><phone_number>555-1</phone_number></phone></phones></contact_info>',
    ));
    const [alice] = (await run(input, baseline)).users;
    assert.equal(outcomeOf(alice), 'alice updated', alice.detail ?? '');
    assert.deepEqual(alice.changes.map((c) => [c.path, c.change, c.old, c.new]), [
      ['contact_info/addresses/address', 'changed', '1 Main St (address_types: home)', '1 Main St (city: Berkeley; address_types: home, work; preferred)'],
      ['contact_info/phones/phone', 'changed', '555-1 (phone_types: mobile)', '555-1 (phone_types: mobile; preferred; preferred_sms)'],
    ]);
  });

  it('an empty list in the input removes every external segment of that list', async () => {
    const baseline = usersFile(user('alice', `<contact_info><phones>${PHONE('555-1')}</phones></contact_info>`));
    const input = usersFile(user('alice', '<contact_info><phones/></contact_info>'));
    const [alice] = (await run(input, baseline)).users;
    assert.deepEqual(alice.changes.map((c) => `${c.change} ${c.path}`), ['removed contact_info/phones/phone']);
  });

  it('keeps what Alma keeps: internal segments and fields the SIS load does not touch are never shown as removed', async () => {
    const baseline = usersFile(`  <user>
      <record_type desc="Public">PUBLIC</record_type><primary_id>alice</primary_id><first_name>F</first_name><last_name>L</last_name>
      <full_name>F L</full_name><account_type>EXTERNAL</account_type><external_id>SIS</external_id>
      <status_date>2024-01-01Z</status_date><loans>3</loans><password>x</password>
      <contact_info><phones>${PHONE('555-1', ' segment_type="External"')}${PHONE('555-7', ' segment_type="Internal"')}</phones></contact_info>
      <user_identifiers><user_identifier segment_type="Internal"><id_type>OTHER</id_type><value>O1</value></user_identifier></user_identifiers>
      <user_roles><user_role><role_type>200</role_type></user_role></user_roles>
      <user_notes>
        <user_note segment_type="Internal"><note_type>CIRC</note_type><note_text>staff</note_text><user_viewable>false</user_viewable><popup_note>false</popup_note></user_note>
        <user_note segment_type="External"><note_type>ERP</note_type><note_text>from SIS</note_text><user_viewable>false</user_viewable><popup_note>false</popup_note><created_by>SIS</created_by><created_date>2024-01-01T00:00:00Z</created_date></user_note>
      </user_notes>
      <proxy_for_users><proxy_for_user><primary_id>bob</primary_id></proxy_for_user></proxy_for_users>
    </user>`);
    const input = usersFile(user('alice',
      '<record_type>STAFF</record_type>',
      `<contact_info><phones>${PHONE('555-1')}</phones></contact_info>`,
      '<user_notes><user_note><note_type>ERP</note_type><note_text>from SIS</note_text><user_viewable>false</user_viewable><popup_note>false</popup_note></user_note></user_notes>',
    ));
    assert.deepEqual(outcomes(await run(input, baseline)), ['alice unchanged']);
  });

  it('an internal identifier still holds its value: another user cannot take it', async () => {
    const baseline = usersFile(user('alice', identifier('OTHER', 'O1', 'Internal')));
    const input = usersFile(user('bob', identifier('BARCODE', 'O1')));
    const report = await run(input, baseline);
    assert.deepEqual(outcomes(report), ['bob rejected/identifier-taken']);
    assert.match(report.users[0].detail ?? '', /O1 belongs to existing user alice/);
  });
});

describe('dry-run researcher data', () => {
  const researcher = (...topics: string[]) =>
    `<researcher><researcher_research_topics>${topics.map((t) => `<researcher_research_topic>${t}</researcher_research_topic>`).join('')}</researcher_research_topics></researcher>`;

  it('compares researcher data only when the profile loads researchers', async () => {
    const baseline = usersFile(user('rae', researcher('ECON', 'LAW')));
    const input = usersFile(user('rae', researcher('LAW', 'MED')));
    assert.deepEqual(outcomes(await run(input, baseline)), ['rae unchanged']);
    const report = await run(input, baseline, { settings: { ...DEFAULT_SETTINGS, usedFor: 'both' } });
    assert.deepEqual(report.users[0].changes, [{
      path: 'researcher/researcher_research_topics/researcher_research_topic', change: 'changed', old: 'ECON', new: 'MED',
    }]);
  });
});

describe('dry-run rejections', () => {
  it('gives every reason in synchronize mode, in load order', async () => {
    const baseline = usersFile(
      user('alice', identifier('BARCODE', 'B1')),
      user('bob', identifier('BARCODE', 'B2')),
      user('staff', '<account_type>INTERNAL</account_type>'),
    );
    const input = usersFile(
      user('carol', identifier('BARCODE', 'C1')), // new
      user('dan', identifier('BARCODE', 'C1')), // C1 already used by carol
      user('CAROL'), // the primary id too
      user('erin', identifier('BARCODE', 'B2')), // bob's barcode
      user('staff'), // internal account
      user(null), // no primary_id to match by
      user('fay', '<expiry_date>2027-13-01</expiry_date>'), // not a date: the loader rejects it
      user('gus', identifier('BARCODE', 'gus')), // the same value twice in one user
      user('hal', '<contact_info><emails><email><email_types><email_type>x</email_type></email_types></email></emails></contact_info>'), // email without address
    );
    const report = await run(input, baseline);
    assert.deepEqual(outcomes(report), [
      'carol new',
      'dan rejected/duplicate-in-feed',
      'CAROL rejected/duplicate-in-feed',
      'erin rejected/identifier-taken',
      'staff rejected/internal-user',
      '- rejected/missing-match-id',
      'fay rejected/invalid',
      'gus rejected/invalid',
      'hal rejected/invalid',
    ]);
    assert.match(report.users[1].detail ?? '', /C1 is already used by carol at feed\.xml:3/);
    assert.match(report.users[6].detail ?? '', /^invalid-date: /);
    assert.match(report.users[7].detail ?? '', /^duplicate-identifier-in-user: /);
    assert.match(report.users[8].detail ?? '', /^missing-element: .*email_address/);
    assert.deepEqual([report.users[0].line, report.users[1].line], [2, 3]);
  });

  it('every user with a loader error is rejected, though the validator report collapses and caps repeated findings', async () => {
    // The same message five times (collapsed into one finding), then more distinct ones than a rule may list.
    const same = Array.from({ length: 5 }, (_, k) => user(`same${k}`, '<birth_date>1999-02-30</birth_date>'));
    const distinct = Array.from({ length: 1005 }, (_, k) => user(`d${k}`, `<birth_date>x${k}</birth_date>`));
    const report = await run(usersFile(...same, ...distinct, user('fine')), usersFile());
    assert.equal(report.summary.rejected, 1010);
    assert.ok(report.users.slice(0, -1).every((u) => u.reason === 'invalid'));
    assert.equal(report.users.at(-1)!.outcome, 'new');
  });

  it('a rejected user takes no identifier: a later user with the same value still loads', async () => {
    const input = usersFile(
      user('amy', identifier('BARCODE', 'X1'), '<birth_date>not a date</birth_date>'),
      user('ben', identifier('BARCODE', 'X1')),
    );
    assert.deepEqual(outcomes(await run(input, usersFile())), ['amy rejected/invalid', 'ben new']);
  });

  it('swap-all frees the identifiers an update drops, for users later in the feed', async () => {
    const baseline = usersFile(user('alice', identifier('BARCODE', 'B1')));
    const dropsFirst = usersFile(user('alice', identifier('BARCODE', 'B9')), user('bob', identifier('BARCODE', 'B1')));
    assert.deepEqual(outcomes(await run(dropsFirst, baseline)), ['alice updated', 'bob new']);
    const takesFirst = usersFile(user('bob', identifier('BARCODE', 'B1')), user('alice', identifier('BARCODE', 'B9')));
    assert.deepEqual(outcomes(await run(takesFirst, baseline)), ['bob rejected/identifier-taken', 'alice updated']);
  });

  it('the same existing user matched twice: the second is a duplicate in the feed', async () => {
    const baseline = usersFile(user('alice'));
    assert.deepEqual(outcomes(await run(usersFile(user('alice'), user('Alice')), baseline)), [
      'alice unchanged',
      'Alice rejected/duplicate-in-feed',
    ]);
  });

  it('rejects unmatched users when the profile says so, and adds them by default', async () => {
    const baseline = usersFile(user('alice'));
    const input = usersFile(user('alice'), user('zoe'));
    assert.deepEqual(outcomes(await run(input, baseline, { unmatched: 'reject' })), ['alice unchanged', 'zoe rejected/unmatched-rejected']);
    assert.deepEqual(outcomes(await run(input, baseline)), ['alice unchanged', 'zoe new']);
  });

  it('import adds new users only: one that exists is rejected, whatever changed', async () => {
    const baseline = usersFile(user('alice', '<user_group>UG</user_group>'), user('staff', '<account_type>INTERNAL</account_type>'));
    const input = usersFile(user('alice', '<user_group>PG</user_group>'), user('staff'), user('zoe'), user('zoe'));
    assert.deepEqual(outcomes(await run(input, baseline, { mode: 'import' })), [
      'alice rejected/exists',
      'staff rejected/exists',
      'zoe new',
      'zoe rejected/duplicate-in-feed',
    ]);
    // Import ignores `unmatched`: adding unmatched users is what it is for.
    assert.deepEqual(outcomes(await run(usersFile(user('zoe')), baseline, { mode: 'import', unmatched: 'reject' })), ['zoe new']);
    assert.deepEqual(outcomes(await run(input, baseline)), [
      'alice updated',
      'staff rejected/internal-user',
      'zoe new',
      'zoe rejected/duplicate-in-feed',
    ]);
  });

  it('empty values are a rejection only under strict, where the user asks for it', async () => {
    const input = usersFile(user('amy', '<birth_date/>'));
    assert.deepEqual(outcomes(await run(input, usersFile())), ['amy new']);
    assert.deepEqual(outcomes(await run(input, usersFile(), { settings: { ...DEFAULT_SETTINGS, strict: true } })), ['amy rejected/invalid']);
  });
});

describe('dry-run matching by an identifier type', () => {
  it('matches by the profile identifier type, not by primary_id', async () => {
    const baseline = usersFile(user('old-id', identifier('UNIV_ID', 'U1')), user('bob', identifier('UNIV_ID', 'U2')));
    const input = usersFile(
      user('new-id', identifier('UNIV_ID', 'u1')), // same person, new primary id
      user('carol'), // no UNIV_ID
      user('bob', identifier('UNIV_ID', 'U3')), // primary id of bob, but U3 matches nobody: bob's primary id is taken
    );
    const report = await run(input, baseline, { matchIdType: 'UNIV_ID' });
    assert.deepEqual(outcomes(report), ['new-id updated', 'carol rejected/missing-match-id', 'bob rejected/identifier-taken']);
    assert.deepEqual(report.users[0].changes, [
      { path: 'primary_id', change: 'changed', old: 'old-id', new: 'new-id' },
      { path: 'user_identifiers/UNIV_ID', change: 'changed', old: 'U1', new: 'u1' },
    ]);
    assert.match(report.users[1].detail ?? '', /no identifier of type UNIV_ID/);
    assert.equal(report.matchIdType, 'UNIV_ID');
  });

  it('takes the match type from the profile settings when not given', async () => {
    const baseline = usersFile(user('a', identifier('UNIV_ID', 'U1')));
    const report = await run(usersFile(user('b', identifier('UNIV_ID', 'U1'))), baseline, {
      settings: { ...DEFAULT_SETTINGS, matchIdType: 'UNIV_ID' },
    });
    assert.deepEqual(outcomes(report), ['b updated']);
  });
});

describe('dry-run alert threshold', () => {
  const feed = (good: number, bad: number) =>
    usersFile(...Array.from({ length: good }, (_, k) => user(`u${k}`)), ...Array.from({ length: bad }, () => user(null)));

  it('alerts at 5% rejected and not below', async () => {
    const at = await run(feed(19, 1), usersFile());
    assert.deepEqual([at.summary.rejected, at.summary.failureRate, at.summary.alert], [1, 0.05, true]);
    const below = await run(feed(20, 1), usersFile());
    assert.equal(below.summary.alert, false);
    assert.ok(below.summary.failureRate < 0.05);
    const justBelow = await run(feed(96, 4), usersFile());
    assert.deepEqual([justBelow.summary.failureRate, justBelow.summary.alert], [0.04, false]);
    const justAt = await run(feed(95, 5), usersFile());
    assert.deepEqual([justAt.summary.failureRate, justAt.summary.alert], [0.05, true]);
  });

  it('an empty input raises no alert', async () => {
    const report = await run(usersFile(), usersFile(user('a')));
    assert.deepEqual(report.summary, { total: 0, new: 0, updated: 0, unchanged: 0, rejected: 0, failureRate: 0, alert: false });
  });
});

describe('dry-run baselines and inputs', () => {
  it('reads a v1 export and a v1 feed', async () => {
    const v1 = (name: string, group: string, type = 'External') => `<?xml version="1.0" encoding="UTF-8"?>
<userRecords xmlns="http://com/exlibris/digitool/repository/extsystem/xmlbeans">
  <userRecord><userDetails><userName>${name}</userName><firstName>F</firstName><lastName>L</lastName><userGroup>${group}</userGroup><status>Active</status><userType>${type}</userType></userDetails>
    <userIdentifiers><userIdentifier><type>BARCODE</type><value>B-${name}</value></userIdentifier></userIdentifiers>
  </userRecord>
</userRecords>`;
    assert.deepEqual(outcomes(await run(v1('ann', 'UG'), v1('ann', 'UG'))), ['ann unchanged']);
    const changed = await run(v1('ann', 'PG'), v1('ann', 'UG'));
    assert.deepEqual(changed.users[0].changes, [{ path: 'userDetails/userGroup', change: 'changed', old: 'UG', new: 'PG' }]);
    assert.deepEqual(outcomes(await run(v1('ann', 'UG'), v1('ann', 'UG', 'Internal'))), ['ann rejected/internal-user']);
  });

  it('reads v2 users inside a <userRecords> root (as MIT writes them), and a baseline of several documents', async () => {
    const mit = `<?xml version="1.0" encoding="UTF-8"?>\n<userRecords>\n${user('ann', '<user_group>UG</user_group>')}\n</userRecords>\n`;
    const report = await run(usersFile(user('ann', '<user_group>UG</user_group>'), user('bo', identifier('BARCODE', 'Z1'))), [
      document('export-1.xml', mit),
      document('export-2.xml', usersFile(user('zed', identifier('BARCODE', 'Z1')))),
    ]);
    assert.deepEqual(outcomes(report), ['ann unchanged', 'bo rejected/identifier-taken']);
    assert.match(report.users[1].detail ?? '', /existing user zed \(export-2\.xml:3\)/);
    assert.equal(report.baseline.users, 2);
  });

  it('refuses a baseline that is not well-formed, with its place', async () => {
    const broken = usersFile(user('alice')).replace('</user>', '</usr>');
    await assert.rejects(run(usersFile(user('alice')), broken), (error: Error) => {
      assert.ok(error instanceof InputError);
      assert.match(error.message, /^export\.xml:3:\d+: the baseline is not well-formed XML: /);
      return true;
    });
  });

  it('refuses a baseline that is not a users file, or empty', async () => {
    await assert.rejects(run(usersFile(), '<?xml version="1.0"?><report/>'), /export\.xml: the baseline is not an Export Users file: its root is <report>/);
    await assert.rejects(run(usersFile(), ''), /export\.xml:1:1: the baseline is not well-formed XML: The file has no root element/);
    await assert.rejects(run(usersFile(), []), /no baseline given/);
  });

  it('refuses an input that Alma cannot parse, rather than reporting part of it', async () => {
    const input = usersFile(user('alice')).replace('<first_name>F', '<first_name>F & co');
    await assert.rejects(run(input, usersFile()), (error: Error) => {
      assert.ok(error instanceof InputError);
      assert.match(error.message, /^feed\.xml:3:\d+: .*Alma cannot load this file/);
      return true;
    });
  });

  it('replays several input documents in the order given', async () => {
    const report = await run([
      document('a.xml', usersFile(user('amy', identifier('BARCODE', 'X')))),
      document('b.xml', usersFile(user('ben', identifier('BARCODE', 'X')))),
    ], usersFile());
    assert.deepEqual(outcomes(report), ['amy new', 'ben rejected/duplicate-in-feed']);
    assert.deepEqual(report.users.map((u) => u.path), ['a.xml', 'b.xml']);
    assert.match(report.users[1].detail ?? '', /amy at a\.xml:3 /);
  });

  it('reports progress over both sides and stops when cancelled', async () => {
    const seen: string[] = [];
    await run(usersFile(user('a')), usersFile(user('b')), { onProgress: (p) => seen.push(p.phase) });
    assert.deepEqual([...new Set(seen)], ['baseline', 'input']);
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(run(usersFile(user('a')), usersFile(), { signal: controller.signal }), { name: 'AbortError' });
  });
});

describe('real producers in the dry-run (issue 12)', () => {
  it('input segments marked Internal are loaded as External: nothing shows as removed when only the marking differs', async () => {
    const address = (type: string) => `<contact_info><addresses><address segment_type="${type}"><line1>1 Main St</line1><city>Berkeley</city><address_types><address_type>home</address_type></address_types></address></addresses></contact_info>`;
    const baseline = usersFile(user('cal1', address('External'), identifier('BARCODE', 'B1')), user('cal2', address('External'), '<user_group>UG</user_group>'));
    const input = usersFile(user('cal1', address('Internal'), identifier('BARCODE', 'B1', 'Internal')), user('cal2', address('Internal'), '<user_group>PG</user_group>'));
    const report = await run(input, baseline);
    assert.deepEqual(outcomes(report), ['cal1 unchanged', 'cal2 updated']);
    assert.deepEqual(report.users[1].changes, [{ path: 'user_group', change: 'changed', old: 'UG', new: 'PG' }]);
  });

  it('a baseline segment marked Internal is still kept (staff added it)', async () => {
    const baseline = usersFile(user('k1', identifier('OTHER_ID_2', 'STAFF-ADDED', 'Internal')));
    const report = await run(usersFile(user('k1')), baseline);
    assert.deepEqual(outcomes(report), ['k1 unchanged']);
  });

  it('a match on another identifier: a matched user without primary_id is not rejected and loses no primary_id; a new one without names is', async () => {
    const other = (value: string) => identifier('OTHER_ID_1', value);
    const baseline = usersFile(user('old.1', other('9001'), '<user_group>UG</user_group>'));
    const nameless = `  <user>${other('9002')}</user>`;
    const input = usersFile(user(null, other('9001'), '<user_group>PG</user_group>'), nameless, user(null, other('9003')));
    const settings = { ...DEFAULT_SETTINGS, matchIdType: 'OTHER_ID_1' };
    const report = await run(input, baseline, { settings, matchIdType: 'OTHER_ID_1' });
    assert.deepEqual(outcomes(report), ['- updated', '- rejected/invalid', '- new']);
    assert.deepEqual(report.users[0].changes, [{ path: 'user_group', change: 'changed', old: 'UG', new: 'PG' }]);
    assert.match(report.users[1].detail ?? '', /^missing-primary-id: /);
  });

  it('a v1 export against a v2 feed is compared by meaning, through the v1 to v2 mapping', async () => {
    const v1 = readFileSync(join(repoRoot(), 'samples', 'valid', 'users-v1.xml'), 'utf8');
    const v2 = convertV1ToV2Text(v1).text;
    const same = await run(v2, v1);
    assert.deepEqual(outcomes(same), ['t.ngata unchanged', 'm.oconnell unchanged']);
    assert.deepEqual(same.mappedFromV1, ['export.xml']);
    // One real change among the mapped fields is all the report shows.
    const changed = await run(v2.replace('<user_group>STUDENT</user_group>', '<user_group>STAFF</user_group>'), v1);
    assert.deepEqual(outcomes(changed), ['t.ngata updated', 'm.oconnell unchanged']);
    assert.deepEqual(changed.users[0].changes, [{ path: 'user_group', change: 'changed', old: 'STUDENT', new: 'STAFF' }]);
    const text = [...dryRunText(changed)].join('');
    assert.match(text, /^note: export\.xml is User XSD v1, compared with the v2 side through the v1 to v2 mapping: /m);
    assert.match([...dryRunJson(changed)].join(''), /"mappedFromV1":\["export\.xml"\]/);
  });

  it('a v1 feed against a v2 export is compared by meaning, and its users and findings keep their v1 places', async () => {
    const v1 = readFileSync(join(repoRoot(), 'samples', 'valid', 'users-v1.xml'), 'utf8');
    const v2 = convertV1ToV2Text(v1).text;
    const starts = v1.split('\n').flatMap((line, k) => (line.includes('<userRecord>') ? [k] : []));
    const same = await run(v1, v2);
    assert.deepEqual(outcomes(same), ['t.ngata unchanged', 'm.oconnell unchanged']);
    assert.deepEqual(same.users.map((u) => u.line), starts);
    assert.deepEqual(same.mappedFromV1, ['feed.xml']);
    // A rejection found by validation points at the v1 user.
    const bad = v1.replace('<expiryDate>20271130</expiryDate>', '<expiryDate>2027113</expiryDate>');
    const rejected = await run(bad, v2);
    assert.deepEqual(outcomes(rejected), ['t.ngata rejected/invalid', 'm.oconnell unchanged']);
    assert.equal(rejected.users[0].line, starts[0]);
    // The finding is the v1 file's own, in its own names.
    assert.match(rejected.users[0].detail ?? '', /^invalid-date: "2027113" in <expiryDate> is not a v1 date/);
  });

  it('a document a converter makes is read once (never again to learn its version), and taken as v2', async () => {
    const v1 = readFileSync(join(repoRoot(), 'samples', 'valid', 'users-v1.xml'), 'utf8');
    const v2 = convertV1ToV2Text(v1).text;
    let reads = 0;
    const made = (text: string) => {
      const inner = document('feed.xml (after XSL)', text);
      return { ...inner, converted: true, read: () => { reads++; return inner.read(); } };
    };
    const against2 = await run([made(v2)], v2);
    assert.equal(reads, 1);
    assert.deepEqual(outcomes(against2), ['t.ngata unchanged', 'm.oconnell unchanged']);
    reads = 0;
    const against1 = await run([made(v2)], v1);
    assert.equal(reads, 1);
    assert.deepEqual(against1.mappedFromV1, ['export.xml']);
    assert.deepEqual(outcomes(against1), ['t.ngata unchanged', 'm.oconnell unchanged']);
  });

  it('files of one version are compared as written; a v1 export that is not well-formed is refused with its place', async () => {
    const v1 = readFileSync(join(repoRoot(), 'samples', 'valid', 'users-v1.xml'), 'utf8');
    assert.deepEqual((await run(v1, v1)).mappedFromV1, []);
    const broken = v1.replace('</userDetails>', '</userDetail>');
    await assert.rejects(run(convertV1ToV2Text(v1).text, broken), (error: Error) => {
      assert.ok(error instanceof InputError);
      assert.match(error.message, /^export\.xml:\d+:\d+: /);
      return true;
    });
  });

  it('identifiers that differ only in case: validate warns (identifier-case) and the dry-run does not reject either', async () => {
    const report = await run(usersFile(user('c1', identifier('BARCODE', 'AB1')), user('c2', identifier('BARCODE', 'ab1'))), usersFile(user('z')));
    assert.deepEqual(outcomes(report), ['c1 new', 'c2 new']);
  });
});

describe('dry-run reports count in the singular for one', () => {
  it('says "1 user", not "1 users"', async () => {
    const { summaryLine, dryRunMarkdown } = await import('../../../server/src/engine/dryRun/formatReport.js');
    const report = await run(usersFile(user('solo')), usersFile(user('solo')));
    assert.match(summaryLine(report), /^1 user \(synchronize, matched by primary_id, against 1 existing\): 0 new, 0 updated, 1 unchanged/);
    assert.match(dryRunMarkdown(report), /^# Dry-run: synchronize of 1 user\n[\s\S]*\(1 existing user\)/);
  });
});
