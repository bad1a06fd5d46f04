import type { AttributeDef, ElementDef } from '../../server/src/engine/schema/types';
import { buildIndex, looseName, type NameIndex } from '../../server/src/engine/schema/models';

/**
 * Name indexes over the raw model data, for tests that walk the data itself. The checker uses the
 * compiled model's indexes (schema/compiledModel.ts); a test checks that the two agree.
 */

export interface RawChildEntry {
  def: ElementDef;
  position: number;
}

export function childIndex(def: ElementDef): NameIndex<RawChildEntry> {
  return buildIndex((def.children ?? []).map((child, position) => [child.name, { def: child, position }] as const));
}

export function attributeIndex(def: ElementDef): NameIndex<AttributeDef> {
  return buildIndex((def.attributes ?? []).map((attribute) => [attribute.name, attribute] as const));
}

/** Looks a name up as the checker does: as written, then ignoring case, then loosely; says which matched. */
export function findName<T>(index: NameIndex<T>, name: string): { value: T; match: 'exact' | 'case' | 'loose' } | undefined {
  const exact = index.exact.get(name);
  if (exact !== undefined) return { value: exact, match: 'exact' };
  const byCase = index.lowerCase.get(name.toLowerCase());
  if (byCase !== undefined) return { value: byCase, match: 'case' };
  const loose = index.loose.get(looseName(name));
  if (loose !== undefined) return { value: loose, match: 'loose' };
  return undefined;
}
