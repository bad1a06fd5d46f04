/**
 * A small zip reader on node:fs and node:zlib: lists the entries of an archive (ZIP64 included)
 * and streams one entry's bytes with bounded memory, checking its CRC-32 and size.
 *
 * Only what Alma accepts is read: stored (0) and deflate (8) entries, unencrypted, on one disk.
 */
import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { pipeline } from 'node:stream';
import { createInflateRaw } from 'node:zlib';
import { crc32 } from './crc32';
import { InputError } from './inputDocument';

export interface ZipEntry {
  /** The entry's name as stored, `/`-separated; directories end with `/`. */
  name: string;
  compressedSize: number;
  uncompressedSize: number;
  /** Compression method: 0 stored, 8 deflate (the only two read). */
  method: number;
  /** CRC-32 of the uncompressed bytes, unsigned. */
  crc32: number;
  /** Offset of the entry's local header from the start of the file. */
  localHeaderOffset: number;
  isDirectory: boolean;
  /** General purpose flag bit 0: the entry is encrypted (ZipCrypto or AES) and cannot be read. */
  encrypted: boolean;
}

export const STORED = 0;
export const DEFLATE = 8;

const EOCD_SIGNATURE = 0x06054b50;
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_LOCATOR_SIZE = 20;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const ZIP64_EOCD_SIZE = 56;
const CENTRAL_SIGNATURE = 0x02014b50;
const CENTRAL_SIZE = 46;
const LOCAL_SIGNATURE = 0x04034b50;
const LOCAL_SIZE = 30;
const ZIP64_EXTRA_ID = 0x0001;
const UNICODE_PATH_EXTRA_ID = 0x7075;
const FLAG_ENCRYPTED = 0x0001;
const FLAG_UTF8 = 0x0800;
const HOST_UNIX = 3;
const HOST_MACOS = 19;

/** The central directory is read whole; 256 MiB holds millions of entries, more is a forged header. */
const MAX_DIRECTORY_BYTES = 256 * 1024 * 1024;

/** Read size for entry data, and zlib's output chunk size: large enough that per-chunk overhead vanishes. */
const CHUNK_BYTES = 1 << 20;

const METHOD_NAMES: Record<number, string> = {
  1: 'shrink',
  6: 'implode',
  9: 'deflate64',
  12: 'bzip2',
  14: 'LZMA',
  93: 'Zstandard',
  95: 'xz',
  98: 'PPMd',
  99: 'AES encryption',
};

/** Code points for bytes 0x80-0xFF in code page 437, the zip default when the UTF-8 flag is not set. */
const CP437_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';

export function decodeCp437(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += byte < 0x80 ? String.fromCharCode(byte) : CP437_HIGH[byte - 0x80];
  return text;
}

/**
 * Whether an entry name is safe to extract below a folder on any OS, and so to write into a zip:
 * relative, no `..` segment (with `/` or `\` as separator), no drive letter, no NUL or control
 * characters.
 */
export function isSafeEntryName(name: string): boolean {
  if (name.length === 0) return false;
  if (/[\u0000-\u001f\u007f]/.test(name)) return false;
  if (name.startsWith('/') || name.startsWith('\\') || /^[A-Za-z]:/.test(name)) return false;
  return !name.split(/[/\\]/).includes('..');
}

/** `archive.zip!/entry.xml`: how an entry is shown to the user. */
export function entryDisplayPath(zipPath: string, entryName: string): string {
  return `${zipPath}!/${entryName}`;
}

/**
 * The archive's entries in stored order (ascending local header offset), which is the order
 * Alma reads the files in; the central directory may list them differently.
 */
export async function listZipEntries(zipPath: string): Promise<ZipEntry[]> {
  const handle = await openZip(zipPath);
  try {
    const fileSize = (await handle.stat()).size;
    const directory = await findCentralDirectory(handle, zipPath, fileSize);
    const bytes = await readAt(handle, directory.offset, directory.size);
    if (bytes.length < directory.size) throw corrupt(zipPath, 'the central directory runs past the end of the file');
    const entries = parseCentralDirectory(bytes, directory.entryCount, zipPath);
    entries.sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
    checkNoOverlap(entries, directory.offset, zipPath);
    return entries;
  } finally {
    await handle.close();
  }
}

/** Throws the InputError that reading this entry would meet, before any byte is read. */
export function assertEntryReadable(zipPath: string, entry: ZipEntry): void {
  const where = entryDisplayPath(zipPath, entry.name);
  if (entry.encrypted || entry.method === 99) {
    throw new InputError(`${where}: the entry is encrypted; Alma cannot read a password-protected zip`, where);
  }
  if (entry.method !== STORED && entry.method !== DEFLATE) {
    const known = METHOD_NAMES[entry.method];
    throw new InputError(
      `${where}: the entry uses compression method ${entry.method}${known ? ` (${known})` : ''}; Alma's zip must use deflate or store`,
      where,
    );
  }
  if (entry.isDirectory) throw new InputError(`${where}: is a folder, not a file`, where);
}

/**
 * The entry's uncompressed bytes in chunks of at most 1 MiB. At the end the byte count and
 * CRC-32 are checked against the central directory, and inflating stops as soon as the output
 * passes the declared size, so a lying or bomb entry costs no more than it claims.
 */
export async function* readZipEntry(zipPath: string, entry: ZipEntry): AsyncGenerator<Uint8Array> {
  assertEntryReadable(zipPath, entry);
  const where = entryDisplayPath(zipPath, entry.name);
  if (entry.method === STORED && entry.compressedSize !== entry.uncompressedSize) {
    throw corrupt(
      zipPath,
      `stored entry ${entry.name} declares ${entry.compressedSize} bytes stored but ${entry.uncompressedSize} bytes uncompressed`,
    );
  }
  const dataStart = await locateEntryData(zipPath, entry);

  let produced = 0;
  let crc = 0;
  if (entry.compressedSize > 0) {
    const raw = createReadStream(zipPath, {
      start: dataStart,
      end: dataStart + entry.compressedSize - 1,
      highWaterMark: CHUNK_BYTES,
    });
    const bytes =
      entry.method === DEFLATE
        ? pipeline(raw, createInflateRaw({ chunkSize: CHUNK_BYTES }), () => {
            /* errors surface through the iteration below */
          })
        : raw;
    try {
      for await (const chunk of bytes as AsyncIterable<Buffer>) {
        produced += chunk.length;
        if (produced > entry.uncompressedSize) {
          throw new InputError(
            `${where}: the entry inflates past its declared size of ${entry.uncompressedSize} bytes; the zip is corrupt or a zip bomb`,
            where,
          );
        }
        crc = crc32(chunk, crc);
        yield chunk;
      }
    } catch (error) {
      if (error instanceof InputError) throw error;
      throw new InputError(`${where}: cannot read the entry, the zip is corrupt or truncated (${describe(error)})`, where);
    } finally {
      raw.destroy();
      bytes.destroy();
    }
  }
  if (produced !== entry.uncompressedSize) {
    throw new InputError(
      `${where}: the entry holds ${produced} bytes but the zip declares ${entry.uncompressedSize}; the zip is corrupt`,
      where,
    );
  }
  if (crc !== entry.crc32) {
    throw new InputError(
      `${where}: CRC-32 mismatch (stored ${hex(entry.crc32)}, computed ${hex(crc)}); the zip is corrupt`,
      where,
    );
  }
}

interface CentralDirectory {
  offset: number;
  size: number;
  entryCount: number;
}

async function openZip(zipPath: string): Promise<FileHandle> {
  try {
    return await open(zipPath, 'r');
  } catch (error) {
    throw new InputError(`${zipPath}: cannot open the zip (${describe(error)})`, zipPath);
  }
}

/** Reads up to `length` bytes at `position`; shorter only at the end of the file. */
async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, filled, length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled === length ? buffer : buffer.subarray(0, filled);
}

async function findCentralDirectory(handle: FileHandle, zipPath: string, fileSize: number): Promise<CentralDirectory> {
  if (fileSize === 0) throw new InputError(`${zipPath}: not a zip file (the file is empty)`, zipPath);
  const tailLength = Math.min(fileSize, EOCD_SIZE + MAX_COMMENT);
  const tailStart = fileSize - tailLength;
  const tail = await readAt(handle, tailStart, tailLength);
  const at = findEndRecord(tail);
  if (at < 0) {
    const head = await readAt(handle, 0, 4);
    const looksLikeZip = head.length === 4 && head.readUInt32LE(0) === LOCAL_SIGNATURE;
    throw new InputError(
      looksLikeZip
        ? `${zipPath}: the zip is truncated (its end of central directory record is missing; was the copy or upload cut short?)`
        : `${zipPath}: not a zip file`,
      zipPath,
    );
  }
  const eocdOffset = tailStart + at;
  if (tail.readUInt16LE(at + 4) !== 0 || tail.readUInt16LE(at + 6) !== 0) {
    throw new InputError(`${zipPath}: the zip is split over several disks, which is not supported`, zipPath);
  }
  let entryCount = tail.readUInt16LE(at + 10);
  let size = tail.readUInt32LE(at + 12);
  let offset = tail.readUInt32LE(at + 16);
  let directoryEnd = eocdOffset;

  // A ZIP64 locator just before the end record means the real values are in the ZIP64 end record.
  if (eocdOffset >= ZIP64_LOCATOR_SIZE) {
    const locator = await readAt(handle, eocdOffset - ZIP64_LOCATOR_SIZE, ZIP64_LOCATOR_SIZE);
    if (locator.readUInt32LE(0) === ZIP64_LOCATOR_SIGNATURE) {
      const zip64Offset = toSafeNumber(locator.readBigUInt64LE(8), zipPath);
      const record = await readAt(handle, zip64Offset, ZIP64_EOCD_SIZE);
      if (record.length < ZIP64_EOCD_SIZE || record.readUInt32LE(0) !== ZIP64_EOCD_SIGNATURE) {
        throw corrupt(zipPath, 'the ZIP64 end of central directory record is missing');
      }
      entryCount = toSafeNumber(record.readBigUInt64LE(32), zipPath);
      size = toSafeNumber(record.readBigUInt64LE(40), zipPath);
      offset = toSafeNumber(record.readBigUInt64LE(48), zipPath);
      directoryEnd = zip64Offset;
    }
  }
  if (offset + size > directoryEnd) {
    throw corrupt(zipPath, 'the central directory overlaps its end record');
  }
  if (size > MAX_DIRECTORY_BYTES) {
    throw corrupt(zipPath, `a central directory of ${size} bytes is beyond any real archive`);
  }
  if (entryCount * CENTRAL_SIZE > size) {
    throw corrupt(zipPath, `${entryCount} entries cannot fit in a central directory of ${size} bytes`);
  }
  return { offset, size, entryCount };
}

/**
 * Position of the end of central directory record in `tail`, or -1. Searching backwards, the
 * first signature whose comment length reaches exactly the end of the file wins; a signature
 * that only fits with trailing bytes after the comment is accepted as a fallback.
 */
function findEndRecord(tail: Buffer): number {
  let loose = -1;
  for (let i = tail.length - EOCD_SIZE; i >= 0; i--) {
    if (tail.readUInt32LE(i) !== EOCD_SIGNATURE) continue;
    const end = i + EOCD_SIZE + tail.readUInt16LE(i + 20);
    if (end === tail.length) return i;
    if (end < tail.length && loose < 0) loose = i;
  }
  return loose;
}

function parseCentralDirectory(bytes: Buffer, entryCount: number, zipPath: string): ZipEntry[] {
  const entries: ZipEntry[] = [];
  let at = 0;
  for (let index = 0; index < entryCount; index++) {
    if (at + CENTRAL_SIZE > bytes.length || bytes.readUInt32LE(at) !== CENTRAL_SIGNATURE) {
      throw corrupt(zipPath, `central directory entry ${index + 1} of ${entryCount} is damaged`);
    }
    const hostSystem = bytes[at + 5];
    const flags = bytes.readUInt16LE(at + 8);
    const method = bytes.readUInt16LE(at + 10);
    const crc = bytes.readUInt32LE(at + 16);
    let compressedSize = bytes.readUInt32LE(at + 20);
    let uncompressedSize = bytes.readUInt32LE(at + 24);
    const nameLength = bytes.readUInt16LE(at + 28);
    const extraLength = bytes.readUInt16LE(at + 30);
    const commentLength = bytes.readUInt16LE(at + 32);
    const diskStart = bytes.readUInt16LE(at + 34);
    let localHeaderOffset = bytes.readUInt32LE(at + 42);
    const nameStart = at + CENTRAL_SIZE;
    const extraStart = nameStart + nameLength;
    const next = extraStart + extraLength + commentLength;
    if (next > bytes.length) throw corrupt(zipPath, `central directory entry ${index + 1} runs past the directory`);
    const nameBytes = bytes.subarray(nameStart, extraStart);
    const extra = bytes.subarray(extraStart, extraStart + extraLength);

    const zip64 = findExtraField(extra, ZIP64_EXTRA_ID);
    if (zip64) {
      // Only the fields whose 32-bit value is saturated are present, in this order.
      let field = 0;
      const take = (): number => {
        if (field + 8 > zip64.length) throw corrupt(zipPath, `the ZIP64 extra field of entry ${index + 1} is too short`);
        const value = toSafeNumber(zip64.readBigUInt64LE(field), zipPath);
        field += 8;
        return value;
      };
      if (uncompressedSize === 0xffffffff) uncompressedSize = take();
      if (compressedSize === 0xffffffff) compressedSize = take();
      if (localHeaderOffset === 0xffffffff) localHeaderOffset = take();
    }
    if (diskStart !== 0 && diskStart !== 0xffff) {
      throw new InputError(`${zipPath}: the zip is split over several disks, which is not supported`, zipPath);
    }

    const name = decodeEntryName(nameBytes, flags, hostSystem, extra);
    entries.push({
      name,
      compressedSize,
      uncompressedSize,
      method,
      crc32: crc,
      localHeaderOffset,
      isDirectory: name.endsWith('/'),
      encrypted: (flags & FLAG_ENCRYPTED) !== 0,
    });
    at = next;
  }
  return entries;
}

function findExtraField(extra: Buffer, id: number): Buffer | undefined {
  let at = 0;
  while (at + 4 <= extra.length) {
    const fieldId = extra.readUInt16LE(at);
    const length = extra.readUInt16LE(at + 2);
    const end = Math.min(at + 4 + length, extra.length);
    if (fieldId === id) return extra.subarray(at + 4, end);
    at = end;
  }
  return undefined;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Flag bit 11 means UTF-8. Otherwise an Info-ZIP Unicode Path field (whose CRC matches the stored
 * name) gives the UTF-8 name. Otherwise archives made on Unix or macOS hold the file system's bytes,
 * which are UTF-8 in practice (Info-ZIP's `zip` writes them so, without the flag), and the rest is
 * code page 437 as the format says.
 */
function decodeEntryName(nameBytes: Buffer, flags: number, hostSystem: number, extra: Buffer): string {
  if (flags & FLAG_UTF8) return nameBytes.toString('utf8');
  const unicodePath = findExtraField(extra, UNICODE_PATH_EXTRA_ID);
  if (unicodePath && unicodePath.length > 5 && unicodePath[0] === 1 && unicodePath.readUInt32LE(1) === crc32(nameBytes)) {
    return unicodePath.subarray(5).toString('utf8');
  }
  if (hostSystem === HOST_UNIX || hostSystem === HOST_MACOS) {
    try {
      return strictUtf8.decode(nameBytes);
    } catch {
      // not UTF-8 after all: fall through to CP437
    }
  }
  return decodeCp437(nameBytes);
}

/**
 * Two entries whose data overlap are the trick of the non-recursive zip bomb; no honest writer
 * produces them. The bound is a lower one (header without name), so it never rejects a real zip.
 */
function checkNoOverlap(entries: ZipEntry[], directoryOffset: number, zipPath: string): void {
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i];
    const nextStart = i + 1 < entries.length ? entries[i + 1].localHeaderOffset : directoryOffset;
    if (entry.localHeaderOffset + LOCAL_SIZE + entry.compressedSize > nextStart) {
      const other = i + 1 < entries.length ? `entry ${entries[i + 1].name}` : 'the central directory';
      throw corrupt(zipPath, `entry ${entry.name} overlaps ${other}`);
    }
  }
}

/** Reads the entry's local header to find where its data starts; the name and extra field lengths there may differ from the central directory's. */
async function locateEntryData(zipPath: string, entry: ZipEntry): Promise<number> {
  const handle = await openZip(zipPath);
  try {
    const header = await readAt(handle, entry.localHeaderOffset, LOCAL_SIZE);
    if (header.length < LOCAL_SIZE || header.readUInt32LE(0) !== LOCAL_SIGNATURE) {
      throw corrupt(zipPath, `no local header for entry ${entry.name} at offset ${entry.localHeaderOffset}`);
    }
    const dataStart = entry.localHeaderOffset + LOCAL_SIZE + header.readUInt16LE(26) + header.readUInt16LE(28);
    const fileSize = (await handle.stat()).size;
    if (dataStart + entry.compressedSize > fileSize) {
      throw new InputError(`${zipPath}: the zip is truncated (entry ${entry.name} runs past the end of the file)`, zipPath);
    }
    return dataStart;
  } finally {
    await handle.close();
  }
}

function toSafeNumber(value: bigint, zipPath: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw corrupt(zipPath, `a size or offset of ${value} bytes is impossible`);
  return Number(value);
}

function corrupt(zipPath: string, detail: string): InputError {
  return new InputError(`${zipPath}: the zip is corrupt: ${detail}`, zipPath);
}

function hex(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
