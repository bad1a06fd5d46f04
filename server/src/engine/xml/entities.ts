import type { ScanProblemRule } from './scanner';

const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** XML 1.0's Char production: what a character reference may name. */
export function isXmlChar(cp: number): boolean {
  return (
    cp === 0x9 || cp === 0xa || cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

/**
 * Judges the text between '&' and ';'. Only the five predefined entities and character
 * references exist: Alma user files may not declare entities, and we never expand any.
 */
export function checkEntityReference(ref: string): { rule: ScanProblemRule; message: string } | null {
  if (ref in PREDEFINED) return null;
  if (ref.startsWith('#')) {
    const cp = /^#x[0-9a-fA-F]+$/.test(ref) ? parseInt(ref.slice(2), 16) : /^#[0-9]+$/.test(ref) ? parseInt(ref.slice(1), 10) : NaN;
    if (Number.isNaN(cp)) return { rule: 'xml-syntax', message: `"&${ref};" is not a valid character reference.` };
    if (!isXmlChar(cp)) {
      return { rule: 'invalid-char', message: `"&${ref};" refers to a character XML 1.0 forbids; one such character makes Alma abort the whole job.` };
    }
    return null;
  }
  if (ref === '') return { rule: 'xml-syntax', message: 'A bare "&" must be written "&amp;".' };
  return {
    rule: 'xml-syntax',
    message: `The entity "&${ref};" is not defined: only &amp; &lt; &gt; &quot; &apos; exist in an Alma user file (entities are never expanded). Write a bare & as "&amp;".`,
  };
}

/** Replaces predefined entities and valid character references; anything else stays as written. */
export function decodeEntities(raw: string): string {
  return raw.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z]+);/g, (whole, ref: string) => {
    if (ref.charCodeAt(0) === 0x23) {
      const cp = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return isXmlChar(cp) ? String.fromCodePoint(cp) : whole;
    }
    return PREDEFINED[ref] ?? whole;
  });
}
