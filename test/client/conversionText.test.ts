import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conversionSummary, noHomeDetails } from '../../client/src/conversionText';
import type { ConvertToV2Result } from '../../server/src/protocol/messages';

const base: ConvertToV2Result = { text: '', users: 2, changedCount: 12, noHomeCount: 0, noHomeByPath: {}, noHome: [] };

test('the notification says how many users were converted, and that nothing was left out', () => {
  assert.equal(conversionSummary(base), 'Converted 2 users to User XSD v2; every value has a place in v2.');
  assert.equal(conversionSummary({ ...base, users: 1 }), 'Converted 1 user to User XSD v2; every value has a place in v2.');
});

test('the notification names what had no v2 home by its last two steps, four paths at most', () => {
  const noHomeByPath = {
    'userRecords/userRecord/owneredEntity/creationDate': 2,
    'userRecords/userRecord/owneredEntity/createdBy': 2,
    'userRecords/userRecord/matchId': 1,
    'userRecords/userRecord/userAddressList/userEmail/segmentAction': 1,
    'userRecords/userRecord/favouriteColour': 1,
  };
  assert.equal(
    conversionSummary({ ...base, noHomeCount: 7, noHomeByPath }),
    'Converted 2 users to User XSD v2; 7 values have no v2 home and were left out: owneredEntity/creationDate (2), owneredEntity/createdBy (2), userRecord/matchId (1), userEmail/segmentAction (1), 1 more.',
  );
  assert.match(conversionSummary({ ...base, noHomeCount: 1, noHomeByPath: { 'userRecords/userRecord/matchId': 1 } }), /; 1 value has no v2 home and was left out: userRecord\/matchId \(1\)\.$/);
});

test('the details list every listed value with its line and reason, then how many were not listed', () => {
  const noHome = [{ path: 'userRecords/userRecord/matchId', line: 4, value: 'M-1', reason: 'undocumented' }];
  assert.deepEqual(noHomeDetails('old.xml', { ...base, noHomeCount: 3, noHome }), [
    'Convert to User XSD v2: old.xml: 3 with no v2 home',
    '  line 4: userRecords/userRecord/matchId "M-1": undocumented',
    '  and 2 more',
  ]);
});
