import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../helpers/repoRoot';
import { missingTool, NO_USER_XSD, userXsdPath } from '../helpers/prerequisites';

/*
 * Cross-checks the samples against Ex Libris's schema with libxml2, independently of our engine:
 * every valid v2 sample must pass `xmllint --schema rest_user.xsd`, and known-bad fixtures must
 * fail it, so this check is shown to be able to fail.
 */

const schema = userXsdPath();
const samplesDir = join(repoRoot(), 'samples');
// One reason, printed by the runner, when the cross-check cannot run here.
const skip = missingTool('xmllint', 'libxml2-utils') ?? (schema === undefined ? NO_USER_XSD : undefined);

interface XmllintRun {
  status: number | null;
  output: string;
}

function xmllint(file: string): XmllintRun {
  const run = spawnSync('xmllint', ['--noout', '--nonet', '--schema', schema!, file], { encoding: 'utf8', timeout: 60_000 });
  if (run.error) assert.fail(`xmllint could not run: ${run.error.message}`);
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

/** v2 files have a no-namespace <users> root; the v1 sample is not covered by rest_user.xsd. */
function isV2(file: string): boolean {
  return /<users[\s>]/.test(readFileSync(file, 'utf8'));
}

const validV2 = readdirSync(join(samplesDir, 'valid'))
  .filter((name) => name.endsWith('.xml'))
  .map((name) => join(samplesDir, 'valid', name))
  .filter(isV2)
  .sort();

test('the valid v2 samples are there', () => {
  assert.ok(validV2.length >= 2, `expected at least users-v2.xml and researchers-v2.xml, found ${validV2.join(', ')}`);
});

for (const file of validV2) {
  test(`xmllint accepts samples/valid/${file.slice(join(samplesDir, 'valid').length + 1)}`, { skip }, () => {
    const run = xmllint(file);
    assert.equal(run.status, 0, run.output);
  });
}

// xmllint exits 3 for a schema validation failure (1 would be a parse error: not the point here).
for (const name of ['invalid-date.xml', 'duplicate-element.xml']) {
  test(`xmllint rejects samples/invalid/${name} against the schema`, { skip }, () => {
    const run = xmllint(join(samplesDir, 'invalid', name));
    assert.equal(run.status, 3, run.output);
    assert.match(run.output, /fails to validate/);
  });
}
