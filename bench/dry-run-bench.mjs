#!/usr/bin/env node
// Times `alma-sis dry-run` on a generated feed against a generated export of the same size, beside
// `xmllint --stream` reading the same two files in the same run, and checks that the dry-run finds
// exactly the outcomes planted. Run on demand, never from tests.
//
//   node bench/dry-run-bench.mjs [--sizes 10k,100k] [--runs 1] [--seed 1] [--timeout 1800] [--cli dist/cli.js]
//
// stdout gets the Markdown report only; progress goes to stderr.
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { createInterface } from 'node:readline';
import { join, resolve } from 'node:path';
import os from 'node:os';
import { spawnSync } from 'node:child_process';
import { generateUsers, GENERATOR_VERSION, mulberry32 } from './generate-users.mjs';
import { dataDir, repoRoot } from './unique.xsd.mjs';
import { pickRssMeter, timeTool } from './measure.mjs';
import { parseCount as parseCountOf } from './arguments.mjs';

/** Bump when the planted changes change, so older pairs are not reused. */
const PLAN_VERSION = 1;

function usageError(message) {
  process.stderr.write(`dry-run-bench: ${message}\n` +
    'usage: node bench/dry-run-bench.mjs [--sizes 10k,100k] [--runs N] [--seed S] [--timeout SECONDS] [--cli PATH]\n');
  process.exit(2);
}

function parseCount(text, name) {
  return parseCountOf(text, name, usageError);
}

function parseArgs(argv) {
  const options = { sizes: ['10k', '100k'], runs: 1, seed: 1, timeout: 1800, cli: join(repoRoot, 'dist', 'cli.js') };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => (i + 1 < argv.length ? argv[++i] : usageError(`${arg} needs a value`));
    if (arg === '--sizes') options.sizes = value().split(',').filter(Boolean);
    else if (arg === '--runs') options.runs = parseCount(value(), '--runs');
    else if (arg === '--seed') options.seed = parseCount(value(), '--seed');
    else if (arg === '--timeout') options.timeout = parseCount(value(), '--timeout');
    else if (arg === '--cli') options.cli = resolve(value());
    else usageError(`unknown argument ${JSON.stringify(arg)}`);
  }
  return { ...options, sizes: options.sizes.map((label) => ({ label, users: parseCount(label, '--sizes') })) };
}

const progress = (message) => process.stderr.write(`${message}\n`);

/**
 * What each generated user becomes, by share: absent from the export (new in the feed), changed
 * in the feed (updated), each reason of rejection, absent from the feed (its barcode is then
 * someone else's, for identifier-taken), or left alone (unchanged).
 */
const PLAN = [
  ['new', 0.02],
  ['updated', 0.05],
  ['invalid', 0.005],
  ['missing-match-id', 0.005],
  ['internal-user', 0.005],
  ['duplicate-in-feed', 0.005],
  ['identifier-taken', 0.005],
  ['export-only', 0.005],
];

function kindOf(roll) {
  let at = 0;
  for (const [kind, share] of PLAN) {
    at += share;
    if (roll < at) return kind;
  }
  return 'unchanged';
}

const BARCODE_VALUE = /^(\s*<value>)(2\d{13})(<\/value>)$/;

/**
 * Writes the export and the feed from one generated file, a user at a time (the generator writes
 * one element per line, so a user is a run of lines from `<user>` to `</user>`).
 */
async function plantPair(source, exportPath, feedPath, seed) {
  const random = mulberry32(seed ^ 0xd1a7);
  const exportOut = createWriteStream(exportPath);
  const feedOut = createWriteStream(feedPath);
  const write = async (stream, text) => {
    if (!stream.write(text)) await once(stream, 'drain');
  };
  const expected = { total: 0, new: 0, updated: 0, unchanged: 0, rejected: 0, reasons: {} };
  let lastUnchangedBarcode = null;
  let lastExportOnlyBarcode = null;
  let user = null;
  for await (const line of createInterface({ input: createReadStream(source), crlfDelay: Infinity })) {
    if (user === null) {
      if (line.trim() === '<user>') user = [line];
      else {
        await write(exportOut, `${line}\n`);
        await write(feedOut, `${line}\n`);
      }
      continue;
    }
    user.push(line);
    if (line.trim() !== '</user>') continue;
    const lines = user;
    user = null;
    let kind = kindOf(random());
    const barcodeAt = lines.findIndex((l) => BARCODE_VALUE.test(l));
    const barcode = BARCODE_VALUE.exec(lines[barcodeAt])[2];
    if (kind === 'duplicate-in-feed' && lastUnchangedBarcode === null) kind = 'unchanged';
    if (kind === 'identifier-taken' && lastExportOnlyBarcode === null) kind = 'unchanged';
    let exportLines = lines;
    let feedLines = lines;
    switch (kind) {
      case 'new':
        exportLines = [];
        break;
      case 'export-only':
        feedLines = [];
        lastExportOnlyBarcode = barcode;
        break;
      case 'updated': {
        feedLines = lines.map((l) => l.replace(/<user_group desc="[^"]*">[^<]*</, '<user_group desc="Changed">CHANGED<'));
        // Every other one also loses its phones: swap-all removes them.
        if (random() < 0.5) {
          const from = feedLines.findIndex((l) => l.trim() === '<phones>');
          const to = feedLines.findIndex((l) => l.trim() === '</phones>');
          feedLines = [...feedLines.slice(0, from), ...feedLines.slice(to + 1)];
        }
        break;
      }
      case 'invalid':
        feedLines = lines.map((l) => l.replace(/<expiry_date>[^<]*</, '<expiry_date>2027-13-01<'));
        break;
      case 'missing-match-id':
        feedLines = lines.filter((l) => !l.includes('<primary_id>'));
        break;
      case 'internal-user': {
        const at = lines.findIndex((l) => l.includes('<primary_id>'));
        exportLines = [...lines.slice(0, at + 1), '    <account_type desc="Internal">INTERNAL</account_type>', ...lines.slice(at + 1)];
        break;
      }
      case 'duplicate-in-feed':
      case 'identifier-taken': {
        const taken = kind === 'duplicate-in-feed' ? lastUnchangedBarcode : lastExportOnlyBarcode;
        feedLines = [...lines];
        feedLines[barcodeAt] = lines[barcodeAt].replace(BARCODE_VALUE, `$1${taken}$3`);
        break;
      }
      default:
        lastUnchangedBarcode = barcode;
    }
    if (exportLines.length > 0) await write(exportOut, `${exportLines.join('\n')}\n`);
    if (feedLines.length > 0) {
      await write(feedOut, `${feedLines.join('\n')}\n`);
      expected.total++;
      if (kind === 'new' || kind === 'updated' || kind === 'unchanged') expected[kind]++;
      else {
        expected.rejected++;
        expected.reasons[kind] = (expected.reasons[kind] ?? 0) + 1;
      }
    }
  }
  exportOut.end();
  feedOut.end();
  await Promise.all([finished(exportOut), finished(feedOut)]);
  return expected;
}

/** The export and feed for `users`, made once and reused while the generator and plan are the same. */
async function ensurePair(users, label, seed) {
  const base = join(dataDir, `dry-run-${label}-seed${seed}`);
  const pair = { exportPath: `${base}-export.xml`, feedPath: `${base}-feed.xml`, manifestPath: `${base}.json` };
  if (existsSync(pair.manifestPath) && existsSync(pair.exportPath) && existsSync(pair.feedPath)) {
    const manifest = JSON.parse(readFileSync(pair.manifestPath, 'utf8'));
    if (manifest.generatorVersion === GENERATOR_VERSION && manifest.planVersion === PLAN_VERSION && manifest.users === users &&
        manifest.exportBytes === statSync(pair.exportPath).size && manifest.feedBytes === statSync(pair.feedPath).size) {
      progress(`reusing ${pair.exportPath} and ${pair.feedPath}`);
      return { ...pair, expected: manifest.expected };
    }
  }
  const source = `${base}-source.xml`;
  progress(`generating ${label} users and planting the dry-run outcomes`);
  await generateUsers({ users, out: source, seed, duplicates: 0 });
  const expected = await plantPair(source, pair.exportPath, pair.feedPath, seed);
  writeFileSync(pair.manifestPath, JSON.stringify({
    generatorVersion: GENERATOR_VERSION, planVersion: PLAN_VERSION, users, seed, expected,
    exportBytes: statSync(pair.exportPath).size, feedBytes: statSync(pair.feedPath).size,
  }, null, 2));
  return { ...pair, expected };
}

/** The dry-run's counts against the planted ones, per reason. */
function checkCounts(jsonPath, expected) {
  const report = JSON.parse(readFileSync(jsonPath, 'utf8'));
  const reasons = {};
  for (const user of report.users) if (user.reason) reasons[user.reason] = (reasons[user.reason] ?? 0) + 1;
  const problems = [];
  for (const key of ['total', 'new', 'updated', 'unchanged', 'rejected']) {
    if (report.summary[key] !== expected[key]) problems.push(`${key} ${report.summary[key]}, planted ${expected[key]}`);
  }
  for (const reason of new Set([...Object.keys(reasons), ...Object.keys(expected.reasons)])) {
    if ((reasons[reason] ?? 0) !== (expected.reasons[reason] ?? 0)) problems.push(`${reason} ${reasons[reason] ?? 0}, planted ${expected.reasons[reason] ?? 0}`);
  }
  return { summary: report.summary, problems };
}

const mb = (bytes) => (bytes / 1e6).toFixed(1);
const seconds = (r) => (r.failure ? `failed: ${String(r.failure).replace(/\|/g, '\\|').slice(0, 60)}` : r.seconds.toFixed(2));
const rss = (r) => (r.failure || r.rssKB === null ? 'n/a' : (r.rssKB / 1024).toFixed(0));
const cpu = (r) => (r.failure || r.cpuSeconds == null ? 'n/a' : r.cpuSeconds.toFixed(2));

const loadAverage = () => os.loadavg().map((l) => l.toFixed(1)).join(' ');

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const started = loadAverage();
  mkdirSync(dataDir, { recursive: true });
  const meter = pickRssMeter();
  const xmllint = !spawnSync('xmllint', ['--version']).error;
  const rows = [];
  const notes = [];
  for (const size of options.sizes) {
    const pair = await ensurePair(size.users, size.label, options.seed);
    const out = join(dataDir, `dry-run-${size.label}-seed${options.seed}`);
    const files = { stdoutPath: `${out}.alma-sis.json`, stderrPath: `${out}.alma-sis.err` };
    progress(`${size.label}: alma-sis dry-run`);
    const ours = existsSync(options.cli)
      ? await timeTool(meter, options.runs, process.execPath, [options.cli, 'dry-run', pair.feedPath, '--baseline', pair.exportPath, '--format', 'json', '--no-progress'], files, [0, 1], options.timeout)
      : { failure: `${options.cli} not built (npm run build)` };
    let xmllintCell = 'absent';
    if (xmllint) {
      progress(`${size.label}: xmllint --stream`);
      const lint = async (path, tag) => timeTool(meter, options.runs, 'xmllint', ['--noout', '--stream', path],
        { stdoutPath: `${out}.xmllint-${tag}.out`, stderrPath: `${out}.xmllint-${tag}.err` }, [0], options.timeout);
      const [feed, exported] = [await lint(pair.feedPath, 'feed'), await lint(pair.exportPath, 'export')];
      xmllintCell = feed.failure || exported.failure ? seconds(feed.failure ? feed : exported) : (feed.seconds + exported.seconds).toFixed(2);
    }
    let counts = { summary: null, problems: ['no output'] };
    if (!ours.failure) counts = checkCounts(files.stdoutPath, pair.expected);
    const s = counts.summary;
    rows.push(`| ${size.label} | ${mb(statSync(pair.feedPath).size)} | ${mb(statSync(pair.exportPath).size)} | ${seconds(ours)} | ${cpu(ours)} | ${rss(ours)} | ` +
      `${s ? `${s.new} | ${s.updated} | ${s.unchanged} | ${s.rejected}` : 'n/a | n/a | n/a | n/a'} | ${counts.problems.length === 0 ? 'yes' : 'no'} | ${xmllintCell} |`);
    if (counts.problems.length > 0) notes.push(`${size.label}: not as planted: ${counts.problems.join('; ')}`);
    notes.push(`${size.label}: planted rejections ${JSON.stringify(pair.expected.reasons)}`);
  }
  const report = [
    '| users | feed MB | export MB | alma-sis dry-run s | CPU s | peak RSS MB | new | updated | unchanged | rejected | as planted | xmllint --stream feed + export s |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|',
    ...rows,
    '',
    ...notes.map((n) => `- ${n}`),
    `- machine: ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown CPU'}, node ${process.version}; load average ${started} at the start, ${loadAverage()} at the end`,
    '- CPU s: user + system seconds of the dry-run process, both threads (GNU time); less disturbed by other load than the wall clock',
    `- wall seconds are the median of ${options.runs} run(s), RSS the largest; peak RSS via ${meter.name}; MB = 10^6 bytes; ` +
      'the dry-run reads the export on a worker thread while it scans and validates the feed',
  ];
  process.stdout.write(`${report.join('\n')}\n`);
}

main().catch((error) => {
  process.stderr.write(`dry-run-bench: ${error.stack ?? error}\n`);
  process.exit(1);
});
