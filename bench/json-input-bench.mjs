#!/usr/bin/env node
// The configuration JSON reader on the largest inputs it accepts (files are read up to 10 MB): code
// tables of 200,000 codes minified (9.4 MB on one line) and of 130,000 codes indented (9.5 MB). The reader of the working tree and the one of an
// earlier revision (by default the last with the hand-written parser) are bundled with esbuild and
// timed in the same process, beside JSON.parse and jsonc-parser alone, so the cost of the locations
// and the strict messages can be told from the cost of jsonc-parser itself.
//
//   node bench/json-input-bench.mjs [--codes 200000] [--indented-codes 130000] [--runs 7] [--before REV]
//
// Prints a Markdown table on stdout, progress on stderr. Needs git and the dev dependencies.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { build } from 'esbuild';
import jsonc from 'jsonc-parser';

const root = resolve(fileURLToPath(import.meta.url), '..', '..');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const CODES = Number(option('--codes', 200_000));
const INDENTED_CODES = Number(option('--indented-codes', 130_000));
const RUNS = Number(option('--runs', 7));
// 82867c8: the last revision whose jsonInput.ts is the hand-written parser.
const BEFORE = option('--before', '82867c8');
const { getNodeValue, parseTree, visit } = jsonc;
// A collection between runs, so one run does not pay for the garbage of the one before.
if (typeof globalThis.gc !== 'function') {
  const child = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(child.status ?? 1);
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const log = (s) => process.stderr.write(`${s}\n`);

const entry = "export { parseJsonDocument } from './server/src/engine/config/jsonInput';\n" +
  "export { parseCodeTables } from './server/src/engine/config/codeTables';\n";

async function bundle(sourceRoot, outFile) {
  await build({ stdin: { contents: entry, resolveDir: sourceRoot, loader: 'ts' }, bundle: true, platform: 'node', format: 'esm',
    outfile: outFile, nodePaths: [join(root, 'node_modules')], logLevel: 'warning' });
  return import(pathToFileURL(outFile).href);
}

const work = mkdtempSync(join(tmpdir(), 'alma-sis-json-bench-'));
try {
  const beforeRoot = join(work, 'before');
  execFileSync('sh', ['-c', `mkdir -p "${beforeRoot}" && git -C "${root}" archive "${BEFORE}" server/src | tar -x -C "${beforeRoot}"`]);
  const before = await bundle(beforeRoot, join(work, 'before.mjs'));
  const now = await bundle(root, join(work, 'now.mjs'));

  const codes = (count) => Array.from({ length: count }, (_, i) => ({ code: `G${i}`, description: `group ${i}` }));
  const inputs = [
    [`${CODES.toLocaleString('en')} codes minified`, JSON.stringify({ userGroups: codes(CODES) })],
    [`${INDENTED_CODES.toLocaleString('en')} codes indented`, JSON.stringify({ userGroups: codes(INDENTED_CODES) }, null, 2)],
  ];
  const readers = [
    ['JSON.parse (no locations, no strict messages)', (text) => JSON.parse(text)],
    ['jsonc-parser visit without callbacks (its scan alone)', (text) => visit(text, {}, { disallowComments: true })],
    ['jsonc-parser parseTree + getNodeValue', (text) => getNodeValue(parseTree(text, [], { disallowComments: true }))],
    [`parseJsonDocument before (${BEFORE}, hand-written)`, (text) => before.parseJsonDocument(text, 'x.json')],
    ['parseJsonDocument now', (text) => now.parseJsonDocument(text, 'x.json')],
    [`parseCodeTables before (${BEFORE})`, (text) => before.parseCodeTables(text, 'x.json')],
    ['parseCodeTables now', (text) => now.parseCodeTables(text, 'x.json')],
  ];

  const rows = [];
  for (const [name, read] of readers) {
    const cells = [];
    for (const [, text] of inputs) {
      read(text); // warm-up: the first run also pays for compiling the reader
      const times = [];
      const cpu = [];
      for (let run = 0; run < RUNS; run++) {
        globalThis.gc();
        const started = performance.now();
        const startedCpu = process.cpuUsage();
        read(text);
        const used = process.cpuUsage(startedCpu);
        times.push(performance.now() - started);
        cpu.push((used.user + used.system) / 1000);
      }
      cells.push(median(times).toFixed(0), median(cpu).toFixed(0));
      log(`${name}: ${cells.slice(-2).join(' / ')} ms`);
    }
    rows.push(`| ${name} | ${cells.join(' | ')} |`);
  }
  const sizes = inputs.map(([layout, text]) => `${layout} ${(text.length / 1e6).toFixed(1)} MB`);
  console.log(`One userGroups table; medians of ${RUNS} runs after a warm-up, wall and CPU ms (CPU counts the GC threads); Node ${process.version}\n`);
  console.log(`| reader | ${sizes[0]} ms | CPU ms | ${sizes[1]} ms | CPU ms |`);
  console.log('|---|---:|---:|---:|---:|');
  for (const row of rows) console.log(row);
} finally {
  rmSync(work, { recursive: true, force: true });
}
