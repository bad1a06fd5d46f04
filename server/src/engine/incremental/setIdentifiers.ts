import { XmlScanner } from '../xml/scanner';
import type { ValidationSettings } from '../config/types';
import type { InputDocument } from '../files/inputDocument';
import { DocumentChecker } from '../validation/documentChecker';
import { FindingCollector } from '../validation/findingCollector';
import { IdentifierRegistry, checkIdentifiersAcrossUsers, type IdentifierUse } from '../validation/identifiers';
import type { EarlierFiles, UserIdentifiers } from './incrementalDocument';

/** One file of a set as the others see it: its version and its users' identifiers, in order. */
export interface FileIdentifiers {
  path: string;
  version: 1 | 2 | null;
  users: UserIdentifiers[];
}

/** Findings are not wanted when only the identifiers are: nothing is kept. */
class DiscardFindings extends FindingCollector {
  override add(): void {}
  override isFull(): boolean {
    return true;
  }
  override drop(): void {}
}

/**
 * Streams a document through the checker to learn its users' identifiers (for the files of a set
 * that are not open in the editor). Memory: the identifiers, never the file or its findings.
 */
export async function indexIdentifiers(
  input: InputDocument,
  settings: ValidationSettings,
  options: {
    signal?: AbortSignal;
    onBytes?: (bytes: number) => void;
    /** Scan at most this many bytes between two turns of the event loop (a server indexing in the background stays responsive). */
    sliceBytes?: number;
  } = {},
): Promise<FileIdentifiers> {
  const users: UserIdentifiers[] = [];
  const checker = new DocumentChecker(input.path, settings, new IdentifierRegistry(), { version: null, versionPath: null }, {
    findings: new DiscardFindings(),
    observer: { userEnded: (uses, repeats, label) => users.push({ uses, repeats, label }) },
  });
  const scanner = new XmlScanner(checker);
  const slice = options.sliceBytes ?? Infinity;
  for await (const chunk of input.read()) {
    for (let from = 0; from < chunk.length; from += slice) {
      const piece = slice >= chunk.length ? chunk : chunk.subarray(from, Math.min(chunk.length, from + slice));
      scanner.write(piece);
      options.onBytes?.(piece.length);
      if (slice !== Infinity) await new Promise<void>((resolve) => setImmediate(resolve));
      options.signal?.throwIfAborted();
    }
  }
  scanner.end();
  return { path: input.path, version: checker.result().schemaVersion, users };
}

const IGNORE_CLASHES = () => {};

/**
 * What the files before a document in load order leave behind, as validateInputs would have it
 * when it reaches the document: the identifiers held (a user rejected for a repeat or a taken
 * identifier holds none) and the set's first schema version.
 */
export function earlierFilesOf(files: readonly FileIdentifiers[], setName?: string): EarlierFiles {
  const registry = new IdentifierRegistry();
  const holders: IdentifierUse[] = [];
  let version: 1 | 2 | null = null;
  let versionPath: string | null = null;
  for (const file of files) {
    const documentIndex = registry.addDocument(file.path);
    if (version === null && file.version !== null) {
      version = file.version;
      versionPath = file.path;
    }
    for (const user of file.users) {
      const taken = checkIdentifiersAcrossUsers(registry, user.uses, documentIndex, IGNORE_CLASHES);
      if (user.repeats || taken) continue;
      const copies = user.uses.map((use) => ({ ...use, documentIndex: -1, userLabel: '' }));
      registry.register(copies, documentIndex, user.label);
      for (const copy of copies) if (copy.documentIndex === documentIndex) holders.push(copy);
    }
  }
  return { paths: registry.documentPaths, holders, version, versionPath, ...(setName !== undefined ? { setName } : {}) };
}
