/**
 * Access to the two record models, their vocabularies, and the three-way name index (as written,
 * by case, loosely) through which a wrongly written name (Primary_ID, recordType) still finds what
 * it was meant to be. compiledModel.ts builds the indexes the checker uses.
 */
import type { ElementDef, SchemaModel } from './types';
import { V1_MODEL } from './v1';
import { V2_MODEL } from './v2';

export function modelFor(version: 1 | 2): SchemaModel {
  return version === 1 ? V1_MODEL : V2_MODEL;
}

/** Three views of one set of names. On a collision in the case or loose view the first declared wins. */
export interface NameIndex<T> {
  exact: ReadonlyMap<string, T>;
  /** Keyed by name.toLowerCase(). */
  lowerCase: ReadonlyMap<string, T>;
  /** Keyed by looseName(name). */
  loose: ReadonlyMap<string, T>;
}

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
