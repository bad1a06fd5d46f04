import type { InputDocument } from '../files/inputDocument';
import { InputError } from '../files/inputDocument';
import { STDIN_NAME } from '../files/inputs';
import { V1ToV2Converter, ConversionError } from '../convert/v1ToV2';
import { XmlScanner, type ScanProblemRule, type ScanSink, type ScanStartTag, type ScanText, type XmlDeclaration } from '../xml/scanner';
import type { Span } from '../text/span';
import { UserCollector } from './userCollector';

/**
 * A v1 export beside a v2 feed (or a v1 feed beside a v2 export) names every field differently:
 * compared as written, every field would show as removed and added again. Such a pair is compared
 * by meaning instead: the v1 side is read through the converter's v1 to v2 mapping (reference
 * §3.3), so a value with no v2 home is not compared (a v2 file cannot change it) and the rest
 * compares under its v2 name. A pair of the same version is compared as written.
 */

/**
 * The schema version a document declares, from its first bytes: its root, and for a
 * `<userRecords>` without the v1 namespace its first child. null when it is not a users file
 * (the dry-run's own reading says why).
 */
export async function peekVersion(doc: InputDocument): Promise<1 | 2 | null> {
  const collector = new UserCollector({ includeResearcher: false, internalSegments: false });
  const scanner = new XmlScanner(collector);
  for await (const chunk of doc.read()) {
    scanner.write(chunk);
    // Leaving the loop closes the file: the rest is read by the dry-run proper.
    if (collector.fatal !== null || collector.badRoot !== null || collector.versionDecided) break;
  }
  return collector.fatal !== null || collector.badRoot !== null ? null : collector.version;
}

/** The paths of the v1 documents to read through the mapping: none unless both versions occur. */
export async function documentsToBridge(documents: readonly InputDocument[], signal?: AbortSignal): Promise<Set<string>> {
  const v1: string[] = [];
  let v2 = false;
  for (const doc of documents) {
    signal?.throwIfAborted();
    // Standard input can be read only once: it is compared as written.
    if (doc.path === STDIN_NAME) continue;
    // A converter's output is made anew on each read: not converted twice to look at its root.
    // Taken as v2, what Alma's XSL converters write (v1 is deprecated).
    if (doc.converted) {
      v2 = true;
      continue;
    }
    const version = await peekVersion(doc);
    if (version === 1) v1.push(doc.path);
    else if (version === 2) v2 = true;
  }
  return new Set(v2 ? v1 : []);
}

/** The document as v2 text: what the converter writes for it, chunk by chunk. For a baseline. */
export function v2ViewOf(doc: InputDocument): InputDocument {
  return { ...doc, file: undefined, read: () => convertedChunks(doc) };
}

async function* convertedChunks(doc: InputDocument): AsyncGenerator<Uint8Array> {
  let pending: string[] = [];
  const converter = new V1ToV2Converter((text) => pending.push(text));
  const scanner = new XmlScanner(converter);
  const take = (): Uint8Array | undefined => {
    if (converter.error !== null) throw refusal(doc.path, converter.error);
    if (pending.length === 0) return undefined;
    const bytes = Buffer.from(pending.join(''), 'utf8');
    pending = [];
    return bytes;
  };
  for await (const chunk of doc.read()) {
    scanner.write(chunk);
    const bytes = take();
    if (bytes) yield bytes;
  }
  scanner.end();
  const bytes = take();
  if (bytes) yield bytes;
}

function refusal(path: string, error: ConversionError): InputError {
  const at = error.line !== undefined ? `${error.line}:${error.column ?? 1}: ` : '';
  return new InputError(`${path}:${at}${error.message.replace(/^\d+:\d+: /, '')} (read as User XSD v1 to compare it with the v2 side)`, path);
}

/** Where a user starts in the file as written: 0-based line and column, and its tag name's length. */
export interface UserStart {
  line: number;
  col: number;
  nameLength: number;
}

/**
 * For a v1 feed: the scanner's events of the file as written go on to the converter, and its v2
 * text to `target` (the collector) through a scanner of its own, in the same pass. The checker
 * beside it still hears the file as written, so its findings keep their places; the users'
 * places are those of the v1 file too (`userStart`), not of the converted text.
 */
export class V2ViewSink implements ScanSink {
  private readonly converter: V1ToV2Converter;
  private readonly inner: XmlScanner;
  private readonly starts: UserStart[] = [];
  private depth = 0;

  constructor(target: ScanSink, private readonly path: string) {
    this.inner = new XmlScanner(target);
    this.converter = new V1ToV2Converter((text) => this.inner.write(Buffer.from(text, 'utf8')));
  }

  xmlDeclaration(decl: XmlDeclaration): void {
    this.converter.xmlDeclaration(decl);
  }

  startTag(tag: ScanStartTag): void {
    // Only userRecord elements become users: a stray element under the root must not shift the count.
    if (this.depth++ === 1 && /(^|:)userRecord$/.test(tag.name)) this.starts.push({ line: tag.line, col: tag.col, nameLength: tag.name.length });
    this.converter.startTag(tag);
  }

  endTag(name: string): void {
    this.depth--;
    this.converter.endTag(name);
  }

  text(text: ScanText): void {
    this.converter.text(text);
  }

  problem(rule: ScanProblemRule, span: Span, detail: string): void {
    this.converter.problem(rule, span, detail);
  }

  /** The k-th user's start in the file as written. */
  userStart(k: number): UserStart | undefined {
    return this.starts[k];
  }

  /** After the last chunk: the converted text's end. Throws when the converter refused the file. */
  finish(): void {
    this.inner.end();
    if (this.converter.error !== null) throw refusal(this.path, this.converter.error);
  }
}
