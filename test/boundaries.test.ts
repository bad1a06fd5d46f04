import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { importViolations, specifiersOf } from './helpers/importBoundaries';
import { repoRoot } from './helpers/repoRoot';

test('imports point one way: adapters reach the engine through its face, the engine and the protocol reach no editor, the client no engine', () => {
  assert.deepEqual(importViolations(repoRoot()), []);
});

test('the boundary check finds every kind of crossing import', () => {
  const root = mkdtempSync(join(tmpdir(), 'alma-sis-boundaries-'));
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  try {
    write('server/src/engine/index.ts', "export * from './rules/ruleTable';\n");
    write('server/src/engine/rules/ruleTable.ts', "import type { Diagnostic } from 'vscode-languageserver';\nimport { x } from '../../lsp/server';\n");
    write('server/src/engine/xml/scanner.ts', "import * as vscode from 'vscode';\n");
    write('server/src/protocol/messages.ts', "import { RULES } from '../engine';\nimport { RequestType } from 'vscode-languageserver-protocol';\n");
    write('server/src/lsp/server.ts', "import { RULES } from '../engine';\nimport { ruleDef } from '../engine/rules/ruleTable';\nimport { main } from '../cli/main';\n");
    write('server/src/cli/main.ts', "import { RULES } from '../engine/index';\nexport { scan } from '../engine/xml/scanner';\nconst lazy = () => import('../lsp/server');\n");
    write('client/src/extension.ts', "import { RULES } from '../../server/src/engine/index';\nimport { x } from '../../server/src/lsp/server';\nimport { SETTINGS_SECTION } from '../../server/src/protocol/settings';\nconst engine = require('../../server/src/engine/index.js');\n");
    const found = importViolations(root).map((v) => `${v.file} ${v.specifier}: ${v.rule}`).sort();
    assert.deepEqual(found, [
      'client/src/extension.ts ../../server/src/engine/index.js: the client imports no engine, server or CLI module: only the protocol',
      'client/src/extension.ts ../../server/src/engine/index: the client imports no engine, server or CLI module: only the protocol',
      'client/src/extension.ts ../../server/src/lsp/server: the client imports no engine, server or CLI module: only the protocol',
      'server/src/cli/main.ts ../engine/xml/scanner: an adapter imports the engine only through server/src/engine/index.ts',
      'server/src/cli/main.ts ../lsp/server: the CLI does not import the language server',
      'server/src/engine/rules/ruleTable.ts ../../lsp/server: the engine imports only the engine',
      'server/src/engine/rules/ruleTable.ts vscode-languageserver: the engine imports no editor or LSP package',
      'server/src/engine/xml/scanner.ts vscode: the engine imports no editor or LSP package',
      'server/src/lsp/server.ts ../cli/main: the language server does not import the CLI',
      'server/src/lsp/server.ts ../engine/rules/ruleTable: an adapter imports the engine only through server/src/engine/index.ts',
      'server/src/protocol/messages.ts ../engine: the protocol imports only the protocol',
    ]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('module specifiers are found in every form an import takes', () => {
  const source = [
    "import a from './a';",
    "import type { B } from './b';",
    "import {\n  c,\n  d,\n} from './c';",
    "export { e } from './e';",
    "export * as f from './f';",
    "import './g';",
    "const h = await import('./h');",
    "const i = require('./i');",
  ].join('\n');
  assert.deepEqual(specifiersOf(source).sort(), ['./a', './b', './c', './e', './f', './g', './h', './i']);
});
