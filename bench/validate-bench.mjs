#!/usr/bin/env node
// Times our validator against xmllint on generated users files, in the same run, and checks that our
// validator reports every planted duplicate identifier. Run on demand (`npm run bench`), never from tests.
//
//   node bench/validate-bench.mjs [--sizes 1k,10k,100k,300k] [--runs 1] [--seed 1] [--compact] [--timeout 1800]
//                                 [--cli dist/cli.js]
//
// stdout gets the Markdown report only; progress goes to stderr.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import os from 'node:os';
import { ensureUsersFile } from './generate-users.mjs';
import { buildUniqueSchema, dataDir, repoRoot, sharedAlmaDir } from './unique.xsd.mjs';
import { pickRssMeter, timeTool } from './measure.mjs';
import { parseCount as parseCountOf } from './arguments.mjs';

function usageError(message) {
  process.stderr.write(`validate-bench: ${message}\n` +
    'usage: node bench/validate-bench.mjs [--sizes 1k,10k,100k,300k] [--runs 1] [--seed 1] [--compact] [--timeout SECONDS] [--cli PATH]\n');
  process.exit(2);
}

function parseCount(text, name) {
  return parseCountOf(text, name, usageError);
}

function parseArgs(argv) {
  const options = {
    sizes: ['1k', '10k', '100k', '300k'], runs: 1, seed: 1, compact: false, timeout: 1800,
    cli: join(repoRoot, 'dist', 'cli.js'),
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) usageError(`${arg} needs a value`);
      return argv[++i];
    };
    if (arg === '--sizes') options.sizes = value().split(',').map((s) => s.trim()).filter(Boolean);
    else if (arg === '--runs') options.runs = parseCount(value(), '--runs');
    else if (arg === '--seed') options.seed = parseCount(value(), '--seed');
    else if (arg === '--timeout') options.timeout = parseCount(value(), '--timeout');
    else if (arg === '--compact') options.compact = true;
    // Another build of the CLI, e.g. to compare before and after a change.
    else if (arg === '--cli') options.cli = resolve(value());
    else usageError(`unknown argument ${JSON.stringify(arg)}`);
  }
  if (options.sizes.length === 0) usageError('--sizes is empty');
  if (options.runs < 1) usageError('--runs must be at least 1');
  if (options.timeout < 1) usageError('--timeout must be at least 1 second');
  options.sizes = options.sizes.map((label) => ({ label, users: parseCount(label, '--sizes') }));
  for (const { label, users } of options.sizes) if (users < 1) usageError(`size ${label} has no users`);
  return options;
}

function progress(message) {
  process.stderr.write(`${message}\n`);
}


/** Lines (1-based) where our JSON output reports duplicate-identifier. */
function duplicateLinesFromJson(path) {
  const report = JSON.parse(readFileSync(path, 'utf8'));
  if (!report || !Array.isArray(report.files)) throw new Error('no "files" array in the JSON output');
  const lines = new Set();
  for (const file of report.files) {
    for (const diagnostic of file.diagnostics ?? []) {
      if ((diagnostic.rule ?? diagnostic.code) === 'duplicate-identifier') {
        lines.add(diagnostic.range.start.line + 1);
      }
    }
  }
  return lines;
}

/** Lines xmllint blames for a broken identity constraint, how many such reports, and other errors. */
function xmllintFindings(stderrPath) {
  const duplicateLines = new Set();
  let duplicateReports = 0;
  let otherErrors = 0;
  for (const line of readFileSync(stderrPath, 'utf8').split('\n')) {
    const match = /:(\d+): Schemas validity error : .*Duplicate key-sequence/.exec(line);
    if (match) {
      duplicateLines.add(Number(match[1]));
      duplicateReports++;
    } else if (/error/i.test(line)) {
      otherErrors++;
    }
  }
  return { duplicateLines, duplicateReports, otherErrors };
}

const mb = (bytes) => bytes / 1e6;
const fixed = (n, digits = 2) => n.toFixed(digits);
const rssCell = (kB) => (kB === null ? 'n/a' : fixed(mb(kB * 1024), 0));
const cell = (text) => String(text).replace(/\|/g, '\\|').replace(/\s+/g, ' ').slice(0, 80);

async function benchOneSize({ label, users }, options, tools) {
  const manifest = await ensureUsersFile({ dir: dataDir, users, label, seed: options.seed, compact: options.compact, progress });
  const file = manifest.file;
  const base = file.replace(/\.xml$/, '');
  const sizeMB = mb(manifest.bytes);
  const planted = manifest.duplicates;
  const row = { label, sizeMB, notes: [] };

  if (!existsSync(options.cli)) {
    row.ours = 'not built';
  } else {
    progress(`  alma-sis validate ${label} ...`);
    const files = { stdoutPath: `${base}.alma-sis.json`, stderrPath: `${base}.alma-sis.err` };
    // Exit 1 means "errors found", which the planted duplicates guarantee.
    const result = await timeTool(tools.meter, options.runs, process.execPath,
      [options.cli, 'validate', file, '--format', 'json'], files, [0, 1], options.timeout);
    if (result.failure) {
      row.ours = `error: ${result.failure}`;
      row.notes.push(`alma-sis failed: ${result.failure}`);
    } else {
      row.ours = result;
      try {
        const lines = duplicateLinesFromJson(files.stdoutPath);
        const found = planted.filter((d) => lines.has(d.line)).length;
        row.dups = `${found}/${planted.length}`;
        const plantedLines = new Set(planted.map((d) => d.line));
        const extra = [...lines].filter((l) => !plantedLines.has(l)).length;
        row.notes.push(`alma-sis: planted duplicates found: ${found}/${planted.length}` +
          (extra ? `; ${extra} duplicate-identifier reports on other lines` : ''));
        if (found < planted.length) {
          const missed = planted.filter((d) => !lines.has(d.line)).slice(0, 3)
            .map((d) => `line ${d.line} (${d.kind} ${d.value})`);
          row.notes.push(`alma-sis missed: ${missed.join(', ')}${planted.length - found > 3 ? ', ...' : ''}`);
        }
      } catch (error) {
        row.dups = 'bad JSON';
        row.notes.push(`alma-sis: cannot read its JSON output ${files.stdoutPath}: ${error.message}`);
      }
    }
  }

  if (!tools.xmllint) {
    row.unique = row.wellFormed = 'xmllint not found';
  } else {
    if (!tools.uniqueSchema) {
      row.unique = 'skipped (no schema)';
    } else {
      progress(`  xmllint --stream --schema (unique) ${label} ...`);
      const files = { stdoutPath: `${base}.xmllint-unique.out`, stderrPath: `${base}.xmllint-unique.err` };
      // Exit 3 is "fails to validate": expected, the planted duplicates make the file invalid.
      const result = await timeTool(tools.meter, options.runs, 'xmllint',
        ['--noout', '--stream', '--schema', tools.uniqueSchema, file], files, [0, 3], options.timeout);
      row.unique = result.failure ? `error: ${result.failure}` : result;
      if (result.failure) {
        row.notes.push(`xmllint --schema (unique) failed: ${result.failure}`);
      } else {
        const { duplicateLines, duplicateReports, otherErrors } = xmllintFindings(files.stderrPath);
        const found = planted.filter((d) => duplicateLines.has(d.line)).length;
        row.notes.push(`xmllint (unique): ${found}/${planted.length} planted duplicates reported, ` +
          `${Math.max(0, duplicateReports - found)} other duplicate reports, ${otherErrors} other error lines`);
      }
    }
    progress(`  xmllint --stream ${label} ...`);
    const files = { stdoutPath: `${base}.xmllint-wf.out`, stderrPath: `${base}.xmllint-wf.err` };
    const result = await timeTool(tools.meter, options.runs, 'xmllint', ['--noout', '--stream', file], files, [0],
      options.timeout);
    row.wellFormed = result.failure ? `error: ${result.failure}` : result;
    if (result.failure) row.notes.push(`xmllint --stream failed: ${result.failure}`);
  }
  return row;
}

function renderTable(rows) {
  const header = ['users', 'size MB', 'alma-sis s', 'MB/s', 'peak RSS MB', 'dups found',
    'xmllint --stream --schema (unique) s', 'RSS MB', 'xmllint --stream s'];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map((h, i) => (i === 0 ? '---' : '---:')).join('|')}|`];
  for (const row of rows) {
    const ours = typeof row.ours === 'string'
      ? [cell(row.ours), '', '', '']
      : [fixed(row.ours.seconds), fixed(row.sizeMB / row.ours.seconds, 1), rssCell(row.ours.rssKB), row.dups ?? ''];
    const unique = typeof row.unique === 'string' ? [cell(row.unique), ''] : [fixed(row.unique.seconds), rssCell(row.unique.rssKB)];
    const wellFormed = typeof row.wellFormed === 'string' ? cell(row.wellFormed) : fixed(row.wellFormed.seconds);
    lines.push(`| ${[row.label, fixed(row.sizeMB, 1), ...ours, ...unique, wellFormed].join(' | ')} |`);
  }
  return lines.join('\n');
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  mkdirSync(dataDir, { recursive: true });
  const meter = pickRssMeter();
  const xmllintVersion = spawnSync('xmllint', ['--version'], { encoding: 'utf8' });
  const xmllint = !xmllintVersion.error;
  const setupNotes = [];
  let uniqueSchema = null;
  try {
    uniqueSchema = buildUniqueSchema();
  } catch (error) {
    setupNotes.push(`xmllint --schema column skipped: ${error.message} (looked in ${sharedAlmaDir})`);
    progress(setupNotes.at(-1));
  }
  if (!existsSync(options.cli)) setupNotes.push(`alma-sis columns: ${options.cli} not built (run \`npm run build\`)`);

  const rows = [];
  for (const size of options.sizes) {
    progress(`${size.label} users`);
    rows.push(await benchOneSize(size, options, { meter, xmllint, uniqueSchema }));
  }

  const libxml = xmllint ? (/using libxml version (\S+)/.exec(xmllintVersion.stderr ?? '')?.[1] ?? '?') : 'absent';
  const out = [renderTable(rows), ''];
  for (const row of rows) for (const note of row.notes) out.push(`- ${row.label}: ${note}`);
  for (const note of setupNotes) out.push(`- ${note}`);
  out.push(`- machine: ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown CPU'}, node ${process.version}, ` +
    `libxml ${libxml}; ${options.compact ? 'compact' : 'indented'} files, seed ${options.seed}`);
  out.push(`- wall seconds are the median of ${options.runs} run(s), RSS the largest; peak RSS via ${meter.name}; ` +
    'MB = 10^6 bytes');
  process.stdout.write(`${out.join('\n')}\n`);
}

main().catch((error) => {
  process.stderr.write(`validate-bench: ${error.stack ?? error}\n`);
  process.exit(1);
});
