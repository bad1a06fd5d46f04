import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, test } from 'node:test';
import { DEFAULT_SETTINGS } from '../../../server/src/engine/config/types';
import { InputError } from '../../../server/src/engine/files/inputDocument';
import { expandInputs } from '../../../server/src/engine/files/inputs';
import { openZip } from '../../../server/src/engine/files/zipReader';
import {
  createZipPackage,
  defaultZipName,
  PackagingRefused,
  type ZipPackageRequest,
} from '../../../server/src/engine/packaging/zipPackage';
import { missingTool } from '../../helpers/prerequisites';
import { repoRoot } from '../../helpers/repoRoot';
import { freshFolders, readAll } from '../files/zipFixtures';

const freshFolder = freshFolders();

const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';
function v2File(...ids: string[]): string {
  const users = ids.map((id) => `  <user><primary_id>${id}</primary_id><first_name>Zoë</first_name><last_name>B</last_name></user>\n`);
  return `${DECLARATION}<users>\n${users.join('')}</users>\n`;
}
const V1_FILE = readFileSync(join(repoRoot(), 'samples', 'valid', 'users-v1.xml'), 'utf8');

function write(path: string, content: string | Buffer): string {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, content);
  return path;
}

function request(folder: string, inputs: string[], extra: Partial<ZipPackageRequest> = {}): ZipPackageRequest {
  return { inputs, settings: DEFAULT_SETTINGS, cwd: folder, out: join(folder, 'out.zip'), ...extra };
}

/** Everything in the folder that is not an input: what a run left behind. */
function leftovers(folder: string, inputs: readonly string[] = []): string[] {
  return readdirSync(folder).filter((name) => !inputs.includes(name));
}

async function readBack(zipPath: string): Promise<Array<[string, string]>> {
  const archive = await openZip(zipPath);
  const entries: Array<[string, string]> = [];
  for (const entry of archive.entries) entries.push([entry.name, (await readAll(archive.read(entry))).toString()]);
  archive.close();
  return entries;
}

describe('createZipPackage', () => {
  test('XML files at the root in the order given, a folder in the order validate reads it, the bytes unchanged', async () => {
    const folder = freshFolder();
    const staff = write(join(folder, 'staff.xml'), v2File('S1', 'S2'));
    const feed = join(folder, 'feed');
    write(join(feed, 'b.xml'), v2File('B1'));
    write(join(feed, 'A.xml'), v2File('A1'));
    write(join(feed, 'sub', 'c.xml'), v2File('C1'));
    write(join(feed, 'notes.txt'), 'not packaged');
    const result = await createZipPackage(request(folder, [staff, feed]));

    const validatorOrder = (await expandInputs([staff, feed])).documents.map((d) => d.path);
    assert.deepEqual(
      result.entries.map((e) => e.source),
      validatorOrder,
    );
    assert.deepEqual(
      result.entries.map((e) => e.name),
      ['staff.xml', 'A.xml', 'b.xml', 'c.xml'],
    );
    assert.deepEqual(
      result.entries.map((e) => e.size),
      validatorOrder.map((path) => readFileSync(path).length),
    );
    assert.equal(result.zipPath, join(folder, 'out.zip'));
    assert.equal(result.forced, false);
    assert.equal(result.validation.summary.errors, 0);
    assert.deepEqual(
      await readBack(result.zipPath),
      validatorOrder.map((path) => [path.split('/').pop(), readFileSync(path, 'utf8')]),
    );
    assert.deepEqual(leftovers(folder).sort(), ['feed', 'out.zip', 'staff.xml'], 'no temporary file left');
  });

  test('unzip and python read the same entries in the same order', { skip: missingTool('unzip', 'unzip', ['-v']) ?? missingTool('python3', 'python3') }, async () => {
    const folder = freshFolder();
    const inputs = ['z.xml', 'a.xml', 'm.xml'].map((name, i) => write(join(folder, name), v2File(`U${i}`)));
    const { zipPath } = await createZipPackage(request(folder, inputs));
    const listed = execFileSync('unzip', ['-Z1', zipPath], { encoding: 'utf8' }).trim().split('\n');
    assert.deepEqual(listed, ['z.xml', 'a.xml', 'm.xml']);
    execFileSync('unzip', ['-tq', zipPath]); // CRCs check out
    const fromPython = execFileSync(
      'python3',
      ['-c', 'import sys, zipfile, json; z = zipfile.ZipFile(sys.argv[1]); print(json.dumps([[i.filename, z.read(i).decode()] for i in z.infolist()]))', zipPath],
      { encoding: 'utf8' },
    );
    assert.deepEqual(JSON.parse(fromPython), inputs.map((path) => [path.split('/').pop(), readFileSync(path, 'utf8')]));
  });

  test('the same inputs give the same order every time', async () => {
    const folder = freshFolder();
    const feed = join(folder, 'feed');
    for (const name of ['é.xml', 'Z.xml', 'a.xml', 'b.xml', '10.xml', '9.xml']) write(join(feed, name), v2File(name));
    const first = await createZipPackage(request(folder, [feed], { out: join(folder, 'one.zip') }));
    const second = await createZipPackage(request(folder, [feed], { out: join(folder, 'two.zip') }));
    const names = first.entries.map((e) => e.name);
    assert.deepEqual(names, ['10.xml', '9.xml', 'Z.xml', 'a.xml', 'b.xml', 'é.xml']);
    assert.deepEqual(
      second.entries.map((e) => e.name),
      names,
    );
    assert.deepEqual(
      (await readBack(second.zipPath)).map(([name]) => name),
      names,
    );
  });

  test('the default name is the profile and the UTC second; a second run in that second gets -2', async () => {
    const now = new Date(Date.UTC(2026, 11, 1, 2, 15, 0, 123));
    assert.equal(defaultZipName('STUDENTS', now), 'STUDENTS-20261201T021500Z.zip');
    assert.equal(defaultZipName(undefined, now), 'users-20261201T021500Z.zip');
    assert.equal(defaultZipName('a/b c', now), 'a_b_c-20261201T021500Z.zip');
    const folder = freshFolder();
    const input = write(join(folder, 'u.xml'), v2File('U1'));
    const out = join(folder, 'zips');
    mkdirSync(out);
    const first = await createZipPackage(request(folder, [input], { out, profileCode: 'STUDENTS', now }));
    const second = await createZipPackage(request(folder, [input], { out, profileCode: 'STUDENTS', now }));
    assert.equal(relative(out, first.zipPath), 'STUDENTS-20261201T021500Z.zip');
    assert.equal(relative(out, second.zipPath), 'STUDENTS-20261201T021500Z-2.zip');
    const inCwd = await createZipPackage({ inputs: [input], settings: DEFAULT_SETTINGS, cwd: out, now });
    assert.equal(relative(out, inCwd.zipPath), 'users-20261201T021500Z.zip');
  });

  test('files with errors are refused and nothing is written, unless forced', async () => {
    const folder = freshFolder();
    const a = write(join(folder, 'a.xml'), v2File('X1'));
    const b = write(join(folder, 'b.xml'), v2File('X1')); // the same primary_id: duplicate-identifier
    await assert.rejects(createZipPackage(request(folder, [a, b])), (error: unknown) => {
      assert.ok(error instanceof PackagingRefused, String(error));
      assert.equal(error.reason, 'errors');
      assert.equal(error.message, '1 error in the files; no zip was written');
      assert.equal(error.validation.documents[1].findings[0].rule, 'duplicate-identifier');
      assert.deepEqual(
        error.entries.map((e) => e.name),
        ['a.xml', 'b.xml'],
      );
      return true;
    });
    assert.deepEqual(leftovers(folder, ['a.xml', 'b.xml']), []);

    const forced = await createZipPackage(request(folder, [a, b], { force: true }));
    assert.equal(forced.forced, true);
    assert.equal(forced.validation.summary.errors, 1);
    assert.deepEqual(
      (await readBack(forced.zipPath)).map(([name]) => name),
      ['a.xml', 'b.xml'],
    );
  });

  test('v1 and v2 together are refused even with force', async () => {
    const folder = freshFolder();
    const v2 = write(join(folder, 'new.xml'), v2File('N1'));
    const v1 = write(join(folder, 'old.xml'), V1_FILE);
    await assert.rejects(createZipPackage(request(folder, [v2, v1], { force: true })), (error: unknown) => {
      assert.ok(error instanceof PackagingRefused, String(error));
      assert.equal(error.reason, 'mixed-versions');
      assert.match(error.message, /mix User XSD v1 \(.*old\.xml\) and v2 \(.*new\.xml\); Alma cannot read a zip that mixes them/);
      return true;
    });
    assert.deepEqual(leftovers(folder, ['new.xml', 'old.xml']), []);
  });

  test('a file that is not XML, two files of one name, and an existing target are refused before anything is read', async () => {
    const folder = freshFolder();
    const xml = write(join(folder, 'users.xml'), v2File('U1'));
    const text = write(join(folder, 'users.csv'), 'id\nU1\n');
    const zip = write(join(folder, 'old.zip'), 'PK');
    const inputs = ['users.xml', 'users.csv', 'old.zip', 'other'];
    await assert.rejects(createZipPackage(request(folder, [xml, text])), inputError(/users\.csv: not an XML file \(Alma reads only \.xml files from a zip\)/));
    await assert.rejects(createZipPackage(request(folder, [zip])), inputError(/old\.zip: not an XML file \(a zip cannot go inside the zip\)/));
    const twin = write(join(folder, 'other', 'USERS.xml'), v2File('U2'));
    await assert.rejects(createZipPackage(request(folder, [xml, twin])), inputError(/USERS\.xml: a file named users\.xml .* is already in the zip/));
    await assert.rejects(createZipPackage(request(folder, [xml], { out: join(folder, 'out.txt') })), inputError(/must end in \.zip/));
    assert.deepEqual(leftovers(folder, inputs), []);

    const existing = write(join(folder, 'out.zip'), 'an earlier zip');
    await assert.rejects(createZipPackage(request(folder, [xml])), inputError(/out\.zip: already exists; a zip is never overwritten/));
    assert.equal(readFileSync(existing, 'utf8'), 'an earlier zip');
    assert.deepEqual(leftovers(folder, [...inputs, 'out.zip']), []);
  });

  test('a folder: its zips are skipped with a note, and the file named again is packaged once', async () => {
    const folder = freshFolder();
    const feed = join(folder, 'feed');
    const a = write(join(feed, 'a.xml'), v2File('A1'));
    write(join(feed, 'yesterday.zip'), 'PK');
    const result = await createZipPackage(request(folder, [a, feed]));
    assert.deepEqual(
      result.entries.map((e) => e.name),
      ['a.xml'],
    );
    assert.deepEqual(
      result.notes.map((n) => `${relative(folder, n.path)}: ${n.message}`),
      ['feed/yesterday.zip: a zip is not packaged into another zip, skipped'],
    );
  });

  test('aborted mid-write: no zip and no temporary file', async () => {
    const folder = freshFolder();
    const big = write(join(folder, 'big.xml'), `${DECLARATION}<users>\n<!-- ${'x'.repeat(6 * 1024 * 1024)} -->\n</users>\n`);
    const controller = new AbortController();
    let writtenWhenAborted = -1;
    await assert.rejects(
      createZipPackage(request(folder, [big]), {
        signal: controller.signal,
        onProgress: (p) => {
          if (p.phase === 'writing' && !controller.signal.aborted) {
            writtenWhenAborted = p.bytesDone;
            controller.abort();
          }
        },
      }),
      (error: unknown) => (error as Error).name === 'AbortError',
    );
    assert.ok(writtenWhenAborted > 0 && writtenWhenAborted < 6 * 1024 * 1024, `aborted after ${writtenWhenAborted} bytes`);
    assert.deepEqual(leftovers(folder, ['big.xml']), []);
  });

  test('a file that changes after validation fails the write: no zip and no temporary file', async () => {
    const folder = freshFolder();
    const a = write(join(folder, 'a.xml'), v2File('A1'));
    const b = write(join(folder, 'b.xml'), v2File('B1'));
    await assert.rejects(
      createZipPackage(request(folder, [a, b]), {
        onProgress: (p) => {
          // b.xml is read for the zip after a.xml: change it in between.
          if (p.phase === 'writing' && p.path === a && !readFileSync(b, 'utf8').includes('changed')) appendFileSync(b, '<!-- changed -->\n');
        },
      }),
      inputError(/b\.xml: the file changed after it was validated; no zip was written/),
    );
    assert.deepEqual(leftovers(folder, ['a.xml', 'b.xml']), []);
  });

  test('a folder that cannot be written to is an InputError and leaves nothing', async () => {
    const folder = freshFolder();
    const a = write(join(folder, 'a.xml'), v2File('A1'));
    await assert.rejects(createZipPackage(request(folder, [a], { out: join(folder, 'missing', 'out.zip') })), inputError(/cannot write the zip/));
    assert.deepEqual(leftovers(folder, ['a.xml']), []);
  });
});

function inputError(message: RegExp): (error: unknown) => boolean {
  return (error: unknown) => {
    assert.ok(error instanceof InputError, `expected InputError, got ${String(error)}`);
    assert.match(error.message, message);
    return true;
  };
}
