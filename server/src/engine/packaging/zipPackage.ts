/**
 * Packages user XML files into the zip that Alma's SIS job reads: validated together first, XML
 * files at the root in the order given, written under a temporary name beside the target and
 * published only when complete, so neither a failure nor Ctrl-C leaves a partial zip that an
 * upload could pick up.
 */
import { createReadStream } from 'node:fs';
import { link, open, realpath, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { randomBytes } from 'node:crypto';
import * as yazl from 'yazl';
import type { ValidationSettings } from '../config/types';
import { crc32 } from '../files/crc32';
import { InputError, type InputDocument, type InputNote } from '../files/inputDocument';
import { ALMA_EXPORT_APART, collectFolder, expandInputs } from '../files/inputs';
import { isAlmaExportFile } from '../files/almaExport';
import { isSafeEntryName } from '../files/zipReader';
import type { SetResult } from '../validation/results';
import { validateInputs } from '../validation/validateSet';

export interface ZipPackageRequest {
  /** XML files and folders, in the order they go into the zip; relative paths as the validator takes them (from the process's folder). */
  inputs: readonly string[];
  settings: ValidationSettings;
  /** The zip to write, or an existing folder to write the default name in; default: `cwd`. */
  out?: string;
  /** Where a relative `out`, and the default name, go. */
  cwd: string;
  /** The profile's code, for the default name; `users` without one. */
  profileCode?: string;
  /** Write the zip although the files have errors (never when they mix v1 and v2). */
  force?: boolean;
  /** The time in the default name (tests pass one). */
  now?: Date;
  /**
   * What Alma loads from the files, when that is not the files themselves: the profile's XSL
   * converter's output. Validation checks these; the zip still holds the files, which Alma converts.
   */
  loadedAs?: (documents: readonly InputDocument[]) => readonly InputDocument[];
}

export interface ZipPackageProgress {
  phase: 'validating' | 'writing';
  /** The file being read. */
  path: string;
  /** Bytes read in this phase so far, and the phase's total (the inputs' size). */
  bytesDone: number;
  bytesTotal: number;
}

export interface ZipPackageOptions {
  onProgress?: (progress: ZipPackageProgress) => void;
  /** Aborting stops at once and removes the temporary file: no zip is left. */
  signal?: AbortSignal;
}

/** One file of the zip, in zip order. */
export interface PackagedEntry {
  /** The entry's name at the zip root. */
  name: string;
  /** The file it was read from, as given or found in a folder. */
  source: string;
  /** Uncompressed bytes. */
  size: number;
}

export interface ZipPackageResult {
  zipPath: string;
  zipBytes: number;
  entries: PackagedEntry[];
  /** What was skipped or looks odd (a zip in a named folder, more files than Alma reads). */
  notes: InputNote[];
  validation: SetResult;
  /** True when the files have errors and `force` wrote the zip anyway. */
  forced: boolean;
}

/**
 * The files are not fit to load: they have errors (and `force` was not given), or they mix
 * schema versions. Nothing was written. The CLI's exit code 1.
 */
export class PackagingRefused extends Error {
  constructor(
    message: string,
    readonly reason: 'errors' | 'mixed-versions',
    readonly validation: SetResult,
    readonly entries: readonly PackagedEntry[],
  ) {
    super(message);
    this.name = 'PackagingRefused';
  }
}

/** Alma's limits as reported by libraries that load every night (MIT's alma-patronload README). */
const ALMA_MAX_FILES_PER_ZIP = 50;
const ALMA_MAX_ZIP_BYTES = 4 * 1024 ** 3;

const CHUNK_BYTES = 1 << 20;
const XML_NAME = /\.xml$/i;
const ZIP_NAME = /\.zip$/i;

/**
 * Validates `request.inputs` as one set and writes them into a zip. Throws PackagingRefused when
 * the files are not fit to load, InputError for a path that cannot be used (missing, not XML, two
 * files of one name, a target that exists), and the signal's reason when aborted. In every
 * failure no file is left at the target or at the temporary name.
 */
export async function createZipPackage(request: ZipPackageRequest, options: ZipPackageOptions = {}): Promise<ZipPackageResult> {
  const signal = options.signal;
  const notes: InputNote[] = [];
  const sources = await resolveSources(request, notes);
  const entries = await plannedEntries(sources);
  const explicitTarget = await explicitTargetPath(request);
  if (explicitTarget !== undefined) await refuseExisting(explicitTarget);

  const fingerprints = new Map<string, Fingerprint>();
  const { documents } = await expandInputs(sources);
  const read = documents.map((document) => fingerprinted(document, fingerprints));
  const validation = await validateInputs(
    request.loadedAs ? request.loadedAs(read) : read,
    request.settings,
    {
      signal,
      onProgress: options.onProgress && ((p) => options.onProgress?.({ phase: 'validating', ...p })),
    },
  );
  refuseUnfit(validation, entries, request.force === true);
  if (entries.length > ALMA_MAX_FILES_PER_ZIP) {
    notes.push({ path: entries[ALMA_MAX_FILES_PER_ZIP].source, message: `more than ${ALMA_MAX_FILES_PER_ZIP} XML files in one zip: Alma is reported to read at most ${ALMA_MAX_FILES_PER_ZIP}` });
  }

  const target = explicitTarget ?? defaultTargetPath(request);
  const temporary = join(dirname(target), `.${basename(target)}.${process.pid}-${randomBytes(4).toString('hex')}.part`);
  let zipPath: string;
  try {
    signal?.throwIfAborted();
    await writeZip(temporary, entries, fingerprints, options);
    signal?.throwIfAborted();
    zipPath = await publish(temporary, target, explicitTarget === undefined);
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
  const zipBytes = (await stat(zipPath)).size;
  if (zipBytes > ALMA_MAX_ZIP_BYTES) {
    notes.push({ path: zipPath, message: 'the zip is larger than 4 GB, the most Alma is reported to read in one zip' });
  }
  return { zipPath, zipBytes, entries, notes, validation, forced: validation.summary.errors > 0 };
}

/** `STUDENTS-20261201T021500Z.zip`: the profile and the UTC second, so runs do not collide. */
export function defaultZipName(profileCode: string | undefined, now: Date): string {
  const code = (profileCode ?? 'users').replace(/[^A-Za-z0-9._-]+/g, '_');
  const stamp = now.toISOString().replace(/\.\d+Z$/, 'Z').replace(/[-:]/g, '');
  return `${code}-${stamp}.zip`;
}

/** The XML files to package, in order: named files as given, a folder's XML files as the validator orders them. */
async function resolveSources(request: ZipPackageRequest, notes: InputNote[]): Promise<string[]> {
  if (request.inputs.length === 0) throw new InputError('no input given: name XML files or folders', '');
  const sources: string[] = [];
  for (const path of request.inputs) {
    const input = path;
    const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
      throw new InputError(`${input}: ${error.code === 'ENOENT' ? 'no such file or folder' : error.message}`, input);
    });
    if (info.isDirectory()) {
      const found = await collectFolder(path, notes);
      for (const file of found) {
        if (!XML_NAME.test(file)) notes.push({ path: file, message: 'a zip is not packaged into another zip, skipped' });
        // Alma's own users sent back as a feed would update every one of them: only when named.
        else if (await isAlmaExportFile(file)) notes.push({ path: file, message: `${ALMA_EXPORT_APART}: not packaged; name the file to zip it` });
        else sources.push(file);
      }
      if (!found.some((file) => XML_NAME.test(file))) throw new InputError(`${input}: the folder holds no .xml file`, input);
    } else if (!info.isFile()) {
      throw new InputError(`${input}: not a file or a folder`, input);
    } else if (!XML_NAME.test(path)) {
      const what = ZIP_NAME.test(path) ? 'a zip cannot go inside the zip' : 'Alma reads only .xml files from a zip';
      throw new InputError(`${input}: not an XML file (${what}); name .xml files or folders`, input);
    } else {
      sources.push(path);
    }
  }
  return sources;
}

/** One entry per file at the zip root; two files of one name (in any case) would collide there. */
async function plannedEntries(sources: readonly string[]): Promise<PackagedEntry[]> {
  const byName = new Map<string, string>();
  const entries: PackagedEntry[] = [];
  const seen = new Set<string>();
  for (const source of sources) {
    // Named twice, or named and inside a named folder: the validator reads it once, and so does the zip.
    const identity = await realpath(source).catch(() => source);
    if (seen.has(identity)) continue;
    seen.add(identity);
    const name = basename(source);
    if (!isSafeEntryName(name)) {
      throw new InputError(`${source}: the file name holds control characters; rename the file`, source);
    }
    const earlier = byName.get(name.toLowerCase());
    if (earlier !== undefined) {
      throw new InputError(`${source}: a file named ${basename(earlier)} (${earlier}) is already in the zip, and zip entries sit side by side at the root; rename one`, source);
    }
    byName.set(name.toLowerCase(), source);
    entries.push({ name, source, size: (await stat(source)).size });
  }
  return entries;
}

async function explicitTargetPath(request: ZipPackageRequest): Promise<string | undefined> {
  if (request.out === undefined) return undefined;
  const out = resolve(request.cwd, request.out);
  const info = await stat(out).catch(() => undefined);
  if (info?.isDirectory()) return undefined;
  if (!ZIP_NAME.test(out)) throw new InputError(`${request.out}: the zip's name must end in .zip (Alma picks up only .zip files)`, request.out);
  return out;
}

function defaultTargetPath(request: ZipPackageRequest): string {
  const folder = request.out === undefined ? request.cwd : resolve(request.cwd, request.out);
  return join(folder, defaultZipName(request.profileCode, request.now ?? new Date()));
}

async function refuseExisting(target: string): Promise<void> {
  if (await stat(target).then(() => true, () => false)) {
    throw new InputError(`${target}: already exists; a zip is never overwritten (an upload may have read it): choose another name`, target);
  }
}

function refuseUnfit(validation: SetResult, entries: readonly PackagedEntry[], force: boolean): void {
  const v1 = validation.documents.find((d) => d.schemaVersion === 1);
  const v2 = validation.documents.find((d) => d.schemaVersion === 2);
  if (v1 && v2) {
    throw new PackagingRefused(
      `the files mix User XSD v1 (${v1.path}) and v2 (${v2.path}); Alma cannot read a zip that mixes them, so none was written`,
      'mixed-versions',
      validation,
      entries,
    );
  }
  const errors = validation.summary.errors;
  if (errors > 0 && !force) {
    throw new PackagingRefused(
      // No advice here: each adapter says how to go on (the CLI its --force, the editor its buttons).
      `${errors} error${errors === 1 ? '' : 's'} in the files; no zip was written`,
      'errors',
      validation,
      entries,
    );
  }
}

/** Size and CRC-32 of the bytes the validator read, to prove the zip holds those very bytes. */
interface Fingerprint {
  size: number;
  crc: number;
}

function fingerprinted(document: InputDocument, fingerprints: Map<string, Fingerprint>): InputDocument {
  return {
    ...document,
    // Every byte the validator reads must pass through here: no second thread reading half the file.
    file: undefined,
    async *read() {
      const print = { size: 0, crc: 0 };
      for await (const chunk of document.read()) {
        print.size += chunk.length;
        print.crc = crc32(chunk, print.crc);
        yield chunk;
      }
      fingerprints.set(document.path, print);
    },
  };
}

/** Streams the files through yazl into `temporary` (created here, never an existing file). */
async function writeZip(
  temporary: string,
  entries: readonly PackagedEntry[],
  fingerprints: ReadonlyMap<string, Fingerprint>,
  options: ZipPackageOptions,
): Promise<void> {
  const zip = new yazl.ZipFile();
  const bytesTotal = entries.reduce((sum, entry) => sum + entry.size, 0);
  let bytesDone = 0;
  let failure: Error | undefined;
  const streams: Array<{ destroy(error?: Error): void }> = [];
  const fail = (error: Error): void => {
    failure ??= error;
    for (const stream of streams) stream.destroy();
    (zip.outputStream as unknown as { destroy(error?: Error): void }).destroy(failure);
  };
  for (const entry of entries) {
    const expected = fingerprints.get(entry.source);
    const mtime = (await stat(entry.source)).mtime;
    zip.addReadStreamLazy(entry.name, { mtime, compress: true }, (callback) => {
      const file = createReadStream(entry.source, { highWaterMark: CHUNK_BYTES });
      const check = new SameBytesCheck(entry, expected, (bytes) => {
        bytesDone += bytes;
        options.onProgress?.({ phase: 'writing', path: entry.source, bytesDone, bytesTotal });
      });
      streams.push(file, check);
      file.on('error', (error) => fail(new InputError(`${entry.source}: cannot read the file (${error.message})`, entry.source)));
      check.on('error', fail);
      callback(null, file.pipe(check));
    });
  }
  zip.on('error', (error: Error) => fail(error));
  // The zip starts reading before the temporary file is open: a failure or an abort then (the
  // first chunk's progress can come first) destroys the output stream while nothing reads it yet,
  // and its 'error' would be thrown as an uncaught exception (which fails a CLI run outright).
  zip.outputStream.on('error', (error: Error) => fail(error));
  zip.end();
  const onAbort = () => fail(options.signal?.reason as Error);
  options.signal?.addEventListener('abort', onAbort, { once: true });

  let handle: FileHandle | undefined;
  try {
    handle = await open(temporary, 'wx');
    for await (const chunk of zip.outputStream as AsyncIterable<Buffer>) {
      options.signal?.throwIfAborted();
      await handle.write(chunk);
    }
    if (failure) throw failure;
    // On disk before it gets its name: a crash must not leave a named zip with a hole in it.
    await handle.sync();
  } catch (error) {
    for (const stream of streams) stream.destroy();
    (zip.outputStream as unknown as { destroy(): void }).destroy();
    if (failure) throw failure;
    if (options.signal?.aborted) throw options.signal.reason;
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== undefined) throw new InputError(`${temporary}: cannot write the zip (${(error as Error).message})`, temporary);
    throw error;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await handle?.close();
  }
}

/**
 * Counts and checks the bytes going into the zip against those the validator read: a file that
 * changed in between would otherwise be packaged unchecked.
 */
class SameBytesCheck extends Transform {
  private size = 0;
  private crc = 0;

  constructor(
    private readonly entry: PackagedEntry,
    private readonly expected: Fingerprint | undefined,
    private readonly onBytes: (bytes: number) => void,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.size += chunk.length;
    this.crc = crc32(chunk, this.crc);
    this.onBytes(chunk.length);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    const expected = this.expected;
    if (expected === undefined || expected.size !== this.size || expected.crc !== this.crc) {
      callback(new InputError(`${this.entry.source}: the file changed after it was validated; no zip was written (run again)`, this.entry.source));
      return;
    }
    callback();
  }
}

/**
 * Gives the finished file its name without ever replacing a file: a hard link fails if the name
 * exists, where a rename would silently overwrite. Where links are not supported (some network
 * and FAT file systems) the name is checked, then renamed. A default name that is taken (two runs
 * in one second) gets `-2`, `-3`...
 */
async function publish(temporary: string, target: string, mayRename: boolean): Promise<string> {
  for (let attempt = 1; attempt <= 100; attempt++) {
    const candidate = attempt === 1 ? target : target.replace(/\.zip$/i, `-${attempt}.zip`);
    try {
      await link(temporary, candidate);
      return candidate;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') {
        if (mayRename) continue;
        throw new InputError(`${candidate}: already exists; a zip is never overwritten: choose another name`, candidate);
      }
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') {
        throw new InputError(`${candidate}: cannot write the zip (${(error as Error).message})`, candidate);
      }
      if (await stat(candidate).then(() => true, () => false)) {
        if (mayRename) continue;
        throw new InputError(`${candidate}: already exists; a zip is never overwritten: choose another name`, candidate);
      }
      await rename(temporary, candidate);
      return candidate;
    }
  }
  throw new InputError(`${target}: this name and 99 numbered ones are taken`, target);
}
