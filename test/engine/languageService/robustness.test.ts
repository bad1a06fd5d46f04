import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CodeActionKind, type DocumentSymbol, type Range } from 'vscode-languageserver-types';
import { doComplete } from '../../../server/src/engine/languageService/completion';
import { doHover } from '../../../server/src/engine/languageService/hover';
import { getCodeActions } from '../../../server/src/engine/languageService/codeActions';
import { documentSymbols, foldingRanges } from '../../../server/src/engine/languageService/outline';
import { SAMPLE_SETTINGS, diagnosticsOf, doc, samplesDir } from './serviceFixtures';

/*
 * The editor asks at any position of any text, half-typed or broken: every feature answers
 * (possibly with nothing) and never throws. Deterministic positions and cuts, no randomness.
 */

const files = ['valid', 'invalid'].flatMap((dir) =>
  readdirSync(join(samplesDir, dir)).filter((n) => n.endsWith('.xml')).map((n) => join(samplesDir, dir, n)));

for (const path of files) {
  const name = path.slice(samplesDir.length + 1);
  test(`every feature answers everywhere in ${name}, whole and cut short`, () => {
    // Bytes that are not UTF-8 (the encoding fixtures) read as U+FFFD, as an editor would show them.
    const full = readFileSync(path, 'utf8');
    const step = Math.max(1, Math.floor(full.length / 150));
    for (const cut of [full.length, Math.floor(full.length * 0.61), Math.floor(full.length * 0.37)]) {
      const document = doc(full.slice(0, cut));
      for (let offset = 0; offset <= cut; offset += step) {
        const position = document.positionAt(offset);
        assert.doesNotThrow(() => doComplete(document, position, SAMPLE_SETTINGS), `completion at ${offset}`);
        assert.doesNotThrow(() => doHover(document, position, SAMPLE_SETTINGS), `hover at ${offset}`);
      }
      const diagnostics = diagnosticsOf(document, SAMPLE_SETTINGS);
      for (const diagnostic of diagnostics) {
        const actions = getCodeActions(document, diagnostic.range, { diagnostics: [diagnostic] }, SAMPLE_SETTINGS, diagnostics);
        for (const action of actions) assert.ok(action.edit?.changes?.[document.uri], `${action.title} has no edit`);
      }
      const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
      getCodeActions(document, range, { diagnostics: [], only: [CodeActionKind.SourceFixAll] }, SAMPLE_SETTINGS, diagnostics);
      // What VS Code's DocumentSymbol demands of every symbol, children too (one that fails empties the outline).
      const inside = (a: Range, b: Range): boolean =>
        (a.start.line > b.start.line || (a.start.line === b.start.line && a.start.character >= b.start.character)) &&
        (a.end.line < b.end.line || (a.end.line === b.end.line && a.end.character <= b.end.character));
      const check = (symbol: DocumentSymbol): void => {
        assert.ok(symbol.name.trim() !== '', `a symbol without a name at ${JSON.stringify(symbol.range)}`);
        assert.ok(inside(symbol.selectionRange, symbol.range), `${symbol.name}: selection outside its range`);
        for (const child of symbol.children ?? []) check(child);
      };
      documentSymbols(document).forEach(check);
      for (const fold of foldingRanges(document)) assert.ok(fold.endLine > fold.startLine);
    }
  });
}
