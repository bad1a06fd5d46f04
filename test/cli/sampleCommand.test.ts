import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { sampleText } from '../../server/src/engine/samples/sampleGenerator';
import { repoRoot } from '../helpers/repoRoot';

/** `alma-sis sample` through the bundled dist/cli.js. */

const root = repoRoot();
const cli = join(root, 'dist', 'cli.js');
const dir = mkdtempSync(join(tmpdir(), 'alma-sis-sample-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { cwd: dir, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

describe('alma-sis sample', () => {
  it('writes the engine sample to stdout, the same for the same seed', () => {
    const result = run(['sample', '--users', '7', '--seed', 'nightly']);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, sampleText({ users: 7, seed: 'nightly' }));
    assert.equal(run(['sample', '--users', '7', '--seed', 'nightly']).stdout, result.stdout);
    assert.notEqual(run(['sample', '--users', '7', '--seed', 'daily']).stdout, result.stdout);
  });

  it('writes to --out, leaving no partial file, and the result validates clean', () => {
    const out = join(dir, 'sample.xml');
    const result = run(['sample', '--users', '300', '--seed', '3', '--out', out]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stderr, /wrote 300 users \(User XSD v2\)/);
    assert.deepEqual(readdirSync(dir), ['sample.xml']);
    const check = run(['validate', out]);
    assert.equal(check.status, 0, check.stdout);
    assert.match(check.stdout, /300 users: 0 errors, 0 warnings, 0 infos/);
  });

  it('writes files with different seeds that validate together: no identifier is used twice', () => {
    const seeds = mkdtempSync(join(dir, 'seeds-'));
    const a = join(seeds, 'seed-1.xml');
    const b = join(seeds, 'seed-2.xml');
    assert.equal(run(['sample', '--seed', '1', '--users', '40', '--out', a]).status, 0);
    assert.equal(run(['sample', '--seed', '2', '--users', '40', '--out', b]).status, 0);
    const check = run(['validate', a, b]);
    assert.equal(check.status, 0, check.stdout);
    assert.match(check.stdout, /2 files, 80 users: 0 errors, 0 warnings, 0 infos/);
  });

  it("uses the profile's code tables and match identifier with --config", () => {
    const config = join(root, 'samples', 'alma-sis.config.json');
    const out = join(dir, 'profile.xml');
    assert.equal(run(['sample', '--config', config, '--users', '50', '--out', out]).status, 0);
    const check = run(['validate', '--config', config, out]);
    assert.match(check.stdout, /50 users: 0 errors, 0 warnings, 0 infos/);
  });

  it('writes v1 and researchers', () => {
    const v1 = run(['sample', '--schema', '1', '--users', '2']);
    assert.equal(v1.status, 0);
    assert.match(v1.stdout, /<userRecords xmlns=/);
    const researchers = run(['sample', '--researchers', '--users', '2']);
    assert.equal((researchers.stdout.match(/<researcher>/g) ?? []).length, 2);
  });

  it('refuses bad usage with exit 2 and one line', () => {
    for (const [args, pattern] of [
      [['sample', '--users', 'many'], /--users must be a whole number/],
      [['sample', '--users', '-3'], /--users must be a whole number|needs a value/],
      [['sample', '--schema', '1', '--researchers'], /--researchers needs User XSD v2/],
      [['sample', 'file.xml'], /takes no file arguments/],
      [['sample', '--out', join(dir, 'missing', 'x.xml')], /cannot write .*ENOENT/],
    ] as const) {
      const result = run([...args]);
      assert.equal(result.status, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, pattern);
      assert.equal(result.stdout, '');
    }
    assert.equal(existsSync(join(dir, 'missing')), false);
  });

  it('streams 5000 users to a file', () => {
    const out = join(dir, 'big.xml');
    const result = run(['sample', '--users', '5000', '--out', out]);
    assert.equal(result.status, 0, result.stderr);
    const text = readFileSync(out, 'utf8');
    assert.equal((text.match(/<user>/g) ?? []).length, 5000);
  });
});
