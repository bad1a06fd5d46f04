import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { missingTool } from '../helpers/prerequisites';
import { repoRoot } from '../helpers/repoRoot';

/**
 * End-to-end, through the bundled dist/cli.js: the reproductions of issue 6 that concern the
 * scanner, configuration reading, input expansion and the text report. Each must finish (the
 * per-test timeout is many times what a linear run needs, and far below what the quadratic or
 * blocking behaviour took), exit 1 or 2 and print no stack trace. dist/cli.js is built by
 * `scripts/build.mjs --tests`, which always builds the CLI first.
 */

const cli = join(repoRoot(), 'dist', 'cli.js');
const noCli = existsSync(cli) ? undefined : 'dist/cli.js is not built (node scripts/build.mjs)';
const TIMEOUT = 60_000;
let dir: string;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], input?: string | Buffer): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: dir, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr!.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    if (input !== undefined) child.stdin!.end(input);
  });
}

function assertNoCrash(result: Run, code: 1 | 2): void {
  assert.equal(result.code, code, result.stderr.slice(0, 2000));
  assert.doesNotMatch(result.stderr, /\n\s+at |internal error|FATAL|heap/i);
}

/** Writes `name` in the test folder and validates it. */
async function validate(name: string, content: string | Buffer): Promise<Run> {
  writeFileSync(join(dir, name), content);
  return run(['validate', '--no-progress', name]);
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'alma-sis-hostile-'));
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('hostile input through the built CLI (issue 6)', { skip: noCli }, () => {
  it('1. a mismatched end tag with a 30,000-character name', { timeout: TIMEOUT }, async () => {
    const name = 'A'.repeat(30_000);
    const result = await validate('e.xml', `<users><user><${name}></${name}B></user></users>`);
    assertNoCrash(result, 1);
    // Names are quoted as excerpts, not in full.
    assert.ok(result.stdout.length < 20_000, `${result.stdout.length} characters of report`);
  });

  it('2. 100,000 open elements then 100,000 unmatched end tags', { timeout: TIMEOUT }, async () => {
    const result = await validate('t.xml', `<users><user>${'<aaaa>'.repeat(100_000)}${'</zzzz>'.repeat(100_000)}`);
    assertNoCrash(result, 1);
    assert.match(result.stdout, /nested more than 64 deep/);
  });

  it('3. 100,000 attributes on one tag', { timeout: TIMEOUT }, async () => {
    const attributes = Array.from({ length: 100_000 }, (_, i) => ` a${i}="v"`).join('');
    const result = await validate('a.xml', `<users><user${attributes}/></users>`);
    assertNoCrash(result, 1);
    assert.match(result.stdout, /<user> has more than 64 attributes/);
  });

  it('4. 20 MB of NUL bytes: problems past the cap are not even formatted', { timeout: TIMEOUT }, async () => {
    const result = await validate('z.xml', Buffer.concat([Buffer.from('<users>'), Buffer.alloc(20 << 20), Buffer.from('</users>')]));
    assertNoCrash(result, 1);
    assert.match(result.stdout, /invalid-char/);
  });

  it('7. <a> nested a million times', { timeout: TIMEOUT }, async () => {
    const depth = 1_000_000;
    const result = await validate('d.xml', `<users>${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}</users>`);
    assertNoCrash(result, 1);
    // Reported once; the end tags are still matched, so </users> closes the root without complaint.
    assert.equal(result.stdout.match(/nested more than 64 deep/g)?.length, 1);
    assert.doesNotMatch(result.stdout, /never closed|matches no open element/);
  });

  it('12. --config naming a device or a FIFO is refused at once', { timeout: TIMEOUT }, async () => {
    writeFileSync(join(dir, 'ok.xml'), '<users/>');
    const zero = await run(['validate', '--config', '/dev/zero', 'ok.xml']);
    assertNoCrash(zero, 2);
    assert.match(zero.stderr, /^alma-sis: \/dev\/zero: cannot read the file: it is not a regular file/);
    if (!missingTool('mkfifo', 'coreutils')) {
      execFileSync('mkfifo', [join(dir, 'fifo.json')]);
      const fifo = await run(['validate', '--config', 'fifo.json', 'ok.xml']);
      assertNoCrash(fifo, 2);
      assert.match(fifo.stderr, /fifo\.json: cannot read the file: it is not a regular file/);
    }
  });

  it('13. a zip entry name with line breaks and a value with ESC and BEL forge no line and reach no terminal', { skip: missingTool('python3', 'python3'), timeout: TIMEOUT }, async () => {
    execFileSync('python3', ['-c', `import zipfile
z = zipfile.ZipFile('i.zip', 'w')
z.writestr('a.xml\\n/etc/passwd:1:1: error forged FAKE\\nb.xml', b'<users><user><primary_id>\\x1b]52;c;aGk=\\x07</primary_id></user></users>')
z.close()`], { cwd: dir });
    const result = await run(['validate', '--no-progress', 'i.zip']);
    assertNoCrash(result, 1);
    assert.doesNotMatch(result.stdout, /^\/etc\/passwd/m);
    assert.doesNotMatch(result.stdout + result.stderr, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    for (const line of result.stdout.trimEnd().split('\n')) assert.match(line, /^i\.zip!\/a\.xml\\n\/etc\/passwd:1:1: error forged FAKE\\nb\.xml[:]/);
  });

  it('14. a folder walk does not follow up -> .. out of the named folder', { timeout: TIMEOUT }, async () => {
    mkdirSync(join(dir, 'walk', 'named'), { recursive: true });
    writeFileSync(join(dir, 'walk', 'outside.xml'), '<users><user/></users>');
    writeFileSync(join(dir, 'walk', 'named', 'in.xml'), '<users/>');
    symlinkSync('..', join(dir, 'walk', 'named', 'up'));
    const result = await run(['validate', '--no-progress', join('walk', 'named')]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /up: note: a link to a folder outside walk\/named, not followed/);
    assert.match(result.stdout, /in\.xml: 1 file, 0 users/);
  });

  it('15a. "]>" in a comment inside a DOCTYPE internal subset does not end it', { timeout: TIMEOUT }, async () => {
    const result = await validate('doctype.xml', '<!DOCTYPE users [ <!-- ]> --> ]>\n<users/>');
    assertNoCrash(result, 1);
    const rules = result.stdout.split('\n').filter((line) => / (error|warning) /.test(line)).map((line) => line.split(' ')[2]);
    assert.deepEqual(rules, ['doctype']);
  });

  it('15c. "-" reads standard input in a pipeline; a second "-" is refused', { timeout: TIMEOUT }, async () => {
    const piped = await run(['validate', '--no-progress', '-'], '<users><user><primary_id>a</primary_id><expiry_date>2025-13-01</expiry_date></user></users>');
    assertNoCrash(piped, 1);
    assert.match(piped.stdout, /^<stdin>:1:\d+: error invalid-date /m);
    const twice = await run(['validate', '-', '-'], '');
    assertNoCrash(twice, 2);
    assert.equal(twice.stderr, 'alma-sis: -: standard input can be named only once\n');
  });
});
