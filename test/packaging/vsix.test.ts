import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as yauzl from 'yauzl';
import { repoRoot } from '../helpers/repoRoot';
import { RULES } from '../../server/src/engine/rules/ruleTable';

const root = repoRoot();
const bundlesBuilt = existsSync(join(root, 'dist', 'client.js')) && existsSync(join(root, 'dist', 'server.js'));

function entryNames(zip: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(zip, { lazyEntries: true }, (error, archive) => {
      if (error || !archive) return reject(error);
      const names: string[] = [];
      archive.on('entry', (entry: yauzl.Entry) => {
        names.push(entry.fileName);
        archive.readEntry();
      });
      archive.on('end', () => resolve(names));
      archive.on('error', reject);
      archive.readEntry();
    });
  });
}

test('the .vsix holds the bundles, what the manifest names and the rule pages, nothing else, under 1 MB', {
  skip: bundlesBuilt ? undefined : 'dist/ is not built (node scripts/build.mjs)',
  timeout: 120_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'alma-sis-vsix-'));
  try {
    const vsix = join(dir, 'test.vsix');
    const printed = execFileSync(process.execPath, [join(root, 'scripts', 'package.mjs'), '--out', vsix], { cwd: root, encoding: 'utf8' });
    assert.match(printed, /test\.vsix: \d+ KB/);
    assert.ok(statSync(vsix).size < 1024 * 1024);
    const names = await entryNames(vsix);
    for (const needed of [
      'extension/package.json', 'extension/dist/client.js', 'extension/dist/server.js', 'extension/LICENSE.txt',
      'extension/syntaxes/alma-sis-users.tmLanguage.json', 'extension/syntaxes/alma-sis-users.language-configuration.json',
      'extension/schemas/alma-sis.config.schema.json', 'extension/schemas/alma-sis.codetables.schema.json',
      // The page each diagnostic links to, one per rule (the language server finds them beside dist/).
      ...RULES.map((rule) => `extension/docs/rules/${rule.id}.md`),
    ]) {
      assert.ok(names.includes(needed), `${needed} in ${names.join(', ')}`);
    }
    const unwanted = names.filter((name) => /\.map$|\.ts$|^extension\/(node_modules|server|client|test|bench|out|\.tmp|scripts)\/|dist\/cli\.js$/.test(name));
    assert.deepEqual(unwanted, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
