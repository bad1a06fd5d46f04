import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DocumentScheduler } from '../../server/src/lsp/documentScheduler';

/** A promise the test resolves when it chooses: a run held open. */
function gate(): { promise: Promise<void>; open(): void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** Whether `promise` has settled, after what is already queued has run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true), () => (done = true));
  await turn();
  return done;
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

const until = (predicate: () => boolean) => new Promise<void>((resolve) => {
  const poll = () => (predicate() ? resolve() : setImmediate(poll));
  poll();
});

/**
 * A document as the server has one: a version that edits move on, and a run that validates the
 * version it starts with, unless an edit came while it was held (then it reports nothing, as the
 * server's validation does with a stale result).
 */
function harness() {
  const doc = { version: 1 };
  const runs: { version: number; gate: ReturnType<typeof gate> }[] = [];
  const failures: unknown[] = [];
  let hold = false;
  let fail: Error | undefined;
  const scheduler: DocumentScheduler<string> = new DocumentScheduler(
    async (key) => {
      const run = { version: doc.version, gate: gate() };
      runs.push(run);
      if (fail) throw fail;
      if (hold) await run.gate.promise;
      if (doc.version === run.version) scheduler.validated(key, run.version);
    },
    (_key, error) => failures.push(error),
  );
  return {
    doc,
    runs,
    failures,
    scheduler,
    hold: (on: boolean) => (hold = on),
    failWith: (error: Error | undefined) => (fail = error),
  };
}

test('quick schedules validate once, with the last one\'s version', async () => {
  const h = harness();
  h.scheduler.schedule('a', 5);
  h.doc.version = 2;
  h.scheduler.schedule('a', 5);
  h.doc.version = 3;
  h.scheduler.schedule('a', 5);
  assert.equal(h.scheduler.isScheduled('a'), true);
  await h.scheduler.whenValidated('a', 3);
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.deepEqual(h.runs.map((r) => r.version), [3]);
  assert.equal(h.scheduler.validatedVersion('a'), 3);
  assert.equal(h.scheduler.isScheduled('a'), false);
});

test('documents are scheduled apart: one\'s schedule does not replace another\'s', async () => {
  const h = harness();
  h.scheduler.schedule('a', 1);
  h.scheduler.schedule('b', 1);
  await Promise.all([h.scheduler.whenValidated('a', 1), h.scheduler.whenValidated('b', 1)]);
  assert.equal(h.runs.length, 2);
});

test('a waiter is answered when the run has validated, and at once when nothing changed since', async () => {
  const h = harness();
  h.hold(true);
  assert.equal(h.scheduler.validatedVersion('a'), undefined);
  h.scheduler.schedule('a', 0);
  const waiting = h.scheduler.whenValidated('a', 1);
  await until(() => h.runs.length === 1);
  assert.equal(await settled(waiting), false, 'the run is still under way');
  h.runs[0].gate.open();
  await waiting;
  assert.equal(h.scheduler.validatedVersion('a'), 1);
  await turn(); // the run ends (in the server nothing comes between its validation and its end)
  // Up to date: answered without another run.
  await h.scheduler.whenValidated('a', 1);
  assert.equal(h.runs.length, 1);
});

test('a waiter for a version nobody scheduled yet schedules the run itself', async () => {
  const h = harness();
  h.scheduler.schedule('a', 0);
  await h.scheduler.whenValidated('a', 1);
  h.doc.version = 2; // an edit whose own schedule (the client's debounce) has not come
  await h.scheduler.whenValidated('a', 2);
  assert.deepEqual(h.runs.map((r) => r.version), [1, 2]);
});

test('a waiter is answered when the run throws, and the error goes to the failure callback', async () => {
  const h = harness();
  const boom = new Error('boom');
  h.failWith(boom);
  h.scheduler.schedule('a', 0);
  await h.scheduler.whenValidated('a', 1);
  assert.deepEqual(h.failures, [boom]);
  assert.equal(h.scheduler.validatedVersion('a'), undefined, 'nothing was validated');
  // A run that throws before it returns a promise is answered the same way.
  const sync = new Error('sync');
  const scheduler = new DocumentScheduler<string>(() => {
    throw sync;
  }, (_key, error) => h.failures.push(error));
  scheduler.schedule('a', 0);
  await scheduler.whenValidated('a', 1);
  assert.deepEqual(h.failures, [boom, sync]);
  // And the document is validated the next time.
  h.failWith(undefined);
  await h.scheduler.whenValidated('a', 1);
  assert.equal(h.scheduler.validatedVersion('a'), 1);
});

test('a run overtaken by an edit answers its waiters only when the newest run has validated', async () => {
  const h = harness();
  h.hold(true);
  h.scheduler.schedule('a', 0);
  await until(() => h.runs.length === 1);
  // An edit while the first run is under way: version 2, scheduled again.
  h.doc.version = 2;
  h.scheduler.schedule('a', 5);
  const waiting = h.scheduler.whenValidated('a', 2);
  h.runs[0].gate.open();
  await h.runs[0].gate.promise;
  assert.equal(await settled(waiting), false, 'the first run validated nothing current; the newer one is pending');
  await until(() => h.runs.length === 2);
  assert.equal(await settled(waiting), false, 'the newer run is under way');
  h.runs[1].gate.open();
  await waiting;
  assert.deepEqual(h.runs.map((r) => r.version), [1, 2]);
  assert.equal(h.scheduler.validatedVersion('a'), 2);
});

test('cancel (a close) answers the waiters, and the pending run never starts', async () => {
  const h = harness();
  h.scheduler.schedule('a', 5);
  const waiting = h.scheduler.whenValidated('a', 1);
  h.scheduler.cancel('a');
  await waiting;
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(h.runs.length, 0);
  assert.equal(h.scheduler.isScheduled('a'), false);
  assert.equal(h.scheduler.validatedVersion('a'), undefined);
  h.scheduler.cancel('never scheduled');
});

test('opened again during a run: the old run\'s end answers nobody of the new schedule', async () => {
  const h = harness();
  h.hold(true);
  h.scheduler.schedule('a', 0);
  const before = h.scheduler.whenValidated('a', 1);
  await until(() => h.runs.length === 1);
  h.scheduler.cancel('a');
  await before;
  // The document opened afresh, with content of its own: its run is a new one.
  h.doc.version = 7;
  h.scheduler.schedule('a', 0);
  const after = h.scheduler.whenValidated('a', 7);
  await until(() => h.runs.length === 2);
  h.runs[0].gate.open(); // the old run ends (and, its version stale, reports nothing)
  await h.runs[0].gate.promise;
  assert.equal(await settled(after), false);
  h.runs[1].gate.open();
  await after;
  assert.equal(h.scheduler.validatedVersion('a'), 7);
});
