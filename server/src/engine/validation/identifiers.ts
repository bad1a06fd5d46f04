import type { Span } from '../text/span';

/**
 * Identifier uniqueness across the users of a file and the files of a set, in load order.
 *
 * Alma loads the first user that uses a value and rejects every later one, so the registry
 * keeps only the first holder of each value and a rejected user's identifiers are never
 * registered. Keys are lower-cased: primary_id is compared without regard to case by Alma;
 * other identifiers that differ only in case are reported as a warning.
 */

export interface IdentifierUse {
  /** 'primary_id' for the primary identifier (v1: userName), else the identifier type code. */
  type: string;
  primary: boolean;
  value: string;
  span: Span;
}

export interface IdentifierHolder {
  use: IdentifierUse;
  documentIndex: number;
  /** How messages name the holder: its primary id, or its position. */
  userLabel: string;
}

export type Clash =
  | { kind: 'duplicate'; first: IdentifierHolder } // Alma rejects the later user
  | { kind: 'case'; first: IdentifierHolder }; // differs only in case

export class IdentifierRegistry {
  private readonly holders = new Map<string, IdentifierHolder>();
  readonly documentPaths: string[] = [];

  /** Registers a document of the set and returns its index. */
  addDocument(path: string): number {
    this.documentPaths.push(path);
    return this.documentPaths.length - 1;
  }

  /** How `use` clashes with an identifier of an earlier user, if it does. */
  clash(use: IdentifierUse): Clash | null {
    const first = this.holders.get(use.value.toLowerCase());
    if (!first) return null;
    return identifiersClash(first.use, use) === 'duplicate' ? { kind: 'duplicate', first } : { kind: 'case', first };
  }

  /** Records a loaded user's identifiers; values already held stay with their first holder. */
  register(uses: IdentifierUse[], documentIndex: number, userLabel: string): void {
    for (const use of uses) {
      const key = use.value.toLowerCase();
      if (!this.holders.has(key)) this.holders.set(key, { use, documentIndex, userLabel });
    }
  }

  get size(): number {
    return this.holders.size;
  }
}

/** Two values equal when lower-cased: the same identifier, or (only case differs) a likely mistake. */
export function identifiersClash(a: IdentifierUse, b: IdentifierUse): 'duplicate' | 'case' {
  if (a.value === b.value) return 'duplicate';
  return a.primary && b.primary ? 'duplicate' : 'case';
}

export function describeIdentifier(use: Pick<IdentifierUse, 'type' | 'primary'>): string {
  return use.primary ? use.type : `Identifier ${use.type}`;
}
