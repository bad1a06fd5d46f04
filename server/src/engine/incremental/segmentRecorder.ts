import type { ScanSink, ScanStartTag, ScanText, ScanProblemRule, XmlDeclaration } from '../xml/scanner';
import type { Span } from '../text/span';
import type { Finding, FindingUser } from '../rules/finding';
import { FindingCollector } from '../validation/findingCollector';
import type { DocumentChecker, UserObserver } from '../validation/documentChecker';
import type { IdentifierUse } from '../validation/identifiers';
import type { CheckedUser } from '../validation/userClashes';

/**
 * What one child of the root (a user, as a rule) contributed to a document's validation, kept so
 * that an edit inside it re-checks only it. Findings are raw (neither collapsed nor capped) and
 * in the order the checker reported them, so that feeding every piece to one FindingCollector in
 * document order gives exactly what a full validation gives.
 */
export interface ElementRecord {
  name: string;
  /** Position of its '<'. */
  line: number;
  col: number;
  /** Reported before the point where the checker looks for identifiers taken by earlier users. */
  before: Finding[];
  /** Reported after that point (or nothing, when the element is not a user). */
  after: Finding[];
  user: UserRecord | null;
  /** Reported after this element ended and before the next began (the last one: up to the end). */
  gapAfter: Finding[];
  /** Well-formedness problems the scanner reported inside it (they count towards the scanner's cap). */
  problems: number;
}

/** A user of the piece: its identifiers, whether it repeats one, the user its findings name. */
export type UserRecord = CheckedUser;

/**
 * Sits between the scanner and the checker (and receives the checker's findings and users): it
 * cuts the report into the pieces of ElementRecord by the root's children, and notes what makes
 * a piece unsafe to re-check alone (well-formedness problems, text directly in the root).
 */
export class SegmentRecorder extends FindingCollector implements ScanSink, UserObserver {
  checker!: DocumentChecker;
  /** Findings before the first child of the root. */
  readonly prologue: Finding[] = [];
  readonly elements: ElementRecord[] = [];
  root: { name: string; attributes: { name: string; value: string }[] } | null = null;
  /** The root when it is a user itself (<user> or <userRecord> as the root). */
  rootUser: UserRecord | null = null;
  /** Reported after the root user's identifiers were taken (to its end and past it). */
  readonly rootUserAfter: Finding[] = [];
  problems = 0;
  /** Problems outside the root's children. */
  outsideProblems = 0;
  /** Text events directly inside the root (between its children). */
  rootText = 0;
  /** The deepest element seen (the scanner reports a too deep nesting once per file). */
  maxDepth = 0;
  private depth = 0;
  /** Inside the first root element (a second root, an error, is not cut into pieces). */
  private inRoot = false;
  private target: Finding[] = this.prologue;
  private current: ElementRecord | null = null;

  // FindingCollector: keep everything, in report order.
  override add(finding: Finding): void {
    this.target.push(finding);
  }

  override isFull(): boolean {
    return false;
  }

  override drop(): void {
    // Never called: isFull() is always false.
  }

  override finish(): Finding[] {
    return [];
  }

  userEnded(uses: IdentifierUse[], repeats: boolean, _label: string, ref: FindingUser): void {
    if (this.depth < 2) {
      // A user that is the root itself (reported as the wrong root, and checked all the same): its
      // children are its fields. What it reports from here on comes after its identifiers' clashes.
      if (this.depth === 1 && this.inRoot) {
        this.rootUser = { uses, repeats, ref };
        this.target = this.rootUserAfter;
      }
      return;
    }
    const element = this.current;
    if (!element) return;
    element.user = { uses, repeats, ref };
    this.target = element.after;
  }

  xmlDeclaration(decl: XmlDeclaration): void {
    this.checker.xmlDeclaration(decl);
  }

  startTag(tag: ScanStartTag): void {
    if (this.depth === 0 && this.root === null) {
      this.root = { name: tag.name, attributes: tag.attributes.map((a) => ({ name: a.name, value: a.value })) };
      this.inRoot = true;
    } else if (this.depth === 1 && this.inRoot) {
      const element: ElementRecord = { name: tag.name, line: tag.line, col: tag.col - 1, before: [], after: [], user: null, gapAfter: [], problems: 0 };
      this.elements.push(element);
      this.current = element;
      this.target = element.before;
    }
    this.depth++;
    if (this.depth > this.maxDepth) this.maxDepth = this.depth;
    this.checker.startTag(tag);
  }

  endTag(): void {
    this.checker.endTag();
    this.depth--;
    if (this.depth === 0) this.inRoot = false;
    if (this.depth === 1 && this.current) {
      this.target = this.current.gapAfter;
      this.current = null;
    }
  }

  text(text: ScanText): void {
    if (this.depth === 1 && this.inRoot) this.rootText++;
    this.checker.text(text);
  }

  problem(rule: ScanProblemRule, span: Span, detail: string): void {
    this.problems++;
    if (this.current) this.current.problems++;
    else this.outsideProblems++;
    this.checker.problem(rule, span, detail);
  }
}
