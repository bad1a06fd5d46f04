import type { CommandContext } from './command';

/** Joins report pieces into writes of about 64 KB: one write per line would be slow, one in all too big. */
export function writeInBatches(pieces: Iterable<string>, context: CommandContext): void {
  let batch = '';
  for (const piece of pieces) {
    batch += piece;
    if (batch.length >= 65536) {
      context.out(batch);
      batch = '';
    }
  }
  if (batch !== '') context.out(batch);
}
