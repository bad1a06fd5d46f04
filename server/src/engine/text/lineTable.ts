import { lastAtOrBefore } from './sortedSearch';

/**
 * The offsets at which a text's lines start, kept in blocks of lines whose offsets count from the
 * block's first line.
 *
 * Why not one array: a 100k-user document has 4 M lines, and every keystroke moves the start of
 * every line after it (a typed line break also shifts every entry by one place): about 90 ms a
 * keystroke, most of an incremental validation. In blocks an edit rewrites the block or two it
 * touches and moves the later blocks' first offset and first line, a few thousand numbers.
 */
export class LineTable {
  /** Each block's line starts relative to the block's first line (so each block's [0] is 0). */
  private local: number[][] = [];
  /** Offset of each block's first line. */
  private base: number[] = [];
  /** Index of each block's first line. */
  private first: number[] = [];
  private lines = 0;

  /** `starts`: every line's start, ascending, the first 0. */
  constructor(starts: readonly number[], private readonly blockSize = 4096) {
    this.blocks(starts, 0);
    this.lines = starts.length;
  }

  get count(): number {
    return this.lines;
  }

  /** Where `line` (0 <= line < count) starts. */
  start(line: number): number {
    const b = this.blockOfLine(line);
    return this.base[b] + this.local[b][line - this.first[b]];
  }

  /** The last line that starts at or before `offset` (offset >= 0). */
  lineAt(offset: number): number {
    const b = lastAtOrBefore(this.base, offset);
    return this.first[b] + lastAtOrBefore(this.local[b], offset - this.base[b]);
  }

  /**
   * Lines firstLine+1 .. keptLine-1 are replaced by lines starting at `inner` (ascending, after
   * firstLine's start), and the lines from keptLine on move by `delta` characters. A keptLine at
   * or past the end replaces every line after firstLine.
   */
  replace(firstLine: number, keptLine: number, inner: readonly number[], delta: number): void {
    const from = this.blockOfLine(firstLine);
    let to = keptLine < this.lines ? this.blockOfLine(keptLine) : this.local.length - 1;
    const flat: number[] = [];
    const push = (b: number, fromLine: number, toLine: number, shift: number) => {
      const base = this.base[b] + shift;
      const local = this.local[b];
      for (let k = fromLine - this.first[b]; k < toLine - this.first[b]; k++) flat.push(base + local[k]);
    };
    for (let b = from; b <= to; b++) push(b, this.first[b], Math.min(firstLine + 1, this.first[b] + this.local[b].length), 0);
    for (const offset of inner) flat.push(offset);
    const kept = keptLine < this.lines;
    if (kept) for (let b = from; b <= to; b++) push(b, Math.max(keptLine, this.first[b]), this.first[b] + this.local[b].length, delta);
    // Blocks that shrank are merged with the next, so that deletions do not leave a trail of tiny blocks.
    if (flat.length < this.blockSize / 2 && to + 1 < this.local.length) {
      to++;
      push(to, this.first[to], this.first[to] + this.local[to].length, delta);
    }
    const firstOfFrom = this.first[from];
    const lineDelta = flat.length - ((to < this.local.length - 1 ? this.first[to + 1] : this.lines) - firstOfFrom);
    const later = { local: this.local.splice(to + 1), base: this.base.splice(to + 1), first: this.first.splice(to + 1) };
    this.local.length = from;
    this.base.length = from;
    this.first.length = from;
    this.blocks(flat, firstOfFrom);
    for (let b = 0; b < later.local.length; b++) {
      this.local.push(later.local[b]);
      this.base.push(later.base[b] + delta);
      this.first.push(later.first[b] + lineDelta);
    }
    this.lines += lineDelta;
  }

  /** Appends lines starting at `starts` (absolute offsets) as blocks, the first of them numbered `line`. */
  private blocks(starts: readonly number[], line: number): void {
    for (let at = 0; at < starts.length; at += this.blockSize) {
      const end = Math.min(starts.length, at + this.blockSize);
      const base = starts[at];
      const local = new Array<number>(end - at);
      for (let k = at; k < end; k++) local[k - at] = starts[k] - base;
      this.local.push(local);
      this.base.push(base);
      this.first.push(line + at);
    }
  }

  private blockOfLine(line: number): number {
    return lastAtOrBefore(this.first, line);
  }
}
