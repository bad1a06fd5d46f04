/**
 * The worker-thread side of readBaseline (baselineIndex.ts): expands the baseline paths, scans
 * each document with a collector and posts the users in packed batches (keys lower-cased,
 * first-wins decided here, canonical fields kept here), then the document's end; then, when
 * asked, the feed's tail (inputTail.ts). It is bundled on its own as dist/dryRunWorker.js.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { expandInputs } from '../files/inputs';
import { InputError } from '../files/inputDocument';
import { BaselinePacker, scanDocument, type WorkerControl, type WorkerMessage, type WorkerRequest } from './baselineIndex';
import { BATCH_USERS, readInputTail, type TailRequest } from './inputTail';
import { UserCollector } from './userCollector';
import { v2ViewOf } from './versionBridge';

async function readBaselineForParent(
  request: WorkerRequest,
  packer: BaselinePacker,
  post: (message: WorkerMessage) => void,
  tailRequest: Promise<TailRequest | null>,
  stopTail: AbortSignal,
): Promise<void> {
  const { documents } = await expandInputs(request.paths);
  const bridged = new Set(request.v1AsV2);
  for (const expanded of documents) {
    const doc = bridged.has(expanded.path) ? v2ViewOf(expanded) : expanded;
    const collector = new UserCollector(request.collector);
    const users = collector.users;
    await scanDocument(doc, collector, (bytes) => {
      post({ kind: 'bytes', path: doc.path, bytes });
      if (users.length >= BATCH_USERS) post({ kind: 'users', path: doc.path, users: packer.pack(users.splice(0)) });
    });
    if (users.length > 0) post({ kind: 'users', path: doc.path, users: packer.pack(users.splice(0)) });
    post({ kind: 'end', path: doc.path, fatal: collector.fatal, version: collector.version, badRoot: collector.badRoot });
    if (collector.fatal || collector.version === null) return;
  }
  post({ kind: 'done' });
  const tail = request.tail ? await tailRequest : null;
  if (tail && !stopTail.aborted) {
    const outcome = await readInputTail(tail, {
      bytes: (bytes) => post({ kind: 'tail-bytes', bytes }),
      users: (users) => post({ kind: 'tail-users', users }),
    }, stopTail);
    post({ kind: 'tail-end', outcome });
  }
}

if (parentPort) {
  const port = parentPort;
  const request = workerData as WorkerRequest;
  const packer = new BaselinePacker(request.matchIdType);
  const stopTail = new AbortController();
  let tailRequested!: (tail: TailRequest | null) => void;
  const tailRequest = new Promise<TailRequest | null>((resolve) => (tailRequested = resolve));
  stopTail.signal.addEventListener('abort', () => tailRequested(null), { once: true });
  port.on('message', (control: WorkerControl) => {
    if ('stopTail' in control) stopTail.abort();
    else if ('tail' in control) tailRequested(control.tail);
    else port.postMessage({ kind: 'canons', canons: control.serials.map((k) => packer.canons[k]) } satisfies WorkerMessage);
  });
  readBaselineForParent(request, packer, (message) => port.postMessage(message), tailRequest, stopTail.signal).catch((error: unknown) => {
    port.postMessage({
      kind: 'error',
      message: error instanceof Error ? error.message : String(error),
      path: error instanceof InputError ? error.path : '',
      input: error instanceof InputError,
    } satisfies WorkerMessage);
  });
}
