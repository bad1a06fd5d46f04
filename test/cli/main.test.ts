import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RULES } from '../../server/src/engine/rules/ruleTable';
import { repoRoot } from '../helpers/repoRoot';

/** End-to-end: the bundled dist/cli.js run as a child process on real files. */

const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';
const USER = '<user><primary_id>a1</primary_id><first_name>A</first_name><last_name>B</last_name>';
const VALID = `${DECLARATION}<users>${USER}</user></users>`;
const INVALID = `${DECLARATION}<users>${USER}<expiry_date>2025-13-01</expiry_date></user></users>`;
/** 1-based columns on line 2, as the text format prints them. */
const DATE_COLUMN = INVALID.split('\n')[1].indexOf('2025-13-01') + 1;
const ID_COLUMN = INVALID.split('\n')[1].indexOf('a1') + 1;

const root = repoRoot();
const cli = join(root, 'dist', 'cli.js');
let dir: string;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface RunOptions {
  cwd?: string;
  /** A file descriptor for the child's stdout instead of a pipe. */
  stdoutFd?: number;
  /** Like `| head -1`: take the first chunk, then close the pipe while the CLI is still writing. */
  closeStdoutEarly?: boolean;
}

function run(args: string[], options: RunOptions = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      cwd: options.cwd ?? dir,
      stdio: ['ignore', options.stdoutFd ?? 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (text: string) => {
      stdout += text;
      if (options.closeStdoutEarly) child.stdout?.destroy();
    });
    child.stderr?.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Exit code 2, nothing on stdout, one `alma-sis: ` line on stderr and no stack trace. */
function assertFailure(result: Run, pattern: RegExp): void {
  assert.equal(result.code, 2, result.stderr);
  assert.equal(result.stdout, '');
  assert.match(result.stderr, /^alma-sis: [^\n]+\n$/);
  assert.match(result.stderr, pattern);
  assert.doesNotMatch(result.stderr, /\n\s+at |Error:/);
}

function usersFile(count: number, extra: (i: number) => string): string {
  const users: string[] = [];
  for (let i = 0; i < count; i++) {
    users.push(`<user><primary_id>u${i}</primary_id><first_name>Alexandra</first_name><last_name>Bartholomew</last_name>${extra(i)}</user>`);
  }
  return `${DECLARATION}<users>\n${users.join('\n')}\n</users>\n`;
}

before(() => {
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
  dir = mkdtempSync(join(tmpdir(), 'alma-sis-cli-'));
  writeFileSync(join(dir, 'valid.xml'), VALID);
  writeFileSync(join(dir, 'invalid.xml'), INVALID);
  writeFileSync(join(dir, 'readme.txt'), 'not XML');
  execFileSync('zip', ['-q', 'feed.zip', 'valid.xml', 'invalid.xml', 'readme.txt'], { cwd: dir });
  writeFileSync(join(dir, 'corrupt.zip'), 'PK\u0003\u0004 this is not really a zip');
  writeFileSync(join(dir, 'broken.config.json'), '{ "rules": { "invalid-date": "warning" ');
  mkdirSync(join(dir, 'lenient'));
  writeFileSync(join(dir, 'lenient', 'invalid.xml'), INVALID);
  writeFileSync(join(dir, 'lenient', 'alma-sis.config.json'), JSON.stringify({ rules: { 'invalid-date': 'warning' } }));
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('alma-sis (built CLI)', () => {
  it('prints help and the version', async () => {
    const help = await run(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: alma-sis <command> \[options\]$/m);
    assert.match(help.stdout, /^ {2}validate {2}/m);
    assert.equal(help.stderr, '');

    const validateHelp = await run(['validate', '--help']);
    assert.equal(validateHelp.code, 0);
    assert.match(validateHelp.stdout, /^Usage: alma-sis validate \[<file\|folder\|zip>\.\.\.\] \[options\]$/m);
    for (const option of ['--config FILE', '--profile CODE', '--strict', '--format FORMAT', '--no-progress', '--quiet']) {
      assert.ok(validateHelp.stdout.includes(option), option);
    }

    const version = await run(['--version']);
    assert.equal(version.code, 0);
    assert.equal(version.stdout, `${JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version}\n`);
  });

  it('exits 0 for a valid file and prints the summary', async () => {
    const result = await run(['validate', 'valid.xml']);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /^valid\.xml: 1 file, 1 user: 0 errors, \d+ warnings?, \d+ infos?\n$/m);
    assert.equal(result.stderr, '');
  });

  it('exits 1 for an error, with path:line:col: severity rule message lines', async () => {
    const result = await run(['validate', 'invalid.xml']);
    assert.equal(result.code, 1, result.stderr);
    const lines = result.stdout.trimEnd().split('\n');
    assert.ok(lines.some((line) => line.startsWith(`invalid.xml:2:${DATE_COLUMN}: error invalid-date "2025-13-01" `)), result.stdout);
    for (const line of lines.slice(0, -1)) {
      assert.match(line, /^(invalid\.xml:\d+:\d+: (error|warning|info) [a-z0-9-]+ \S.*| {2}\S+:\d+:\d+: note: \S.*)$/);
    }
    // The invalid date rejects the user, and the summary says how many users are rejected.
    assert.match(lines.at(-1)!, /^invalid\.xml: 1 file, 1 user: 1 error, \d+ warnings?, \d+ infos?; the errors reject 1 user$/);
  });

  it('checks identifiers across the files of a set, pointing at the first use', async () => {
    const result = await run(['validate', 'valid.xml', 'invalid.xml']);
    assert.equal(result.code, 1);
    const lines = result.stdout.split('\n');
    const duplicate = lines.findIndex((line) => line.startsWith(`invalid.xml:2:${ID_COLUMN}: error duplicate-identifier `));
    assert.ok(duplicate >= 0, result.stdout);
    assert.match(lines[duplicate + 1], new RegExp(`^ {2}valid\\.xml:2:${ID_COLUMN}: note: `));
    assert.match(result.stdout, /^2 files, 2 users: 2 errors, /m);
  });

  it('validates the XML entries of a zip and notes what it skipped', async () => {
    const result = await run(['validate', 'feed.zip']);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /^feed\.zip!\/readme\.txt: note: /m);
    assert.match(result.stdout, new RegExp(`^feed\\.zip!/invalid\\.xml:2:${DATE_COLUMN}: error invalid-date `, 'm'));
    assert.match(result.stdout, /^2 files, 2 users: /m);
  });

  it('writes JSON with 0-based ranges in the documented shape', async () => {
    const result = await run(['validate', '--format', 'json', 'invalid.xml']);
    assert.equal(result.code, 1);
    const report = JSON.parse(result.stdout);
    assert.deepEqual(Object.keys(report), ['files', 'summary']);
    assert.deepEqual(Object.keys(report.summary), ['files', 'users', 'errors', 'warnings', 'infos', 'rejectedUsers']);
    const [file] = report.files;
    assert.deepEqual(Object.keys(file), ['path', 'schemaVersion', 'users', 'diagnostics']);
    assert.equal(file.path, 'invalid.xml');
    assert.equal(file.schemaVersion, 2);
    const date = file.diagnostics.find((d: { rule: string }) => d.rule === 'invalid-date');
    // An invalid date rejects its user: the diagnostic names the user and lists every place it stands for.
    assert.deepEqual(Object.keys(date), ['rule', 'severity', 'message', 'range', 'related', 'primaryId', 'places']);
    assert.deepEqual(date.range, { start: { line: 1, character: DATE_COLUMN - 1 }, end: { line: 1, character: DATE_COLUMN - 1 + 10 } });
    assert.deepEqual(date.places, [{ range: date.range, primaryId: date.primaryId }]);
    assert.equal(report.summary.errors, 1);
  });

  it('puts input notes on stderr beside a JSON report', async () => {
    const result = await run(['validate', '--format=json', 'feed.zip']);
    assert.equal(result.code, 1);
    assert.equal(JSON.parse(result.stdout).files.length, 2);
    assert.match(result.stderr, /^feed\.zip!\/readme\.txt: note: /);
  });

  it('writes SARIF with the rule table and nested artifacts for zip entries', async () => {
    const result = await run(['validate', '--format', 'sarif', 'feed.zip']);
    assert.equal(result.code, 1);
    const log = JSON.parse(result.stdout);
    assert.equal(log.version, '2.1.0');
    const run0 = log.runs[0];
    assert.deepEqual(run0.tool.driver.rules.map((r: { id: string }) => r.id), RULES.map((r) => r.id));
    const date = run0.results.find((r: { ruleId: string }) => r.ruleId === 'invalid-date');
    assert.equal(date.level, 'error');
    const location = date.locations[0].physicalLocation;
    assert.deepEqual(location.region, { startLine: 2, startColumn: DATE_COLUMN, endLine: 2, endColumn: DATE_COLUMN + 10 });
    const artifact = run0.artifacts[location.artifactLocation.index];
    assert.equal(artifact.location.uri, 'invalid.xml');
    assert.equal(run0.artifacts[artifact.parentIndex].location.uri, 'feed.zip');
  });

  it('reads alma-sis.config.json from the current folder; --quiet shows errors and warnings, --errors-only errors', async () => {
    const lenient = join(dir, 'lenient');
    const result = await run(['validate', 'invalid.xml'], { cwd: lenient });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, new RegExp(`^invalid\\.xml:2:${DATE_COLUMN}: warning invalid-date `, 'm'));

    // A warning that matters (here the date, made a warning by the configuration) is not hidden by --quiet.
    const quiet = await run(['validate', '--quiet', 'invalid.xml'], { cwd: lenient });
    assert.equal(quiet.code, 0);
    assert.match(quiet.stdout, new RegExp(`^invalid\\.xml:2:${DATE_COLUMN}: warning invalid-date `, 'm'));
    const errorsOnly = await run(['validate', '--errors-only', 'invalid.xml'], { cwd: lenient });
    assert.deepEqual(errorsOnly, { code: 0, stdout: '', stderr: '' });

    const quietErrors = await run(['validate', '--errors-only', 'invalid.xml']);
    assert.equal(quietErrors.code, 1);
    assert.doesNotMatch(quietErrors.stdout, /: (warning|info) /);
    assert.match(quietErrors.stdout, /^invalid\.xml: 1 file, 1 user: 1 error, /m);
  });

  it('exits 2 with one clear line for a missing file, an unknown option or format, or no input', async () => {
    assertFailure(await run(['validate', 'missing.xml']), /missing\.xml/);
    assertFailure(await run(['validate', '--formt', 'json', 'valid.xml']), /unknown option --formt; did you mean --format\?/);
    assertFailure(await run(['validate', '--format', 'xml', 'valid.xml']), /unknown format "xml"; expected text, json or sarif/);
    assertFailure(await run(['validate', '--config']), /--config needs a value/);
    assertFailure(await run(['validate']), /needs at least one file/);
    assertFailure(await run(['valdate', 'valid.xml']), /unknown command "valdate"; did you mean validate\?/);
  });

  it('exits 2 for a corrupt zip, a broken configuration or an unknown profile', async () => {
    assertFailure(await run(['validate', 'corrupt.zip']), /corrupt\.zip/);
    assertFailure(await run(['validate', '--config', 'broken.config.json', 'valid.xml']), /broken\.config\.json/);
    assertFailure(await run(['validate', '--config', 'missing.config.json', 'valid.xml']), /missing\.config\.json/);
    const profile = await run(['validate', '--profile', 'NOPE', 'invalid.xml'], { cwd: join(dir, 'lenient') });
    assert.equal(profile.code, 2);
    assert.match(profile.stderr, /^alma-sis: .*"NOPE"/);
  });

  it('stops quietly when the reader of stdout goes away', async () => {
    writeFileSync(join(dir, 'many-errors.xml'), usersFile(3000, (i) => `<expiry_date>2025-13-${i}</expiry_date><pin_number>${i}</pin_number><user_group>${'G'.repeat(256 + i)}</user_group>`));
    const result = await run(['validate', 'many-errors.xml'], { closeStdoutEarly: true });
    assert.equal(result.stderr, '');
    assert.equal(result.code, 1);
  });

  it('exits 2 with a message when the report cannot be written', { skip: !existsSync('/dev/full') && 'no /dev/full here' }, async () => {
    const full = openSync('/dev/full', 'w');
    try {
      const result = await run(['validate', 'invalid.xml'], { stdoutFd: full });
      assertFailure(result, /^alma-sis: cannot write the report: ENOSPC/);
    } finally {
      closeSync(full);
    }
  });

  it('draws a progress line on a terminal only, for a large input, unless --no-progress', async () => {
    const big = join(dir, 'big.xml');
    writeFileSync(big, usersFile(36000, () => '<user_group>UG</user_group>'));
    assert.ok(readFileSync(big).length > 4 * 1024 * 1024);

    const onTerminal = ptyRun(['validate', 'big.xml']);
    assert.equal(onTerminal.code, 0, onTerminal.terminal);
    assert.match(onTerminal.terminal, /^\r\x1b\[Kvalidating +\d+% +[\d.]+\/[\d.]+ MB +big\.xml/);
    assert.ok(onTerminal.terminal.endsWith('\r\x1b[K'), JSON.stringify(onTerminal.terminal.slice(-40)));
    assert.match(onTerminal.stdout, /^big\.xml: 1 file, 36000 users: 0 errors/m);

    assert.equal(ptyRun(['validate', '--no-progress', 'big.xml']).terminal, '');
    const piped = await run(['validate', 'big.xml']);
    assert.equal(piped.stderr, '');
  });

  it('stops on Ctrl-C with exit code 130, clearing the progress line first', () => {
    writeFileSync(join(dir, 'big-copy.xml'), readFileSync(join(dir, 'big.xml')));
    const interrupted = ptyRun(['validate', 'big.xml', 'big-copy.xml'], { interruptOnOutput: true });
    assert.equal(interrupted.code, 130, interrupted.terminal);
    assert.match(interrupted.terminal, /\r\x1b\[Kalma-sis: interrupted\r?\n$/);
    assert.equal(interrupted.stdout, '');
  });
});

/**
 * Runs the CLI with stderr (and stdin) on a pseudo-terminal and stdout in a file, as a user at a
 * shell redirecting the report would; python3's pty module provides the terminal.
 */
function ptyRun(args: string[], options: { interruptOnOutput?: boolean } = {}): { code: number; terminal: string; stdout: string } {
  const stdoutFile = join(dir, 'pty-stdout.txt');
  const script = [
    'import os, pty, signal, sys',
    'interrupt = sys.argv[1] == "interrupt"',
    'pid, fd = pty.fork()',
    'if pid == 0:',
    '    os.dup2(os.open(sys.argv[2], os.O_WRONLY | os.O_CREAT | os.O_TRUNC), 1)',
    '    os.execv(sys.argv[3], sys.argv[3:])',
    'chunks = []',
    'while True:',
    '    try:',
    '        data = os.read(fd, 65536)',
    '    except OSError:',
    '        break',
    '    if not data:',
    '        break',
    '    if interrupt and not chunks:',
    '        os.kill(pid, signal.SIGINT)',
    '    chunks.append(data)',
    '_, status = os.waitpid(pid, 0)',
    'sys.stdout.buffer.write(b"".join(chunks))',
    'sys.exit(os.waitstatus_to_exitcode(status))',
  ].join('\n');
  let terminal: string;
  let code = 0;
  try {
    terminal = execFileSync('python3', ['-c', script, options.interruptOnOutput ? 'interrupt' : 'run', stdoutFile, process.execPath, cli, ...args], { cwd: dir, encoding: 'utf8' });
  } catch (error) {
    const failed = error as { status: number; stdout: string };
    terminal = failed.stdout;
    code = failed.status;
  }
  return { code, terminal, stdout: readFileSync(stdoutFile, 'utf8') };
}
