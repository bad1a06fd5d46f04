/**
 * Turns the paths a user names (files, folders, zips) into the documents to validate, in the
 * order they are read: paths in the order given, a folder's files sorted by path, and the XML
 * entries of a zip in stored order (the order Alma reads them in).
 */
import { open, readdir, realpath, stat, type FileHandle } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { InputError, type InputDocument, type InputNote } from './inputDocument';
import { assertEntryReadable, assertReasonableSizes, entryDisplayPath, isSafeEntryName, openZip, type ZipEntry } from './zipReader';
import { isAlmaExportFile } from './almaExport';

/** Why a folder's file stands apart from the set. */
export const ALMA_EXPORT_APART = 'an Alma export (Export Users output, the baseline a dry-run compares with)';

export interface ExpandedInputs {
  documents: InputDocument[];
  /** What was skipped or looks odd, for the user to see; not errors. */
  notes: InputNote[];
}

export interface ExpandOptions {
  /** Standard input, for the path `-`: read once, as one XML document named `<stdin>`. */
  stdin?: () => AsyncIterable<Uint8Array>;
}

/** The path that names standard input, and the name its document is shown under. */
export const STDIN_PATH = '-';
export const STDIN_NAME = '<stdin>';

/** Read size for plain files: large enough that per-chunk overhead vanishes. */
const CHUNK_BYTES = 1 << 20;

const XML_NAME = /\.xml$/i;
const ZIP_NAME = /\.zip$/i;

/**
 * Expands `paths` into documents:
 * - a file named `*.zip` (any case): one document per XML entry (`*.xml`, not in a hidden or
 *   `__MACOSX` folder, not a dot-file), path `<zip>!/<entry>`; other entries are noted and skipped;
 * - any other file: one document, whatever its extension;
 * - a folder: its `*.xml` and `*.zip` files, recursively, sorted by path in byte order, skipping
 *   dot-files, dot-folders and `node_modules`. The walk never leaves the folder: a link to a file
 *   or folder outside it, or back to a folder already read, is noted and not followed;
 * - `-`: standard input (when `options.stdin` gives it), one XML document named `<stdin>`.
 * A file reached twice (named twice, or named and inside a named folder) is read once.
 *
 * Throws InputError naming the path for a missing or unreadable path, a folder with nothing to
 * read, a zip that is corrupt, holds no XML file, holds an XML entry that cannot be read, or
 * would inflate past the limits against zip bombs (ZIP_LIMITS).
 */
export async function expandInputs(paths: readonly string[], options: ExpandOptions = {}): Promise<ExpandedInputs> {
  if (paths.length === 0) throw new InputError('no input given: name a file, a folder or a zip', '');
  const expanded: ExpandedInputs = { documents: [], notes: [] };
  const seen = new Set<string>();
  for (const path of paths) {
    if (path === STDIN_PATH) {
      addStdin(expanded, seen, options);
      continue;
    }
    const info = await statInput(path);
    if (info.isDirectory()) {
      const files = await collectFolder(path, expanded.notes);
      if (files.length === 0) throw new InputError(`${path}: the folder holds no .xml or .zip file`, path);
      for (const file of files) await addFile(file, expanded, seen, true);
    } else if (info.isFile()) {
      await addFile(path, expanded, seen);
    } else {
      throw new InputError(`${path}: not a file or a folder`, path);
    }
  }
  return expanded;
}

function addStdin(expanded: ExpandedInputs, seen: Set<string>, options: ExpandOptions): void {
  const stdin = options.stdin;
  if (!stdin) throw new InputError(`${STDIN_PATH}: standard input cannot be read here; name a file`, STDIN_PATH);
  // The key cannot clash with a real path: those seen are real paths, absolute.
  if (seen.has(STDIN_NAME)) throw new InputError(`${STDIN_PATH}: standard input can be named only once`, STDIN_PATH);
  seen.add(STDIN_NAME);
  let taken = false;
  expanded.documents.push({
    path: STDIN_NAME,
    read: () => {
      if (taken) throw new InputError(`${STDIN_NAME}: standard input can be read only once`, STDIN_PATH);
      taken = true;
      return stdin();
    },
  });
}

async function addFile(path: string, expanded: ExpandedInputs, seen: Set<string>, inFolder = false): Promise<void> {
  const identity = await realpath(path).catch(() => path);
  if (seen.has(identity)) {
    expanded.notes.push({ path, message: 'the same file as an earlier input, read once' });
    return;
  }
  seen.add(identity);
  if (ZIP_NAME.test(path)) {
    await addZip(path, expanded);
    return;
  }
  const { size } = await statInput(path);
  const document: InputDocument = { path, size, file: path, read: () => readFileChunks(path) };
  // Found in a folder, not named: an export beside the feed is checked, but is not one of its files.
  if (inFolder && (await isAlmaExportFile(path))) {
    document.apart = ALMA_EXPORT_APART;
    expanded.notes.push({ path, message: `${ALMA_EXPORT_APART}: validated on its own, its users are not counted with the folder's files` });
  }
  expanded.documents.push(document);
}

async function addZip(zipPath: string, expanded: ExpandedInputs): Promise<void> {
  const archive = await openZip(zipPath);
  const xmlEntries: ZipEntry[] = [];
  for (const entry of archive.entries) {
    if (entry.isDirectory) continue;
    const where = entryDisplayPath(zipPath, entry.name);
    if (isHiddenEntry(entry.name)) {
      expanded.notes.push({ path: where, message: 'hidden file or macOS metadata, skipped' });
    } else if (!XML_NAME.test(entry.name)) {
      expanded.notes.push({ path: where, message: 'not an XML file, skipped (Alma reads only the XML files in a zip)' });
    } else {
      assertEntryReadable(zipPath, entry);
      if (!isSafeEntryName(entry.name)) {
        expanded.notes.push({ path: where, message: "the entry name is absolute or climbs out with '..'; unzip tools may refuse it" });
      }
      xmlEntries.push(entry);
    }
  }
  if (xmlEntries.length === 0) throw new InputError(`${zipPath}: the zip holds no XML file`, zipPath);
  assertReasonableSizes(zipPath, xmlEntries);
  for (const entry of xmlEntries) {
    expanded.documents.push({
      path: entryDisplayPath(zipPath, entry.name),
      archive: { path: zipPath, entry: entry.name },
      size: entry.uncompressedSize,
      read: () => archive.read(entry),
    });
  }
}

/** A dot-file, anything in a dot-folder, or the `__MACOSX/` resource forks macOS adds to zips. */
function isHiddenEntry(name: string): boolean {
  const segments = name.split('/');
  if (segments[0] === '__MACOSX') return true;
  return segments.some((segment) => segment.startsWith('.') && segment !== '.' && segment !== '..');
}

/**
 * The folder's `.xml` and `.zip` files, recursively, as paths below `folder`, sorted in byte order.
 * Links are followed only to what lies inside the folder, and each folder is read once: a link
 * out (`up -> ..`) or a loop would otherwise read files the user never named, or forever.
 */
export async function collectFolder(folder: string, notes: InputNote[]): Promise<string[]> {
  const found: string[] = [];
  const root = await realpath(folder).catch(() => resolve(folder));
  const rootPrefix = root.endsWith(sep) ? root : root + sep;
  const visited = new Set<string>([root]);
  const wanted = (name: string) => XML_NAME.test(name) || ZIP_NAME.test(name);
  const walk = async (dir: string): Promise<void> => {
    let names;
    try {
      names = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      throw new InputError(`${dir}: cannot read the folder (${ioProblem(error)})`, dir);
    }
    for (const dirent of names) {
      if (dirent.name.startsWith('.')) continue;
      const path = join(dir, dirent.name);
      let isDirectory = dirent.isDirectory();
      let isFile = dirent.isFile();
      if (dirent.isSymbolicLink()) {
        const target = await realpath(path).catch(() => undefined);
        const info = target === undefined ? undefined : await stat(target).catch(() => undefined);
        isDirectory = info?.isDirectory() ?? false;
        isFile = info?.isFile() ?? false;
        if (!(isDirectory && dirent.name !== 'node_modules') && !(isFile && wanted(dirent.name))) continue;
        if (target !== root && !target!.startsWith(rootPrefix)) {
          notes.push({ path, message: `a link to ${isDirectory ? 'a folder' : 'a file'} outside ${folder}, not followed` });
          continue;
        }
      }
      if (isDirectory && dirent.name !== 'node_modules') {
        const identity = await realpath(path).catch(() => path);
        if (visited.has(identity)) {
          notes.push({ path, message: 'a link to a folder already read, not followed again' });
          continue;
        }
        visited.add(identity);
        await walk(path);
      } else if (isFile && wanted(dirent.name)) {
        found.push(path);
      }
    }
  };
  await walk(folder);
  return found.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

/**
 * Two buffers, refilled in turn: a 300k-user file would otherwise allocate 800 buffers of 1 MiB.
 * The next chunk is read while the caller works on this one (a read waited for in turn left the
 * main thread idle for 15% of a 100k-user validation). Each chunk is valid until the caller asks
 * for the one after next, so a caller that is done with a chunk when it asks for the next is safe.
 * `start`, `end`: a part of the file (a split validation reads its halves on two threads).
 */
export async function* readFileChunks(path: string, start = 0, end = Number.POSITIVE_INFINITY): AsyncGenerator<Uint8Array> {
  let handle: FileHandle | undefined;
  let pending: Promise<number> | undefined;
  try {
    const file = await open(path, 'r');
    handle = file;
    const buffers = [Buffer.allocUnsafe(CHUNK_BYTES), Buffer.allocUnsafe(CHUNK_BYTES)];
    let position = start;
    const readInto = (buffer: Buffer): Promise<number> => {
      const length = Math.min(buffer.length, end - position);
      if (length <= 0) return Promise.resolve(0);
      const read = file.read(buffer, 0, length, position).then((r) => {
        position += r.bytesRead;
        return r.bytesRead;
      });
      // A read that fails while the caller awaits something else (a zip's output draining) is
      // not unhandled: its error is thrown where the next chunk is awaited.
      read.catch(() => {});
      return read;
    };
    let turn = 0;
    pending = readInto(buffers[turn]);
    for (;;) {
      const bytesRead = await pending;
      pending = undefined;
      if (bytesRead === 0) break;
      const full = buffers[turn];
      turn ^= 1;
      pending = readInto(buffers[turn]);
      yield full.subarray(0, bytesRead);
    }
  } catch (error) {
    throw new InputError(`${path}: cannot read the file (${ioProblem(error)})`, path);
  } finally {
    // A caller that stops early (an abort) leaves a read under way: the handle closes after it.
    await pending?.catch(() => 0);
    await handle?.close();
  }
}

async function statInput(path: string) {
  try {
    return await stat(path);
  } catch (error) {
    throw new InputError(`${path}: ${ioProblem(error)}`, path);
  }
}

function ioProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'no such file or folder';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOTDIR') return 'a part of the path is not a folder';
  return error instanceof Error ? error.message : String(error);
}
