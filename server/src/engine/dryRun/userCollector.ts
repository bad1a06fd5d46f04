import * as crypto from 'node:crypto';
import type { ScanProblemRule, ScanSink, ScanStartTag, ScanText, XmlDeclaration } from '../xml/scanner';
import type { Span } from '../text/span';
import { compiledModel, type ElementNode } from '../schema/compiledModel';
import { V1_NAMESPACE } from '../schema/v1';

/**
 * Collects each user's normalised fields while the scanner streams a file: only what a SIS load
 * controls (what SIS ignores, what the profile sets, audit stamps and output-only fields are left
 * out), so that two users compare equal exactly when a synchronize would leave the record alone.
 * No DOM: a user is a handful of strings, and the walk follows the compiled record model.
 *
 * A user's fields become one canonical string: `path\u0001value` entries in model order (then by
 * text), joined by `\u0002` (XML 1.0 forbids both characters in content, so they cannot occur in a value). A
 * repeatable element (phone, identifier, note...) is a segment: one entry whose value describes the
 * whole segment, so that swap-all's replacement of a list compares as a multiset of segments.
 */

export const FIELD_SEPARATOR = '\u0001';
export const ENTRY_SEPARATOR = '\u0002';

export interface CollectedIdentifier {
  /** The identifier type code ('primary_id' for the primary identifier). */
  type: string;
  value: string;
  /** A baseline segment marked segment_type="Internal": kept by a synchronize. */
  internal: boolean;
}

export interface CollectedUser {
  primaryId: string | null;
  /** A non-empty first or last name: Alma can generate a primary id for a new user without one. */
  hasName: boolean;
  /** Additional identifiers (user_identifiers), in document order. */
  identifiers: CollectedIdentifier[];
  /** account_type INTERNAL (v1 userType Internal). */
  internalAccount: boolean;
  /** The canonical fields (see above); internal segments are not part of it. */
  canon: string;
  /** sha1 of canon: equal digests mean nothing a SIS load controls differs. */
  digest: string;
  /** An existing user's number in the baseline (-1 until indexed); its canon may then be kept elsewhere. */
  serial: number;
  /** Segments marked internal (a baseline's manually added data), left out of canon. */
  internalSegments: number;
  /** The `<user>` start tag name: 0-based line and column. */
  line: number;
  col: number;
  nameLength: number;
}

export interface CollectorOptions {
  /** Researcher (Esploro) data is loaded only when the profile is used for researchers. */
  includeResearcher: boolean;
  /**
   * True for the baseline: its segments marked segment_type="Internal" were added by staff and a
   * synchronize keeps them. False for the input: SIS ignores segment_type and loads every incoming
   * segment as External (reference.md SIS-09).
   */
  internalSegments: boolean;
}

/** A well-formedness problem: the file cannot be compared at all. */
export interface FatalProblem {
  rule: ScanProblemRule;
  span: Span;
  detail: string;
}

const FATAL_RULES: ReadonlySet<ScanProblemRule> = new Set(['xml-syntax', 'encoding', 'invalid-char', 'doctype']);

/** Audit stamps Alma writes on export and sets itself on load: never a difference worth showing. */
const AUDIT_NAMES: ReadonlySet<string> = new Set(['created_by', 'created_date', 'owneredEntity', 'matchId', 'segmentAction']);

/** The profile sets account_type on load, but the baseline's value says whether a user is internal. */
const ACCOUNT_TYPE_NAMES: ReadonlySet<string> = new Set(['account_type', 'userType']);

const enum Kind {
  Skip,
  Root,
  User,
  /** A group or list wrapper outside segments: its children's paths are prefixed with its name. */
  Group,
  Scalar,
  Segment,
  IdentifierSegment,
  SegmentGroup,
  SegmentLeaf,
  AccountType,
}

/** How one model element takes part in the comparison; computed once per compiled node. */
interface Plan {
  kind: Kind;
  node: ElementNode;
  /** Scalars and segments: the path from the user; inside a segment: the path from the segment. */
  path: string;
  /** Order of a segment's fields: the model's declaration order. */
  rank: number;
  /** How a field is named inside its segment's description: `phone_types`, not `phone_types/phone_type`. */
  label: string;
  /** `path` and the field separator: a scalar's entry is this and its value. */
  entryPrefix: string;
  /** An identifier segment's path up to its type: `user_identifiers/` (the type completes it). */
  typePrefix: string;
  /** Whether its text is kept: a scalar, a segment's leaf, account_type, or a repeated element of text only. */
  takesText: boolean;
  /** Plans of the children seen so far, by element name. */
  children: Map<string, Plan>;
}

/**
 * Each model element's position in a walk of the model: the order of a user's fields and of a
 * segment's parts. Derived from the model alone, so a worker thread and this one agree.
 */
const ranks = new Map<ElementNode, number>();

function rankOf(node: ElementNode): number {
  if (ranks.size === 0) {
    const walk = (n: ElementNode): void => {
      if (ranks.has(n)) return;
      ranks.set(n, ranks.size);
      for (const child of n.children) walk(child);
    };
    walk(compiledModel(2).root);
    walk(compiledModel(1).root);
  }
  return ranks.get(node) ?? ranks.size;
}

function newPlan(kind: Kind, node: ElementNode, path: string): Plan {
  return {
    kind,
    node,
    path,
    rank: rankOf(node),
    label: path.split('/')[0],
    entryPrefix: path + FIELD_SEPARATOR,
    typePrefix: path.slice(0, path.lastIndexOf('/') + 1),
    // A repeated element of text only (a researcher's keywords) is a segment whose text is its value.
    takesText: kind === Kind.Scalar || kind === Kind.SegmentLeaf || kind === Kind.AccountType || node.content === 'simple',
    children: new Map(),
  };
}

/**
 * The plan of a child element, from its parent's: a known child's plan is made once and kept in
 * the parent (one map lookup per start tag); names the model does not know are not kept, so a
 * hostile file cannot grow the table.
 */
function childPlan(parent: Plan, name: string, options: CollectorOptions): Plan | null {
  const known = parent.children.get(name);
  if (known !== undefined) return known;
  const hit = parent.node.index.exact.get(name);
  if (!hit) return null;
  const node = hit.def;
  const prefix = parent.kind === Kind.Group || parent.kind === Kind.SegmentGroup ? `${parent.path}/` : '';
  const plan = newPlan(kindOf(node, parent, options), node, prefix + node.name);
  parent.children.set(name, plan);
  return plan;
}

/** Root plans by version and researcher setting: the plan trees grow from them and are shared by every collector. */
const rootPlans = new Map<string, Plan>();

function rootPlan(version: 1 | 2, options: CollectorOptions): Plan {
  const key = `${version}:${options.includeResearcher}`;
  let plan = rootPlans.get(key);
  if (!plan) rootPlans.set(key, (plan = newPlan(Kind.Root, compiledModel(version).root, '')));
  return plan;
}

function kindOf(node: ElementNode, parent: Plan, options: CollectorOptions): Kind {
  if (parent.kind === Kind.Root) return node.role === 'user' ? Kind.User : Kind.Skip;
  if (parent.kind === Kind.User && ACCOUNT_TYPE_NAMES.has(node.name)) return Kind.AccountType;
  if (parent.kind === Kind.Group && ACCOUNT_TYPE_NAMES.has(node.name)) return Kind.AccountType;
  if (node.sis === 'ignored' || node.sis === 'output' || node.sis === 'profile') return Kind.Skip;
  if (AUDIT_NAMES.has(node.name) || (node.researcher && !options.includeResearcher)) return Kind.Skip;
  const inSegment = parent.kind === Kind.Segment || parent.kind === Kind.IdentifierSegment || parent.kind === Kind.SegmentGroup;
  if (inSegment) return node.content === 'simple' ? Kind.SegmentLeaf : Kind.SegmentGroup;
  if (node.max > 1) return node.role === 'identifier' ? Kind.IdentifierSegment : Kind.Segment;
  return node.content === 'simple' ? Kind.Scalar : Kind.Group;
}

/** Values as the loader reads them: booleans in one spelling, dates without their zone. */
function normalise(node: ElementNode, value: string): string {
  switch (node.type) {
    case 'boolean':
      return value === '1' ? 'true' : value === '0' ? 'false' : value;
    case 'date':
      return value.length > 10 && /^\d{4}-\d{2}-\d{2}/.test(value) ? value.slice(0, 10) : value;
    default:
      return value;
  }
}

/**
 * The fields of the segment being read, in parallel arrays reused from one segment to the next:
 * a segment has a few fields, and every segment of every user passes through here.
 */
class SegmentFields {
  private readonly ranks: number[] = [];
  private readonly labels: string[] = [];
  private readonly values: string[] = [];
  private length = 0;

  clear(): void {
    this.length = 0;
  }

  push(rank: number, label: string, value: string): void {
    const at = this.length++;
    this.ranks[at] = rank;
    this.labels[at] = label;
    this.values[at] = value;
  }

  /**
   * The segment as a person reads it and as it compares: its first field (in model order) bare,
   * the rest as `name: value` in parentheses; repeated fields (a segment's types) are joined.
   * Fields are ordered by the model, not the file, since xs:all allows any order.
   */
  describe(): string {
    const n = this.length;
    if (n === 0) return '(empty)';
    this.sort();
    const { labels, values } = this;
    let head = '';
    let body = '';
    let parts = 0;
    for (let k = 0; k < n; k++) {
      const value = values[k];
      if (k === 0 && value !== '') {
        head = value;
      } else if (parts > 0 && labels[k - 1] === labels[k]) {
        body += ', ' + value;
      } else {
        if (parts++ > 0) body += '; ';
        body += value === '' ? labels[k] : labels[k] + ': ' + value;
      }
    }
    if (parts === 0) return head;
    return head === '' ? body : head + ' (' + body + ')';
  }

  /** By model rank, then value (a segment's repeated types); usually in model order already. */
  private sort(): void {
    sortByRankThenText(this.length, this.ranks, this.values, this.labels);
  }
}

export class UserCollector implements ScanSink {
  /** The users read, unless a listener takes each as it ends. */
  readonly users: CollectedUser[] = [];
  /** Users ended so far: the index of the user in progress. */
  count = 0;
  fatal: FatalProblem | null = null;
  version: 1 | 2 | null = null;
  /** The root element's name when it is not one of a users file. */
  badRoot: string | null = null;

  /** The version is known for good: after the root, or a `<userRecords>` root's first child. */
  get versionDecided(): boolean {
    return this.version !== null && !this.undecided;
  }

  /** Directly inside a users file's root whose version is settled, no user open: where a feed may be cut (inputTail.ts). */
  betweenUsers(): boolean {
    return this.depth === 1 && !this.inUser && this.versionDecided && this.badRoot === null && this.fatal === null;
  }

  private depth = 0;
  private readonly frames: (Plan | null)[] = [];
  private readonly texts: string[] = [];
  /** A <userRecords> root without the v1 namespace: its first child tells v1 from v2. */
  private undecided = false;
  /** `x:` for a root `<x:userRecords xmlns:x="...xmlbeans">`: the v1 names carry that prefix. */
  private prefix = '';

  // The user being read.
  private inUser = false;
  private entries: string[] = [];
  private entryRanks: number[] = [];
  private primaryId: string | null = null;
  private hasName = false;
  private identifiers: CollectedIdentifier[] = [];
  private internalAccount = false;
  private internalSegments = 0;
  private userLine = 0;
  private userCol = 0;
  private userNameLength = 0;

  // The segment being read.
  private segment: Plan | null = null;
  private segmentInternal = false;
  private readonly segmentFields = new SegmentFields();
  private identifierType = '';
  private identifierValue = '';

  /** `onUser`: receives each user as it ends, instead of `users` keeping them all. */
  constructor(
    private readonly options: CollectorOptions,
    private readonly onUser?: (user: CollectedUser, index: number) => void,
  ) {}

  xmlDeclaration(_decl: XmlDeclaration): void {}

  problem(rule: ScanProblemRule, span: Span, detail: string): void {
    if (this.fatal === null && FATAL_RULES.has(rule)) this.fatal = { rule, span, detail };
  }

  startTag(tag: ScanStartTag): void {
    const depth = this.depth++;
    if (depth === 0) {
      this.frames[0] = this.startRoot(tag);
      return;
    }
    if (this.undecided) this.decideRoot(tag.name);
    const parent = this.frames[depth - 1];
    if (parent === null || parent.kind === Kind.Skip || parent.kind === Kind.Scalar || parent.kind === Kind.SegmentLeaf || parent.kind === Kind.AccountType) {
      this.frames[depth] = null;
      return;
    }
    // Names the model does not know (or knows in another case) are not loaded: the checker reports them.
    const name = this.prefix !== '' && tag.name.startsWith(this.prefix) ? tag.name.slice(this.prefix.length) : tag.name;
    const plan = childPlan(parent, name, this.options);
    this.frames[depth] = plan;
    if (plan === null) return;
    if (plan.takesText) this.texts[depth] = '';
    switch (plan.kind) {
      case Kind.User:
        this.beginUser(tag);
        break;
      case Kind.Segment:
      case Kind.IdentifierSegment:
        if (this.inUser) this.beginSegment(plan, tag);
        break;
      default:
    }
  }

  text(text: ScanText): void {
    const plan = this.frames[this.depth - 1];
    if (plan === null || plan === undefined) return;
    if (plan.takesText) this.texts[this.depth - 1] += plan.node.sharedValue ? text.sharedValue() : text.value();
  }

  endTag(_name: string): void {
    const depth = --this.depth;
    const plan = this.frames[depth];
    if (plan === null || plan === undefined || !this.inUser) return;
    switch (plan.kind) {
      case Kind.Scalar:
        this.endScalar(plan, this.texts[depth]);
        break;
      case Kind.SegmentLeaf:
        this.endSegmentLeaf(plan, this.texts[depth]);
        break;
      case Kind.AccountType:
        if (this.texts[depth].trim().toLowerCase() === 'internal') this.internalAccount = true;
        break;
      case Kind.Segment:
      case Kind.IdentifierSegment:
        if (this.segment !== plan) break;
        if (plan.node.content === 'simple' && this.texts[depth] !== '') {
          this.segmentFields.push(plan.rank, plan.label, normalise(plan.node, this.texts[depth]));
        }
        this.endSegment(plan);
        break;
      case Kind.User:
        this.endUser();
        break;
      default:
    }
  }

  private startRoot(tag: ScanStartTag): Plan | null {
    const name = tag.name;
    const colon = name.indexOf(':');
    if (colon > 0 && tag.attributes.some((a) => a.name === `xmlns:${name.slice(0, colon)}` && a.value === V1_NAMESPACE) && name.slice(colon + 1) === 'userRecords') {
      this.prefix = name.slice(0, colon + 1);
      return this.useVersion(1);
    }
    if (name === 'users') return this.useVersion(2);
    if (name === 'userRecords') {
      const xmlns = tag.attributes.find((a) => a.name === 'xmlns')?.value ?? '';
      if (xmlns === V1_NAMESPACE) return this.useVersion(1);
      // MIT writes v2 users inside <userRecords>: the first child decides.
      this.undecided = true;
      return this.useVersion(1);
    }
    this.badRoot = name;
    return null;
  }

  private useVersion(version: 1 | 2): Plan {
    this.version = version;
    return rootPlan(version, this.options);
  }

  private decideRoot(firstChild: string): void {
    this.undecided = false;
    if (firstChild === 'user') this.frames[0] = this.useVersion(2);
  }

  private beginUser(tag: ScanStartTag): void {
    this.inUser = true;
    this.entries = [];
    this.entryRanks = [];
    this.primaryId = null;
    this.hasName = false;
    this.identifiers = [];
    this.internalAccount = false;
    this.internalSegments = 0;
    this.segment = null;
    this.userLine = tag.line;
    this.userCol = tag.col;
    this.userNameLength = tag.name.length;
  }

  private endScalar(plan: Plan, text: string): void {
    if (text.length === 0) return; // an empty element holds nothing: swap-all deletes the field
    // Copied through a concatenation: a substring of the scanner's chunk would keep it alive.
    const value = normalise(plan.node, text);
    let compared = value;
    if (plan.node.role === 'firstName' || plan.node.role === 'lastName') this.hasName ||= text.trim() !== '';
    if (plan.node.role === 'primaryId') {
      this.primaryId = value;
      // Alma compares primary ids without regard to case: one that differs only in case is the same id.
      compared = value.toLowerCase();
    }
    this.entries.push(plan.entryPrefix + compared);
    this.entryRanks.push(plan.rank);
  }

  private beginSegment(plan: Plan, tag: ScanStartTag): void {
    this.segment = plan;
    this.segmentFields.clear();
    this.segmentInternal = false;
    this.identifierType = '';
    this.identifierValue = '';
    const attributes = tag.attributes;
    for (let k = 0; k < attributes.length; k++) {
      const attribute = attributes[k];
      if (attribute.name === 'segment_type') {
        this.segmentInternal = this.options.internalSegments && attribute.value.toLowerCase() === 'internal';
        continue;
      }
      const def = plan.node.attributeIndex.exact.get(attribute.name);
      if (def && def.type === 'boolean' && def.sis !== 'output' && (attribute.value === 'true' || attribute.value === '1')) {
        // A flag whose default is false: shown by name when set.
        this.segmentFields.push(Number.MAX_SAFE_INTEGER, def.name, '');
      }
    }
  }

  private endSegmentLeaf(plan: Plan, text: string): void {
    if (this.segment === null || text.length === 0) return;
    const role = plan.node.role;
    if (role === 'identifierType') {
      this.identifierType = text;
      return;
    }
    const value = normalise(plan.node, text);
    if (role === 'identifierValue') this.identifierValue = value;
    this.segmentFields.push(plan.rank, plan.label, value);
  }

  private endSegment(plan: Plan): void {
    this.segment = null;
    let prefix = plan.entryPrefix;
    if (plan.kind === Kind.IdentifierSegment) {
      const type = this.identifierType || '(no type)';
      if (this.identifierValue !== '') {
        this.identifiers.push({ type, value: this.identifierValue, internal: this.segmentInternal });
      }
      prefix = plan.typePrefix + type + FIELD_SEPARATOR;
    }
    if (this.segmentInternal) {
      this.internalSegments++;
      return;
    }
    this.entries.push(prefix + this.segmentFields.describe());
    this.entryRanks.push(plan.rank);
  }

  private endUser(): void {
    this.inUser = false;
    const entries = this.entries;
    sortByRankThenText(entries.length, this.entryRanks, entries);
    const canon = entries.join(ENTRY_SEPARATOR);
    const user: CollectedUser = {
      primaryId: this.primaryId,
      hasName: this.hasName,
      identifiers: this.identifiers,
      internalAccount: this.internalAccount,
      canon,
      digest: sha1(canon),
      serial: -1,
      internalSegments: this.internalSegments,
      line: this.userLine,
      col: this.userCol,
      nameLength: this.userNameLength,
    };
    if (this.onUser) this.onUser(user, this.count);
    else this.users.push(user);
    this.count++;
    this.entries = [];
    this.entryRanks = [];
  }
}

/**
 * One-shot hashing where Node has it (20.12 and later): a Hash object per user was a tenth of
 * the collector's time. VS Code 1.91's Node 20.9 has only createHash.
 */
const sha1: (text: string) => string = typeof crypto.hash === 'function'
  ? (text) => crypto.hash('sha1', text, 'base64')
  : (text) => crypto.createHash('sha1').update(text).digest('base64');

/**
 * Sorts the first `n` of `texts` by `ranks`, then by text, moving `ranks` (and `carried`) along:
 * a user's entries, a segment's fields. An insertion sort: producers write them in one fixed
 * order, usually the model's, so this is close to one pass; a string sort of every entry of every
 * user was a tenth of the run.
 */
function sortByRankThenText(n: number, ranks: number[], texts: string[], carried?: string[]): void {
  for (let k = 1; k < n; k++) {
    const rank = ranks[k];
    const text = texts[k];
    const other = carried?.[k];
    let at = k - 1;
    while (at >= 0 && (ranks[at] > rank || (ranks[at] === rank && texts[at] > text))) {
      ranks[at + 1] = ranks[at];
      texts[at + 1] = texts[at];
      if (carried) carried[at + 1] = carried[at];
      at--;
    }
    ranks[at + 1] = rank;
    texts[at + 1] = text;
    if (carried) carried[at + 1] = other!;
  }
}

/** The [path, value] pairs of a canonical string, in its (sorted) order. */
export function parseCanon(canon: string): [string, string][] {
  if (canon === '') return [];
  return canon.split(ENTRY_SEPARATOR).map((entry) => {
    const at = entry.indexOf(FIELD_SEPARATOR);
    return [entry.slice(0, at), entry.slice(at + 1)];
  });
}
