/**
 * Reads zip archives on yauzl: the entries in stored order (ZIP64 included) and one entry's bytes
 * streamed with bounded memory, its size and CRC-32 checked. One file descriptor serves a whole
 * archive, and reads near each other (the central directory, a run of small entries) are served
 * from one 1 MiB window, so a zip of 100,000 tiny files costs a few reads, not 100,000 opens.
 *
 * What stays ours around yauzl, and why (see also the README's design notes):
 * - the end record is located here first: yauzl stops at the last end signature it meets, so an
 *   archive comment holding `PK\x05\x06` (or bytes after the comment) makes it refuse a valid zip;
 * - entry names are decoded here: yauzl's CP437 table maps bytes below 0x20 to pictures where every
 *   other tool reads ASCII, and it does not know Info-ZIP's raw UTF-8 names from Unix;
 * - stored order (local header offsets), overlap (the non-recursive zip bomb), and the CRC-32,
 *   which yauzl does not check;
 * - the inflate step, with 1 MiB output chunks instead of zlib's 16 KiB default.
 *
 * Only what Alma accepts is read: stored (0) and deflate (8) entries, unencrypted, on one disk.
 */
import { close as closeFd, fstat, open as openFd, read as readFd, createReadStream } from 'node:fs';
import { pipeline, Readable } from 'node:stream';
import { promisify } from 'node:util';
import { createInflateRaw, inflateRawSync } from 'node:zlib';
import * as yauzl from 'yauzl';
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
const ZIP64_LOCATOR_SIZE = 20;
const LOCAL_SIGNATURE = 0x04034b50;
const LOCAL_SIZE = 30;
const UNICODE_PATH_EXTRA_ID = 0x7075;
const FLAG_UTF8 = 0x0800;
const HOST_UNIX = 3;
const HOST_MACOS = 19;

/** Read size for entry data and the window of small reads, and zlib's output chunk size. */
const CHUNK_BYTES = 1 << 20;

/** Entries up to this size compressed (and under 1 MiB inflated) are read and inflated in one piece. */
const SMALL_ENTRY_BYTES = 64 * 1024;

/** The descriptor closes itself this long after the last read ends, and reopens on the next. */
const IDLE_CLOSE_MS = 250;

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
 * Limits on what a zip may make us inflate, checked on the declared sizes before any byte is read
 * (reading stops at the declared size anyway, so a header that lies costs no more than it says).
 * User XML compresses about 10-20:1 and a million users are about 2.6 GB; deflate of one repeated
 * byte reaches 1032:1.
 */
export const ZIP_LIMITS = {
  /** An entry inflating more than this many times its compressed size... */
  maxRatio: 200,
  /** ...is refused when it is also larger than this (a small file may compress as it likes). */
  ratioFreeBytes: 16 * 1024 * 1024,
  /** The XML entries of one zip together: 4 GiB is Alma's own limit for a zip, compressed. */
  maxTotalBytes: 4 * 1024 * 1024 * 1024,
} as const;

/** Throws InputError when the entries, as declared, look like a zip bomb (see ZIP_LIMITS). */
export function assertReasonableSizes(zipPath: string, entries: readonly ZipEntry[]): void {
  let total = 0;
  for (const entry of entries) {
    const ratio = entry.uncompressedSize / Math.max(entry.compressedSize, 1);
    if (entry.uncompressedSize > ZIP_LIMITS.ratioFreeBytes && ratio > ZIP_LIMITS.maxRatio) {
      const where = entryDisplayPath(zipPath, entry.name);
      throw new InputError(
        `${where}: the entry would inflate from ${formatBytes(entry.compressedSize)} to ${formatBytes(entry.uncompressedSize)} ` +
          `(${Math.round(ratio)}:1, user XML compresses about 10:1); refused as a likely zip bomb`,
        where,
      );
    }
    total += entry.uncompressedSize;
  }
  if (total > ZIP_LIMITS.maxTotalBytes) {
    throw new InputError(
      `${zipPath}: the zip's XML files would inflate to ${formatBytes(total)}, over the limit of ${formatBytes(ZIP_LIMITS.maxTotalBytes)} ` +
        '(about 1.6 million users); refused as a likely zip bomb',
      zipPath,
    );
  }
}

function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${bytes} bytes`;
  const units = ['MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes / (1024 * 1024);
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** An open archive: its entries in stored order, and a reader for each. */
export class ZipArchive {
  private constructor(
    readonly path: string,
    /** In stored order (ascending local header offset), the order Alma reads the files in; the central directory may list them differently. */
    readonly entries: readonly ZipEntry[],
    private readonly file: ArchiveFile,
    private readonly zipfile: yauzl.ZipFile,
    private readonly raw: Map<ZipEntry, yauzl.Entry>,
  ) {}

  /** Opens and lists `zipPath`; throws InputError for anything that is not a readable zip. */
  static async open(zipPath: string): Promise<ZipArchive> {
    const file = new ArchiveFile(zipPath);
    await file.acquire();
    try {
      const fileSize = file.size;
      if (fileSize === 0) throw new InputError(`${zipPath}: not a zip file (the file is empty)`, zipPath);
      const tailLength = Math.min(fileSize, EOCD_SIZE + MAX_COMMENT + ZIP64_LOCATOR_SIZE);
      const tail = await file.readAt(fileSize - tailLength, tailLength);
      const at = findEndRecord(tail);
      if (at < 0) {
        const head = await file.readAt(0, Math.min(4, fileSize));
        const looksLikeZip = head.length === 4 && head.readUInt32LE(0) === LOCAL_SIGNATURE;
        throw new InputError(
          looksLikeZip
            ? `${zipPath}: the zip is truncated (its end of central directory record is missing; was the copy or upload cut short?)`
            : `${zipPath}: not a zip file`,
          zipPath,
        );
      }
      const eocd = fileSize - tailLength + at;
      const commentLength = tail.readUInt16LE(at + 20);
      // yauzl sees the archive end where the comment ends, and the comment blanked.
      file.present(eocd + EOCD_SIZE + commentLength, eocd + EOCD_SIZE);
      let zipfile: yauzl.ZipFile;
      const raw = new Map<ZipEntry, yauzl.Entry>();
      try {
        zipfile = await yauzl.fromRandomAccessReaderPromise(file, file.presentedSize, {
          lazyEntries: true,
          decodeStrings: false,
          validateEntrySizes: true,
          autoClose: false,
        });
        for await (const entry of zipfile.eachEntry()) raw.set(toZipEntry(entry), entry);
      } catch (error) {
        throw fromYauzl(error, zipPath);
      }
      const entries = [...raw.keys()].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
      checkNoOverlap(entries, zipPath);
      // Entry data is read later, perhaps after the file changed: never from the listing's window.
      file.forgetWindow();
      return new ZipArchive(zipPath, entries, file, zipfile, raw);
    } catch (error) {
      file.closeNow();
      throw error;
    } finally {
      file.release();
    }
  }

  /**
   * The entry's uncompressed bytes in chunks of at most 1 MiB. At the end the byte count and
   * CRC-32 are checked against the central directory, and inflating stops as soon as the output
   * passes the declared size, so a lying or bomb entry costs no more than it claims.
   */
  async *read(entry: ZipEntry): AsyncGenerator<Uint8Array> {
    const zipPath = this.path;
    assertEntryReadable(zipPath, entry);
    const where = entryDisplayPath(zipPath, entry.name);
    if (entry.method === STORED && entry.compressedSize !== entry.uncompressedSize) {
      throw corrupt(zipPath, `stored entry ${entry.name} declares ${entry.compressedSize} bytes stored but ${entry.uncompressedSize} bytes uncompressed`);
    }
    const raw = this.raw.get(entry);
    if (!raw) throw new Error(`${where}: not an entry of this archive`);
    let produced = 0;
    let crc = 0;
    await this.file.acquire();
    try {
      const small = entry.compressedSize <= SMALL_ENTRY_BYTES && entry.uncompressedSize < CHUNK_BYTES;
      const chunks = small ? this.readSmall(entry, raw) : this.readStreamed(entry, raw);
      for await (const chunk of chunks) {
        produced += chunk.length;
        if (produced > entry.uncompressedSize) throw inflatesPastSize(where, entry);
        crc = crc32(chunk, crc);
        yield chunk;
      }
    } finally {
      this.file.release();
    }
    if (produced !== entry.uncompressedSize) {
      throw new InputError(`${where}: the entry holds ${produced} bytes but the zip declares ${entry.uncompressedSize}; the zip is corrupt`, where);
    }
    if (crc !== entry.crc32) {
      throw new InputError(`${where}: CRC-32 mismatch (stored ${hex(entry.crc32)}, computed ${hex(crc)}); the zip is corrupt`, where);
    }
  }

  /**
   * A small entry in one piece: its data is read with its local header (one window), inflated in
   * one call. Streams and a zlib context per entry would cost more than the entry itself when a
   * zip holds 100,000 of them.
   */
  private async *readSmall(entry: ZipEntry, raw: yauzl.Entry): AsyncGenerator<Buffer> {
    let data: Buffer;
    try {
      const { fileDataStart } = await this.zipfile.readLocalFileHeaderPromise(raw, { minimal: true });
      data = await this.file.readAt(fileDataStart, entry.compressedSize);
    } catch (error) {
      throw fromYauzl(error, this.path, entry);
    }
    if (data.length < entry.compressedSize) throw fromYauzl(new Error('unexpected EOF'), this.path, entry);
    if (data.length === 0) return; // an empty stored entry
    if (entry.method === STORED) {
      yield data;
      return;
    }
    try {
      // One byte more than declared is enough to see that an entry lies about its size.
      yield inflateRawSync(data, { maxOutputLength: entry.uncompressedSize + 1 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        throw inflatesPastSize(entryDisplayPath(this.path, entry.name), entry);
      }
      throw fromYauzl(error, this.path, entry);
    }
  }

  /** A large entry through yauzl's stream of its stored bytes, inflated in chunks of up to 1 MiB. */
  private async *readStreamed(entry: ZipEntry, raw: yauzl.Entry): AsyncGenerator<Buffer> {
    let stored: Readable;
    try {
      stored = await this.zipfile.openReadStreamPromise(raw, { decodeFileData: false });
    } catch (error) {
      throw fromYauzl(error, this.path, entry);
    }
    const bytes =
      entry.method === DEFLATE
        ? pipeline(stored, createInflateRaw({ chunkSize: CHUNK_BYTES }), () => {
            /* errors surface through the iteration below */
          })
        : stored;
    try {
      yield* bytes as AsyncIterable<Buffer>;
    } catch (error) {
      throw fromYauzl(error, this.path, entry);
    } finally {
      stored.destroy();
      bytes.destroy();
    }
  }

  /** Closes the file now (it also closes itself when reading pauses); a later read reopens it. */
  close(): void {
    this.file.closeNow();
  }
}

/** Opens and lists a zip: `(await openZip(path)).entries`, then `archive.read(entry)`. */
export function openZip(zipPath: string): Promise<ZipArchive> {
  return ZipArchive.open(zipPath);
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function toZipEntry(entry: yauzl.Entry): ZipEntry {
  const nameBytes = entry.fileNameRaw;
  const name = decodeEntryName(nameBytes, entry.generalPurposeBitFlag, entry.versionMadeBy >> 8, entry.extraFields);
  return {
    name,
    compressedSize: entry.compressedSize,
    uncompressedSize: entry.uncompressedSize,
    method: entry.compressionMethod,
    crc32: entry.crc32,
    localHeaderOffset: entry.relativeOffsetOfLocalHeader,
    isDirectory: name.endsWith('/'),
    encrypted: entry.isEncrypted(),
  };
}

/**
 * Flag bit 11 means UTF-8. Otherwise an Info-ZIP Unicode Path field (whose CRC matches the stored
 * name) gives the UTF-8 name. Otherwise archives made on Unix or macOS hold the file system's bytes,
 * which are UTF-8 in practice (Info-ZIP's `zip` writes them so, without the flag), and the rest is
 * code page 437 as the format says.
 */
function decodeEntryName(nameBytes: Buffer, flags: number, hostSystem: number, extraFields: readonly yauzl.ExtraField[]): string {
  if (flags & FLAG_UTF8) return nameBytes.toString('utf8');
  const unicodePath = extraFields.find((field) => field.id === UNICODE_PATH_EXTRA_ID)?.data;
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

/**
 * Two entries whose data overlap are the trick of the non-recursive zip bomb; no honest writer
 * produces them. The bound is a lower one (header without name), so it never rejects a real zip.
 */
function checkNoOverlap(entries: readonly ZipEntry[], zipPath: string): void {
  for (let i = 0; i + 1 < entries.length; i++) {
    const entry = entries[i];
    if (entry.localHeaderOffset + LOCAL_SIZE + entry.compressedSize > entries[i + 1].localHeaderOffset) {
      throw corrupt(zipPath, `entry ${entry.name} overlaps entry ${entries[i + 1].name}`);
    }
  }
}

/** yauzl's errors are for programmers; this says what is wrong with the file, naming it. */
function fromYauzl(error: unknown, zipPath: string, entry?: ZipEntry): InputError {
  if (error instanceof InputError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const name = entry ? `entry ${entry.name}` : 'an entry';
  if (/multi-disk/.test(message)) return new InputError(`${zipPath}: the zip is split over several disks, which is not supported`, zipPath);
  if (/unexpected EOF|overflows file bounds|not enough bytes/.test(message)) {
    return new InputError(`${zipPath}: the zip is truncated (${name} runs past the end of the file)`, zipPath);
  }
  if (/invalid local file header signature/.test(message)) {
    return corrupt(zipPath, `no local header for ${name} at offset ${entry?.localHeaderOffset ?? '?'}`);
  }
  if (entry) {
    const where = entryDisplayPath(zipPath, entry.name);
    return new InputError(`${where}: cannot read the entry, the zip is corrupt or truncated (${message})`, where);
  }
  return corrupt(zipPath, message.replace(/^(.)/, (c) => c.toLowerCase()));
}

function inflatesPastSize(where: string, entry: ZipEntry): InputError {
  return new InputError(
    `${where}: the entry inflates past its declared size of ${entry.uncompressedSize} bytes; the zip is corrupt or a zip bomb`,
    where,
  );
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

const openAsync = promisify(openFd);
const fstatAsync = promisify(fstat);
const readAsync = promisify(readFd);

/**
 * The archive file as yauzl reads it: one descriptor, opened while someone reads and closed a
 * moment after the last read ends; small reads served from a 1 MiB window; the end presented
 * where the comment ends, with the comment blanked (see the file comment).
 */
class ArchiveFile extends yauzl.RandomAccessReader {
  size = 0;
  presentedSize = 0;
  private blankFrom = Infinity;
  private fd: number | undefined;
  private users = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private window: { start: number; bytes: Buffer } | undefined;

  constructor(readonly path: string) {
    super();
  }

  present(end: number, blankFrom: number): void {
    this.presentedSize = end;
    this.blankFrom = blankFrom;
    this.window = undefined;
  }

  forgetWindow(): void {
    this.window = undefined;
  }

  /** Opens the file if needed and keeps it open until the matching release. */
  async acquire(): Promise<void> {
    this.users++;
    clearTimeout(this.idleTimer);
    if (this.fd !== undefined) return;
    let fd: number;
    try {
      fd = await openAsync(this.path, 'r');
    } catch (error) {
      this.users--;
      throw new InputError(`${this.path}: cannot open the zip (${describe(error)})`, this.path);
    }
    if (this.fd !== undefined) {
      closeFd(fd, () => undefined); // opened concurrently by another reader
      return;
    }
    this.fd = fd;
    const size = (await fstatAsync(fd)).size;
    if (this.size !== 0 && size < this.presentedSize) {
      this.users--;
      this.closeNow();
      throw new InputError(`${this.path}: the zip is truncated (it shrank from ${this.size} to ${size} bytes while being read)`, this.path);
    }
    this.size = size;
    this.window = undefined;
  }

  release(): void {
    this.users--;
    if (this.users > 0) return;
    this.idleTimer = setTimeout(() => this.closeNow(), IDLE_CLOSE_MS);
    this.idleTimer.unref();
  }

  closeNow(): void {
    clearTimeout(this.idleTimer);
    const fd = this.fd;
    this.fd = undefined;
    this.window = undefined;
    if (fd !== undefined) closeFd(fd, () => undefined);
  }

  /** Up to `length` bytes at `position` through the window; shorter only at the end of the file. */
  async readAt(position: number, length: number): Promise<Buffer> {
    const end = Math.min(position + length, this.limit());
    if (end <= position) return Buffer.alloc(0);
    const window = this.window;
    if (!window || position < window.start || end > window.start + window.bytes.length) {
      if (end - position > CHUNK_BYTES) return this.readDirect(position, end - position);
      this.window = { start: position, bytes: await this.readDirect(position, Math.min(CHUNK_BYTES, this.limit() - position)) };
    }
    const current = this.window as { start: number; bytes: Buffer };
    return current.bytes.subarray(position - current.start, end - current.start);
  }

  override read(buffer: Buffer, offset: number, length: number, position: number, callback: (err: Error | null) => void): void {
    this.readAt(position, length).then(
      (bytes) => {
        bytes.copy(buffer, offset);
        callback(bytes.length < length ? new Error('unexpected EOF') : null);
      },
      (error: Error) => callback(error),
    );
  }

  override _readStreamForRange(start: number, end: number): Readable {
    const window = this.window;
    if (window && start >= window.start && end <= window.start + window.bytes.length) {
      return Readable.from([window.bytes.subarray(start - window.start, end - window.start)], { objectMode: false });
    }
    if (this.fd === undefined) throw new Error('the archive is not open');
    // Data never reaches the blanked comment: entries end before the central directory.
    return createReadStream('', { fd: this.fd, start, end: end - 1, autoClose: false, highWaterMark: CHUNK_BYTES });
  }

  override close(callback: (err: Error | null) => void): void {
    this.closeNow();
    callback(null);
  }

  private limit(): number {
    return this.presentedSize || this.size;
  }

  private async readDirect(position: number, length: number): Promise<Buffer> {
    if (this.fd === undefined) throw new Error('the archive is not open');
    const buffer = Buffer.alloc(length);
    let filled = 0;
    while (filled < length) {
      const { bytesRead } = await readAsync(this.fd, buffer, filled, length - filled, position + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    if (position + filled > this.blankFrom) buffer.fill(0, Math.max(0, this.blankFrom - position), filled);
    return filled === length ? buffer : buffer.subarray(0, filled);
  }
}
