import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
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

test('the .vsix holds the bundles, what the manifest names, the rule pages and SaxonJS, nothing else, under 1.5 MB', {
  skip: bundlesBuilt ? undefined : 'dist/ is not built (node scripts/build.mjs)',
  timeout: 120_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'alma-sis-vsix-'));
  try {
    const vsix = join(dir, 'test.vsix');
    const printed = execFileSync(process.execPath, [join(root, 'scripts', 'package.mjs'), '--out', vsix], { cwd: root, encoding: 'utf8' });
    assert.match(printed, /test\.vsix: \d+ KB/);
    // SaxonJS (the XSL converter's processor, about 370 KB deflated) took it past the 1 MB it was held to.
    assert.ok(statSync(vsix).size < 1.5 * 1024 * 1024);
    const names = await entryNames(vsix);
    for (const needed of [
      'extension/package.json', 'extension/dist/client.js', 'extension/dist/server.js', 'extension/LICENSE.txt',
      'extension/syntaxes/alma-sis-users.tmLanguage.json', 'extension/syntaxes/alma-sis-users.language-configuration.json',
      'extension/schemas/alma-sis.config.schema.json', 'extension/schemas/alma-sis.codetables.schema.json',
      // The page each diagnostic links to, one per rule (the language server finds them beside dist/).
      ...RULES.map((rule) => `extension/docs/rules/${rule.id}.md`),
      // Beside the bundles, unmodified, with Saxonica's license: loaded only for a profile's XSL converter.
      'extension/dist/saxon-js/SaxonJS2N.js', 'extension/dist/saxon-js/xslt3.js', 'extension/dist/saxon-js/LICENSE.txt',
    ]) {
      assert.ok(names.includes(needed), `${needed} in ${names.join(', ')}`);
    }
    const unwanted = names.filter((name) => /\.map$|\.ts$|^extension\/(node_modules|server|client|test|bench|out|\.tmp|scripts)\/|dist\/cli\.js$/.test(name));
    assert.deepEqual(unwanted, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SaxonJS stays out of the bundles: only the XSL conversion\'s worker loads it, from dist/saxon-js/', { skip: bundlesBuilt ? undefined : 'dist/ is not built (node scripts/build.mjs)' }, () => {
  assert.match(readFileSync(join(root, 'dist', 'saxon-js', 'SaxonJS2N.js'), 'utf8'), /Saxonica/);
  for (const bundle of ['server.js', 'cli.js', 'client.js']) {
    assert.doesNotMatch(readFileSync(join(root, 'dist', bundle), 'utf8'), /Saxonica/, bundle);
  }
  assert.ok(statSync(join(root, 'dist', 'server.js')).size < 2.4 * 1024 * 1024, 'the server bundle did not take SaxonJS in');
});
