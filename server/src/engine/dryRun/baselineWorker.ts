/**
 * The worker-thread side of readBaseline (baselineIndex.ts): expands the baseline paths, scans
 * each document with a collector and posts the users in batches, then the document's end. It is
 * bundled on its own as dist/dryRunWorker.js.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { CollectedUser } from './userCollector';
import { expandInputs } from '../files/inputs';
import { InputError } from '../files/inputDocument';
import { scanDocument, type CanonRequest, type WorkerMessage, type WorkerRequest } from './baselineIndex';
import { UserCollector } from './userCollector';

/** Users per message: large enough that posting costs little, small enough to index as they come. */
const BATCH = 2000;

/** The canonical fields of every user posted, by serial: the parent asks for those it compares. */
const canons: string[] = [];

/** Numbers the users and keeps their canonical fields here: the parent gets the rest. */
function detach(users: CollectedUser[]): CollectedUser[] {
  for (const user of users) {
    user.serial = canons.length;
    canons.push(user.canon);
    user.canon = '';
  }
  return users;
}

async function readBaselineForParent(request: WorkerRequest, post: (message: WorkerMessage) => void): Promise<void> {
  const { documents } = await expandInputs(request.paths);
  for (const doc of documents) {
    const collector = new UserCollector(request.collector);
    const users = collector.users;
    await scanDocument(doc, collector, (bytes) => {
      post({ kind: 'bytes', path: doc.path, bytes });
      if (users.length >= BATCH) post({ kind: 'users', path: doc.path, users: detach(users.splice(0)) });
    });
    if (users.length > 0) post({ kind: 'users', path: doc.path, users: detach(users.splice(0)) });
    post({ kind: 'end', path: doc.path, fatal: collector.fatal, version: collector.version, badRoot: collector.badRoot });
    if (collector.fatal || collector.version === null) return;
  }
  post({ kind: 'done' });
}

if (parentPort) {
  const port = parentPort;
  port.on('message', (request: CanonRequest) => {
    port.postMessage({ kind: 'canons', canons: request.serials.map((k) => canons[k]) } satisfies WorkerMessage);
  });
  readBaselineForParent(workerData as WorkerRequest, (message) => port.postMessage(message)).catch((error: unknown) => {
    port.postMessage({
      kind: 'error',
      message: error instanceof Error ? error.message : String(error),
      path: error instanceof InputError ? error.path : '',
      input: error instanceof InputError,
    } satisfies WorkerMessage);
  });
}
