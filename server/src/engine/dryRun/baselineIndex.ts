import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { XmlScanner, type ScanSink } from '../xml/scanner';
import { InputError, type InputDocument } from '../files/inputDocument';
import { UserCollector, type CollectedIdentifier, type CollectedUser, type CollectorOptions, type FatalProblem } from './userCollector';
import { KeyMap, KeySet, keyHash } from '../validation/keyTable';
import { readInputTail, type PackedInputUsers, type TailListener, type TailOutcome, type TailRequest } from './inputTail';

/**
 * The existing users, as Alma's Export Users job wrote them, indexed for the replay: by match
 * key, and by every identifier value (who holds it). Built from collector batches, so the same
 * code serves a baseline read on this thread and one read on a worker thread.
 */

/** Who holds an identifier value while the feed is replayed: an existing user, or an earlier input user. */
export interface Holder {
  /** The existing user, or null for a user the feed creates. */
  existing: CollectedUser | null;
  /** Whose identifiers the holder holds now: the existing user until an input user updates or creates it. */
  current: CollectedUser;
  /** Index in the report of the input user that created or updated it; -1 while untouched. */
  claimedBy: number;
  /** The baseline document of an existing user. */
  path: string;
}

/** How messages name an existing user. */
export function describeHolder(holder: Holder): string {
  return `existing user ${holder.existing?.primaryId ?? '(no primary_id)'} (${holder.path}:${(holder.existing?.line ?? 0) + 1})`;
}

export class BaselineIndex {
  /** Existing users by match key. */
  readonly byMatch = new KeyMap<Holder>();
  /** Every identifier value (lower-cased) of every existing user, and later of the feed's users. */
  readonly holders = new KeyMap<Holder>();
  users = 0;

  /**
   * The canonical fields of existing users, by serial: needed only for the users that differ
   * from the input, so the reading side (a worker thread) keeps them until asked (cloning every
   * user's would cost the main thread more than the comparison).
   */
  canons: (serials: readonly number[]) => Promise<string[]> = () => Promise.resolve([]);

  /** Indexes a batch packed by a BaselinePacker: its keys are lower-cased, hashed and first-wins already, so each is one set. */
  add(path: string, batch: PackedUsers): void {
    const { byMatch, holders } = this;
    const v = batch.values;
    let at = 0;
    for (let u = 0; u < batch.count; u++) {
      const primaryId = v[at++] as string | null;
      const internalAccount = v[at++] === 1;
      const digest = v[at++] as string;
      const serial = v[at++] as number;
      const line = v[at++] as number;
      const idCount = v[at++] as number;
      const identifiers: CollectedIdentifier[] = new Array(idCount);
      for (let k = 0; k < idCount; k++) identifiers[k] = { type: v[at++] as string, value: v[at++] as string, internal: v[at++] === 1 };
      // Only what the replay reads of an existing user: its canonical fields stay with the packer.
      const user: CollectedUser = {
        primaryId, hasName: false, identifiers, internalAccount, canon: '', digest, serial, internalSegments: 0, line, col: 0, nameLength: 0,
      };
      const holder: Holder = { existing: user, current: user, claimedBy: -1, path };
      const match = v[at++] as string | null;
      if (match !== null) byMatch.set(match, holder, v[at++] as number);
      const owned = v[at++] as number;
      for (let k = 0; k < owned; k++, at += 2) holders.set(v[at] as string, holder, v[at + 1] as number);
      this.users++;
    }
  }
}

/**
 * A batch of existing users as the reading side posts it: one flat array of strings and numbers
 * (see BaselinePacker.pack for the layout). Cloning it between threads costs a fraction of
 * cloning the users as objects, whose every property name is written and read again.
 */
export interface PackedUsers {
  count: number;
  values: (string | number | null)[];
}

/**
 * Where the baseline is read (a worker thread, or this one): numbers the users, keeps their
 * canonical fields, lower-cases their keys and decides which user holds each one (two exported
 * users cannot share an identifier; if a hand-edited baseline does, the first is kept), so that
 * the thread that replays the feed only stores what it is given.
 */
export class BaselinePacker {
  /** The canonical fields of every user packed, by serial. */
  readonly canons: string[] = [];
  private readonly matched = new KeySet();
  private readonly held = new KeySet();

  constructor(private readonly matchIdType: string) {}

  pack(users: readonly CollectedUser[]): PackedUsers {
    const values: (string | number | null)[] = [];
    for (const user of users) {
      const serial = this.canons.length;
      this.canons.push(user.canon);
      values.push(user.primaryId, user.internalAccount ? 1 : 0, user.digest, serial, user.line, user.identifiers.length);
      for (const id of user.identifiers) values.push(id.type, id.value, id.internal ? 1 : 0);
      // Each key with its keyHash: the thread that indexes them then hashes no string again.
      const match = matchKey(user, this.matchIdType);
      const matchHash = match === null ? 0 : keyHash(match);
      if (match !== null && this.matched.add(match, matchHash)) values.push(match, matchHash);
      else values.push(null);
      const ownedAt = values.length;
      values.push(0);
      if (user.primaryId !== null) this.hold(user.primaryId.toLowerCase(), values);
      for (const id of user.identifiers) this.hold(id.value.toLowerCase(), values);
      (values[ownedAt] as number) = (values.length - ownedAt - 1) / 2;
    }
    return { count: users.length, values };
  }

  private hold(key: string, values: (string | number | null)[]): void {
    const hash = keyHash(key);
    if (this.held.add(key, hash)) values.push(key, hash);
  }
}

/** The end of one baseline document: what makes it unusable, if anything. */
export interface BaselineDocumentEnd {
  path: string;
  fatal: FatalProblem | null;
  version: 1 | 2 | null;
  badRoot: string | null;
}

/** Throws the InputError a document deserves: a baseline that is not well-formed or not a users file is refused. */
export function checkBaselineDocument(end: BaselineDocumentEnd): void {
  const { path, fatal } = end;
  if (fatal) throw new InputError(`${path}:${fatal.span.line + 1}:${fatal.span.col + 1}: the baseline is not well-formed XML: ${fatal.detail}`, path);
  if (end.version === null) {
    const what = end.badRoot === null ? 'it holds no XML element' : `its root is <${end.badRoot}>`;
    throw new InputError(`${path}: the baseline is not an Export Users file: ${what}, not <users> or <userRecords>`, path);
  }
}

/** A user's identifier as the index looks it up. */
export interface IdentifierKey {
  /** The value lower-cased. */
  key: string;
  /** keyHash of key. */
  hash: number;
  /** The identifier type ('primary_id' for the primary identifier) and the value as written: what a message names. */
  type: string;
  value: string;
}

/** The keys of a user's identifiers (primary and additional), each once, named by the first identifier with it. */
export function identifierKeys(user: CollectedUser, externalOnly = false): IdentifierKey[] {
  const keys: IdentifierKey[] = [];
  const add = (type: string, value: string): void => {
    const key = value.toLowerCase();
    // A user has a handful of identifiers: a scan of them is cheaper than a Map per user.
    if (!keys.some((k) => k.key === key)) keys.push({ key, hash: keyHash(key), type, value });
  };
  if (user.primaryId !== null) add('primary_id', user.primaryId);
  for (const id of user.identifiers) {
    if (!(externalOnly && id.internal)) add(id.type, id.value);
  }
  return keys;
}

/** The value a user is matched by; primary_id and identifiers compare without regard to case. */
export function matchKey(user: CollectedUser, matchIdType: string): string | null {
  if (matchIdType === 'primary_id') return user.primaryId === null ? null : user.primaryId.toLowerCase();
  const id = user.identifiers.find((i) => i.type === matchIdType);
  return id === undefined ? null : id.value.toLowerCase();
}

export async function scanDocument(doc: InputDocument, sink: ScanSink, onChunk: (bytes: number) => void, signal?: AbortSignal): Promise<void> {
  signal?.throwIfAborted();
  const scanner = new XmlScanner(sink);
  for await (const chunk of doc.read()) {
    scanner.write(chunk);
    onChunk(chunk.length);
    signal?.throwIfAborted();
  }
  scanner.end();
}

export interface BaselineRead {
  documents: readonly InputDocument[];
  /** The paths the documents were expanded from: a worker thread can open them again. */
  sourcePaths?: readonly string[];
  /** The documents (by path) that `documents` gives as v2 views of v1 files: a worker reads them so too. */
  v1AsV2?: readonly string[];
  matchIdType: string;
  collector: CollectorOptions;
  onBytes: (path: string, bytes: number) => void;
  signal?: AbortSignal;
  /** The feed's tail, read on the same side once the baseline is read (inputTail.ts). */
  tail?: TailRead;
  /** The worker's script (default: WORKER_SCRIPT beside this bundle). */
  workerScript?: string;
}

export interface TailRead {
  /**
   * Where the tail starts, settled by the first thread once it hears that the baseline is read
   * (readBaseline's promise), from where its own read of the feed is then; null: no tail.
   */
  request: Promise<TailRequest | null>;
  listener: TailListener;
  /** Hears the tail's outcome once, or why it was not read to the end. */
  end(outcome: TailOutcome): void;
  /** Aborted when the first thread no longer needs the tail. */
  stop: AbortSignal;
}

/** Reads the tail on this thread: what tests compare with the worker's. */
async function readTailHere(tail: TailRead, request: TailRequest, signal?: AbortSignal): Promise<void> {
  tail.end(await readInputTail(request, tail.listener, signal ? AbortSignal.any([signal, tail.stop]) : tail.stop));
}

/** Reads and indexes the baseline: on a worker thread when the bundle ships one, else here. */
export function readBaseline(read: BaselineRead): Promise<BaselineIndex> {
  if (read.documents.length === 0) return Promise.reject(new InputError('no baseline given: name the Export Users file (XML or zip)', ''));
  const script = read.workerScript ?? join(__dirname, WORKER_SCRIPT);
  if (readsOnWorker(read.sourcePaths, script)) return readOnWorker(script, read);
  return readHere(read);
}

/** Whether readBaseline reads a baseline from these paths on a worker thread. */
export function readsOnWorker(sourcePaths: readonly string[] | undefined, script = join(__dirname, WORKER_SCRIPT)): boolean {
  return sourcePaths !== undefined && sourcePaths.length > 0 && existsSync(script);
}

async function readHere(read: BaselineRead): Promise<BaselineIndex> {
  const index = new BaselineIndex();
  // Packed as on a worker thread, so that both ways index exactly the same.
  const packer = new BaselinePacker(read.matchIdType);
  index.canons = (serials) => Promise.resolve(serials.map((k) => packer.canons[k]));
  for (const doc of read.documents) {
    const collector = new UserCollector(read.collector);
    await scanDocument(doc, collector, (bytes) => read.onBytes(doc.path, bytes), read.signal);
    checkBaselineDocument({ path: doc.path, fatal: collector.fatal, version: collector.version, badRoot: collector.badRoot });
    index.add(doc.path, packer.pack(collector.users));
  }
  // After the index is handed over, as on a worker, so that the replay does not wait for the tail.
  const tail = read.tail;
  if (tail) void tail.request.then((request) => request && setImmediate(() => void readTailHere(tail, request, read.signal)));
  return index;
}

/** The worker's bundle, next to the CLI's and the extension's in dist/ (see scripts/build.mjs). */
export const WORKER_SCRIPT = 'dryRunWorker.js';

export interface WorkerRequest {
  paths: readonly string[];
  /** Documents to read through the v1 to v2 mapping (versionBridge.ts). */
  v1AsV2: readonly string[];
  matchIdType: string;
  collector: CollectorOptions;
  /** After `done`, wait for the parent's TailControl: it may want the feed's tail read. */
  tail: boolean;
}

export type WorkerMessage =
  | { kind: 'users'; path: string; users: PackedUsers }
  | { kind: 'bytes'; path: string; bytes: number }
  | ({ kind: 'end' } & BaselineDocumentEnd)
  | { kind: 'done' }
  | { kind: 'canons'; canons: string[] }
  | { kind: 'tail-bytes'; bytes: number }
  | { kind: 'tail-users'; users: PackedInputUsers }
  | { kind: 'tail-end'; outcome: TailOutcome }
  | { kind: 'error'; message: string; path: string; input: boolean };

/** After `done`, the parent asks for the canonical fields of some users; answers come in order. */
export interface CanonRequest {
  serials: readonly number[];
}

/** Where the feed's tail starts (null: no tail), posted once after `done` when the worker was told to wait for it. */
export interface TailControl {
  tail: TailRequest | null;
}

/** What the parent posts: a request for canonical fields, the tail to read, or that it is not wanted any more. */
export type WorkerControl = CanonRequest | TailControl | { stopTail: true };

/**
 * The baseline on a second core while this thread scans and validates the input: the two
 * sides are independent until the replay. Users arrive in batches, without their canonical
 * fields (the worker keeps those), and are indexed between the input's chunks. The worker lives
 * until the signal aborts: the dry-run aborts it when done, failed or cancelled.
 */
function readOnWorker(script: string, read: BaselineRead): Promise<BaselineIndex> {
  const index = new BaselineIndex();
  const request: WorkerRequest = { paths: read.sourcePaths!, v1AsV2: read.v1AsV2 ?? [], matchIdType: read.matchIdType, collector: read.collector, tail: read.tail !== undefined };
  const worker = new Worker(script, { workerData: request });
  void read.tail?.request.then((tail) => worker.postMessage({ tail } satisfies WorkerControl));
  const asked: { resolve: (canons: string[]) => void; reject: (error: Error) => void }[] = [];
  let failure: Error | null = null;
  index.canons = (serials) => new Promise((resolve, reject) => {
    if (failure) return reject(failure);
    asked.push({ resolve, reject });
    worker.postMessage({ serials } satisfies WorkerControl);
  });
  const stop = (): void => void worker.terminate();
  read.tail?.stop.addEventListener('abort', () => worker.postMessage({ stopTail: true } satisfies WorkerControl), { once: true });
  if (read.signal?.aborted) stop();
  else read.signal?.addEventListener('abort', stop, { once: true });
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (error: Error): void => {
      failure ??= error;
      read.tail?.end({ kind: 'error', message: failure.message });
      for (const waiting of asked.splice(0)) waiting.reject(failure);
      if (!settled) {
        settled = true;
        stop();
        reject(read.signal?.aborted && read.signal.reason instanceof Error ? read.signal.reason : failure);
      }
    };
    worker.on('message', (message: WorkerMessage) => {
      try {
        switch (message.kind) {
          case 'users':
            index.add(message.path, message.users);
            break;
          case 'bytes':
            read.onBytes(message.path, message.bytes);
            break;
          case 'end':
            checkBaselineDocument(message);
            break;
          case 'done':
            settled = true;
            resolve(index);
            break;
          case 'canons':
            asked.shift()?.resolve(message.canons);
            break;
          case 'tail-bytes':
            read.tail?.listener.bytes(message.bytes);
            break;
          case 'tail-users':
            read.tail?.listener.users(message.users);
            break;
          case 'tail-end':
            read.tail?.end(message.outcome);
            break;
          case 'error':
            fail(message.input ? new InputError(message.message, message.path) : new Error(message.message));
            break;
        }
      } catch (error) {
        fail(error as Error);
      }
    });
    worker.on('error', (error) => fail(error));
    worker.on('exit', (code) => fail(new Error(`the baseline reader stopped (exit code ${code})`)));
  });
}
