import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { isRuleId, rulePageCommand, rulePageRule, SHOW_RULE_PAGE } from '../../client/src/rulePageLinks';
import { ruleDocumentationUrl } from '../../server/src/lsp/diagnostics';
import { RULES } from '../../server/src/engine/rules/ruleTable';

test('the links the server gives are recognised as rule pages, each its own rule', () => {
  for (const rule of RULES) assert.equal(rulePageRule(ruleDocumentationUrl(rule.id)!), rule.id);
  // A Windows path as a file: URI, and a page folder under any name.
  assert.equal(rulePageRule('file:///c%3A/Users/x/.vscode/extensions/alma-sis-toolkit-0.1.0/docs/rules/bom.md'), 'bom');
  assert.equal(rulePageRule(pathToFileURL(join('/opt', 'docs', 'rules', 'pin-format.md')).href), 'pin-format');
});

test('other links stay as they are', () => {
  assert.equal(rulePageRule('https://example.edu/docs/rules/bom.md'), undefined);
  assert.equal(rulePageRule('file:///work/README.md#rules'), undefined);
  assert.equal(rulePageRule('file:///work/docs/rules/../secrets.md'), undefined);
});

test('the command link carries the rule alone, and the command takes nothing but a rule id', () => {
  assert.deepEqual(rulePageCommand('invalid-date'), { scheme: 'command', path: SHOW_RULE_PAGE, query: '["invalid-date"]' });
  assert.ok(isRuleId('duplicate-identifier-in-user'));
  for (const bad of ['../../package', 'a/b', '', 'Bom', 7, undefined, ['bom']]) assert.equal(isRuleId(bad), false, String(bad));
});
