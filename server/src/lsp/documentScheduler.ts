/** What the scheduler keeps for one document. */
interface Entry {
  /** The pending run's timer; undefined when none is pending. */
  timer: NodeJS.Timeout | undefined;
  /** A run has started and not yet ended. */
  running: boolean;
  /** Those waiting for the document's current version to be validated. */
  waiters: (() => void)[];
  /** The version the last run reported validated; undefined before the first. */
  validatedVersion: number | undefined;
}

/**
 * When the language server validates each open document, and who waits for it: one debounce
 * timer per document (a new schedule replaces the pending one, so quick edits validate once), the
 * run under way, and the requests (diagnostic pulls) waiting for the current version. What a run
 * does is the caller's: it reports the version it validated through `validated`. A run that
 * fails, or is overtaken by an edit and so validates nothing, still ends its waiters unless a newer
 * run is pending: a pull is answered with what there is rather than left hanging.
 */
export class DocumentScheduler<K = string> {
  private readonly entries = new Map<K, Entry>();

  /**
   * @param run validates the document `key` now; may be async.
   * @param failed receives what a run threw (the scheduler goes on as if it had ended).
   */
  constructor(
    private readonly run: (key: K) => unknown,
    private readonly failed: (key: K, error: unknown) => void,
  ) {}

  /** Runs `key` after `delayMs`, replacing a run still pending (not one under way). */
  schedule(key: K, delayMs: number): void {
    const entry = this.entryOf(key);
    clearTimeout(entry.timer);
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      entry.running = true;
      let done: Promise<unknown>;
      try {
        done = Promise.resolve(this.run(key));
      } catch (error) {
        done = Promise.reject(error);
      }
      void done.catch((error: unknown) => this.failed(key, error)).finally(() => {
        entry.running = false;
        // Overtaken: the pending run answers the waiters, with the newer version.
        if (entry.timer !== undefined) return;
        wake(entry);
      });
    }, delayMs);
  }

  /**
   * The run of `key` validated `version`: those waiting are answered now, not when the run ends.
   * Returns whether anyone was waiting (a validation nobody asked for may need announcing).
   */
  validated(key: K, version: number): boolean {
    const entry = this.entries.get(key);
    if (!entry) return false;
    entry.validatedVersion = version;
    return wake(entry) > 0;
  }

  /** The version last validated, undefined before the first validation (or after a cancel). */
  validatedVersion(key: K): number | undefined {
    return this.entries.get(key)?.validatedVersion;
  }

  /** A run of `key` is waiting for its timer. */
  isScheduled(key: K): boolean {
    return this.entries.get(key)?.timer !== undefined;
  }

  /**
   * Resolves once `version` of `key` is validated and nothing newer is pending or under way (at
   * once when that is so already). A run is scheduled now when none is pending: the version asked
   * for may be one no run has been scheduled for yet.
   */
  whenValidated(key: K, version: number): Promise<void> {
    const entry = this.entryOf(key);
    if (entry.validatedVersion === version && entry.timer === undefined && !entry.running) return Promise.resolve();
    return new Promise<void>((resolve) => {
      entry.waiters.push(resolve);
      if (entry.timer === undefined) this.schedule(key, 0);
    });
  }

  /**
   * Forgets `key` (closed, or opened again afresh): its pending run never starts and its waiters
   * are answered. A run already under way ends on its own, and its end wakes nobody of the key's
   * next schedule; a `validated` it still reported would count for that schedule, so a run checks
   * that its document still stands before reporting.
   */
  cancel(key: K): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    clearTimeout(entry.timer);
    entry.timer = undefined;
    this.entries.delete(key);
    wake(entry);
  }

  private entryOf(key: K): Entry {
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { timer: undefined, running: false, waiters: [], validatedVersion: undefined };
      this.entries.set(key, entry);
    }
    return entry;
  }
}

function wake(entry: Entry): number {
  const waiters = entry.waiters;
  entry.waiters = [];
  for (const resolve of waiters) resolve();
  return waiters.length;
}
