import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codeTablesFilesOf } from '../../client/src/configFiles';
import { repoRoot } from '../helpers/repoRoot';

test('the code tables a configuration names are found, resolved beside it', async () => {
  const samples = join(repoRoot(), 'samples');
  assert.deepEqual(await codeTablesFilesOf([join(samples, 'alma-sis.config.json')]), [join(samples, 'code-tables.json')]);
});

test('a broken or missing configuration names no code tables and does not throw', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'alma-sis-client-'));
  try {
    const broken = join(dir, 'alma-sis.config.json');
    writeFileSync(broken, '{"profiles": [ {"code": "A", "codeTables": ');
    assert.deepEqual(await codeTablesFilesOf([broken, join(dir, 'absent.json')]), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
