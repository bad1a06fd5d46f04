#!/usr/bin/env node
// Counts the machine instructions `alma-sis validate` executes on a generated users file, under
// valgrind, for this build and optionally another one: a measure of a scanner or checker change that
// does not move with the machine's load. On these shared machines wall time of the same run varies by
// 20% from one minute to the next, which hides a change of a few percent; the count varies by 0.02%.
// Instructions are not time (cache misses and branch mispredictions are not in them): confirm a
// change with validate-bench.mjs too. Run on demand, never from tests.
//
//   node bench/instruction-count.mjs [--users 20k] [--seed 1] [--cli dist/cli.js] [--against OTHER/dist/cli.js]
//
// The default 20k users (52 MB, about 3 minutes a build) is what a steady-state comparison needs: on 3k
// users the compiling of a larger function outweighed its fewer instructions a byte (4.7% more in all,
// where 20k showed 3.9% fewer).
// Files stay under the split size (64 MiB), so one thread does all the work, and node runs with
// --single-threaded: with V8 compiling and collecting on threads of their own, valgrind's serialised
// scheduling changed the count of the same run by more than half.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensureUsersFile } from './generate-users.mjs';
import { dataDir, repoRoot } from './unique.xsd.mjs';
import { parseCount as parseCountOf } from './arguments.mjs';

function usageError(message) {
  process.stderr.write(`instruction-count: ${message}\n` +
    'usage: node bench/instruction-count.mjs [--users 20k] [--seed 1] [--cli PATH] [--against PATH]\n');
  process.exit(2);
}

function parseCount(text, name) {
  return parseCountOf(text, name, usageError);
}

function parseArgs(argv) {
  const options = { users: 20000, seed: 1, cli: join(repoRoot, 'dist', 'cli.js'), against: null };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) usageError(`${arg} needs a value`);
      return argv[++i];
    };
    if (arg === '--users') options.users = parseCount(value(), '--users');
    else if (arg === '--seed') options.seed = parseCount(value(), '--seed');
    else if (arg === '--cli') options.cli = resolve(value());
    else if (arg === '--against') options.against = resolve(value());
    else usageError(`unknown argument ${JSON.stringify(arg)}`);
  }
  if (options.users < 2) usageError('--users must be at least 2');
  // Past the split size a worker thread would take half the file, and valgrind would count both threads.
  if (options.users > 20000) usageError('--users above 20k would reach the split size (64 MiB)');
  return options;
}

async function usersFile(users, seed) {
  mkdirSync(dataDir, { recursive: true });
  const manifest = await ensureUsersFile({ dir: dataDir, users, seed, progress: (message) => process.stderr.write(`${message}\n`) });
  return manifest.file;
}

/** Instructions of one validation, from cachegrind's summary on stderr. */
function count(cli, file) {
  const result = spawnSync('valgrind', [
    '--tool=cachegrind', '--cache-sim=no', '--smc-check=all-non-file', '--cachegrind-out-file=/dev/null',
    process.execPath, '--single-threaded', cli, 'validate', file, '--format', 'json', '--no-progress',
  ], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (result.error) throw result.error;
  // Exit 1 is a validation that found errors, as the generated files' planted duplicates are.
  if (result.status !== 0 && result.status !== 1) {
    throw new Error(`${cli} exited with ${result.status}:\n${result.stderr.split('\n').slice(-20).join('\n')}`);
  }
  const match = /I\s+refs:\s+([\d,]+)/.exec(result.stderr);
  if (!match) throw new Error(`no instruction count in valgrind's output:\n${result.stderr.slice(-2000)}`);
  return Number(match[1].replaceAll(',', ''));
}

const options = parseArgs(process.argv.slice(2));
if (spawnSync('valgrind', ['--version']).error) {
  process.stderr.write('instruction-count: valgrind is not installed (Debian: apt-get install valgrind)\n');
  process.exit(1);
}
const builds = [options.cli, ...(options.against ? [options.against] : [])];
for (const cli of builds) if (!existsSync(cli)) usageError(`${cli} does not exist (npm run build makes dist/cli.js)`);
const file = await usersFile(options.users, options.seed);
// The fixed part (node, the bundle loaded and compiled, one user checked) is taken off.
const floor = await usersFile(2, options.seed);
const bytes = statSync(file).size - statSync(floor).size;

const rows = [];
for (const cli of builds) {
  process.stderr.write(`counting ${cli} ...\n`);
  const whole = count(cli, file);
  const fixed = count(cli, floor);
  rows.push({ cli, whole, fixed, work: whole - fixed });
}
const mega = (n) => (n / 1e6).toFixed(1);
console.log(`| build | ${options.users} users, M instructions | 2 users, M | difference, M | per byte |`);
console.log('|---|---:|---:|---:|---:|');
for (const row of rows) {
  console.log(`| ${row.cli} | ${mega(row.whole)} | ${mega(row.fixed)} | ${mega(row.work)} | ${(row.work / bytes).toFixed(1)} |`);
}
if (rows.length === 2) {
  const change = (rows[0].work / rows[1].work - 1) * 100;
  console.log(`\n- ${rows[0].cli} executes ${Math.abs(change).toFixed(2)}% ${change <= 0 ? 'fewer' : 'more'} instructions than ${rows[1].cli} for the same ${(bytes / 1e6).toFixed(1)} MB`);
}
console.log(`- ${(bytes / 1e6).toFixed(1)} MB between the two files; valgrind cachegrind, node ${process.version} --single-threaded`);
