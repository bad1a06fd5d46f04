import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, sharedDir } from '../helpers/repoRoot';

/*
 * Cross-checks the samples against Ex Libris's schema with libxml2, independently of our engine:
 * every valid v2 sample must pass `xmllint --schema rest_user.xsd`, and known-bad fixtures must
 * fail it, so this check is shown to be able to fail.
 */

const schema = join(sharedDir(), 'alma', 'rest_user.xsd');
const samplesDir = join(repoRoot(), 'samples');

interface XmllintRun {
  status: number | null;
  output: string;
}

function xmllint(file: string): XmllintRun {
  const run = spawnSync('xmllint', ['--noout', '--nonet', '--schema', schema, file], { encoding: 'utf8', timeout: 60_000 });
  if (run.error) {
    const missing = (run.error as NodeJS.ErrnoException).code === 'ENOENT';
    assert.fail(
      missing
        ? 'xmllint is not installed; install libxml2-utils (CI does this in .ci/run) to cross-check the samples against rest_user.xsd'
        : `xmllint could not run: ${run.error.message}`,
    );
  }
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

test('the schema and the valid v2 samples are there', () => {
  assert.ok(existsSync(schema), `missing ${schema}`);
  assert.ok(validV2.length >= 2, `expected at least users-v2.xml and researchers-v2.xml, found ${validV2.join(', ')}`);
});

for (const file of validV2) {
  test(`xmllint accepts samples/valid/${file.slice(join(samplesDir, 'valid').length + 1)}`, () => {
    const run = xmllint(file);
    assert.equal(run.status, 0, run.output);
  });
}

// xmllint exits 3 for a schema validation failure (1 would be a parse error: not the point here).
for (const name of ['invalid-date.xml', 'duplicate-element.xml']) {
  test(`xmllint rejects samples/invalid/${name} against the schema`, () => {
    const run = xmllint(join(samplesDir, 'invalid', name));
    assert.equal(run.status, 3, run.output);
    assert.match(run.output, /fails to validate/);
  });
}
