import { XmlScanner } from '../xml/scanner';
import type { ValidationSettings } from '../config/types';
import type { InputDocument } from '../files/inputDocument';
import { DocumentChecker } from './documentChecker';
import { IdentifierRegistry } from './identifiers';
import { newSetState } from './validateDocument';
import { summarize, type DocumentResult, type Progress, type SetResult } from './results';
import type { EarlierFiles } from '../incremental/incrementalDocument';
import { readFileChunks } from '../files/inputs';
import { FindingCollector } from './findingCollector';
import { joinSecondHalf, startSecondHalf, type SplitOptions } from './splitValidation';

export interface ValidateSetOptions {
  onProgress?: (progress: Progress) => void;
  signal?: AbortSignal;
  /**
   * What the set's files before these left behind (their identifiers and first schema version),
   * when they are known without reading them again: the language server keeps them for a folder.
   */
  earlier?: EarlierFiles;
  /** How a big file is split between two cores (splitValidation.ts); false: never. */
  split?: SplitOptions | false;
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
  for (const [index, doc] of documents.entries()) {
    options.signal?.throwIfAborted();
    // A document apart from the set (an Alma export beside the feed) is checked as if alone.
    const docRegistry = doc.apart ? new IdentifierRegistry() : registry;
    const docSet = doc.apart ? newSetState() : set;
    const collector = new FindingCollector();
    const checker = new DocumentChecker(doc.path, settings, docRegistry, docSet, { findings: collector });
    const scanner = new XmlScanner(checker);
    const advance = (bytes: number): void => {
      bytesDone += bytes;
      options.onProgress?.({ path: doc.path, bytesDone, bytesTotal });
    };
    const feed = async (chunks: AsyncIterable<Uint8Array>): Promise<void> => {
      for await (const chunk of chunks) {
        scanner.write(chunk);
        advance(chunk.length);
        options.signal?.throwIfAborted();
      }
    };
    const splitOptions = options.split === false ? null : options.split ?? {};
    let otherThread = 0;
    const split = splitOptions && (await startSecondHalf(doc, settings, docSet, splitOptions, (bytes) => {
      otherThread += bytes;
      advance(bytes);
    }));
    let result: DocumentResult | null = null;
    if (split) {
      const stop = (): void => split.stop();
      options.signal?.addEventListener('abort', stop, { once: true });
      try {
        await feed(readFileChunks(doc.file!, 0, split.cut.offset));
        // The registry outlives this document only when a file of the set follows it.
        const keepHolders = !doc.apart && documents.slice(index + 1).some((d) => !d.apart);
        const joined = await joinSecondHalf(split, scanner, checker, docRegistry, collector, doc.path, settings, keepHolders);
        splitOptions?.onDecision?.(doc.path, typeof joined === 'string' ? joined : 'split');
        if (typeof joined === 'string') {
          split.stop();
          bytesDone -= otherThread; // read again here, and no longer counted there
          await feed(readFileChunks(doc.file!, split.cut.offset));
        } else {
          result = joined;
        }
      } finally {
        split.stop();
        options.signal?.removeEventListener('abort', stop);
      }
    } else {
      await feed(doc.read());
    }
    if (!result) {
      scanner.end();
      result = checker.result();
    }
    if (doc.archive) result.archive = doc.archive;
    results.push(result);
  }
  return { documents: results, summary: summarize(results) };
}

