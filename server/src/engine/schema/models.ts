/**
 * Access to the two record models and the name lookups the validator runs for every element and
 * attribute. The lookups are built once per definition and kept in WeakMaps, so the hot path is a
 * Map.get, and a wrongly written name (Primary_ID, recordType) still finds what it was meant to be.
 */
import type { AttributeDef, ElementDef, SchemaModel } from './types';
import { V1_MODEL } from './v1';
import { V2_MODEL } from './v2';

export function modelFor(version: 1 | 2): SchemaModel {
  return version === 1 ? V1_MODEL : V2_MODEL;
}

/** How a name was found: as written, ignoring case, or ignoring case, '_' and '-'. */
export type NameMatch = 'exact' | 'case' | 'loose';

/** Three views of one set of names. On a collision in the case or loose view the first declared wins. */
export interface NameIndex<T> {
  exact: ReadonlyMap<string, T>;
  /** Keyed by name.toLowerCase(). */
  lowerCase: ReadonlyMap<string, T>;
  /** Keyed by looseName(name). */
  loose: ReadonlyMap<string, T>;
}

export interface ChildEntry {
  def: ElementDef;
  /** Index in the parent's children: the expected order for 'sequence' content. */
  position: number;
}

export type ChildIndex = NameIndex<ChildEntry>;
export type AttributeIndex = NameIndex<AttributeDef>;

/** The name with case, '_' and '-' ignored: recordType, record_type and Record-Type meet. */
export function looseName(name: string): string {
  return name.toLowerCase().replace(/[_-]/g, '');
}

export function buildIndex<T>(entries: readonly (readonly [string, T])[]): NameIndex<T> {
  const exact = new Map<string, T>();
  const lowerCase = new Map<string, T>();
  const loose = new Map<string, T>();
  for (const [name, value] of entries) {
    if (!exact.has(name)) exact.set(name, value);
    const lower = name.toLowerCase();
    if (!lowerCase.has(lower)) lowerCase.set(lower, value);
    const key = looseName(name);
    if (!loose.has(key)) loose.set(key, value);
  }
  return { exact, lowerCase, loose };
}

const childIndexes = new WeakMap<ElementDef, ChildIndex>();
const attributeIndexes = new WeakMap<ElementDef, AttributeIndex>();

export function childIndex(def: ElementDef): ChildIndex {
  let index = childIndexes.get(def);
  if (!index) {
    index = buildIndex((def.children ?? []).map((child, position) => [child.name, { def: child, position }] as const));
    childIndexes.set(def, index);
  }
  return index;
}

export function attributeIndex(def: ElementDef): AttributeIndex {
  let index = attributeIndexes.get(def);
  if (!index) {
    index = buildIndex((def.attributes ?? []).map((attribute) => [attribute.name, attribute] as const));
    attributeIndexes.set(def, index);
  }
  return index;
}

/** Looks a name up as written, then ignoring case, then loosely; says which one matched. */
export function findName<T>(index: NameIndex<T>, name: string): { value: T; match: NameMatch } | undefined {
  const exact = index.exact.get(name);
  if (exact !== undefined) return { value: exact, match: 'exact' };
  const byCase = index.lowerCase.get(name.toLowerCase());
  if (byCase !== undefined) return { value: byCase, match: 'case' };
  const loose = index.loose.get(looseName(name));
  if (loose !== undefined) return { value: loose, match: 'loose' };
  return undefined;
}

function vocabulary(model: SchemaModel): ReadonlySet<string> {
  const names = new Set<string>();
  const visit = (def: ElementDef): void => {
    names.add(def.name);
    def.children?.forEach(visit);
  };
  visit(model.root);
  return names;
}

/**
 * Every element name of each model, root included. The two overlap (status, gender, line1, city,
 * country, note, value, type, email, phone, description...), so a mixed-version check should
 * look at names found in one set and not the other.
 */
export const v1Vocabulary: ReadonlySet<string> = vocabulary(V1_MODEL);
export const v2Vocabulary: ReadonlySet<string> = vocabulary(V2_MODEL);
