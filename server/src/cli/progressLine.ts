import type { Progress } from '../engine';
import { visible } from './visibleText';

/** Where the line is drawn: a terminal's stderr, which knows its width. */
export interface ProgressTerminal {
  write(text: string): unknown;
  columns?: number;
}

export interface ProgressLineOptions {
  /** Sets smaller than this finish too fast for a progress line to help; none is drawn. */
  minBytes?: number;
  /** At most one redraw per interval: redrawing on every chunk would cost more than the reading. */
  intervalMs?: number;
  now?: () => number;
  /** What is being done, the line's first word: `validating` unless told. */
  label?: string;
}

const CLEAR_LINE = '\r\x1b[K';

/**
 * One self-overwriting status line on a terminal (`\r` + erase-line), for long validations.
 * It must be cleared before anything else is written to the same terminal.
 */
export class ProgressLine {
  private readonly minBytes: number;
  private readonly intervalMs: number;
  private readonly now: () => number;
  private readonly label: string | undefined;
  private lastDraw = -Infinity;
  private shown = false;

  constructor(private readonly terminal: ProgressTerminal, options: ProgressLineOptions = {}) {
    this.minBytes = options.minBytes ?? 4 * 1024 * 1024;
    this.intervalMs = options.intervalMs ?? 100;
    this.now = options.now ?? Date.now;
    this.label = options.label;
  }

  update(progress: Progress): void {
    if (progress.bytesTotal < this.minBytes) return;
    const now = this.now();
    if (now - this.lastDraw < this.intervalMs) return;
    this.lastDraw = now;
    // One column short of the width: writing into the last column makes some terminals wrap,
    // and a wrapped line can no longer be overwritten with `\r`. A terminal that never got a
    // size reports 0 columns.
    const width = Math.max(20, (this.terminal.columns || 80) - 1);
    this.terminal.write(CLEAR_LINE + fitWidth(renderProgress(progress, this.label), width));
    this.shown = true;
  }

  clear(): void {
    if (!this.shown) return;
    this.terminal.write(CLEAR_LINE);
    this.shown = false;
  }
}

/** `validating  42%  12.3/29.0 MB  students.xml`. */
export function renderProgress(progress: Progress, label = 'validating'): string {
  const total = Math.max(progress.bytesTotal, 0);
  const done = Math.min(Math.max(progress.bytesDone, 0), total);
  const percent = total === 0 ? 100 : Math.floor((done * 100) / total);
  const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
  return `${label} ${String(percent).padStart(3)}%  ${mb(done)}/${mb(total)} MB  ${visible(progress.path)}`;
}

/** Shortens from the left so that the end of a long path (the file name) stays visible. */
function fitWidth(line: string, width: number): string {
  return line.length <= width ? line : `…${line.slice(line.length - width + 1)}`;
}
