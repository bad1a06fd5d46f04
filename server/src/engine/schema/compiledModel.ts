import type { AttributeDef, ContentModel, ElementDef, ElementRole, SchemaModel, SisTreatment, ValueType } from './types';
import { buildIndex, modelFor, type NameIndex } from './models';

/**
 * The record models compiled for the checker's hot path. The data in v2.ts and v1.ts is written
 * for people, so its objects carry only the keys they need and come in some thirty shapes; a
 * property read that meets that many shapes is slow in V8 (megamorphic). These nodes have one
 * shape, every field present, and their name indexes built in.
 */

export class AttributeNode {
  readonly name: string;
  readonly type: 'string' | 'boolean' | 'enum';
  readonly values: readonly string[] | undefined;
  readonly maxLength: number | undefined;
  readonly sis: SisTreatment | undefined;
  readonly uniqueTrue: boolean;
  readonly label: string | undefined;
  readonly lenient: string | undefined;

  constructor(def: AttributeDef) {
    this.name = def.name;
    this.type = def.type;
    this.values = def.values;
    this.maxLength = def.maxLength;
    this.sis = def.sis;
    this.uniqueTrue = def.uniqueTrue ?? false;
    this.label = def.label;
    this.lenient = def.lenient;
  }
}

export interface ChildEntry {
  def: ElementNode;
  /** Index in the parent's children: the expected order for 'sequence' content. */
  position: number;
}

export class ElementNode {
  readonly name: string;
  readonly content: ContentModel;
  readonly type: ValueType;
  readonly maxLength: number | undefined;
  readonly min: number;
  /** 1 unless the element may repeat. */
  readonly max: number;
  readonly codeTable: string | undefined;
  readonly fixedCodes: readonly string[] | undefined;
  readonly sis: SisTreatment | undefined;
  readonly sisNote: string | undefined;
  readonly role: ElementRole | undefined;
  readonly researcher: boolean;
  readonly documentedMandatory: boolean;
  readonly protectedField: boolean;
  readonly label: string | undefined;
  readonly unlisted: string | undefined;
  readonly children: readonly ElementNode[];
  readonly index: NameIndex<ChildEntry>;
  readonly attributes: readonly AttributeNode[];
  readonly attributeIndex: NameIndex<AttributeNode>;
  /** Its text must be decoded for a rule (typed, coded or with a role), not only measured. */
  readonly needsValue: boolean;
  /**
   * Its values repeat through a file (codes, booleans, dates; never an identifier): read as one
   * shared string per value (ScanText.sharedValue), not a new string per element.
   */
  readonly sharedValue: boolean;
  /** SIS ignores it, the profile sets it, it is researcher data or not in the schema copy: checkTreatment applies. */
  readonly hasTreatment: boolean;

  constructor(def: ElementDef) {
    this.name = def.name;
    this.content = def.content;
    this.type = def.type ?? 'string';
    this.maxLength = def.maxLength;
    this.min = def.min ?? 0;
    this.max = def.max === 'unbounded' ? Infinity : def.max ?? 1;
    this.codeTable = def.codeTable;
    this.fixedCodes = def.fixedCodes;
    this.sis = def.sis;
    this.sisNote = def.sisNote;
    this.role = def.role;
    this.researcher = def.researcher ?? false;
    this.documentedMandatory = def.documentedMandatory ?? false;
    this.protectedField = def.protectedField ?? false;
    this.label = def.label;
    this.unlisted = def.unlisted;
    this.children = (def.children ?? []).map((child) => new ElementNode(child));
    this.index = buildIndex(this.children.map((child, position) => [child.name, { def: child, position }] as const));
    this.attributes = (def.attributes ?? []).map((attribute) => new AttributeNode(attribute));
    this.attributeIndex = buildIndex(this.attributes.map((attribute) => [attribute.name, attribute] as const));
    this.needsValue = this.type !== 'string' || this.role !== undefined || this.codeTable !== undefined || this.fixedCodes !== undefined;
    this.sharedValue = this.role !== 'primaryId' && this.role !== 'identifierValue' && this.role !== 'pin'
      && (this.type === 'code' || this.type === 'boolean' || this.type === 'date' || this.type === 'dateTime' || this.type === 'compactDate' || this.codeTable !== undefined || this.fixedCodes !== undefined);
    this.hasTreatment = (this.sis !== undefined && this.sis !== 'loaded') || this.researcher || this.unlisted !== undefined;
  }
}

export interface CompiledModel {
  version: 1 | 2;
  root: ElementNode;
  source: SchemaModel;
}

const compiled: Partial<Record<1 | 2, CompiledModel>> = {};

export function compiledModel(version: 1 | 2): CompiledModel {
  return (compiled[version] ??= { version, root: new ElementNode(modelFor(version).root), source: modelFor(version) });
}
