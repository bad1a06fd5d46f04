// Bundles the CLI (and, with --tests, every test file) with esbuild.
// Tests are bundled rather than run through a TypeScript loader because Node 20's
// test runner only discovers .js files when given a directory.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, statSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(import.meta.url), '..', '..');
const withTests = process.argv.includes('--tests');
// Tests go to out/ unless --outdir names another folder, so that two builds can run side by side.
const outdirFlag = process.argv.indexOf('--outdir');
const testOut = outdirFlag >= 0 ? process.argv[outdirFlag + 1] : 'out';

// ssh2 (under ssh2-sftp-client) tries two optional native parts inside try/catch and falls back to
// pure JavaScript: they stay outside the bundle, found at run time when installed, skipped when not.
const ssh2OptionalNative = {
  name: 'ssh2-optional-native',
  setup(build) {
    build.onResolve({ filter: /^cpu-features$|\.node$/ }, (args) => ({ path: args.path, external: true }));
  },
};

const common = {
  bundle: true,
  plugins: [ssh2OptionalNative],
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  logLevel: 'warning',
  absWorkingDir: root,
};

await build({
  ...common,
  // dryRunWorker: the dry-run reads the baseline on a worker thread (engine/dryRun/baselineIndex.ts);
  // validateWorker: a big file's second half is validated on one (engine/validation/splitValidation.ts).
  entryPoints: {
    cli: 'server/src/cli/main.ts',
    dryRunWorker: 'server/src/engine/dryRun/baselineWorker.ts',
    validateWorker: 'server/src/engine/validation/splitWorker.ts',
  },
  outdir: 'dist',
  banner: { js: '#!/usr/bin/env node' },
});

// The language server: one bundle that any editor starts with --stdio (VS Code forks it over IPC).
await build({
  ...common,
  entryPoints: { server: 'server/src/lsp/main.ts' },
  outdir: 'dist',
  banner: { js: '#!/usr/bin/env node' },
});

// The VS Code extension: `vscode` is provided by the editor at run time. It holds no engine (the
// server does the work) and is minified: vscode-languageclient is most of it, and the extension
// host loads it on every start (the source map keeps stack traces readable).
await build({
  ...common,
  entryPoints: { client: 'client/src/extension.ts' },
  outdir: 'dist',
  external: ['vscode'],
  minify: true,
});

// SaxonJS, the XSLT processor of a profile's XSL converter, ships as Saxonica issues it (its license
// allows redistribution of the unmodified file, with its notice): copied beside the bundles, never
// bundled, and loaded by the conversion's worker thread only when a profile has a converter.
mkdirSync(join(root, 'dist', 'saxon-js'), { recursive: true });
// xslt3.js is Saxonica's command line (same license), whose compiler writes the compiled stylesheet.
for (const [from, file] of [['saxon-js', 'SaxonJS2N.js'], ['saxon-js', 'LICENSE.txt'], ['xslt3', 'xslt3.js']]) {
  copyFileSync(join(root, 'node_modules', from, file), join(root, 'dist', 'saxon-js', file));
}

function testFiles(dir) {
  const found = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...testFiles(path));
    else if (name.endsWith('.test.ts')) found.push(path);
  }
  return found;
}

if (withTests) {
  rmSync(join(root, testOut), { recursive: true, force: true });
  const entryPoints = {};
  for (const file of testFiles(join(root, 'test'))) {
    entryPoints[relative(root, file).replace(/\.ts$/, '')] = file;
  }
  // playwright-core (the code-server test) loads its own files at run time; it stays a package.
  await build({ ...common, entryPoints, outdir: testOut, external: ['playwright-core'] });
}
