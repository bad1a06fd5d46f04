import { MAX_KEPT_BYTES, MAX_SCAN_PROBLEMS, nameSpanAt, type ScanSink, type ScanStartTag, type ScanText, type ScanProblemRule, type XmlDeclaration, type ScanAttribute } from '../xml/scanner';
import type { Span } from '../text/span';
import { toRange } from '../text/span';
import { looseName, v1Vocabulary, v2Vocabulary } from '../schema/models';
import { compiledModel, type AttributeNode, type CompiledModel, type ElementNode } from '../schema/compiledModel';
import type { ValidationSettings, CodeEntry } from '../config/types';
import type { Finding, FindingUser, RelatedLocation, Severity } from '../rules/finding';
import { ruleDef, formatMessage, type RuleId } from '../rules/ruleTable';
import { nearest, codePointLength } from '../text/similarity';
import { excerpt } from '../text/excerpt';
import { checkDate, checkLexical, isBoolean, isDateType, isTrue, dateKey } from './lexical';
import { IdentifierRegistry, identifiersClash, describeIdentifier, identifierUse, spanOf, checkIdentifiersAcrossUsers, userLabel, type ClashReporter, type IdentifierUse } from './identifiers';
import type { DocumentResult } from './results';
import { FindingCollector } from './findingCollector';

/**
 * Applies the rules to one document as the scanner streams it: a walk of the record model
 * (data in schema/) driven by start tags, text and end tags, with one frame per open element.
 * Per-user rules run when a user closes; identifiers go to the set's registry then.
 */

const XSI = 'xsi:';
const V1_NAMESPACE = 'http://com/exlibris/digitool/repository/extsystem/xmlbeans';


/** One open element. Frames are pooled per depth and reset on reuse: a file has millions of elements. */
interface Frame {
  name: string;
  line: number;
  col: number;
  /** The element's definition; null inside unknown elements, whose content is not checked. */
  def: ElementNode | null;
  /**
   * Children seen so far, by position in the definition: seenGeneration[k] === generation means
   * child k was seen, first at seenLine[k]/seenCol[k]. The generation stamp makes a reused frame
   * start empty without clearing anything.
   */
  generation: number;
  seenGeneration: number[];
  seenLine: number[];
  seenCol: number[];
  /** For sequences: the furthest position seen and its element's name. */
  maxPosition: number;
  maxPositionName: string;
  childCount: number;
  /**
   * For lists: which children set a uniqueTrue attribute (preferred...) to true, and where the
   * first did; small parallel arrays reused with the frame, searched linearly (a list has few).
   */
  trueCount: number;
  trueElements: ElementNode[];
  trueAttributes: AttributeNode[];
  trueSpans: Span[];
  text: string;
  textLength: number;
  hasText: boolean;
  textLine: number;
  textCol: number;
  textEndLine: number;
  textEndCol: number;
  textTruncated: boolean;
  reportedText: boolean;
  /**
   * Inside an unknown element, or one already reported as not loaded (or researcher data in a
   * users profile): nothing below is reported again, except values the schema rejects.
   */
  quiet: boolean;
  /**
   * A finding decided at the start tag but reported at the end, once the content is known: an
   * empty field SIS ignores is harmless, and `false` or nothing is not researcher data.
   */
  deferred: 'not-loaded' | 'researcher' | null;
}

interface UserState {
  nameSpan: Span;
  /** Shared by the user's findings of rules that reject users; its primary_id is filled in at the end. */
  ref: FindingUser;
  primaryId: IdentifierUse | null;
  identifiers: IdentifierUse[];
  /** Identifier segment being read: its type and value. */
  pendingType: string | null;
  /** Its value, typed once the segment ends (id_type may follow value: xs:all). */
  pendingValue: IdentifierUse | null;
  hasFirstName: boolean;
  hasLastName: boolean;
  expiry: { key: number; value: string } | null;
  purge: { key: number; value: string; span: Span } | null;
  hasResearcher: boolean;
}

export interface SetState {
  /** The schema version of the first document of the set that had one. */
  version: 1 | 2 | null;
  versionPath: string | null;
}

/** For incremental validation (engine/incremental): a checker whose users are combined elsewhere. */
export interface CheckerHooks {
  /** Receives every finding as it is reported (the default caps and collapses them). */
  findings?: FindingCollector;
  /** When set, identifiers across users are left to the observer: it gets each user's. */
  observer?: UserObserver;
}

export interface UserObserver {
  /**
   * A user closed. `uses`: its primary_id then its other identifiers, in document order;
   * `repeats`: it repeats one of its own (Alma rejects it, so it holds none); `label`: how
   * messages name it. Called where the checker would look for clashes with earlier users.
   */
  userEnded(uses: IdentifierUse[], repeats: boolean, label: string, ref: FindingUser): void;
}

export class DocumentChecker implements ScanSink {
  private readonly findings: FindingCollector;
  private readonly frames: Frame[] = [];
  private generation = 0;
  private depth = 0;
  private model: CompiledModel | null = null;
  private version: 1 | 2 | null = null;
  private user: UserState | null = null;
  private users = 0;
  private scanProblems = 0;
  private rootDone = false;
  /** The root is <userRecords> and its first child decides between v1 and v2 (MIT writes v2 users in it). */
  private rootUndecided = false;
  /** The root was reported as not a users root: its content is checked all the same, by its first child's version. */
  private rootForeign = false;
  /** `x:` when the root is `<x:userRecords xmlns:x="...xmlbeans">`: names in that prefix are the v1 names. */
  private prefix = '';
  /** This document's index in the registry's paths. */
  readonly documentIndex: number;
  private readonly strict: boolean;
  private readonly observer: UserObserver | null;

  constructor(
    private readonly path: string,
    private readonly settings: ValidationSettings,
    private readonly registry: IdentifierRegistry,
    private readonly set: SetState,
    hooks: CheckerHooks = {},
  ) {
    this.findings = hooks.findings ?? new FindingCollector();
    this.observer = hooks.observer ?? null;
    this.documentIndex = registry.addDocument(path);
    this.strict = settings.strict;
  }

  result(): DocumentResult {
    return { path: this.path, schemaVersion: this.version, users: this.users, findings: this.findings.finish(), rejectedUsers: this.findings.rejectedUsers() };
  }

  /**
   * The state a second thread can take over from (validation/splitValidation.ts): between users
   * directly inside a <users> or <userRecords> root whose version is settled, no user open and no
   * well-formedness problem so far. Then what follows depends on this document only through the
   * root's start tag, the identifiers taken and the count of users. Null anywhere else.
   */
  betweenUsers(): { users: number; version: 1 | 2; userElement: string } | null {
    if (this.depth !== 1 || this.user !== null || !this.rootDone || this.rootUndecided || this.rootForeign || this.scanProblems > 0) return null;
    if (this.version === null || this.frames[0].def !== this.model!.root) return null; // a <user> root's content is one user's
    return { users: this.users, version: this.version, userElement: `${this.prefix}${this.version === 2 ? 'user' : 'userRecord'}` };
  }

  // -------------------------------------------------------------------------------------
  // Reporting

  private report(rule: RuleId, span: Span, args: Record<string, string | number>, extra?: {
    related?: RelatedLocation[];
    severity?: Severity;
    suggestions?: string[];
    group?: string;
  }): void {
    const setting = this.settings.rules[rule];
    if (setting === 'off') return;
    const def = ruleDef(rule);
    const severity = setting ?? extra?.severity ?? def.severity;
    const user = def.rejects === 'user' && this.user ? this.user.ref : undefined;
    // Past the cap a finding is only counted: building its message would cost time for nothing.
    if (this.findings.isFull(rule)) {
      this.findings.drop({ rule, severity, range: toRange(span), user });
      return;
    }
    const finding: Finding = {
      rule,
      severity,
      message: formatMessage(def.message, args),
      range: toRange(span),
      related: extra?.related ?? [],
    };
    if (extra?.suggestions && extra.suggestions.length > 0) finding.suggestions = extra.suggestions;
    if (extra?.group !== undefined) finding.group = extra.group;
    if (user) finding.user = user;
    this.findings.add(finding);
  }

  private related(span: Span, message: string, documentIndex = this.documentIndex): RelatedLocation {
    return { path: this.registry.documentPaths[documentIndex], range: toRange(span), message };
  }

  problem(rule: ScanProblemRule, span: Span, detail: string): void {
    // The scanner stops at its own cap (and says so, with the count of the rest) before formatting
    // anything more; this only guards against another source of problems.
    if (++this.scanProblems > MAX_SCAN_PROBLEMS) return;
    this.report(rule, span, { detail });
  }

  xmlDeclaration(decl: XmlDeclaration): void {
    if (decl.version !== undefined && decl.version !== '1.0') {
      this.report('xml-syntax', decl.span, { detail: `XML version "${excerpt(decl.version)}" is not supported; write version="1.0".` });
    }
    if (decl.encoding !== undefined && !/^utf-?8$/i.test(decl.encoding)) {
      this.report('encoding', decl.encodingSpan ?? decl.span, {
        detail: `The file declares encoding "${excerpt(decl.encoding)}". Alma reads user files as UTF-8 only: convert the file to UTF-8 and declare encoding="UTF-8".`,
      });
    }
  }

  // -------------------------------------------------------------------------------------
  // Elements

  startTag(tag: ScanStartTag): void {
    const parent = this.depth > 0 ? this.frames[this.depth - 1] : null;
    let def: ElementNode | null = null;
    if (!parent) {
      def = this.startRoot(tag);
    } else if (parent.def) {
      def = this.resolveChild(parent, tag);
    }
    const frame = this.pushFrame(tag, def, parent);
    if (def) {
      if (tag.attributes.length > 0) this.checkAttributes(tag, def, frame, parent);
      if (def.hasTreatment) this.checkTreatment(def, frame);
      if (def.role === 'user') this.beginUser(tag);
      else if (def.role === 'researcher' && this.user) this.user.hasResearcher = true;
    } else if (parent) {
      frame.quiet = true;
    }
  }

  private pushFrame(tag: ScanStartTag, def: ElementNode | null, parent: Frame | null): Frame {
    let frame = this.frames[this.depth];
    if (!frame) {
      frame = {
        name: '', line: 0, col: 0, def: null, generation: 0, seenGeneration: [], seenLine: [], seenCol: [], maxPosition: -1, maxPositionName: '', childCount: 0,
        trueCount: 0, trueElements: [], trueAttributes: [], trueSpans: [], text: '', textLength: 0, hasText: false, textLine: 0, textCol: 0, textEndLine: 0, textEndCol: 0,
        textTruncated: false, reportedText: false, quiet: false, deferred: null,
      };
      this.frames[this.depth] = frame;
    }
    this.depth++;
    frame.name = tag.name;
    frame.line = tag.line;
    frame.col = tag.col;
    frame.def = def;
    frame.generation = ++this.generation;
    frame.maxPosition = -1;
    frame.maxPositionName = '';
    frame.childCount = 0;
    frame.trueCount = 0;
    frame.text = '';
    frame.textLength = 0;
    frame.hasText = false;
    frame.textTruncated = false;
    frame.reportedText = false;
    frame.quiet = parent?.quiet ?? false;
    frame.deferred = null;
    return frame;
  }

  /** Decides the version from the root; returns the definition to check the root's content against. */
  private startRoot(tag: ScanStartTag): ElementNode | null {
    if (this.rootDone) return null; // a second root: the scanner reported it
    this.rootDone = true;
    const colon = tag.name.indexOf(':');
    if (colon > 0 && tag.attributes.some((a) => a.name === `xmlns:${tag.name.slice(0, colon)}` && a.value === V1_NAMESPACE)) {
      // The same qualified name as <userRecords xmlns="..."> (XMLBeans writes it so).
      this.prefix = tag.name.slice(0, colon + 1);
      this.setVersion(1, tagSpan(tag));
      return this.model!.root;
    }
    const name = tag.name;
    const xmlns = tag.attributes.find((a) => a.name === 'xmlns')?.value ?? '';
    let version: 1 | 2 | null = null;
    let def: ElementNode | null = null;
    if (name === 'users') {
      version = 2;
    } else if (name === 'userRecords') {
      if (xmlns !== V1_NAMESPACE) {
        // MIT writes v2 users inside <userRecords>: the first child decides the version.
        this.rootUndecided = true;
        this.model = compiledModel(1);
        return this.model.root;
      }
      version = 1;
    } else if (name === 'user' || name === 'userRecord') {
      version = name === 'user' ? 2 : 1;
      const wrapper = version === 2 ? 'users' : 'userRecords';
      this.report('root-element', tagSpan(tag), {
        detail: `The root element is <${excerpt(name)}>: Alma expects the users inside a <${wrapper}> root, even for one user.`,
      });
      def = compiledModel(version).root.index.exact.get(name)?.def ?? null;
    } else {
      const lower = name.toLowerCase();
      const hint = lower === 'users' || lower === 'userrecords' ? ` XML names are case-sensitive: write <${lower === 'users' ? 'users' : 'userRecords'}>.` : '';
      this.report('root-element', tagSpan(tag), {
        detail: `The root element is <${excerpt(name)}>; Alma expects <users> (User XSD v2) or <userRecords> (v1).${hint}`,
      });
      // The users inside are still worth checking: the first child tells their version.
      this.rootUndecided = true;
      this.rootForeign = true;
      this.model = compiledModel(1);
      return this.model.root;
    }
    this.setVersion(version, tagSpan(tag));
    return def ?? this.model!.root;
  }

  /** Settles a <userRecords> root without the v1 namespace once its content shows the version. */
  private decideUndecidedRoot(root: Frame, version: 1 | 2): ElementNode {
    this.rootUndecided = false;
    if (this.rootForeign) {
      // Reported already; no second finding about the same root.
    } else if (version === 2) {
      this.report('root-element', frameSpan(root), {
        detail: 'v2 <user> records inside a <userRecords> root: Alma accepts this in practice, but the v2 root is <users>.',
      }, { severity: 'warning' });
    } else {
      this.report('root-element', frameSpan(root), { detail: `The v1 root <userRecords> needs xmlns="${V1_NAMESPACE}".` });
    }
    this.setVersion(version, frameSpan(root));
    return this.model!.root;
  }

  private setVersion(version: 1 | 2, rootSpan: Span): void {
    this.version = version;
    this.model = compiledModel(version);
    if (version === 1) this.report('v1-deprecated', rootSpan, {});
    if (this.settings.xsdVersion && this.settings.xsdVersion !== version) {
      this.report('schema-version', rootSpan, {
        detail: `This is a User XSD v${version} file, but the profile loads version ${this.settings.xsdVersion}: Alma cannot parse it.`,
      });
    }
    if (this.set.version === null) {
      this.set.version = version;
      this.set.versionPath = this.path;
    } else if (this.set.version !== version) {
      this.report('schema-version', rootSpan, {
        detail: `This is a v${version} file but ${excerpt(this.set.versionPath ?? '')} earlier in the set is v${this.set.version}: one zip holds files of one schema version only ("Could not parse file").`,
      });
    }
  }

  /** Finds the definition of `tag` under `parent`, reporting unknown, miscased, duplicated and misordered children. */
  private resolveChild(parent: Frame, tag: ScanStartTag): ElementNode | null {
    const parentDef = parent.def!;
    const name = this.localName(tag.name);
    if (this.rootUndecided && this.depth === 1) {
      const v1 = this.rootForeign ? name.toLowerCase() === 'userrecord' : name !== 'user';
      parent.def = this.decideUndecidedRoot(parent, v1 ? 1 : 2);
      return this.resolveChild(parent, tag);
    }
    parent.childCount++;
    if (parentDef.content === 'simple') {
      this.report('unknown-element', tagSpan(tag), { name, parent: parent.name, hint: ` <${parent.name}> holds text only.` });
      return null;
    }
    const index = parentDef.index;
    let hit = index.exact.get(name);
    if (!hit) {
      const cased = index.lowerCase.get(name.toLowerCase());
      if (cased) {
        this.report('element-case', tagSpan(tag), { name, expected: cased.def.name }, { suggestions: [cased.def.name] });
        hit = cased;
      } else {
        this.reportUnknownElement(parent, tag, index.loose.get(looseName(name))?.def.name);
        return null;
      }
    }
    const def = hit.def;
    const position = hit.position;
    if (parent.seenGeneration[position] !== parent.generation) {
      parent.seenGeneration[position] = parent.generation;
      parent.seenLine[position] = tag.line;
      parent.seenCol[position] = tag.col;
    } else if (def.max === 1) {
      this.report('duplicate-element', tagSpan(tag), { name: def.name, parent: parent.name }, {
        related: [this.related(nameSpanAt(def.name, parent.seenLine[position], parent.seenCol[position]), `first <${def.name}> here`)],
      });
    }
    if (parentDef.content === 'sequence') {
      if (hit.position < parent.maxPosition) {
        const order = parentDef.children.map((c) => c.name).join(', ');
        this.report('element-order', tagSpan(tag), { name: def.name, after: parent.maxPositionName, parent: parent.name, order });
      } else {
        parent.maxPosition = hit.position;
        parent.maxPositionName = def.name;
      }
    }
    return def;
  }

  /** An element's name without the v1 prefix the root declared (see `prefix`). */
  private localName(name: string): string {
    return this.prefix !== '' && name.startsWith(this.prefix) ? name.slice(this.prefix.length) : name;
  }

  private reportUnknownElement(parent: Frame, tag: ScanStartTag, loose: string | undefined): void {
    const name = this.localName(tag.name);
    const current = this.version === 1 ? v1Vocabulary : v2Vocabulary;
    const other = this.version === 1 ? v2Vocabulary : v1Vocabulary;
    if (!loose && other.has(name) && !current.has(name)) {
      this.report('schema-version', tagSpan(tag), {
        detail: `<${excerpt(name)}> is User XSD v${this.version === 1 ? 2 : 1} vocabulary inside a v${this.version} file; a file must use one version throughout.`,
      });
      return;
    }
    const allowed = parent.def!.children.map((c) => c.name);
    const suggestions = loose ? [loose] : nearest(name, allowed);
    const hint = suggestions.length > 0 ? ` Did you mean <${suggestions.join('> or <')}>?` : '';
    this.report('unknown-element', tagSpan(tag), { name, parent: parent.name, hint }, { suggestions });
  }

  private checkAttributes(tag: ScanStartTag, def: ElementNode, frame: Frame, parent: Frame | null): void {
    if (tag.attributes.length === 0) return;
    const index = def.attributeIndex;
    for (const attr of tag.attributes) {
      const name = attr.name;
      if (name === 'xmlns' || name.startsWith('xmlns:')) {
        if (name === 'xmlns') this.checkNamespace(attr, parent);
        continue;
      }
      // xsi:nil="true" reads as an empty element, which is how the checks below take it.
      if (name.startsWith(XSI)) continue;
      let attrDef = index.exact.get(name);
      if (!attrDef) {
        const cased = index.lowerCase.get(name.toLowerCase());
        if (cased) {
          this.report('attribute-case', attr.nameSpan, { name, expected: cased.name }, { suggestions: [cased.name] });
          attrDef = cased;
        } else {
          const loose = index.loose.get(looseName(name));
          const suggestions = loose ? [loose.name] : nearest(name, index.exact.keys());
          const hint = suggestions.length > 0 ? ` Did you mean ${suggestions.join(' or ')}?` : '';
          this.report('unknown-attribute', attr.nameSpan, { name, element: tag.name, hint }, { suggestions });
          continue;
        }
      }
      this.checkAttributeValue(attr, attrDef, def, parent);
      if (attrDef.name === 'segment_type' && attr.value === 'Internal' && !frame.quiet) {
        this.report('segment-type-ignored', attr.valueSpan, { value: attr.value });
      }
      if (attrDef.sis === 'output' && !frame.quiet) {
        this.report('not-loaded', attr.nameSpan, { name: `${tag.name} ${attrDef.name}="…"`, why: 'is output only: Alma fills it and ignores it on load.' });
      }
    }
  }

  private checkNamespace(attr: ScanAttribute, parent: Frame | null): void {
    // Declarations below the root do not change the vocabulary we check; an undecided root is judged later.
    if (parent || this.rootUndecided) return;
    const expected = this.version === 1 ? V1_NAMESPACE : '';
    if (attr.value !== expected) {
      this.report('attribute-value', attr.valueSpan, {
        name: 'xmlns',
        value: attr.value,
        allowed: this.version === 1 ? `a v1 file uses xmlns="${V1_NAMESPACE}"` : 'a v2 file has no namespace: remove xmlns',
      });
    }
  }

  private checkAttributeValue(attr: ScanAttribute, attrDef: AttributeNode, def: ElementNode, parent: Frame | null): void {
    const value = attr.value;
    if (attrDef.type === 'enum' && attrDef.values && !attrDef.values.includes(value)) {
      const cased = attrDef.values.find((v) => v.toLowerCase() === value.toLowerCase());
      const allowed = cased ? `values are case-sensitive: write "${cased}"` : `allowed: ${attrDef.values.map((v) => `"${v}"`).join(', ')}`;
      this.report('attribute-value', attr.valueSpan, {
        name: attrDef.name,
        value,
        allowed: attrDef.lenient ? `${allowed} (${attrDef.lenient})` : allowed,
      }, { suggestions: cased ? [cased] : [...attrDef.values], severity: attrDef.lenient ? 'warning' : undefined });
      return;
    }
    if (attrDef.type === 'boolean' && !isBoolean(value)) {
      const lower = value.toLowerCase();
      const cased = lower === 'true' || lower === 'false' ? lower : null;
      const fix = cased ?? (lower === 'yes' || lower === 'y' ? 'true' : lower === 'no' || lower === 'n' ? 'false' : null);
      this.report('attribute-value', attr.valueSpan, {
        name: attrDef.name,
        value,
        allowed: cased ? `booleans are lowercase: write "${cased}" (or true, false, 1, 0)`
          : fix ? `a boolean is true, false, 1 or 0: write "${fix}"` : 'use true, false, 1 or 0',
      }, { suggestions: fix ? [fix] : undefined });
      return;
    }
    if (attrDef.maxLength !== undefined) {
      // A value is never longer in code points than in UTF-16 units: most need no count.
      const length = attr.truncated ? Infinity : value.length <= attrDef.maxLength ? 0 : codePointLength(value);
      if (length > attrDef.maxLength) {
        this.report('max-length', attr.valueSpan, {
          what: `Attribute ${attrDef.name}`,
          length: attr.truncated ? 'over a million' : length,
          max: attrDef.maxLength,
        });
      }
    }
    if (attrDef.uniqueTrue && parent && isTrue(value)) {
      let k = 0;
      while (k < parent.trueCount && (parent.trueElements[k] !== def || parent.trueAttributes[k] !== attrDef)) k++;
      if (k < parent.trueCount) {
        this.report('multiple-preferred', attr.valueSpan, { what: attrDef.label ?? def.label ?? def.name, attribute: attrDef.name }, {
          related: [this.related(parent.trueSpans[k], `the first ${attrDef.name}="${value}" ${def.label ?? def.name}`)],
        });
      } else {
        parent.trueElements[k] = def;
        parent.trueAttributes[k] = attrDef;
        parent.trueSpans[k] = attr.valueSpan;
        parent.trueCount++;
      }
    }
  }

  private checkTreatment(def: ElementNode, frame: Frame): void {
    if (frame.quiet) return;
    if (def.sis === 'ignored' || def.sis === 'output') {
      frame.deferred = 'not-loaded';
      frame.quiet = true;
    } else if (def.sis === 'profile') {
      this.report('profile-field', frameSpan(frame), { name: def.name });
    }
    if (def.unlisted) this.report('unlisted-element', frameSpan(frame), { name: def.name, note: def.unlisted });
    if (def.researcher && this.settings.usedFor === 'users') {
      frame.deferred ??= 'researcher';
      frame.quiet = true;
    }
  }

  /** The findings checkTreatment left for the end tag, now that the element's content is known. */
  private reportDeferred(frame: Frame, def: ElementNode): void {
    const empty = frame.childCount === 0 && frame.textLength === 0;
    if (frame.deferred === 'not-loaded') {
      if (empty) {
        // Harmless wherever it is, so one info per file says it for every such placeholder.
        this.report('not-loaded', frameSpan(frame), { name: def.name, why: 'is empty, and SIS does not load this field: empty fields SIS ignores have no effect.' },
          { severity: 'info', group: 'empty-ignored-field' });
      } else {
        const why = def.sisNote ?? (def.sis === 'output' ? 'is output only: Alma fills it and ignores it on load.' : 'is not read by the SIS load.');
        this.report('not-loaded', frameSpan(frame), { name: def.name, why });
      }
    } else if (!empty && !(def.type === 'boolean' && !isTrue(frame.text))) {
      this.report('researcher-fields', frameSpan(frame), {
        detail: `<${def.name}> is researcher (Esploro) data, but the profile is used for users only: Alma ignores it.`,
      });
    }
  }

  // -------------------------------------------------------------------------------------
  // Text

  text(text: ScanText): void {
    const frame = this.frames[this.depth - 1];
    const def = frame.def;
    if (!def) return;
    if (def.content !== 'simple') {
      if (frame.quiet) return;
      if (!frame.reportedText) {
        frame.reportedText = true;
        this.report('unexpected-text', { line: text.line, col: text.col, endLine: text.endLine, endCol: text.endCol }, { parent: frame.name });
      }
      return;
    }
    // Plain strings need only their length; the value is decoded when a rule reads it.
    if (frame.textTruncated) {
      // Past the kept prefix only the length matters: text split by comments or CDATA must not pile up.
      frame.textLength += text.byteLength;
    } else if (frame.hasText || def.needsValue || !text.plainAscii) {
      const value = def.sharedValue ? text.sharedValue() : text.value();
      if (frame.text.length + value.length > MAX_KEPT_BYTES) frame.textTruncated = true;
      else frame.text += value;
      frame.textLength += text.plainAscii ? value.length : codePointLength(value);
    } else {
      frame.textLength += text.byteLength;
    }
    if (!frame.hasText) {
      frame.hasText = true;
      frame.textLine = text.line;
      frame.textCol = text.col;
    }
    frame.textEndLine = text.endLine;
    frame.textEndCol = text.endCol;
    frame.textTruncated ||= text.truncated;
  }

  // -------------------------------------------------------------------------------------
  // End of an element

  endTag(): void {
    const frame = this.frames[--this.depth];
    if (this.rootUndecided && this.depth === 0) {
      // An empty root: a foreign one holds nothing to judge; an empty <userRecords> is v1.
      if (this.rootForeign) return;
      frame.def = this.decideUndecidedRoot(frame, 1);
    }
    const def = frame.def;
    if (!def) return;
    if (frame.deferred) this.reportDeferred(frame, def);
    if (!frame.quiet) {
      if (def.content === 'simple') this.checkValue(frame, def);
      else this.checkChildren(frame, def);
    } else if (def.content === 'simple' && frame.textLength > 0) {
      // What Alma ignores is reported once, not field by field; a value the schema rejects is
      // still worth saying, as a schema-checking loader would refuse the file.
      this.checkMaxLength(frame, def);
      this.checkLexicalValue(frame, def);
    }
    switch (def.role) {
      case 'identifier':
        this.endIdentifier();
        break;
      case 'user':
        this.endUser();
        break;
      default:
    }
  }

  private checkChildren(frame: Frame, def: ElementNode): void {
    if (def.protectedField && frame.childCount === 0) this.reportEmptyProtected(frame, def);
    const children = def.children;
    for (let k = 0; k < children.length; k++) {
      if (frame.seenGeneration[k] === frame.generation) continue;
      const child = children[k];
      if (child.min >= 1) {
        this.report('missing-element', frameSpan(frame), { parent: frame.name, name: child.name }, { suggestions: [child.name] });
      } else if (child.documentedMandatory) {
        this.report('missing-element', frameSpan(frame), { parent: frame.name, name: child.name }, { severity: 'warning', suggestions: [child.name] });
      }
    }
    if (def.role === 'typeList' && frame.childCount === 0) {
      const item = def.children?.[0]?.name ?? 'type';
      const segment = this.depth > 0 ? this.frames[this.depth - 1] : undefined;
      this.report('missing-type', frameSpan(frame), { name: frame.name, child: `<${item}>`, segment: segment?.def?.label ?? segment?.name ?? 'segment' });
    }
  }

  /** SIS-06: a synchronize may delete the existing value, or reset it to the default, for an empty protected field. */
  private reportEmptyProtected(frame: Frame, def: ElementNode): void {
    this.report('empty-value', frameSpan(frame), {
      name: def.name,
      why: 'a synchronize keeps a protected field that staff changed, but an empty one may delete the existing value or reset it to the default: leave the element out, or write the value',
    }, { severity: 'warning' });
  }

  private checkValue(frame: Frame, def: ElementNode): void {
    const empty = frame.textLength === 0;
    const user = this.user;
    if (empty) {
      if (def.role === 'primaryId' || def.role === 'identifierValue') {
        this.report('empty-identifier', frameSpan(frame), { what: def.role === 'primaryId' ? `<${def.name}>` : `The identifier <${def.name}>` });
        if (def.role === 'primaryId' && user) user.primaryId = null;
        return;
      }
      const type = def.type;
      if (type !== 'string' && type !== 'code') {
        this.report('empty-value', frameSpan(frame), { name: def.name, why: `an empty value is not a valid ${type === 'boolean' ? 'boolean' : type === 'int' || type === 'float' ? 'number' : 'date'}; leave the element out instead` },
          { severity: this.strict ? 'error' : undefined });
      } else if (def.min >= 1) {
        this.report('empty-value', frameSpan(frame), { name: def.name, why: 'it is required' }, { severity: this.strict ? 'error' : undefined });
      } else if (def.documentedMandatory) {
        // The XSD lets it be empty, so strict does not make it an error; Alma documents it as mandatory.
        this.report('empty-value', frameSpan(frame), { name: def.name, why: 'Alma documents this field as mandatory' }, { severity: 'warning' });
      } else if (def.protectedField) {
        this.reportEmptyProtected(frame, def);
      }
      if (def.role === 'firstName' || def.role === 'lastName') return;
      return;
    }
    this.checkMaxLength(frame, def);
    if (!this.checkLexicalValue(frame, def)) return;
    const value = frame.text;
    const type = def.type;
    // A value the profile sets (record_type...) is ignored on load: its code is nobody's concern.
    if ((def.fixedCodes || def.codeTable) && def.sis !== 'profile') this.checkCode(def, value, frame);
    if (!user) return;
    switch (def.role) {
      case 'primaryId':
        user.primaryId = identifierUse(def.name, true, value, frame.textLine, frame.textCol, frame.textEndLine, frame.textEndCol);
        break;
      case 'identifierType':
        user.pendingType = value;
        break;
      case 'identifierValue':
        user.pendingValue = identifierUse('', false, value, frame.textLine, frame.textCol, frame.textEndLine, frame.textEndCol);
        break;
      case 'firstName':
        user.hasFirstName = true;
        break;
      case 'lastName':
        user.hasLastName = true;
        break;
      case 'expiryDate': {
        const key = dateKey(type, value);
        if (key >= 0) user.expiry = { key, value };
        break;
      }
      case 'purgeDate': {
        const key = dateKey(type, value);
        if (key >= 0) user.purge = { key, value, span: textSpanOf(frame) };
        break;
      }
      case 'pin':
        if (!/^\d{4}$/.test(value)) this.report('pin-format', textSpanOf(frame), { value });
        break;
      default:
    }
  }

  private checkMaxLength(frame: Frame, def: ElementNode): void {
    if (def.maxLength !== undefined && (frame.textTruncated || frame.textLength > def.maxLength)) {
      this.report('max-length', textSpanOf(frame), {
        what: `<${def.name}>`,
        length: frame.textTruncated ? 'over a million' : frame.textLength,
        max: def.maxLength,
      });
    }
  }

  /** The typed checks (date, boolean, number); false when the value is not of its type. */
  private checkLexicalValue(frame: Frame, def: ElementNode): boolean {
    const type = def.type;
    if (type === 'string' || type === 'code') return true;
    if (isDateType(type)) {
      const bad = checkDate(type, frame.text);
      if (!bad) return true;
      // The suggestion is the value the message tells to write; the quick fix writes that same value.
      this.report('invalid-date', textSpanOf(frame), { value: frame.text, name: def.name, problem: bad.problem },
        bad.suggestion === undefined ? undefined : { suggestions: [bad.suggestion] });
      return false;
    }
    const problem = checkLexical(type, frame.text);
    if (!problem) return true;
    const rule: RuleId = type === 'boolean' ? 'invalid-boolean' : 'invalid-number';
    this.report(rule, textSpanOf(frame), { value: frame.text, name: def.name, kind: problem.kind, expected: problem.expected });
    return false;
  }

  private checkCode(def: ElementNode, value: string, frame: Frame): void {
    let codes: readonly string[] | undefined = def.fixedCodes;
    let table = def.name;
    if (!codes && def.codeTable) {
      const entries = this.settings.codeTables?.[def.codeTable];
      if (!entries) return;
      codes = codeList(entries);
      table = def.codeTable;
    }
    if (!codes || codes.includes(value)) return;
    const lower = value.toLowerCase();
    const cased = codes.find((c) => c.toLowerCase() === lower);
    if (cased) {
      this.report('code-case', textSpanOf(frame), { value, table, expected: cased }, { suggestions: [cased] });
      return;
    }
    const suggestions = nearest(value, codes);
    const hint = suggestions.length > 0 ? ` Did you mean ${suggestions.map((s) => `"${s}"`).join(' or ')}?`
      : codes.length <= 6 ? ` Known codes: ${codes.join(', ')}.` : '';
    this.report('unknown-code', textSpanOf(frame), { value, table, hint }, { suggestions });
  }

  // -------------------------------------------------------------------------------------
  // Users and identifiers

  private beginUser(tag: ScanStartTag): void {
    this.user = {
      nameSpan: tagSpan(tag),
      ref: { primaryId: null },
      primaryId: null,
      identifiers: [],
      pendingType: null,
      pendingValue: null,
      hasFirstName: false,
      hasLastName: false,
      expiry: null,
      purge: null,
      hasResearcher: false,
    };
  }

  private endIdentifier(): void {
    const user = this.user;
    if (!user) return;
    if (user.pendingValue) {
      user.pendingValue.type = user.pendingType ?? '(no type)';
      user.identifiers.push(user.pendingValue);
    }
    user.pendingType = null;
    user.pendingValue = null;
  }

  private endUser(): void {
    const user = this.user;
    if (!user) return;
    user.ref.primaryId = user.primaryId?.value ?? null;
    this.users++;
    this.endUserChecks(user);
    this.user = null;
  }

  private endUserChecks(user: UserState): void {
    const matchId = this.settings.matchIdType;
    // Messages name the field as the file writes it.
    const primaryName = this.version === 1 ? 'userName' : 'primary_id';
    const hasMatchId = matchId !== undefined && matchId !== 'primary_id' && user.identifiers.some((u) => u.type === matchId);
    if (!user.primaryId) {
      if (matchId === 'primary_id') {
        this.report('missing-match-id', user.nameSpan, { matchId: primaryName });
      } else {
        const namesMissing = !user.hasFirstName && !user.hasLastName;
        let detail: string;
        if (hasMatchId) {
          // Generation concerns new users only: an existing user matched by another identifier keeps its primary id.
          detail = `This user has no ${primaryName}. If it matches an existing user by ${matchId}, that user keeps its ${primaryName}; if it is new, ` +
            (namesMissing ? 'Alma cannot generate one without a first or last name and rejects it.' : 'Alma generates one from the first and last name, which your other systems will not know.');
        } else {
          detail = namesMissing
            ? `This user has no ${primaryName} and no first or last name: Alma cannot generate a primary identifier and rejects the user.`
            : `This user has no ${primaryName}: Alma generates one from the first and last name, which your other systems will not know.`;
        }
        this.report('missing-primary-id', user.nameSpan, { detail }, { severity: namesMissing && !hasMatchId ? 'error' : undefined });
      }
    }
    if (matchId && matchId !== 'primary_id' && !hasMatchId) {
      this.report('missing-match-id', user.nameSpan, { matchId: `identifier of type ${matchId}` });
    }
    const uses = user.primaryId ? [user.primaryId, ...user.identifiers] : user.identifiers;
    // Alma rejects a user that repeats an identifier or takes an earlier user's: it then holds none.
    const repeats = this.checkIdentifiersWithinUser(uses);
    const label = userLabel(user.primaryId, this.users);
    if (this.observer) {
      this.observer.userEnded(uses, repeats, label, user.ref);
    } else {
      const taken = this.checkIdentifiersAcrossUsers(uses);
      if (!repeats && !taken) this.registry.register(uses, this.documentIndex, label);
    }
    if (user.purge && user.expiry && user.purge.key < user.expiry.key) {
      this.report('purge-before-expiry', user.purge.span, { purge: user.purge.value, expiry: user.expiry.value });
    }
    if (this.settings.usedFor === 'researchers' && !user.hasResearcher) {
      this.report('researcher-fields', user.nameSpan, {
        detail: 'The profile is used for researchers only, but this user has no <researcher> data.',
      });
    }
  }

  /** Reports a value repeated within the user; returns true when Alma would reject the user for it. */
  private checkIdentifiersWithinUser(uses: IdentifierUse[]): boolean {
    let repeats = false;
    // A user has a handful of identifiers: pairwise comparison beats building a map per user.
    for (let j = 1; j < uses.length; j++) {
      const use = uses[j];
      let i = 0;
      while (i < j && uses[i].key !== use.key) i++;
      if (i === j) continue;
      const first = uses[i];
      const args = { what: describeIdentifier(use), value: use.value, first: describeIdentifier(first, true), other: first.value };
      const related = [this.related(spanOf(first), `${describeIdentifier(first)} "${excerpt(first.value)}"`)];
      if (identifiersClash(first, use) === 'duplicate') {
        repeats = true;
        this.report('duplicate-identifier-in-user', spanOf(use), args, { related });
      } else {
        this.report('identifier-case', spanOf(use), { ...args, first: 'in this user' }, { related });
      }
    }
    return repeats;
  }

  /** Reports clashes with earlier users; returns true when Alma would reject this user. */
  private checkIdentifiersAcrossUsers(uses: IdentifierUse[]): boolean {
    return checkIdentifiersAcrossUsers(this.registry, uses, this.documentIndex, this.reportClash);
  }

  private readonly reportClash: ClashReporter = (rule, use, first, words) => {
    // Past the cap report() only counts the clash: its words are not made.
    if (this.findings.isFull(rule)) return this.report(rule, spanOf(use), {});
    const { args, related } = words();
    this.report(rule, spanOf(use), args, { related: [this.related(spanOf(first), related, first.documentIndex)] });
  };
}

function tagSpan(tag: ScanStartTag): Span {
  return nameSpanAt(tag.name, tag.line, tag.col);
}

function textSpanOf(frame: Frame): Span {
  return { line: frame.textLine, col: frame.textCol, endLine: frame.textEndLine, endCol: frame.textEndCol };
}

function frameSpan(frame: Frame): Span {
  return nameSpanAt(frame.name, frame.line, frame.col);
}

const codeListCache = new WeakMap<CodeEntry[], string[]>();
function codeList(entries: CodeEntry[]): string[] {
  let list = codeListCache.get(entries);
  if (!list) {
    list = entries.map((e) => e.code);
    codeListCache.set(entries, list);
  }
  return list;
}

