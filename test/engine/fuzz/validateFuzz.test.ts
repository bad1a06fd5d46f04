import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { validateBytes, loadCodeTables, languageService, RULES, type ValidationSettings, type Range } from '../../../server/src/engine';
import { describeMutant, fuzzCount, fuzzSeed, fuzzTmpdir, mutant, randomFor, sampleFiles, type Mutant } from '../../helpers/userFileMutator';
import { repoRoot } from '../../helpers/repoRoot';

/*
 * 20,000 grammar-aware mutants of the samples (test/helpers/userFileMutator.ts) through the engine
 * in-process, each under settings of its own (strict or not, code tables, profile version, match
 * id, users or researchers): validation never throws, every finding is well-formed (a known rule
 * and severity, a range inside the text's coordinates, words without a hole in them), and the
 * outline and folding of the text never throw either. test/cli/fuzzCli.test.ts runs the same
 * mutants through the built CLI. A failure names the seed and the mutant's index and keeps its
 * bytes in a file; ALMA_SIS_FUZZ_SEED and ALMA_SIS_FUZZ_COUNT explore further.
 */

const RULE_IDS = new Set(RULES.map((rule) => rule.id));

function checkRange(range: Range, what: string): void {
  for (const point of [range.start, range.end]) {
    assert.ok(Number.isInteger(point.line) && point.line >= 0 && Number.isInteger(point.character) && point.character >= 0, `${what}: ${JSON.stringify(range)}`);
  }
  const ordered = range.start.line < range.end.line || (range.start.line === range.end.line && range.start.character <= range.end.character);
  assert.ok(ordered, `${what}: the range ends before it starts: ${JSON.stringify(range)}`);
}

test('20,000 mutants of the samples: the engine never throws and every finding is well-formed', { timeout: 600_000 }, async (t) => {
  const samples = sampleFiles();
  const seed = fuzzSeed();
  const count = fuzzCount();
  const codeTables = await loadCodeTables(join(repoRoot(), 'samples', 'code-tables.json'));
  const failures: string[] = [];
  let kept: string | undefined;
  const keep = (m: Mutant): string => {
    kept ??= mkdtempSync(join(fuzzTmpdir(), 'alma-sis-fuzz-failures-'));
    const path = join(kept, `mutant-${m.seed}-${m.index}.xml`);
    writeFileSync(path, m.bytes);
    return path;
  };
  const started = performance.now();
  let bytes = 0;
  let findings = 0;
  for (let index = 0; index < count && failures.length < 10; index++) {
    const m = mutant(samples, seed, index);
    bytes += m.bytes.length;
    const pick = randomFor(seed ^ 0x5e771, index);
    const settings: ValidationSettings = {
      rules: pick.chance(0.1) ? { 'pin-format': 'off', 'unknown-code': 'error' } : {},
      strict: pick.chance(0.3),
      codeTables: pick.chance(0.5) ? codeTables : undefined,
      usedFor: pick.pick(['users', 'researchers', 'both'] as const),
      matchIdType: pick.pick(['primary_id', 'BARCODE', 'UNIV_ID']),
      xsdVersion: pick.pick([undefined, 1, 2] as const),
    };
    try {
      const result = validateBytes(m.bytes, `m${index}.xml`, settings);
      findings += result.findings.length;
      for (const f of result.findings) {
        assert.ok(RULE_IDS.has(f.rule), `unknown rule ${f.rule}`);
        assert.ok(f.severity === 'error' || f.severity === 'warning' || f.severity === 'info', `severity ${f.severity}`);
        assert.ok(typeof f.message === 'string' && f.message.length > 0, `${f.rule}: no message`);
        assert.doesNotMatch(f.message, /undefined|\[object Object\]|\$\{|\{\{/, `${f.rule}: a hole in the message`);
        checkRange(f.range, `${f.rule} ${f.message}`);
        for (const r of f.related) checkRange(r.range, `${f.rule} related`);
      }
      if (index % 4 === 0) {
        // What an editor does with the same text: the outline and folding read all of it.
        const document = TextDocument.create(`file:///m${index}.xml`, 'xml', 1, m.bytes.toString('utf8'));
        languageService.findDocumentSymbols(document);
        languageService.getFoldingRanges(document);
      }
    } catch (error) {
      const stack = error instanceof Error ? error.stack ?? error.message : String(error);
      failures.push(`${describeMutant(m, keep(m))}\nsettings ${JSON.stringify({ ...settings, codeTables: settings.codeTables ? 'samples/code-tables.json' : undefined })}\n${stack}`);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  t.diagnostic(`${count} mutants, ${(bytes / 1048576).toFixed(1)} MB, ${findings} findings in ${seconds.toFixed(1)} s (seed ${seed})`);
  assert.deepEqual(failures, [], `${failures.length} mutants failed:\n\n${failures.join('\n\n')}`);
});
