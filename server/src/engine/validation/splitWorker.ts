/**
 * The worker-thread side of a split validation (splitValidation.ts): scans the second half of a
 * file and posts what it found. Bundled on its own as dist/validateWorker.js.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { scanSecondHalf, type SecondHalfMessage, type SecondHalfRequest } from './secondHalf';

/** Progress is posted about this often: each message costs the first thread a turn of its loop. */
const PROGRESS_BYTES = 16 << 20;

if (parentPort) {
  const port = parentPort;
  let unsaid = 0;
  scanSecondHalf(workerData as SecondHalfRequest, (bytes) => {
    unsaid += bytes;
    if (unsaid >= PROGRESS_BYTES) {
      port.postMessage({ kind: 'bytes', bytes: unsaid } satisfies SecondHalfMessage);
      unsaid = 0;
    }
  }).then((message) => {
    if (unsaid > 0) port.postMessage({ kind: 'bytes', bytes: unsaid } satisfies SecondHalfMessage);
    port.postMessage(message);
  }, (error: unknown) => {
    port.postMessage({ kind: 'error', message: error instanceof Error ? error.message : String(error) } satisfies SecondHalfMessage);
  });
}
