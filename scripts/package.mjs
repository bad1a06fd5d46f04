// Packages the VS Code extension with @vscode/vsce from the bundles in dist/ (build first:
// `npm run package` does both). Writes alma-sis-toolkit-<version>.vsix at the repository root,
// or where --out says, prints its size and fails when it is 1.5 MB or more.
//   node scripts/package.mjs [--out FILE.vsix]
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// 1.5 MB: SaxonJS, the XSLT processor of a profile's XSL converter, ships as Saxonica issues it
// (2.4 MB, about 370 KB deflated) beside the 725 KB the extension was without it.
const LIMIT = 1.5 * 1024 * 1024;
const root = join(fileURLToPath(import.meta.url), '..', '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const outFlag = process.argv.indexOf('--out');
const out = outFlag >= 0 ? resolve(process.argv[outFlag + 1]) : join(root, `${manifest.name}-${manifest.version}.vsix`);

for (const bundle of ['dist/client.js', 'dist/server.js']) {
  if (!existsSync(join(root, bundle))) {
    console.error(`${bundle} is missing: run node scripts/build.mjs first (npm run package does)`);
    process.exit(1);
  }
}

// --no-dependencies: the bundles carry every package; node_modules stays out of the .vsix.
execFileSync(join(root, 'node_modules', '.bin', 'vsce'), [
  'package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--out', out,
], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });

const size = statSync(out).size;
console.log(`${out}: ${(size / 1024).toFixed(0)} KB (${size} bytes; limit ${LIMIT / 1024} KB)`);
if (size >= LIMIT) {
  console.error('the .vsix is over 1.5 MB: check .vscodeignore and what the bundles pull in');
  process.exit(1);
}
