import type { Span } from '../text/span';
import { excerpt } from '../text/excerpt';
import { KeyTable, keyHash } from './keyTable';

export { keyHash };

/**
 * Identifier uniqueness across the users of a file and the files of a set, in load order.
 *
 * Alma loads the first user that uses a value and rejects every later one, so the registry
 * keeps only the first holder of each value and a rejected user's identifiers are never
 * registered. Keys are lower-cased: primary_id is compared without regard to case by Alma;
 * other identifiers that differ only in case are reported as a warning.
 *
 * One flat object per identifier: a 300k-user set holds about a million of them.
 */
export interface IdentifierUse {
  /** 'primary_id' for the primary identifier (v1: userName), else the identifier type code. */
  type: string;
  primary: boolean;
  value: string;
  /** value.toLowerCase(), computed once. */
  key: string;
  line: number;
  col: number;
  endLine: number;
  endCol: number;
  /** Set when registered: the document and how messages name the holding user. */
  documentIndex: number;
  userLabel: string;
}

/** Lower-cases only when needed: most identifiers are digits, and toLowerCase always copies. */
function lowerKey(value: string): string {
  for (let k = 0; k < value.length; k++) {
    const c = value.charCodeAt(k);
    if ((c >= 0x41 && c <= 0x5a) || c > 0x7f) return value.toLowerCase();
  }
  return value;
}

/** The registry's key for an identifier value. */
export function identifierKey(value: string): string {
  return lowerKey(value);
}

export function identifierUse(type: string, primary: boolean, value: string, line: number, col: number, endLine: number, endCol: number): IdentifierUse {
  return { type, primary, value, key: lowerKey(value), line, col, endLine, endCol, documentIndex: -1, userLabel: '' };
}

export function spanOf(use: IdentifierUse): Span {
  return { line: use.line, col: use.col, endLine: use.endLine, endCol: use.endCol };
}

export type Clash =
  | { kind: 'duplicate'; first: IdentifierUse } // Alma rejects the later user
  | { kind: 'case'; first: IdentifierUse }; // differs only in case

/**
 * A bit per hash of the keys registered, so that another thread's keys can be checked against the
 * registry without a Map lookup for each (splitValidation.ts): a clear bit proves a key is not held.
 * 64 M bits: with a million keys registered about 1.5% of other keys need the real lookup.
 */
export class KeyFilter {
  private readonly bits = new Int32Array(1 << 21);

  /** Takes in a key by its keyHash. */
  add(hash: number): void {
    this.bits[(hash >>> 5) & 0x1fffff] |= 1 << (hash & 31);
  }

  mayHold(hash: number): boolean {
    return (this.bits[(hash >>> 5) & 0x1fffff] & (1 << (hash & 31))) !== 0;
  }
}


export class IdentifierRegistry {
  private readonly holders = new KeyTable<IdentifierUse>();
  /** What was held before this registry (see over()): read through, never written. */
  private base: IdentifierRegistry | null = null;
  /** Set by keepFilter(): every key registered from then on (and before) is in it too. */
  private filter: KeyFilter | null = null;
  readonly documentPaths: string[] = [];
  /** How a duplicate's message names the set of an earlier file ("the STUDENTS feed"); none: the file's path says enough. */
  setName?: string;

  /**
   * A registry that goes on from `base`'s state, which it reads and never changes: an edited
   * document's users go through what its set's earlier files hold on every edit, and adopting
   * those again each time hashed 300k identifiers for an earlier file of 100k users (about 70 ms),
   * copying them cost 30 ms. `base` must not change while this one is used.
   */
  static over(base: IdentifierRegistry): IdentifierRegistry {
    const registry = new IdentifierRegistry();
    registry.base = base;
    registry.documentPaths.push(...base.documentPaths);
    registry.setName = base.setName;
    return registry;
  }

  /** Registers a document of the set and returns its index. */
  addDocument(path: string): number {
    this.documentPaths.push(path);
    return this.documentPaths.length - 1;
  }

  /** Keeps a KeyFilter of the keys held, from now on; returns it. */
  keepFilter(): KeyFilter {
    if (!this.filter) {
      const filter = (this.filter = new KeyFilter());
      // The table's hashes, not the keys hashed again: 150k keys for the 100k bench file's first half.
      for (let registry: IdentifierRegistry | null = this; registry; registry = registry.base) {
        registry.holders.forEachHash((hash) => filter.add(hash));
      }
    }
    return this.filter;
  }

  holds(key: string, hash = keyHash(key)): boolean {
    return this.holder(key, hash) !== undefined;
  }

  private holder(key: string, hash: number): IdentifierUse | undefined {
    return this.base?.holder(key, hash) ?? this.holders.get(key, hash);
  }

  /** How `use` clashes with an identifier of an earlier user, if it does. */
  clash(use: IdentifierUse): Clash | null {
    const first = this.holder(use.key, keyHash(use.key));
    if (first === undefined) return null;
    return { kind: identifiersClash(first, use), first };
  }

  /** Takes over a holder already registered elsewhere (an earlier file of the set), as it is. */
  adopt(holder: IdentifierUse): void {
    const hash = keyHash(holder.key);
    if (this.base?.holds(holder.key, hash)) return;
    if (this.holders.add(holder, hash)) this.filter?.add(hash);
  }

  /** Records a loaded user's identifiers; values already held stay with their first holder. */
  register(uses: IdentifierUse[], documentIndex: number, userLabel: string): void {
    for (const use of uses) {
      const hash = keyHash(use.key);
      if (this.base?.holds(use.key, hash) || !this.holders.add(use, hash)) continue;
      use.documentIndex = documentIndex;
      use.userLabel = userLabel;
      this.filter?.add(hash);
    }
  }
}

/** Two values equal when lower-cased: the same identifier, or (only case differs) a likely mistake. */
export function identifiersClash(a: Pick<IdentifierUse, 'value' | 'primary'>, b: Pick<IdentifierUse, 'value' | 'primary'>): 'duplicate' | 'case' {
  if (a.value === b.value) return 'duplicate';
  return a.primary && b.primary ? 'duplicate' : 'case';
}

/** `primary_id`, `Identifier BARCODE`; inside a sentence `identifier BARCODE`: the type as the file writes it. */
export function describeIdentifier(use: Pick<IdentifierUse, 'type' | 'primary'>, inSentence = false): string {
  return use.primary ? use.type : `${inSentence ? 'identifier' : 'Identifier'} ${use.type}`;
}

/** How messages name a user: by its primary_id, else by its place in the document (1-based). */
export function userLabel(primaryId: IdentifierUse | null, ordinal: number): string {
  return primaryId ? `user ${excerpt(primaryId.value)}` : `user #${ordinal}`;
}

/** A clash's message arguments, and the words of its related place (the earlier holder). */
export interface ClashWords {
  args: Record<string, string>;
  related: string;
}

/**
 * Receives one clash of `use` with the earlier holder `first`; `words()` makes its text, which a
 * reporter past the rule's cap need not make (a file that repeats an earlier one's 100k users has
 * 300k clashes, and an edited document's are looked at again on every keystroke).
 */
export type ClashReporter = (
  rule: 'duplicate-identifier' | 'identifier-case',
  use: IdentifierUse,
  first: IdentifierUse,
  words: () => ClashWords,
) => void;

/**
 * Reports the identifiers of one user that earlier users (of this document or an earlier one of
 * the set) already hold; returns true when Alma would reject the user. The one place these
 * messages are made: the checker and the incremental validation both call it.
 */
export function checkIdentifiersAcrossUsers(registry: IdentifierRegistry, uses: readonly IdentifierUse[], documentIndex: number, report: ClashReporter): boolean {
  let rejected = false;
  for (const use of uses) {
    const clash = registry.clash(use);
    if (!clash) continue;
    const first = clash.first;
    const duplicate = clash.kind === 'duplicate';
    if (duplicate) rejected = true;
    report(duplicate ? 'duplicate-identifier' : 'identifier-case', use, first, () => {
      const where = first.documentIndex === documentIndex ? `line ${first.line + 1}`
        : `${excerpt(registry.documentPaths[first.documentIndex])}${registry.setName ? `, earlier in ${registry.setName}` : ''}`;
      const args = { what: describeIdentifier(use), value: use.value, other: first.value, first: `${first.userLabel}, ${where}` };
      return { args, related: `first used by ${first.userLabel} as ${describeIdentifier(first, true)}` };
    });
  }
  return rejected;
}
