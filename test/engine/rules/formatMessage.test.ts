import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatMessage } from '../../../server/src/engine/rules/ruleTable';

test('formatMessage fills placeholders, leaves an unknown one visible, and cuts quoted input to an excerpt', () => {
  assert.equal(formatMessage('<{name}> is not allowed in <{parent}>.{hint}', { name: 'x', parent: 'users', hint: '' }), '<x> is not allowed in <users>.');
  assert.equal(formatMessage('{a} and {b}', { a: 1 }), '1 and {b}');
  assert.equal(formatMessage('{detail}', { detail: 'D'.repeat(500) }), 'D'.repeat(500), 'our own sentences are not cut');
  const quoted = formatMessage('"{value}" is wrong', { value: 'v'.repeat(1 << 20) });
  assert.ok(quoted.length < 100, `${quoted.length} characters`);
  assert.match(quoted, /^"v+…" is wrong$/);
  assert.equal(formatMessage('no placeholders', {}), 'no placeholders');
});
