import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineTable } from '../../../server/src/engine/text/lineTable';
import { mulberry32 as seededRandom } from '../../../server/src/engine/samples/sampleGenerator';

/** What replace() must do, on one flat array. */
function replaceFlat(starts: number[], firstLine: number, keptLine: number, inner: number[], delta: number): number[] {
  const kept = keptLine < starts.length ? starts.slice(keptLine).map((s) => s + delta) : [];
  return [...starts.slice(0, firstLine + 1), ...inner, ...kept];
}

function assertSame(table: LineTable, starts: number[], what: string): void {
  assert.equal(table.count, starts.length, `${what}: count`);
  for (let line = 0; line < starts.length; line++) assert.equal(table.start(line), starts[line], `${what}: start of line ${line}`);
  const last = starts[starts.length - 1];
  for (let line = 0, offset = 0; offset <= last + 3; offset++) {
    while (line + 1 < starts.length && starts[line + 1] <= offset) line++;
    assert.equal(table.lineAt(offset), line, `${what}: line at ${offset}`);
  }
}

test('property: a line table in blocks follows random replacements as one array does (lines added, removed, moved; blocks split and merged)', () => {
  for (let seed = 1; seed <= 60; seed++) {
    const random = seededRandom(seed);
    const blockSize = 1 + (seed % 7);
    let starts = [0];
    for (let k = 0, at = 0; k < 5 + Math.floor(random() * 40); k++) starts.push((at += 1 + Math.floor(random() * 5)));
    const table = new LineTable(starts, blockSize);
    assertSame(table, starts, `seed ${seed} start`);
    for (let step = 0; step < 80; step++) {
      const firstLine = Math.floor(random() * starts.length);
      // Sometimes past the end: every line after firstLine goes.
      const keptLine = Math.min(starts.length + 1, firstLine + 1 + Math.floor(random() * 6));
      const from = starts[firstLine];
      const oldEnd = keptLine < starts.length ? starts[keptLine] : starts[starts.length - 1] + 4;
      const inner: number[] = [];
      for (let k = 0, at = from; k < Math.floor(random() * 8); k++) inner.push((at += 1 + Math.floor(random() * 3)));
      const newEnd = (inner.length > 0 ? inner[inner.length - 1] : from) + 1 + Math.floor(random() * 3);
      const delta = newEnd - oldEnd;
      table.replace(firstLine, keptLine, inner, delta);
      starts = replaceFlat(starts, firstLine, keptLine, inner, delta);
      assertSame(table, starts, `seed ${seed} step ${step}`);
    }
  }
});
