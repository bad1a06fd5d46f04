/**
 * The words hover and completion show about an element or attribute: the notes of
 * schema/fieldDocs.ts joined with what the model knows (type, limit, occurrence, SIS treatment).
 */
import type { CodeEntry, CodeTables } from '../config/types';
import type { AttributeNode, ElementNode } from '../schema/compiledModel';
import { fieldDoc, PROTECTED_FIELDS, V1_EQUIVALENTS, type SyncEffect } from '../schema/fieldDocs';
import { codeSpan, prose } from './markdown';

const TYPE_WORDS: Record<string, string> = {
  date: 'date, YYYY-MM-DD with an optional zone (2027-06-30Z)',
  dateTime: 'date and time (2019-12-18T14:36:48Z)',
  compactDate: 'date, YYYYMMDD',
  boolean: 'boolean: true, false, 1 or 0',
  int: 'whole number',
  float: 'number',
};

/** "text, at most 255 characters", "code (UserGroups table)", "date, ...", "list of <address>". */
export function typeSummary(def: ElementNode): string {
  switch (def.content) {
    case 'list':
      return `list of <${def.children[0]?.name ?? '?'}>`;
    case 'sequence':
      return `elements in this order: ${def.children.map((c) => c.name).join(', ')}`;
    case 'all':
      return 'elements in any order, each once';
    default:
  }
  const limit = def.maxLength !== undefined ? `at most ${def.maxLength} characters` : 'no length limit';
  if (def.type === 'string') return `text, ${limit}`;
  if (def.type === 'code') {
    const from = def.fixedCodes ? `one of ${def.fixedCodes.join(', ')}` : def.codeTable ? `from the ${def.codeTable} code table` : 'a code';
    return `code (${from}), ${limit}`;
  }
  return TYPE_WORDS[def.type] ?? def.type;
}

export function occurrence(def: ElementNode): string {
  const base = def.min >= 1 ? 'required' : def.documentedMandatory ? 'documented as mandatory (the schema lets it out)' : 'optional';
  return def.max > 1 ? `${base}, repeatable` : base;
}

/**
 * What SIS does with the element; `outer` is an enclosing element SIS does not load, if any, and
 * `researcher` says the element is researcher (Esploro) data or inside it.
 */
function sisWords(def: ElementNode, outer: ElementNode | undefined, researcher: boolean): string {
  if (outer && outer !== def) return `not loaded: it is inside <${outer.name}>, which SIS does not load.`;
  switch (def.sis) {
    case 'ignored':
      return `not loaded: it ${def.sisNote ?? 'is not read by the SIS load.'}`;
    case 'output':
      return 'not loaded: output only, Alma fills it.';
    case 'profile':
      return 'not loaded: the integration profile sets it.';
    default:
      return researcher ? 'loaded by profiles used for researchers (Esploro).' : 'loaded.';
  }
}

const SYNC_WORDS: Record<SyncEffect, string> = {
  replaced: 'the file\'s value replaces the one in Alma; left out of the file, the value in Alma is deleted (swap all).',
  protected: 'replaced by the file\'s value unless staff changed it in Alma, then kept (a protected field). An empty value may delete it or reset it to its default, depending on the Alma release.',
  segments: 'the file\'s entries replace the user\'s External ones; Internal entries staff added in Alma are kept. Left out, the External entries are deleted.',
  'segment-part': 'replaced together with its segment.',
  untouched: 'not changed by SIS.',
  profile: 'set by the profile on every load.',
};

/** What a synchronize does to the element, from its notes and its place in the model. */
export function syncEffect(def: ElementNode, parent: ElementNode | undefined, version: 1 | 2, parentName?: string): SyncEffect {
  if (def.sis === 'ignored' || def.sis === 'output') return 'untouched';
  if (def.sis === 'profile') return 'profile';
  const doc = fieldDoc(def.name, parentName, version);
  if (doc?.sync) return doc.sync;
  const v2Name = version === 1 ? V1_EQUIVALENTS[def.name] ?? def.name : def.name;
  if (PROTECTED_FIELDS.has(v2Name)) return 'protected';
  const atUserLevel = parent?.role === 'user' || (version === 1 && parent?.name === 'userDetails');
  if (def.content === 'list' && (atUserLevel || parent?.name === 'contact_info')) return 'segments';
  if (atUserLevel) return 'replaced';
  return 'segment-part';
}

/**
 * Markdown about an element: what it is, its type and limit, SIS, synchronize. `chain` holds the
 * definitions from the user record (or the root) down to the element. Names are code spans and
 * the words escaped (markdown.ts): a bare `<user_group>` is an HTML tag to VS Code's renderer.
 */
export function describeElement(chain: readonly ElementNode[], version: 1 | 2): string {
  const def = chain[chain.length - 1];
  const parent = chain.length > 1 ? chain[chain.length - 2] : undefined;
  const doc = fieldDoc(def.name, parent?.name, version);
  const lines = [`**${codeSpan(`<${def.name}>`)}** · ${prose(typeSummary(def))} · ${prose(occurrence(def))}`];
  if (doc) lines.push('', prose(doc.about + (doc.note ? ` ${doc.note}` : '')));
  if (def.role === 'user') {
    lines.push('', `**Synchronize:** ${prose('the user is found by the profile\'s match identifier and all its External data is replaced by the file\'s (swap all): what the file leaves out is deleted.')}`);
  } else if (parent) {
    const outer = chain.find((d) => d.sis === 'ignored' || d.sis === 'output');
    const effect = outer && outer !== def ? 'untouched' : syncEffect(def, parent, version, parent.name);
    lines.push('', `**SIS:** ${prose(sisWords(def, outer, chain.some((d) => d.researcher)))}`, `**Synchronize:** ${prose(SYNC_WORDS[effect])}`);
  }
  if (def.attributes.length > 0) lines.push('', `Attributes: ${def.attributes.map((a) => codeSpan(a.name)).join(', ')}.`);
  return lines.join('\n');
}

export function attributeSummary(attribute: AttributeNode): string {
  if (attribute.type === 'enum' && attribute.values) return `one of ${attribute.values.join(', ')} (case-sensitive)`;
  if (attribute.type === 'boolean') return 'boolean: true, false, 1 or 0';
  return attribute.maxLength !== undefined ? `text, at most ${attribute.maxLength} characters` : 'text';
}

/** Markdown about an attribute of an element (names as code spans, see markdown.ts). */
export function describeAttribute(attribute: AttributeNode, element: ElementNode, version: 1 | 2): string {
  const doc = fieldDoc(`@${attribute.name}`, undefined, version);
  const lines = [`**${codeSpan(attribute.name)}** on ${codeSpan(`<${element.name}>`)} · ${prose(attributeSummary(attribute))} · optional`];
  if (doc) lines.push('', prose(doc.about + (doc.note ? ` ${doc.note}` : '')));
  if (attribute.uniqueTrue) lines.push('', prose(`At most one ${attribute.label ?? element.name} may set it to true.`));
  if (attribute.sis === 'output') lines.push('', '**SIS:** not loaded: output only.');
  return lines.join('\n');
}

/** The codes an element may hold: Alma's fixed list, or the institution's table when configured. */
export function codesFor(def: ElementNode, tables: CodeTables | undefined): CodeEntry[] | undefined {
  if (def.fixedCodes) return def.fixedCodes.map((code) => ({ code }));
  if (def.codeTable) return tables?.[def.codeTable];
  return undefined;
}
