import { stat } from 'node:fs/promises';
import { dirname, relative } from 'node:path';
import {
  expandInputs,
  indexIdentifiers,
  earlierFilesOf,
  NO_EARLIER_FILES,
  type EarlierFiles,
  type FileIdentifiers,
  type InputDocument,
  type ValidationSettings,
} from '../engine';

/**
 * A profile's say over the set (its `feed` and `baseline`): which of the folder's files belong to
 * it and in which order. Without one the set is the folder's files in path order.
 */
export interface SetOrder {
  /** How the status names the set: "the STUDENTS feed". */
  name: string;
  /** How a duplicate's message names it, when the file's path alone does not say (a feed, not a folder). */
  messageName?: string;
  includes(path: string): boolean;
  compare(a: string, b: string): number;
}

/** What the set index needs from the server. */
export interface FolderSetHost {
  /** The users of a document open in the editor (its buffer wins over the disk), if it is open. */
  openUsers(path: string): FileIdentifiers | undefined;
  /** Reports indexing progress; returns a function that ends it. */
  progress(title: string): Promise<{ report(message: string, percentage: number): void; done(): void }>;
  log(message: string): void;
  /** The folder's index is ready or changed: the open documents in it are validated again. */
  folderChanged(folder: string): void;
}

interface FolderIndex {
  folder: string;
  /** The set's documents in load order (the CLI's folder order: paths sorted in byte order, zip entries in stored order). */
  order: string[];
  disk: Map<string, FileIdentifiers>;
  /** Files of the folder that are not of the set (an Alma export beside the feed): alone, taking and giving nothing. */
  apart: Set<string>;
  ready: boolean;
  building: Promise<void>;
  /** What each document's earlier files leave behind, until a file of the folder changes (touch()). */
  cache: Map<string, EarlierFiles>;
}

interface PendingChanges {
  paths: Set<string>;
  settings: ValidationSettings;
  done: Promise<void>;
}

/**
 * The files of one folder are a set: an identifier held by a user of an earlier file (in the CLI's
 * folder order) is taken for the later files. The index streams every file of the folder once, in
 * the background, keeping only identifiers; files open in the editor count with their buffer.
 *
 * Simplified: a folder is indexed with the settings of the first document that asked for it; a
 * file changed on disk is read again when the client reports the change (didChangeWatchedFiles), a
 * file created or deleted makes the whole folder indexed again.
 */
export class FolderSets {
  private readonly folders = new Map<string, FolderIndex>();
  /** Changed files not read yet, by folder. */
  private readonly pending = new Map<string, PendingChanges>();

  constructor(private readonly host: FolderSetHost) {}

  /** The set a document belongs to; starts indexing its folder when it is new. */
  earlierFiles(path: string, settings: ValidationSettings, order?: SetOrder): EarlierFiles {
    const folder = dirname(path);
    const index = this.folders.get(folder) ?? this.build(folder, settings);
    if (!index.ready || index.apart.has(path) || (order && !order.includes(path))) return NO_EARLIER_FILES;
    const key = order ? `${order.name}\n${path}` : path;
    const cached = index.cache.get(key);
    if (cached) return cached;
    const files: FileIdentifiers[] = [];
    for (const member of this.members(index, order)) {
      if (member === path) break;
      const users = this.host.openUsers(member) ?? index.disk.get(member);
      if (users) files.push({ ...users, path: this.displayPath(folder, member) });
    }
    const earlier = files.length === 0 ? NO_EARLIER_FILES : earlierFilesOf(files, order?.messageName);
    index.cache.set(key, earlier);
    return earlier;
  }

  /** The set's files in load order: the folder's, or those the profile's feed takes, in its order. */
  private members(index: FolderIndex, order: SetOrder | undefined): string[] {
    return order ? index.order.filter((p) => order.includes(p)).sort((a, b) => order.compare(a, b)) : index.order;
  }

  /** Where a document stands in its set, once the folder is indexed: 1-based, and how many files the set has. */
  placeInSet(path: string, order?: SetOrder): { position: number; files: number } | undefined {
    const index = this.folders.get(dirname(path));
    if (!index?.ready || index.apart.has(path)) return undefined;
    const members = this.members(index, order);
    const position = members.indexOf(path);
    return position < 0 ? undefined : { position: position + 1, files: members.length };
  }

  /**
   * The set before a file that is validated from disk rather than followed in the editor (one
   * too big for the editor to sync): what earlierFiles gives once the folder's index is ready.
   * Without an index (no document of the folder open) only the files before it are read, and
   * nothing is kept: building an index would read the file itself too (it may hold hundreds of
   * megabytes) and keep its identifiers with nothing to release them.
   */
  async earlierFilesOnDisk(path: string, settings: ValidationSettings, order?: SetOrder, signal?: AbortSignal): Promise<EarlierFiles> {
    const folder = dirname(path);
    const index = this.folders.get(folder);
    if (index) {
      await index.building;
      if (this.folders.get(folder) === index && index.ready) return this.earlierFiles(path, settings, order);
    }
    if (order && !order.includes(path)) return NO_EARLIER_FILES;
    const { documents } = await expandInputs([folder]);
    if (documents.some((d) => d.path === path && d.apart)) return NO_EARLIER_FILES;
    const members = documents.filter((d) => !d.apart && (!order || order.includes(d.path)));
    if (order) members.sort((a, b) => order.compare(a.path, b.path));
    const files: FileIdentifiers[] = [];
    for (const document of members) {
      if (document.path === path || (!order && !isBefore(document.path, path))) break;
      signal?.throwIfAborted();
      const users = this.host.openUsers(document.path) ?? await this.indexOne(document, settings);
      files.push({ ...users, path: this.displayPath(folder, document.path) });
    }
    return files.length === 0 ? NO_EARLIER_FILES : earlierFilesOf(files, order?.messageName);
  }

  /** A file of the folder has other identifiers now (an open buffer changed): what later files see is computed again. */
  touch(path: string): void {
    this.folders.get(dirname(path))?.cache.clear();
  }

  /** How messages and related information name a file of the set: relative to its folder. */
  displayPath(folder: string, path: string): string {
    return relative(folder, path) || path;
  }

  /** The open documents later in the set than `path` (they depend on its identifiers). */
  later(path: string, open: Iterable<string>, order?: SetOrder): string[] {
    const folder = dirname(path);
    if (!this.folders.get(folder)?.ready) return [];
    const index = this.folders.get(folder)!;
    if (index.apart.has(path) || (order && !order.includes(path))) return [];
    const before = (a: string, b: string) => (order ? order.compare(a, b) < 0 : isBefore(a, b));
    return [...open].filter((other) => other !== path && dirname(other) === folder && !index.apart.has(other) && (!order || order.includes(other)) && before(path, other));
  }

  /**
   * A file of an indexed folder changed on disk (or was closed in the editor): it is read again. A
   * file the index does not know (created) or no longer finds (deleted) makes the folder indexed anew.
   * The changes of a burst (a folder's files closed together, a checkout) are read together after
   * BATCH_MS, and the folder's open documents are validated again once, not once per file.
   */
  fileChanged(path: string, settings: ValidationSettings): Promise<void> {
    const folder = dirname(path);
    if (!this.folders.has(folder)) return Promise.resolve();
    let batch = this.pending.get(folder);
    if (!batch) {
      const created: PendingChanges = { paths: new Set(), settings, done: Promise.resolve() };
      created.done = new Promise((resolve) => setTimeout(resolve, BATCH_MS)).then(() => {
        this.pending.delete(folder);
        return this.readChanged(folder, [...created.paths], created.settings);
      }).catch((error: unknown) => this.host.log(`reading changed files of ${folder}: ${error instanceof Error ? error.message : String(error)}`));
      this.pending.set(folder, created);
      batch = created;
    }
    batch.paths.add(path);
    batch.settings = settings;
    return batch.done;
  }

  private async readChanged(folder: string, paths: string[], settings: ValidationSettings): Promise<void> {
    const index = this.folders.get(folder);
    if (!index) return;
    await index.building;
    let changed = false;
    for (const path of paths) {
      if (this.folders.get(folder) !== index) return;
      const member = index.order.indexOf(path);
      const exists = await stat(path).then((s) => s.isFile(), () => false);
      // Neither in the index nor on disk (a buffer never saved, now closed): the set is as it was.
      // Reading the folder again for it would cost a whole walk per close.
      if (member < 0 && !exists) continue;
      if (member < 0 || !exists || /\.zip$/i.test(path)) {
        this.reindex(folder, settings);
        return;
      }
      const [document] = (await expandInputs([path])).documents;
      if (document && !this.host.openUsers(path)) index.disk.set(path, await this.indexOne(document, settings));
      changed = true;
    }
    if (!changed || this.folders.get(folder) !== index) return;
    index.cache.clear();
    this.host.folderChanged(folder);
  }

  /**
   * No document of the folder is open any more: its index goes (an index holds every identifier
   * of the folder's files, and a session visits many folders). Opening one again reads it anew.
   */
  release(folder: string): void {
    this.folders.delete(folder);
  }

  reindex(folder: string, settings: ValidationSettings): void {
    this.folders.delete(folder);
    this.build(folder, settings);
  }

  private build(folder: string, settings: ValidationSettings): FolderIndex {
    const index: FolderIndex = { folder, order: [], disk: new Map(), apart: new Set(), ready: false, building: Promise.resolve(), cache: new Map() };
    this.folders.set(folder, index);
    index.building = this.index(index, settings).catch((error: unknown) => {
      this.host.log(`indexing ${folder}: ${error instanceof Error ? error.message : String(error)}`);
    });
    return index;
  }

  private async index(index: FolderIndex, settings: ValidationSettings): Promise<void> {
    const expanded = await expandInputs([index.folder]);
    index.apart = new Set(expanded.documents.filter((d) => d.apart).map((d) => d.path));
    const documents = expanded.documents.filter((d) => !d.apart);
    index.order = documents.map((d) => d.path);
    const total = documents.reduce((sum, d) => sum + (d.size ?? 0), 0);
    if (total > MAX_INDEXED_BYTES) {
      this.host.log(`${index.folder} holds ${Math.round(total / 1048576)} MB of XML: identifiers across its files are not checked in the editor (alma-sis validate checks them)`);
      index.order = [];
      index.ready = true;
      return;
    }
    const progress = await this.host.progress(`Alma SIS: indexing identifiers in ${index.folder}`);
    let done = 0;
    try {
      for (const document of documents) {
        if (this.folders.get(index.folder) !== index) return; // indexed again meanwhile
        progress.report(document.path, total > 0 ? Math.round((done / total) * 100) : 0);
        // An open file counts with its buffer; it is read from disk when it is closed (fileChanged).
        if (!this.host.openUsers(document.path)) index.disk.set(document.path, await this.indexOne(document, settings));
        done += document.size ?? 0;
      }
    } finally {
      progress.done();
    }
    index.ready = true;
    this.host.log(`indexed ${documents.length} files of ${index.folder}`);
    this.host.folderChanged(index.folder);
  }

  private async indexOne(document: InputDocument, settings: ValidationSettings): Promise<FileIdentifiers> {
    try {
      return await indexIdentifiers(document, settings, { sliceBytes: SLICE_BYTES });
    } catch (error) {
      this.host.log(`indexing ${document.path}: ${error instanceof Error ? error.message : String(error)}`);
      return { path: document.path, version: null, users: [] };
    }
  }
}

/** How long changes are gathered before they are read: a burst of closes or file events arrives within it. */
const BATCH_MS = 30;

/** Indexing yields to the editor's requests after this many bytes (about a millisecond of scanning). */
const SLICE_BYTES = 64 * 1024;

/** A folder holding more than this is not indexed (its set is not checked across files): say so, do not stall. */
export const MAX_INDEXED_BYTES = 2 * 1024 * 1024 * 1024;

/** Load order inside a folder: paths in byte order (expandInputs sorts them so). */
function isBefore(a: string, b: string): boolean {
  return Buffer.compare(Buffer.from(a), Buffer.from(b)) < 0;
}
