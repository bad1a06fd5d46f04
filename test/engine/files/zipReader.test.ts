import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import * as zlib from 'node:zlib';
import { crc32, tableCrc32 } from '../../../server/src/engine/files/crc32';
import { InputError } from '../../../server/src/engine/files/inputDocument';
import {
  decodeCp437,
  isSafeEntryName,
  openZip,
  type ZipArchive,
  type ZipEntry,
} from '../../../server/src/engine/files/zipReader';
import { python, pythonZip, readAll, tmpFolder, zipTool } from './zipFixtures';

const dir = tmpFolder();
let counter = 0;
function freshZipPath(): string {
  return join(dir, `archive-${++counter}.zip`);
}

// The tests list a zip, then read entries of that listing: each entry remembers its archive.
const archiveOf = new Map<ZipEntry, ZipArchive>();
async function listZipEntries(zipPath: string): Promise<ZipEntry[]> {
  const archive = await openZip(zipPath);
  for (const entry of archive.entries) archiveOf.set(entry, archive);
  return [...archive.entries];
}
function readZipEntry(zipPath: string, entry: ZipEntry): AsyncGenerator<Uint8Array> {
  const archive = archiveOf.get(entry);
  assert.ok(archive && archive.path === zipPath, `entry ${entry.name} was not listed from ${zipPath}`);
  return archive.read(entry);
}

function entryNamed(entries: ZipEntry[], name: string): ZipEntry {
  const entry = entries.find((e) => e.name === name);
  assert.ok(entry, `no entry ${name} in ${entries.map((e) => e.name).join(', ')}`);
  return entry;
}

async function rejectsInputError(promise: Promise<unknown>, message: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof InputError, `expected InputError, got ${String(error)}`);
    assert.match(error.message, message);
    return true;
  });
}

const usersXml = Buffer.from(
  '<?xml version="1.0" encoding="UTF-8"?>\n<users>\n' +
    Array.from({ length: 200 }, (_, i) => `  <user><primary_id>U${i}</primary_id><last_name>Zoë</last_name></user>\n`).join('') +
    '</users>\n',
);

describe('crc32', () => {
  test('the table fallback agrees with zlib over chunked input', () => {
    const data = randomBytes(100_000);
    const whole = zlib.crc32(data);
    assert.equal(tableCrc32(data), whole);
    assert.equal(tableCrc32(data.subarray(40_000), tableCrc32(data.subarray(0, 40_000))), whole);
    assert.equal(crc32(data.subarray(40_000), crc32(data.subarray(0, 40_000))), whole);
    assert.equal(tableCrc32(Buffer.from('123456789')), 0xcbf43926);
  });
});

describe('listZipEntries and readZipEntry', () => {
  test('zip tool: deflated and stored entries round-trip byte for byte', async () => {
    const work = join(dir, 'zip-tool');
    mkdirSync(work);
    const binary = randomBytes(70_000);
    writeFileSync(join(work, 'users.xml'), usersXml);
    writeFileSync(join(work, 'random.bin'), binary);
    writeFileSync(join(work, 'empty.xml'), '');
    zipTool(work, 'deflated.zip', 'users.xml', 'random.bin', 'empty.xml');
    zipTool(work, '-0', 'stored.zip', 'users.xml', 'random.bin');

    const deflated = await listZipEntries(join(work, 'deflated.zip'));
    assert.deepEqual(
      deflated.map((e) => e.name),
      ['users.xml', 'random.bin', 'empty.xml'],
    );
    const users = entryNamed(deflated, 'users.xml');
    assert.equal(users.method, 8);
    assert.equal(users.uncompressedSize, usersXml.length);
    assert.ok(users.compressedSize < usersXml.length);
    assert.equal(users.crc32, zlib.crc32(usersXml));
    assert.equal(users.encrypted, false);
    assert.equal(users.isDirectory, false);
    assert.deepEqual(await readAll(readZipEntry(join(work, 'deflated.zip'), users)), usersXml);
    assert.deepEqual(await readAll(readZipEntry(join(work, 'deflated.zip'), entryNamed(deflated, 'random.bin'))), binary);
    assert.equal((await readAll(readZipEntry(join(work, 'deflated.zip'), entryNamed(deflated, 'empty.xml')))).length, 0);

    const stored = await listZipEntries(join(work, 'stored.zip'));
    for (const entry of stored) assert.equal(entry.method, 0);
    assert.deepEqual(await readAll(readZipEntry(join(work, 'stored.zip'), entryNamed(stored, 'users.xml'))), usersXml);
    assert.deepEqual(await readAll(readZipEntry(join(work, 'stored.zip'), entryNamed(stored, 'random.bin'))), binary);
  });

  test('python: stored and deflated entries in one zip, plus a directory entry', async () => {
    const zipPath = freshZipPath();
    const binary = randomBytes(5000);
    pythonZip(zipPath, [
      ['data/', '', 'stored'],
      ['data/stored.bin', binary, 'stored'],
      ['data/users.xml', usersXml, 'deflated'],
    ]);
    const entries = await listZipEntries(zipPath);
    assert.deepEqual(
      entries.map((e) => [e.name, e.method, e.isDirectory]),
      [
        ['data/', 0, true],
        ['data/stored.bin', 0, false],
        ['data/users.xml', 8, false],
      ],
    );
    assert.deepEqual(await readAll(readZipEntry(zipPath, entries[1])), binary);
    assert.deepEqual(await readAll(readZipEntry(zipPath, entries[2])), usersXml);
    await rejectsInputError(readAll(readZipEntry(zipPath, entries[0])), /folder/);
  });

  test('entries come in stored order, not central directory order or name order', async () => {
    const zipPath = freshZipPath();
    // Written b, a, d, c; the central directory is then written in name order (a, b, c, d).
    python(
      `
import sys, zipfile
zf = zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED)
for name in ['b.xml', 'a.xml', 'd.xml', 'c.xml']:
    zf.writestr(name, '<users><!-- %s --></users>' % name)
zf.filelist.sort(key=lambda info: info.filename)
zf.close()
`,
      zipPath,
    );
    const centralOrder = readFileSync(zipPath).toString('latin1').match(/PK\x01\x02[^]{42}(.\.xml)/g)?.map((m) => m.slice(-5));
    assert.deepEqual(centralOrder, ['a.xml', 'b.xml', 'c.xml', 'd.xml']);
    const entries = await listZipEntries(zipPath);
    assert.deepEqual(
      entries.map((e) => e.name),
      ['b.xml', 'a.xml', 'd.xml', 'c.xml'],
    );
    const offsets = entries.map((e) => e.localHeaderOffset);
    assert.deepEqual(offsets, [...offsets].sort((x, y) => x - y));
    assert.equal((await readAll(readZipEntry(zipPath, entries[1]))).toString(), '<users><!-- a.xml --></users>');
  });

  test('names: CP437 without the UTF-8 flag, UTF-8 with it, and raw UTF-8 from the zip tool on Unix', async () => {
    const zipPath = freshZipPath();
    const cp437Name = 'Müller_ñ_ÆÖ╬αß½.xml'; // every character exists in CP437
    python(
      `
import sys, zipfile
class Cp437Info(zipfile.ZipInfo):
    def _encodeFilenameFlags(self):
        return self.filename.encode('cp437'), self.flag_bits
with zipfile.ZipFile(sys.argv[1], 'w') as zf:
    info = Cp437Info(sys.argv[2])
    info.create_system = 0  # MS-DOS, as Windows tools write
    zf.writestr(info, 'cp437')
    zf.writestr('Zoë_日本.xml', 'utf8')
`,
      zipPath,
      cp437Name,
    );
    const raw = readFileSync(zipPath);
    assert.ok(raw.includes(Buffer.from([0x4d, 0x81, 0x6c])), 'the name is stored as CP437 bytes (ü = 0x81)');
    const entries = await listZipEntries(zipPath);
    assert.deepEqual(
      entries.map((e) => e.name),
      [cp437Name, 'Zoë_日本.xml'],
    );
    assert.equal((await readAll(readZipEntry(zipPath, entries[0]))).toString(), 'cp437');

    const work = join(dir, 'unicode-names');
    mkdirSync(work);
    writeFileSync(join(work, 'café.xml'), '<users/>');
    zipTool(work, 'names.zip', 'café.xml');
    assert.deepEqual(
      (await listZipEntries(join(work, 'names.zip'))).map((e) => e.name),
      ['café.xml'],
    );
  });

  test('decodeCp437 matches python for all 256 bytes', () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const out = join(dir, 'cp437.txt');
    python("import sys; open(sys.argv[1], 'w', encoding='utf-8').write(bytes(range(256)).decode('cp437'))", out);
    assert.equal(decodeCp437(all), readFileSync(out, 'utf8'));
  });

  test('ZIP64: end record, locator and central zip64 extra fields from zip -fz', async () => {
    const work = join(dir, 'zip64');
    mkdirSync(work);
    writeFileSync(join(work, 'users.xml'), usersXml);
    writeFileSync(join(work, 'second.xml'), '<users/>');
    zipTool(work, '-fz', 'z64.zip', 'users.xml', 'second.xml');
    const raw = readFileSync(join(work, 'z64.zip'));
    assert.ok(raw.includes(Buffer.from([0x50, 0x4b, 0x06, 0x06])), 'has a ZIP64 end record');
    assert.ok(raw.includes(Buffer.from([0x50, 0x4b, 0x06, 0x07])), 'has a ZIP64 locator');
    const entries = await listZipEntries(join(work, 'z64.zip'));
    assert.deepEqual(
      entries.map((e) => [e.name, e.uncompressedSize]),
      [
        ['users.xml', usersXml.length],
        ['second.xml', 8],
      ],
    );
    assert.deepEqual(await readAll(readZipEntry(join(work, 'z64.zip'), entries[0])), usersXml);
    assert.equal((await readAll(readZipEntry(join(work, 'z64.zip'), entries[1]))).toString(), '<users/>');
  });

  test('ZIP64: python force_zip64 local headers, and more than 65,535 entries', async () => {
    const zipPath = freshZipPath();
    python(
      `
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
    with zf.open('forced.xml', 'w', force_zip64=True) as f:
        f.write(b'<users>' + b'<user/>' * 1000 + b'</users>')
    for i in range(70000):
        zf.writestr('n%05d.txt' % i, b'')
    zf.writestr('last.xml', b'<users/>')
`,
      zipPath,
    );
    const entries = await listZipEntries(zipPath);
    assert.equal(entries.length, 70002);
    assert.equal(entries[0].name, 'forced.xml');
    assert.equal(entries[70001].name, 'last.xml');
    assert.equal(
      (await readAll(readZipEntry(zipPath, entries[0]))).toString(),
      '<users>' + '<user/>'.repeat(1000) + '</users>',
    );
    assert.equal((await readAll(readZipEntry(zipPath, entries[70001]))).toString(), '<users/>');
  });

  test('data descriptors (zip writing to a pipe) and an archive comment holding a fake end signature', async () => {
    const work = join(dir, 'descriptor');
    mkdirSync(work);
    writeFileSync(join(work, 'users.xml'), usersXml);
    python(
      `
import sys, subprocess
out = subprocess.run(['zip', '-q', '-', 'users.xml'], cwd=sys.argv[1], check=True, capture_output=True).stdout
open(sys.argv[1] + '/piped.zip', 'wb').write(out)
`,
      work,
    );
    const piped = await listZipEntries(join(work, 'piped.zip'));
    assert.deepEqual(await readAll(readZipEntry(join(work, 'piped.zip'), piped[0])), usersXml);

    const zipPath = freshZipPath();
    python(
      `
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], 'w') as zf:
    zf.writestr('a.xml', '<users/>')
    zf.comment = b'made by the SIS export PK\\x05\\x06 ' + b'x' * 3000
`,
      zipPath,
    );
    const commented = await listZipEntries(zipPath);
    assert.deepEqual(
      commented.map((e) => e.name),
      ['a.xml'],
    );
  });

  test('an empty zip has no entries', async () => {
    const zipPath = freshZipPath();
    python("import sys, zipfile; zipfile.ZipFile(sys.argv[1], 'w').close()", zipPath);
    assert.deepEqual(await listZipEntries(zipPath), []);
  });

  test('a flipped data byte fails the CRC check', async () => {
    const zipPath = freshZipPath();
    pythonZip(zipPath, [['users.xml', usersXml, 'stored']]);
    const [entry] = await listZipEntries(zipPath);
    const raw = readFileSync(zipPath);
    const at = raw.indexOf('<primary_id>U100');
    raw[at + 13] ^= 0x01;
    writeFileSync(zipPath, raw);
    await rejectsInputError(readAll(readZipEntry(zipPath, entry)), /users\.xml: CRC-32 mismatch.*corrupt/);
  });

  test('a flipped byte in deflated data is an InputError (corrupt stream or CRC)', async () => {
    const zipPath = freshZipPath();
    pythonZip(zipPath, [['users.xml', usersXml, 'deflated']]);
    const [entry] = await listZipEntries(zipPath);
    const raw = readFileSync(zipPath);
    const dataStart = entry.localHeaderOffset + 30 + raw.readUInt16LE(entry.localHeaderOffset + 26) + raw.readUInt16LE(entry.localHeaderOffset + 28);
    raw[dataStart + Math.floor(entry.compressedSize / 2)] ^= 0xff;
    writeFileSync(zipPath, raw);
    await rejectsInputError(readAll(readZipEntry(zipPath, entry)), /users\.xml: .*corrupt/);
  });

  test('a truncated zip is reported as truncated', async () => {
    const zipPath = freshZipPath();
    pythonZip(zipPath, [['users.xml', usersXml, 'deflated']]);
    truncateSync(zipPath, Math.floor(statSync(zipPath).size / 2));
    await rejectsInputError(listZipEntries(zipPath), /zip is truncated/);
  });

  test('an entry cut short after listing is reported as truncated', async () => {
    const zipPath = freshZipPath();
    pythonZip(zipPath, [['users.xml', usersXml, 'deflated']]);
    const [entry] = await listZipEntries(zipPath);
    truncateSync(zipPath, entry.localHeaderOffset + 60);
    await rejectsInputError(readAll(readZipEntry(zipPath, entry)), /truncated/);
  });

  test('a text file named .zip, an empty file and a missing file', async () => {
    const text = join(dir, 'notes.zip');
    writeFileSync(text, 'these are not the users you are looking for\n'.repeat(10));
    await rejectsInputError(listZipEntries(text), /notes\.zip: not a zip file/);
    const empty = join(dir, 'empty.zip');
    writeFileSync(empty, '');
    await rejectsInputError(listZipEntries(empty), /empty\.zip: not a zip file \(the file is empty\)/);
    await rejectsInputError(listZipEntries(join(dir, 'missing.zip')), /missing\.zip: cannot open the zip/);
  });

  test('an encrypted entry (zip -P) is flagged and refused', async () => {
    const work = join(dir, 'encrypted');
    mkdirSync(work);
    writeFileSync(join(work, 'users.xml'), usersXml);
    zipTool(work, '-P', 'secret', 'locked.zip', 'users.xml');
    const [entry] = await listZipEntries(join(work, 'locked.zip'));
    assert.equal(entry.encrypted, true);
    await rejectsInputError(readAll(readZipEntry(join(work, 'locked.zip'), entry)), /users\.xml: the entry is encrypted/);
  });

  test('bzip2 and LZMA entries are refused by name', async () => {
    const zipPath = freshZipPath();
    python(
      `
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], 'w') as zf:
    zf.writestr('b.xml', '<users/>', compress_type=zipfile.ZIP_BZIP2)
    zf.writestr('l.xml', '<users/>', compress_type=zipfile.ZIP_LZMA)
`,
      zipPath,
    );
    const [bzip2, lzma] = await listZipEntries(zipPath);
    await rejectsInputError(
      readAll(readZipEntry(zipPath, bzip2)),
      /b\.xml: the entry uses compression method 12 \(bzip2\); Alma's zip must use deflate or store/,
    );
    await rejectsInputError(readAll(readZipEntry(zipPath, lzma)), /method 14 \(LZMA\)/);
  });

  test('an entry that inflates past its declared size is stopped', async () => {
    const zipPath = freshZipPath();
    pythonZip(zipPath, [['users.xml', usersXml, 'deflated']]);
    const raw = readFileSync(zipPath);
    const central = raw.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    raw.writeUInt32LE(1000, central + 24); // declared uncompressed size
    writeFileSync(zipPath, raw);
    const [entry] = await listZipEntries(zipPath);
    assert.equal(entry.uncompressedSize, 1000);
    await rejectsInputError(readAll(readZipEntry(zipPath, entry)), /inflates past its declared size of 1000 bytes/);
  });

  test('entries whose data overlap (the non-recursive zip bomb trick) are refused', async () => {
    const zipPath = freshZipPath();
    pythonZip(zipPath, [
      ['a.xml', usersXml, 'stored'],
      ['b.xml', '<users/>', 'stored'],
    ]);
    const raw = readFileSync(zipPath);
    const first = raw.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    const second = raw.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), first + 4);
    raw.writeUInt32LE(0, second + 42); // b.xml now points at a.xml's local header
    writeFileSync(zipPath, raw);
    await rejectsInputError(listZipEntries(zipPath), /zip is corrupt: entry .* overlaps/);
  });

  test('a 50 MB deflated entry streams in bounded chunks, and an early stop releases the file', async () => {
    const zipPath = freshZipPath();
    const size = 50 * 1024 * 1024;
    python(
      `
import sys, zipfile
line = b'<user><primary_id>0000000</primary_id><status>ACTIVE</status></user>\\n'
with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as zf:
    with zf.open('big.xml', 'w') as f:
        block = line * (1024 * 1024 // len(line) + 1)
        left = int(sys.argv[2])
        while left:
            piece = block[:min(left, len(block))]
            f.write(piece)
            left -= len(piece)
`,
      zipPath,
      String(size),
    );
    assert.ok(statSync(zipPath).size < size / 20, 'highly compressible');
    const [entry] = await listZipEntries(zipPath);
    assert.equal(entry.uncompressedSize, size);
    let total = 0;
    let chunks = 0;
    let largest = 0;
    for await (const chunk of readZipEntry(zipPath, entry)) {
      total += chunk.length;
      chunks++;
      largest = Math.max(largest, chunk.length);
    }
    assert.equal(total, size);
    assert.ok(chunks >= 50, `${chunks} chunks`);
    assert.ok(largest <= 1024 * 1024, `largest chunk ${largest}`);

    for await (const chunk of readZipEntry(zipPath, entry)) {
      assert.ok(chunk.length > 0);
      break;
    }
  });
});

const slowTests = process.env.ALMA_SIS_SLOW_TESTS === '1';

describe('archives over 4 GB', () => {
  test(
    'a deflated entry of 4 GiB + 123,457 bytes: ZIP64 sizes, streamed, size and CRC checked',
    { skip: slowTests ? false : 'about 15 s; set ALMA_SIS_SLOW_TESTS=1 to run' },
    async () => {
      const zipPath = freshZipPath();
      const size = 4 * 1024 ** 3 + 123_457;
      python(
        `
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
    with zf.open('huge.xml', 'w', force_zip64=True) as f:
        block = b'<user/>\\n' * (1 << 17)
        left = int(sys.argv[2])
        while left:
            piece = block[:min(left, len(block))]
            f.write(piece)
            left -= len(piece)
`,
        zipPath,
        String(size),
      );
      const [entry] = await listZipEntries(zipPath);
      assert.equal(entry.uncompressedSize, size);
      let total = 0;
      for await (const chunk of readZipEntry(zipPath, entry)) total += chunk.length;
      assert.equal(total, size);
    },
  );
});

describe('isSafeEntryName', () => {
  test('accepts relative names and refuses traversal, absolute, drive and control-character names', () => {
    for (const name of ['users.xml', 'feed/users.xml', './users.xml', 'a..b.xml', '..users.xml', 'Zoë.xml']) {
      assert.equal(isSafeEntryName(name), true, name);
    }
    for (const name of ['', '../users.xml', 'feed/../../users.xml', 'feed/..', '..\\users.xml', '/etc/users.xml', '\\users.xml', 'C:users.xml', 'c:/x.xml', 'a\u0000.xml', 'a\nb.xml']) {
      assert.equal(isSafeEntryName(name), false, JSON.stringify(name));
    }
  });
});
