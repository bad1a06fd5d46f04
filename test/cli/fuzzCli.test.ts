import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { validateBytes, DEFAULT_SETTINGS } from '../../server/src/engine';
import { describeMutant, fuzzCount, fuzzSeed, fuzzTmpdir, mutant, sampleFiles, type Mutant } from '../helpers/userFileMutator';
import { repoRoot } from '../helpers/repoRoot';

/*
 * The 20,000 mutants of test/engine/fuzz (test/helpers/userFileMutator.ts) through the built CLI,
 * as scripts run it: `validate` over folders of 500 (as one set, in text, JSON and SARIF, with and
 * without the sample configuration), `zip --force` of v2 mutants and `validate` of each zip made,
 * `dry-run` of mutants that Alma could parse against the sample export and of the sample feed
 * against mutants as the baseline, and one process per file for a sample of them (some on
 * standard input). Every process must exit 0, 1 or 2, print no stack trace and no internal
 * error (ALMA_SIS_DEBUG=1 makes one show its stack), and JSON and SARIF output must parse. A
 * failing folder is then run file by file to name the mutant; its seed and index, and the folder
 * (kept), are printed.
 */

const cli = join(repoRoot(), 'dist', 'cli.js');
const noCli = existsSync(cli) ? undefined : 'dist/cli.js is not built (node scripts/build.mjs)';
const samplesDir = join(repoRoot(), 'samples');
const BATCH = 500;
const CRASH = /^\s+at |\n\s+at |internal error|TypeError|RangeError|ReferenceError|SyntaxError:|Maximum call stack|FATAL ERROR|heap out of memory|Segmentation/;
/** The rules that make Alma refuse a whole file: the dry-run stops on them (exit 2). */
const FILE_RULES = new Set(['xml-syntax', 'encoding', 'invalid-char', 'doctype', 'root-element', 'schema-version']);

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], cwd: string, input?: Buffer): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      cwd,
      env: { ...process.env, ALMA_SIS_DEBUG: '1' },
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      timeout: 180_000,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr!.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
    if (input !== undefined) child.stdin!.end(input);
  });
}

/** What is wrong with a run, or undefined. */
function problemWith(run: Run, format?: string): string | undefined {
  if (run.signal !== null || run.code === null) return `killed by ${run.signal ?? 'nothing'} (a hang past the timeout, or a crash)`;
  if (run.code !== 0 && run.code !== 1 && run.code !== 2) return `exit code ${run.code}`;
  if (CRASH.test(run.stderr)) return `a crash on stderr: ${run.stderr.slice(0, 3000)}`;
  if ((format === 'json' || format === 'sarif') && run.code !== 2) {
    try {
      JSON.parse(run.stdout);
    } catch (error) {
      return `${format} output that does not parse: ${String(error)}: ${run.stdout.slice(0, 300)}`;
    }
  }
  return undefined;
}

interface Job {
  what: string;
  args: string[];
  format?: string;
  input?: Buffer;
  /** The mutants the run reads, to find the culprit of a failure. */
  mutants: { m: Mutant; path: string }[];
  /** Run after this one succeeds. */
  then?: () => Job | undefined;
}

test('20,000 mutants through the built CLI (validate, zip, dry-run, one file at a time): exit 0, 1 or 2, never a stack trace', { skip: noCli, timeout: 900_000 }, async (t) => {
  const samples = sampleFiles();
  const seed = fuzzSeed();
  const count = fuzzCount();
  const dir = mkdtempSync(join(fuzzTmpdir(), 'alma-sis-fuzz-cli-'));
  const started = performance.now();
  const failures: string[] = [];
  try {
    // The mutants, 500 to a folder.
    const batches: { dir: string; mutants: { m: Mutant; path: string }[] }[] = [];
    for (let index = 0; index < count; index++) {
      const b = Math.floor(index / BATCH);
      if (!batches[b]) {
        batches[b] = { dir: join(dir, `batch-${String(b).padStart(3, '0')}`), mutants: [] };
        mkdirSync(batches[b].dir);
      }
      const m = mutant(samples, seed, index);
      const path = join(batches[b].dir, `m${String(index).padStart(6, '0')}.xml`);
      writeFileSync(path, m.bytes);
      batches[b].mutants.push({ m, path });
    }
    // Which are v2, and which Alma could parse (zip takes one version; the dry-run stops at a file it cannot parse).
    const engineSays = (x: { m: Mutant; path: string }) => {
      const result = validateBytes(x.m.bytes, x.path, DEFAULT_SETTINGS);
      return { v2: result.schemaVersion === 2, parses: !result.findings.some((f) => f.severity === 'error' && FILE_RULES.has(f.rule)) };
    };
    const wrote = performance.now();

    const jobs: Job[] = [];
    const formats = ['text', 'json', 'sarif'];
    batches.forEach((batch, b) => {
      const format = formats[b % 3];
      const config = b % 2 === 1 ? ['--config', join(samplesDir, 'alma-sis.config.json')] : [];
      const strict = b % 4 === 3 ? ['--strict'] : [];
      jobs.push({ what: `validate ${batch.dir} (${format})`, args: ['validate', '--no-progress', '--format', format, ...config, ...strict, batch.dir], format, mutants: batch.mutants });
    });
    const zips = join(dir, 'zips');
    mkdirSync(zips);
    for (const b of [0, 7, 14, 21, 28, 35].filter((n) => n < batches.length)) {
      const chosen = batches[b].mutants.filter((x) => engineSays(x).v2).slice(0, 100);
      const out = join(zips, `batch-${b}.zip`);
      jobs.push({
        what: `zip --force of ${chosen.length} v2 mutants of batch ${b}`,
        args: ['zip', '--force', '--no-progress', '--out', out, ...chosen.map((x) => x.path)],
        mutants: chosen,
        then: () => (existsSync(out) ? { what: `validate ${out}`, args: ['validate', '--no-progress', '--format', 'json', out], format: 'json', mutants: chosen } : undefined),
      });
    }
    const baseline = join(samplesDir, 'dry-run', 'export.xml');
    for (const b of [3, 11, 19, 27].filter((n) => n < batches.length)) {
      const chosen = batches[b].mutants.filter((x) => {
        const says = engineSays(x);
        return says.v2 && says.parses;
      }).slice(0, 100);
      if (chosen.length === 0) continue;
      const format = ['text', 'markdown', 'json'][b % 3];
      jobs.push({ what: `dry-run of ${chosen.length} mutants of batch ${b} (${format})`, args: ['dry-run', '--no-progress', '--format', format, ...chosen.map((x) => x.path), '--baseline', baseline], format, mutants: chosen });
    }
    const all = batches.flatMap((batch) => batch.mutants);
    // Each process costs a start-up (about 0.3 s here): a sample of 40, not all.
    const sample = all.filter((_, i) => i % Math.max(1, Math.floor(all.length / 40)) === 0).slice(0, 40);
    sample.slice(0, 12).forEach((x) => jobs.push({ what: `dry-run with ${x.path} as the baseline`, args: ['dry-run', '--no-progress', join(samplesDir, 'dry-run', 'feed.xml'), '--baseline', x.path], mutants: [x] }));
    sample.forEach((x, i) => {
      if (i % 10 === 9) jobs.push({ what: `validate - < ${x.path}`, args: ['validate', '--no-progress', '-'], input: x.m.bytes, mutants: [x] });
      else jobs.push({ what: `validate ${x.path}`, args: ['validate', '--no-progress', x.path], mutants: [x] });
    });

    // Two at a time: the machine has two cores.
    let processes = 0;
    const failed: { job: Job; why: string }[] = [];
    const queue = [...jobs];
    const worker = async () => {
      for (let job = queue.shift(); job; job = queue.shift()) {
        const run = await runCli(job.args, dir, job.input);
        processes++;
        const why = problemWith(run, job.format);
        if (why) failed.push({ job, why });
        else if (job.then) {
          const next = job.then();
          if (next) queue.push(next);
        }
      }
    };
    await Promise.all([worker(), worker()]);

    // Name the mutant behind each failure: the same command on each of its files alone.
    for (const { job, why } of failed) {
      let culprit = '';
      if (job.mutants.length > 1 && job.args[0] === 'validate') {
        for (const x of job.mutants) {
          const alone = await runCli(['validate', '--no-progress', '--format', job.format ?? 'text', x.path], dir);
          const aloneWhy = problemWith(alone, job.format);
          if (aloneWhy) {
            culprit = `\nalone: ${describeMutant(x.m, x.path)}\n${aloneWhy}`;
            break;
          }
        }
        culprit ||= '\nno file fails alone: only the set fails';
      } else if (job.mutants.length === 1) {
        culprit = `\n${describeMutant(job.mutants[0].m, job.mutants[0].path)}`;
      }
      failures.push(`${job.what}: ${why}${culprit}\n(fuzz seed ${seed}; node dist/cli.js ${job.args.join(' ').slice(0, 300)})`);
      if (failures.length >= 10) break;
    }
    const seconds = (performance.now() - started) / 1000;
    t.diagnostic(`${count} mutants (seed ${seed}) written in ${((wrote - started) / 1000).toFixed(1)} s; ${processes} CLI processes; ${seconds.toFixed(1)} s in all`);
    assert.deepEqual(failures, [], `${failures.length} runs failed; the mutants are kept in ${dir}:\n\n${failures.join('\n\n')}`);
  } finally {
    if (failures.length === 0) rmSync(dir, { recursive: true, force: true });
  }
});
