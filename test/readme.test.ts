import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RULES } from '../server/src/engine/rules/ruleTable';
import { repoRoot } from './helpers/repoRoot';

const readme = readFileSync(join(repoRoot(), 'README.md'), 'utf8');

test('the README lists every rule with its default severity, in the rule table\'s order', () => {
  const rows = [...readme.matchAll(/^\| `([a-z0-9-]+)` \| (error|warning|info) \|/gm)].map((m) => `${m[1]} ${m[2]}`);
  assert.deepEqual(rows, RULES.map((r) => `${r.id} ${r.severity}`));
});

test('the README\'s two set-up commands are scripts the package has', () => {
  const scripts = JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')).scripts as Record<string, string>;
  assert.match(readme, /```sh\nnpm ci && npm start\n```/);
  assert.match(readme, /```sh\nnpm test\n```/);
  assert.ok(scripts.start.includes('validate-samples') && scripts['validate-samples'].includes('validate'));
  assert.ok(scripts.test);
});
