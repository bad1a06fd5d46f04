import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { InputError, type InputDocument } from '../../../server/src/engine/files/inputDocument';
import { expandInputs } from '../../../server/src/engine/files/inputs';
import { python, pythonZip, readAll, tmpFolder, zipTool } from './zipFixtures';

const dir = tmpFolder();
let counter = 0;
function freshFolder(): string {
  const folder = join(dir, `case-${++counter}`);
  mkdirSync(folder);
  return folder;
}

function write(path: string, content: string | Buffer): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, content);
}

async function contents(documents: InputDocument[]): Promise<string[]> {
  const texts: string[] = [];
  for (const document of documents) texts.push((await readAll(document.read())).toString());
  return texts;
}

async function rejectsInputError(promise: Promise<unknown>, message: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof InputError, `expected InputError, got ${String(error)}`);
    assert.match(error.message, message);
    return true;
  });
}

describe('expandInputs', () => {
  test('a zip gives its XML entries in stored order, with notes for what it skips', async () => {
    const folder = freshFolder();
    const zipPath = join(folder, 'feed.zip');
    pythonZip(zipPath, [
      ['staff.xml', '<users>staff</users>', 'deflated'],
      ['readme.txt', 'hello', 'deflated'],
      ['students.XML', '<users>students</users>', 'stored'],
      ['__MACOSX/._staff.xml', 'resource fork', 'stored'],
      ['sub/', '', 'stored'],
      ['sub/.hidden.xml', '<x/>', 'stored'],
      ['sub/more.xml', '<users>more</users>', 'deflated'],
    ]);
    const { documents, notes: structured } = await expandInputs([zipPath]);
    const notes = structured.map((n) => `${n.path}: ${n.message}`);
    assert.deepEqual(
      documents.map((d) => [d.path, d.size]),
      [
        [`${zipPath}!/staff.xml`, 20],
        [`${zipPath}!/students.XML`, 23],
        [`${zipPath}!/sub/more.xml`, 19],
      ],
    );
    assert.deepEqual(await contents(documents), ['<users>staff</users>', '<users>students</users>', '<users>more</users>']);
    assert.deepEqual(await contents(documents), ['<users>staff</users>', '<users>students</users>', '<users>more</users>'], 'read() restarts');
    assert.deepEqual(notes, [
      `${zipPath}!/readme.txt: not an XML file, skipped (Alma reads only the XML files in a zip)`,
      `${zipPath}!/__MACOSX/._staff.xml: hidden file or macOS metadata, skipped`,
      `${zipPath}!/sub/.hidden.xml: hidden file or macOS metadata, skipped`,
    ]);
  });

  test('zip entries keep stored order even when written out of name order; .ZIP in capitals is a zip', async () => {
    const folder = freshFolder();
    const zipPath = join(folder, 'FEED.ZIP');
    pythonZip(zipPath, [
      ['b.xml', '<b/>', 'deflated'],
      ['a.xml', '<a/>', 'deflated'],
    ]);
    const { documents } = await expandInputs([zipPath]);
    assert.deepEqual(
      documents.map((d) => d.path),
      [`${zipPath}!/b.xml`, `${zipPath}!/a.xml`],
    );
  });

  test('any other file is one document whatever its extension, read in 1 MiB chunks', async () => {
    const folder = freshFolder();
    const path = join(folder, 'users.txt');
    const content = Buffer.alloc(3 * 1024 * 1024 + 5, 'x');
    write(path, content);
    const { documents, notes: structured } = await expandInputs([path]);
    const notes = structured.map((n) => `${n.path}: ${n.message}`);
    assert.equal(documents.length, 1);
    assert.equal(documents[0].path, path);
    assert.equal(documents[0].size, content.length);
    const sizes: number[] = [];
    for await (const chunk of documents[0].read()) sizes.push(chunk.length);
    assert.deepEqual(sizes, [1 << 20, 1 << 20, 1 << 20, 5]);
    assert.deepEqual(notes, []);
  });

  test('a folder gives its .xml and .zip files recursively in byte order, skipping dot-entries and node_modules', async () => {
    const folder = freshFolder();
    write(join(folder, 'b.xml'), '<b/>');
    write(join(folder, 'a.xml'), '<a/>');
    write(join(folder, 'Z.xml'), '<Z/>'); // capitals sort before lower case in byte order
    write(join(folder, 'a', 'inner.xml'), '<inner/>');
    write(join(folder, 'é.xml'), '<e-acute/>');
    write(join(folder, 'notes.txt'), 'not read');
    write(join(folder, '.hidden.xml'), '<hidden/>');
    write(join(folder, '.git', 'x.xml'), '<git/>');
    write(join(folder, 'node_modules', 'pkg', 'y.xml'), '<nm/>');
    write(join(folder, 'UPPER.XML'), '<upper/>');
    pythonZip(join(folder, 'm.zip'), [['in-zip.xml', '<zipped/>', 'deflated']]);

    const { documents } = await expandInputs([folder]);
    assert.deepEqual(
      documents.map((d) => d.path),
      [
        join(folder, 'UPPER.XML'),
        join(folder, 'Z.xml'),
        join(folder, 'a.xml'),
        join(folder, 'a', 'inner.xml'),
        join(folder, 'b.xml'),
        `${join(folder, 'm.zip')}!/in-zip.xml`,
        join(folder, 'é.xml'),
      ],
    );
    assert.deepEqual(await contents(documents), ['<upper/>', '<Z/>', '<a/>', '<inner/>', '<b/>', '<zipped/>', '<e-acute/>']);
    assert.equal(documents[3].size, '<inner/>'.length);
  });

  test('paths keep the order given; a file reached twice is read once, with a note', async () => {
    const folder = freshFolder();
    write(join(folder, 'x.xml'), '<x/>');
    write(join(folder, 'y.xml'), '<y/>');
    symlinkSync(join(folder, 'x.xml'), join(folder, 'link-to-x.xml'));
    const { documents, notes: structured } = await expandInputs([join(folder, 'y.xml'), folder]);
    const notes = structured.map((n) => `${n.path}: ${n.message}`);
    assert.deepEqual(
      documents.map((d) => d.path),
      [join(folder, 'y.xml'), join(folder, 'link-to-x.xml')],
    );
    assert.deepEqual(notes, [`${join(folder, 'x.xml')}: the same file as an earlier input, read once`, `${join(folder, 'y.xml')}: the same file as an earlier input, read once`]);
  });

  test('a symlinked folder loop does not hang', async () => {
    const folder = freshFolder();
    write(join(folder, 'sub', 'u.xml'), '<u/>');
    symlinkSync(folder, join(folder, 'sub', 'loop'));
    const { documents } = await expandInputs([folder]);
    assert.deepEqual(
      documents.map((d) => d.path),
      [join(folder, 'sub', 'u.xml')],
    );
  });

  test('missing paths, empty folders and folders with nothing to read are InputErrors naming the path', async () => {
    const folder = freshFolder();
    const missing = join(folder, 'nope.xml');
    await rejectsInputError(expandInputs([missing]), new RegExp(`^${escape(missing)}: no such file or folder$`));
    const empty = join(folder, 'empty');
    mkdirSync(empty);
    await rejectsInputError(expandInputs([empty]), new RegExp(`^${escape(empty)}: the folder holds no .xml or .zip file$`));
    write(join(folder, 'texts', 'a.txt'), 'a');
    await rejectsInputError(expandInputs([join(folder, 'texts')]), /texts: the folder holds no \.xml or \.zip file/);
    await rejectsInputError(expandInputs([]), /no input given/);
  });

  test('corrupt zips, zips without XML and unreadable XML entries are InputErrors', async () => {
    const folder = freshFolder();
    const fake = join(folder, 'fake.zip');
    write(fake, '<users/>');
    await rejectsInputError(expandInputs([fake]), /fake\.zip: not a zip file/);

    const noXml = join(folder, 'no-xml.zip');
    pythonZip(noXml, [['readme.txt', 'hi', 'deflated']]);
    await rejectsInputError(expandInputs([noXml]), /no-xml\.zip: the zip holds no XML file/);

    const bzip2 = join(folder, 'bzip2.zip');
    python(
      "import sys, zipfile; zipfile.ZipFile(sys.argv[1], 'w').writestr('u.xml', '<users/>', compress_type=zipfile.ZIP_BZIP2)",
      bzip2,
    );
    await rejectsInputError(expandInputs([bzip2]), /bzip2\.zip!\/u\.xml: the entry uses compression method 12 \(bzip2\)/);

    write(join(folder, 'locked', 'users.xml'), '<users/>');
    zipTool(join(folder, 'locked'), '-P', 'pw', 'locked.zip', 'users.xml');
    await rejectsInputError(expandInputs([join(folder, 'locked', 'locked.zip')]), /locked\.zip!\/users\.xml: the entry is encrypted/);

    // Inside a folder the same zip fails the whole expansion: its users would otherwise go unchecked.
    await rejectsInputError(expandInputs([join(folder, 'locked')]), /encrypted/);
  });

  test('a zip entry name that climbs out of the folder is noted', async () => {
    const folder = freshFolder();
    const zipPath = join(folder, 'evil.zip');
    pythonZip(zipPath, [['../outside.xml', '<users/>', 'stored']]);
    const { documents, notes: structured } = await expandInputs([zipPath]);
    const notes = structured.map((n) => `${n.path}: ${n.message}`);
    assert.deepEqual(
      documents.map((d) => d.path),
      [`${zipPath}!/../outside.xml`],
    );
    assert.match(notes[0], /outside\.xml: the entry name is absolute or climbs out/);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('expandInputs: links never lead out of a named folder', () => {
  test('a link to the parent (up -> ..), to a folder or file elsewhere, or back into the folder: noted, not followed', async () => {
    const outside = freshFolder();
    write(join(outside, 'elsewhere', 'secret.xml'), '<secret/>');
    write(join(outside, 'other.xml'), '<other/>');
    const folder = join(outside, 'named');
    write(join(folder, 'a.xml'), '<a/>');
    write(join(folder, 'sub', 'b.xml'), '<b/>');
    symlinkSync('..', join(folder, 'up'));
    symlinkSync(join(outside, 'elsewhere'), join(folder, 'sub', 'away'));
    symlinkSync(join(outside, 'other.xml'), join(folder, 'other.xml'));
    symlinkSync(join(folder, 'sub'), join(folder, 'sub-again'));
    symlinkSync('b.xml', join(folder, 'sub', 'b-link.xml'));
    const { documents, notes } = await expandInputs([folder]);
    // b-link.xml (a link inside the folder) comes first in byte order; b.xml is then the same file.
    assert.deepEqual(documents.map((d) => d.path), [join(folder, 'a.xml'), join(folder, 'sub', 'b-link.xml')]);
    assert.deepEqual(notes.map((n) => `${n.path}: ${n.message}`).sort(), [
      `${join(folder, 'other.xml')}: a link to a file outside ${folder}, not followed`,
      `${join(folder, 'sub', 'away')}: a link to a folder outside ${folder}, not followed`,
      `${join(folder, 'sub', 'b.xml')}: the same file as an earlier input, read once`,
      `${join(folder, 'sub-again')}: a link to a folder already read, not followed again`,
      `${join(folder, 'up')}: a link to a folder outside ${folder}, not followed`,
    ].sort());
  });

  test('a folder reached through a link is walked once, however many links lead to it', async () => {
    const folder = freshFolder();
    write(join(folder, 'real', 'u.xml'), '<u/>');
    for (let i = 0; i < 20; i++) symlinkSync(join(folder, 'real'), join(folder, `link${String(i).padStart(2, '0')}`));
    const { documents, notes } = await expandInputs([folder]);
    assert.equal(documents.length, 1);
    assert.equal(notes.length, 20);
  });
});

describe('expandInputs: "-" is standard input', () => {
  async function* chunks(...parts: string[]): AsyncGenerator<Uint8Array> {
    for (const part of parts) yield Buffer.from(part);
  }

  test('one document named <stdin>, among other inputs in the order given, read once', async () => {
    const folder = freshFolder();
    write(join(folder, 'a.xml'), '<a/>');
    const { documents } = await expandInputs([join(folder, 'a.xml'), '-'], { stdin: () => chunks('<us', 'ers/>') });
    assert.deepEqual(documents.map((d) => d.path), [join(folder, 'a.xml'), '<stdin>']);
    assert.deepEqual(await contents(documents), ['<a/>', '<users/>']);
    assert.throws(() => documents[1].read(), /<stdin>: standard input can be read only once/);
  });

  test('a second "-", or "-" where there is no standard input, is refused as such', async () => {
    await rejectsInputError(expandInputs(['-', '-'], { stdin: () => chunks('<a/>') }), /^-: standard input can be named only once$/);
    await rejectsInputError(expandInputs(['-']), /^-: standard input cannot be read here; name a file$/);
  });
});

/** A zip of `count` empty deflated entries `n000000.xml`... (deflate of nothing is 2 bytes). */
function zipOfEmptyEntries(zipPath: string, count: number): void {
  python(
    `
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as zf:
    for i in range(int(sys.argv[2])):
        zf.writestr('n%06d.xml' % i, b'')
`,
    zipPath,
    String(count),
  );
}

describe('zip bombs and zips of many entries', () => {
  test('an entry that inflates 64 MiB of zeros from a few KB is refused before any byte is read', async () => {
    const zipPath = join(freshFolder(), 'bomb.zip');
    python(
      `
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
    zf.writestr('small.xml', '<users/>')
    with zf.open('zeros.xml', 'w') as f:
        block = b'\\0' * (1 << 20)
        for _ in range(64):
            f.write(block)
`,
      zipPath,
    );
    await rejectsInputError(
      expandInputs([zipPath]),
      /bomb\.zip!\/zeros\.xml: the entry would inflate from \d+ bytes to 64\.0 MiB \(\d+:1, user XML compresses about 10:1\); refused as a likely zip bomb/,
    );
  });

  test('XML entries declaring more than 4 GiB in all are refused, whatever each one declares', async () => {
    const zipPath = join(freshFolder(), 'many.zip');
    const count = 300;
    zipOfEmptyEntries(zipPath, count);
    // Each entry now declares 15 MiB (under the size where the ratio counts): 4.4 GiB in all.
    const raw = readFileSync(zipPath);
    let at = raw.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    let patched = 0;
    while (at >= 0) {
      raw.writeUInt32LE(15 * 1024 * 1024, at + 24);
      patched++;
      at = raw.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), at + 4);
    }
    assert.equal(patched, count);
    writeFileSync(zipPath, raw);
    await rejectsInputError(expandInputs([zipPath]), /many\.zip: the zip's XML files would inflate to 4\.4 GiB, over the limit of 4\.0 GiB .*zip bomb/);
  });

  test('a real feed compresses far below the ratio limit', async () => {
    const zipPath = join(freshFolder(), 'feed.zip');
    const user = (i: number) =>
      `  <user><record_type>PUBLIC</record_type><primary_id>ID${String(i * 7919).padStart(8, '0')}</primary_id>` +
      `<first_name>Name${i % 977}</first_name><last_name>Family${(i * 31) % 1009}</last_name><user_group>${i % 5}</user_group>` +
      `<expiry_date>2027-0${1 + (i % 9)}-1${i % 10}Z</expiry_date><contact_info><emails><email preferred="true">` +
      `<email_address>u${i}@example.edu</email_address><email_types><email_type>work</email_type></email_types></email></emails></contact_info></user>\n`;
    const body = Buffer.from(`<users>\n${Array.from({ length: 60_000 }, (_, i) => user(i)).join('')}</users>\n`);
    assert.ok(body.length > 17 * 1024 * 1024, 'larger than the size where the ratio counts');
    const folder = join(zipPath, '..');
    writeFileSync(join(folder, 'feed.xml'), body);
    zipTool(folder, 'feed.zip', 'feed.xml');
    const { documents } = await expandInputs([zipPath]);
    assert.equal(documents.length, 1);
  });

  test('empty entries: time linear in the entries (10,000 against 40,000, generous bound)', async () => {
    const folder = freshFolder();
    const timeFor = async (count: number): Promise<number> => {
      const zipPath = join(folder, `empty-${count}.zip`);
      zipOfEmptyEntries(zipPath, count);
      const started = process.hrtime.bigint();
      const { documents } = await expandInputs([zipPath]);
      let bytes = 0;
      for (const document of documents) for await (const chunk of document.read()) bytes += chunk.length;
      assert.equal(documents.length, count);
      assert.equal(bytes, 0);
      return Number(process.hrtime.bigint() - started) / 1e6;
    };
    await timeFor(1_000); // warm up
    const small = await timeFor(10_000);
    const large = await timeFor(40_000);
    // Linear is 4x, quadratic 16x. The reader that opened the file twice per entry took 45 s for
    // 100,000 entries (about 18 s for 40,000); this one about 0.3 s.
    assert.ok(large < Math.max(small, 100) * 10, `10,000 entries: ${small.toFixed(0)} ms; 40,000: ${large.toFixed(0)} ms`);
    assert.ok(large < 8_000, `40,000 empty entries took ${large.toFixed(0)} ms`);
  });
});
