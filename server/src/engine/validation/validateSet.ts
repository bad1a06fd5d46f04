import { XmlScanner } from '../xml/scanner';
import type { ValidationSettings } from '../config/types';
import type { InputDocument } from '../files/inputDocument';
import { DocumentChecker } from './documentChecker';
import { IdentifierRegistry } from './identifiers';
import { newSetState } from './validateDocument';
import { summarize, type DocumentResult, type Progress, type SetResult } from './results';
import type { EarlierFiles } from '../incremental/incrementalDocument';

export interface ValidateSetOptions {
  onProgress?: (progress: Progress) => void;
  signal?: AbortSignal;
  /**
   * What the set's files before these left behind (their identifiers and first schema version),
   * when they are known without reading them again: the language server keeps them for a folder.
   */
  earlier?: EarlierFiles;
}

/**
 * Validates documents in load order as one set: the files given together, or the entries of a
 * zip in stored order. Identifiers are unique across the set (first user wins), and all files
 * must share one schema version. Each document is streamed; memory holds the identifiers seen,
 * not the files.
 */
export async function validateInputs(
  documents: readonly InputDocument[],
  settings: ValidationSettings,
  options: ValidateSetOptions = {},
): Promise<SetResult> {
  const registry = new IdentifierRegistry();
  const set = newSetState();
  if (options.earlier) {
    registry.setName = options.earlier.setName;
    for (const path of options.earlier.paths) registry.addDocument(path);
    for (const holder of options.earlier.holders) registry.adopt(holder);
    set.version = options.earlier.version;
    set.versionPath = options.earlier.versionPath;
  }
  const results: DocumentResult[] = [];
  const bytesTotal = documents.reduce((sum, d) => sum + (d.size ?? 0), 0);
  let bytesDone = 0;
  for (const doc of documents) {
    options.signal?.throwIfAborted();
    // A document apart from the set (an Alma export beside the feed) is checked as if alone.
    const checker = doc.apart ? new DocumentChecker(doc.path, settings, new IdentifierRegistry(), newSetState()) : new DocumentChecker(doc.path, settings, registry, set);
    const scanner = new XmlScanner(checker);
    for await (const chunk of doc.read()) {
      scanner.write(chunk);
      bytesDone += chunk.length;
      options.onProgress?.({ path: doc.path, bytesDone, bytesTotal });
      options.signal?.throwIfAborted();
    }
    scanner.end();
    const result = checker.result();
    if (doc.archive) result.archive = doc.archive;
    results.push(result);
  }
  return { documents: results, summary: summarize(results) };
}
