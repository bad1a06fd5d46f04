import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { missingTool } from '../helpers/prerequisites';
import { repoRoot } from '../helpers/repoRoot';
import { freshFolders, python } from '../engine/files/zipFixtures';

/** End-to-end: `alma-sis zip` as the bundled dist/cli.js, in a child process, on real files. */

const root = repoRoot();
const cli = join(root, 'dist', 'cli.js');
const freshFolder = freshFolders();

const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';
function v2File(...ids: string[]): string {
  return `${DECLARATION}<users>\n${ids.map((id) => `  <user><primary_id>${id}</primary_id><first_name>A</first_name><last_name>B</last_name></user>\n`).join('')}</users>\n`;
}
const V1_FILE = readFileSync(join(root, 'samples', 'valid', 'users-v1.xml'), 'utf8');

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI in `cwd`. `whenRunning` is called every 20 ms while it runs, with a function that
 * sends it SIGINT. `command` replaces `node dist/cli.js` (to run it under a shell's limits).
 */
function run(
  args: string[],
  cwd: string,
  options: { whenRunning?: (interrupt: () => void) => void; command?: string[] } = {},
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const [program, ...prefix] = options.command ?? [process.execPath, cli];
    const child = spawn(program, [...prefix, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const poll = options.whenRunning && setInterval(() => options.whenRunning?.(() => child.kill('SIGINT')), 20);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (poll) clearInterval(poll);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

function files(folder: string): string[] {
  return readdirSync(folder).sort();
}

/** A valid v2 file of about `megabytes` MB (one user, then comments), written a block at a time. */
function bigFile(path: string, megabytes: number): void {
  const fd = openSync(path, 'w');
  writeSync(fd, `${DECLARATION}<users>\n  <user><primary_id>BIG1</primary_id><first_name>A</first_name><last_name>B</last_name></user>\n`);
  const block = `<!-- ${'0123456789abcdef'.repeat(64)} -->\n`.repeat(1024);
  for (let i = 0; i < megabytes; i++) writeSync(fd, block);
  writeSync(fd, '</users>\n');
  closeSync(fd);
}

describe('alma-sis zip', () => {
  test('writes the files in the order given, prints that order, exit 0', async () => {
    const folder = freshFolder();
    writeFileSync(join(folder, 'students.xml'), v2File('S1'));
    mkdirSync(join(folder, 'staff'));
    writeFileSync(join(folder, 'staff', 'b.xml'), v2File('B1'));
    writeFileSync(join(folder, 'staff', 'a.xml'), v2File('A1'));
    const result = await run(['zip', 'students.xml', 'staff', '--out', 'feed.zip'], folder);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, '');
    assert.match(
      result.stdout,
      new RegExp(
        '^3 files, 3 users: 0 errors, 0 warnings, 0 infos\\n' +
          'zip order \\(3 files\\):\\n' +
          '  1  students\\.xml  \\d+ bytes  \\(from students\\.xml\\)\\n' +
          '  2  a\\.xml  \\d+ bytes  \\(from staff/a\\.xml\\)\\n' +
          '  3  b\\.xml  \\d+ bytes  \\(from staff/b\\.xml\\)\\n' +
          `wrote ${join(folder, 'feed.zip').replace(/[.]/g, '\\.')}: 3 XML files, \\d+ bytes\\n$`,
      ),
    );
    assert.deepEqual(files(folder), ['feed.zip', 'staff', 'students.xml']);
  });

  test('the zip lists in that order with unzip', { skip: missingTool('unzip', 'unzip', ['-v']) }, async () => {
    const folder = freshFolder();
    for (const name of ['z.xml', 'y.xml', 'x.xml']) writeFileSync(join(folder, name), v2File(name));
    const result = await run(['zip', 'z.xml', 'y.xml', 'x.xml', '--out', 'feed.zip'], folder);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(execFileSync('unzip', ['-Z1', join(folder, 'feed.zip')], { encoding: 'utf8' }).trim().split('\n'), ['z.xml', 'y.xml', 'x.xml']);
  });

  test('the default name comes from --profile and the UTC time', async () => {
    const folder = freshFolder();
    writeFileSync(join(folder, 'u.xml'), v2File('U1'));
    writeFileSync(join(folder, 'alma-sis.config.json'), JSON.stringify({ profiles: [{ code: 'STUDENTS', name: 'Students', xsdVersion: 2 }] }));
    mkdirSync(join(folder, 'out'));
    const result = await run(['zip', 'u.xml', '--profile', 'STUDENTS', '--out', 'out'], folder);
    assert.equal(result.code, 0, result.stderr);
    const [name] = files(join(folder, 'out'));
    assert.match(name, /^STUDENTS-\d{8}T\d{6}Z\.zip$/);
    assert.match(result.stdout, new RegExp(`wrote .*/out/${name.replace('.', '\\.')}: 1 XML file`));
  });

  test('errors: the findings, no zip and exit 1; --force writes it and says so', async () => {
    const folder = freshFolder();
    writeFileSync(join(folder, 'a.xml'), v2File('X1'));
    writeFileSync(join(folder, 'b.xml'), v2File('X1'));
    const refused = await run(['zip', 'a.xml', 'b.xml', '--out', 'feed.zip'], folder);
    assert.equal(refused.code, 1);
    assert.match(refused.stdout, /^b\.xml:3:\d+: error duplicate-identifier /m);
    assert.match(refused.stdout, /zip order \(2 files\) \(not written\):/);
    assert.equal(refused.stderr, 'alma-sis: 1 error in the files; no zip was written (fix them, or --force to package them anyway)\n');
    assert.deepEqual(files(folder), ['a.xml', 'b.xml']);

    const forced = await run(['zip', 'a.xml', 'b.xml', '--out', 'feed.zip', '--force'], folder);
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(forced.stdout, /wrote .*feed\.zip: 2 XML files, \d+ bytes despite 1 error \(--force\)\n$/);
  });

  test('v1 with v2 is refused even with --force: exit 1', async () => {
    const folder = freshFolder();
    writeFileSync(join(folder, 'new.xml'), v2File('N1'));
    writeFileSync(join(folder, 'old.xml'), V1_FILE);
    const result = await run(['zip', 'new.xml', 'old.xml', '--out', 'feed.zip', '--force'], folder);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^alma-sis: the files mix User XSD v1 \(old\.xml\) and v2 \(new\.xml\); Alma cannot read a zip that mixes them, so none was written\n$/);
    assert.deepEqual(files(folder), ['new.xml', 'old.xml']);
  });

  test('usage and input problems: one line and exit 2', async () => {
    const folder = freshFolder();
    writeFileSync(join(folder, 'u.xml'), v2File('U1'));
    writeFileSync(join(folder, 'u.csv'), 'id\n');
    writeFileSync(join(folder, 'taken.zip'), 'an earlier zip');
    const cases: Array<[string[], RegExp]> = [
      [['zip'], /^alma-sis: zip needs at least one XML file or folder, or a profile with a feed in alma-sis.config.json \(see alma-sis zip --help\)\n$/],
      [['zip', 'u.xml', 'u.csv'], /^alma-sis: u\.csv: not an XML file \(Alma reads only \.xml files from a zip\); name \.xml files or folders\n$/],
      [['zip', 'missing.xml'], /^alma-sis: missing\.xml: no such file or folder\n$/],
      [['zip', 'u.xml', '--out', 'taken.zip'], /^alma-sis: .*taken\.zip: already exists; a zip is never overwritten/],
    ];
    for (const [args, message] of cases) {
      const result = await run(args, folder);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.equal(result.stdout, '');
      assert.match(result.stderr, message);
    }
    assert.deepEqual(files(folder), ['taken.zip', 'u.csv', 'u.xml']);
    assert.equal(readFileSync(join(folder, 'taken.zip'), 'utf8'), 'an earlier zip');
  });

  test('--help describes the command', async () => {
    const result = await run(['zip', '--help'], freshFolder());
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^Usage: alma-sis zip \[<xml\|folder>\.\.\.\] \[--out F\.zip\] \[options\]/);
    assert.match(result.stdout, /--force/);
  });

  test('a 150 MB file is streamed: the process never holds it whole', async () => {
    const folder = freshFolder();
    bigFile(join(folder, 'big.xml'), 150);
    // Peak memory of the CLI process itself, printed as it exits.
    const probe = `process.on('exit', () => process.stderr.write('maxRSS ' + process.resourceUsage().maxRSS + '\\n')); require(${JSON.stringify(cli)});`;
    const result = await run(['big.xml', '--out', 'big.zip'], folder, { command: [process.execPath, '-e', probe, 'cli', 'zip'] });
    assert.equal(result.code, 0, result.stderr);
    const maxRssKb = Number(/maxRSS (\d+)/.exec(result.stderr)?.[1]);
    assert.ok(maxRssKb > 0 && maxRssKb < 150 * 1024, `peak RSS ${Math.round(maxRssKb / 1024)} MB for a 150 MB input`);
    assert.deepEqual(files(folder), ['big.xml', 'big.zip']);
  });

  test('Ctrl-C while the zip is being written: exit 130, no zip and no temporary file', async () => {
    const folder = freshFolder();
    bigFile(join(folder, 'big.xml'), 120);
    let sent = false;
    const result = await run(['zip', 'big.xml', '--out', 'big.zip'], folder, {
      whenRunning: (interrupt) => {
        // The temporary file appears when writing starts (validation is done by then).
        if (!sent && files(folder).some((name) => name.endsWith('.part'))) {
          sent = true;
          interrupt();
        }
      },
    });
    assert.ok(sent, `the temporary file never appeared: ${result.stdout}${result.stderr}`);
    assert.equal(result.code, 130, result.stderr);
    assert.equal(result.stderr, 'alma-sis: interrupted\n');
    assert.deepEqual(files(folder), ['big.xml']);
  });

  test('a write that fails part way (file size limit): exit 2, no zip and no temporary file', { skip: missingTool('bash', 'bash') }, async () => {
    const folder = freshFolder();
    // Random text compresses little: the zip passes the 256 KB limit while it is being written.
    python(
      "import sys, base64, os; open(sys.argv[1], 'w').write('<?xml version=\"1.0\" encoding=\"UTF-8\"?>\\n<users><!-- ' + base64.b64encode(os.urandom(3 << 20)).decode() + ' --></users>\\n')",
      join(folder, 'random.xml'),
    );
    // SIGXFSZ ignored, so that the write fails with EFBIG instead of killing the process.
    const shell = ['bash', '-c', 'trap "" XFSZ; ulimit -f 256; exec "$0" "$@"', process.execPath, cli];
    const result = await run(['zip', 'random.xml', '--out', 'random.zip'], folder, { command: shell });
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /^alma-sis: .*\.part: cannot write the zip \(.*\)\n$/);
    assert.deepEqual(files(folder), ['random.xml']);
  });
});

describe('alma-sis validate on a zip bomb', () => {
  test('refused at once with exit 2 and one line', async () => {
    const folder = freshFolder();
    python(
      `
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
    with zf.open('users.xml', 'w') as f:
        block = b'\\0' * (1 << 20)
        for _ in range(200):
            f.write(block)
`,
      join(folder, 'bomb.zip'),
    );
    const result = await run(['validate', 'bomb.zip'], folder);
    assert.equal(result.code, 2);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^alma-sis: bomb\.zip!\/users\.xml: the entry would inflate from \d+ bytes to 200\.0 MiB \(\d+:1, user XML compresses about 10:1\); refused as a likely zip bomb\n$/);
  });
});

describe('alma-sis zip: what is zipped anyway is shown (issue 12)', () => {
  test('segment_type="external" is a warning: the zip is written, and the warning printed', async () => {
    const folder = freshFolder();
    writeFileSync(join(folder, 'feed.xml'), v2File('W1').replace('</last_name>', '</last_name><user_identifiers><user_identifier segment_type="external"><id_type>BARCODE</id_type><value>b1</value></user_identifier></user_identifiers>'));
    const result = await run(['zip', 'feed.xml', '--out', 'feed.zip'], folder);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /^feed\.xml:3:\d+: warning attribute-value segment_type="external" is not allowed; values are case-sensitive: write "External"/m);
    assert.match(result.stdout, /^feed\.xml: 1 file, 1 user: 0 errors, 1 warning, 0 infos$/m);
    assert.match(result.stdout, /^wrote .*feed\.zip: 1 XML file, \d+ bytes$/m);
  });
});
