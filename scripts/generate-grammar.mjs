// Writes syntaxes/alma-sis-users.tmLanguage.json from the engine's user record models (both
// versions), so the grammar's known element names follow the models. Run after changing a model:
//   node scripts/generate-grammar.mjs
// test/client/grammar.test.ts fails while the committed grammar is out of date.
import { build } from 'esbuild';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(import.meta.url), '..', '..');
const bundled = await build({
  stdin: {
    contents: `
      import { v1Vocabulary, v2Vocabulary } from './server/src/engine/index';
      import { almaGrammar } from './client/src/grammar/almaGrammar';
      export const grammar = almaGrammar([...v2Vocabulary, ...v1Vocabulary]);`,
    resolveDir: root,
    loader: 'ts',
  },
  bundle: true,
  write: false,
  format: 'cjs',
  platform: 'node',
  packages: 'external',
  logLevel: 'warning',
});
const module = { exports: {} };
new Function('module', 'exports', 'require', bundled.outputFiles[0].text)(module, module.exports, createRequire(import.meta.url));
const file = join(root, 'syntaxes', 'alma-sis-users.tmLanguage.json');
writeFileSync(file, `${JSON.stringify(module.exports.grammar, null, 2)}\n`);
console.log(`wrote ${file}`);
