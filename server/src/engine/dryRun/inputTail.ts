import { readFileChunks } from '../files/inputs';
import type { Finding } from '../rules/finding';
import type { Span } from '../text/span';
import { DocumentChecker, type UserObserver } from '../validation/documentChecker';
import { IdentifierRegistry } from '../validation/identifiers';
import { beforeCut, rootCopy, type SecondHalfRequest } from '../validation/secondHalf';
import { XmlScanner, type ScanProblemRule, type ScanSink, type ScanStartTag, type ScanText, type XmlDeclaration } from '../xml/scanner';
import type { PackedUsers } from './baselineIndex';
import { FILE_RULES, RejectionFindings, type Rejection } from './rejections';
import { UserCollector, type CollectedIdentifier, type CollectedUser, type CollectorOptions } from './userCollector';

/**
 * The tail of a big feed, read by the thread that read the baseline once it is done with it
 * (dryRun.ts has the plan): scanned inside a copy of the root's start tag, from the cut's line
 * counted as line 0, with the checker and the collector the input's head has; each user is
 * posted packed with the error that rejects it, for the first thread to replay after its own.
 * The tail answers only for what depends on its own text: anything that the head could change
 * (text or another element directly in the root, a well-formedness problem, an error that fails
 * the file) makes it unsplittable, and the first thread reads on from the cut by itself.
 */

/** Where the tail starts, as for validation's second half, and how the head collects users. */
export interface TailRequest extends SecondHalfRequest {
  collector: CollectorOptions;
}

export type TailOutcome =
  | { kind: 'done'; users: number }
  | { kind: 'unsplittable'; reason: string }
  | { kind: 'error'; message: string };

/** Users per posted batch (the baseline's, the feed tail's): posting costs little, and they are indexed as they come. */
export const BATCH_USERS = 2000;

/** Input users as the tail posts them: flat, as the baseline's (see packInputUsers for the layout). */
export type PackedInputUsers = PackedUsers;

/** A user of the tail as the replay takes it: lines counted from the cut's line. */
export interface TailUser {
  user: CollectedUser;
  rejection: Rejection | undefined;
}

export interface TailListener {
  bytes(bytes: number): void;
  users(batch: PackedInputUsers): void;
}

/** Reads the tail, posting its users in batches; the outcome says whether they stand for the tail. It never throws: a failure is an outcome. */
export function readInputTail(request: TailRequest, listener: TailListener, signal?: AbortSignal): Promise<TailOutcome> {
  return scanTail(request, listener, signal).catch((error: unknown) => ({ kind: 'error', message: error instanceof Error ? error.message : String(error) }));
}

async function scanTail(request: TailRequest, listener: TailListener, signal?: AbortSignal): Promise<TailOutcome> {
  const prefix = await rootCopy(request.file, request.cut);
  if (typeof prefix !== 'string') return { kind: 'unsplittable', reason: prefix.reason };
  const reader = new TailReader(request, (users, rejections) => listener.users(packInputUsers(users, rejections)));
  const scanner = new XmlScanner(reader, { line: 0, col: request.col - prefix.length });
  scanner.write(Buffer.from(prefix, 'utf8'));
  const userElement = reader.rootRead();
  if (userElement === null) return { kind: 'unsplittable', reason: 'the root does not hold users of a settled version' };
  for await (const chunk of readFileChunks(request.file, request.cut)) {
    scanner.write(chunk);
    listener.bytes(chunk.length);
    if (reader.reason) break;
    if (signal?.aborted) return { kind: 'error', message: 'stopped' };
  }
  if (!reader.reason) scanner.end();
  if (reader.reason) return { kind: 'unsplittable', reason: reader.reason };
  return { kind: 'done', users: reader.flush() };
}

/** Per user: primary id, has a name, internal account, canon, digest, line, col, name length, identifier count, then per identifier its type, value and internal flag, then the rejection's rule and message (null, null: none). */
export function packInputUsers(users: readonly CollectedUser[], rejections: readonly (Rejection | undefined)[]): PackedInputUsers {
  const values: (string | number | null)[] = [];
  users.forEach((user, k) => {
    values.push(user.primaryId, user.hasName ? 1 : 0, user.internalAccount ? 1 : 0, user.canon, user.digest, user.line, user.col, user.nameLength, user.identifiers.length);
    for (const id of user.identifiers) values.push(id.type, id.value, id.internal ? 1 : 0);
    const rejection = rejections[k];
    values.push(rejection?.rule ?? null, rejection?.message ?? null);
  });
  return { count: users.length, values };
}

/** The users of a batch, their lines moved down by `lines` (the head's, before the cut). */
export function unpackInputUsers(batch: PackedInputUsers, lines: number): TailUser[] {
  const v = batch.values;
  const users: TailUser[] = new Array(batch.count);
  let at = 0;
  for (let u = 0; u < batch.count; u++) {
    const primaryId = v[at++] as string | null;
    const hasName = v[at++] === 1;
    const internalAccount = v[at++] === 1;
    const canon = v[at++] as string;
    const digest = v[at++] as string;
    const line = (v[at++] as number) + lines;
    const col = v[at++] as number;
    const nameLength = v[at++] as number;
    const idCount = v[at++] as number;
    const identifiers: CollectedIdentifier[] = new Array(idCount);
    for (let k = 0; k < idCount; k++) identifiers[k] = { type: v[at++] as string, value: v[at++] as string, internal: v[at++] === 1 };
    const rule = v[at++] as Rejection['rule'] | null;
    const message = v[at++] as string | null;
    users[u] = {
      user: { primaryId, hasName, identifiers, internalAccount, canon, digest, serial: -1, internalSegments: 0, line, col, nameLength },
      rejection: rule === null ? undefined : { rule, message: message ?? '' },
    };
  }
  return users;
}

/** Takes each user's identifiers and does nothing: the replay checks them against the baseline. */
export const IGNORE_USERS: UserObserver = { userEnded: () => undefined };

/**
 * Sits between the scanner and the checker and collector of the tail, as the input's TeeSink
 * does for the head, and notes what the tail cannot answer for.
 */
class TailReader implements ScanSink {
  reason: string | null = null;
  private readonly checker: DocumentChecker;
  private readonly collector: UserCollector;
  private readonly rejections: TailRejections;
  private readonly users: CollectedUser[] = [];
  private readonly userRejections: (Rejection | undefined)[] = [];
  private userElement = '';
  private depth = 0;
  private posted = 0;

  constructor(request: TailRequest, private readonly post: (users: CollectedUser[], rejections: (Rejection | undefined)[]) => void) {
    this.collector = new UserCollector(request.collector, (user, k) => {
      this.users.push(user);
      this.userRejections.push(this.rejections.take(k));
      if (this.users.length >= BATCH_USERS) this.flush();
    });
    this.rejections = new TailRejections(() => this.collector.count, request.col, (why) => this.refuse(why));
    this.checker = new DocumentChecker(request.path, request.settings, new IdentifierRegistry(), { ...request.set }, { findings: this.rejections, observer: IGNORE_USERS });
  }

  /** The root's copy is read: the user element's name, or null when the root is not one to split. */
  rootRead(): string | null {
    const at = this.checker.betweenUsers();
    if (!at || !this.collector.betweenUsers()) return null;
    this.rejections.inRoot = false;
    this.userElement = at.userElement;
    return at.userElement;
  }

  /** Posts the users not posted yet; returns how many users the tail had. */
  flush(): number {
    if (this.users.length > 0) {
      this.posted += this.users.length;
      this.post(this.users.splice(0), this.userRejections.splice(0));
    }
    return this.posted;
  }

  private refuse(reason: string): void {
    this.reason ??= reason;
  }

  xmlDeclaration(decl: XmlDeclaration): void {
    this.checker.xmlDeclaration(decl);
  }

  startTag(tag: ScanStartTag): void {
    if (this.depth === 1 && !this.rejections.inRoot && tag.name !== this.userElement) this.refuse('another element than a user directly in the root');
    this.depth++;
    this.checker.startTag(tag);
    this.collector.startTag(tag);
  }

  endTag(name: string): void {
    this.checker.endTag();
    this.collector.endTag(name);
    this.depth--;
  }

  text(text: ScanText): void {
    if (this.depth === 1) this.refuse('text directly in the root');
    this.checker.text(text);
    this.collector.text(text);
  }

  problem(rule: ScanProblemRule, span: Span, detail: string): void {
    this.refuse('a well-formedness problem');
    this.checker.problem(rule, span, detail);
    this.collector.problem(rule, span, detail);
  }
}

/** The head reported whatever is about the root; an error that fails the file must be the head's to report. */
class TailRejections extends RejectionFindings {
  inRoot = true;

  constructor(currentUser: () => number, private readonly col: number, private readonly refuse: (why: string) => void) {
    super(currentUser);
  }

  override add(finding: Finding): void {
    if (this.inRoot) return;
    if (beforeCut(finding.range.start, this.col)) return this.refuse('a finding about the root');
    if (finding.severity === 'error' && FILE_RULES.has(finding.rule)) return this.refuse(`an error that fails the file (${finding.rule})`);
    super.add(finding);
  }
}
