import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProgressLine, renderProgress } from '../../server/src/cli/progressLine';

const MB = 1e6;

/** A terminal that records what was written, with a settable width and clock. */
function terminal(columns = 80) {
  const writes: string[] = [];
  let time = 1000;
  return {
    writes,
    sink: { columns, write: (text: string) => writes.push(text) },
    now: () => time,
    advance: (ms: number) => {
      time += ms;
    },
  };
}

describe('ProgressLine', () => {
  it('draws one overwriting line at most every interval and clears it at the end', () => {
    const t = terminal();
    const line = new ProgressLine(t.sink, { minBytes: 1, intervalMs: 100, now: t.now });
    line.update({ path: 'big.xml', bytesDone: 0, bytesTotal: 20 * MB });
    line.update({ path: 'big.xml', bytesDone: 1 * MB, bytesTotal: 20 * MB });
    t.advance(99);
    line.update({ path: 'big.xml', bytesDone: 2 * MB, bytesTotal: 20 * MB });
    t.advance(1);
    line.update({ path: 'big.xml', bytesDone: 5 * MB, bytesTotal: 20 * MB });
    line.clear();
    line.clear();
    assert.deepEqual(t.writes, [
      '\r\x1b[Kvalidating   0%  0.0/20.0 MB  big.xml',
      '\r\x1b[Kvalidating  25%  5.0/20.0 MB  big.xml',
      '\r\x1b[K',
    ]);
  });

  it('draws nothing, and clears nothing, for a set below the size threshold', () => {
    const t = terminal();
    const line = new ProgressLine(t.sink, { minBytes: 4 * MB, now: t.now });
    line.update({ path: 'small.xml', bytesDone: 1 * MB, bytesTotal: 2 * MB });
    line.clear();
    assert.deepEqual(t.writes, []);
  });

  it('keeps the line narrower than the terminal, cutting the path from the left', () => {
    const t = terminal(40);
    const line = new ProgressLine(t.sink, { minBytes: 0, now: t.now });
    line.update({ path: 'very/long/folder/name/for/the/nightly/students.xml', bytesDone: 1 * MB, bytesTotal: 2 * MB });
    const drawn = t.writes[0].slice('\r\x1b[K'.length);
    assert.equal(drawn.length, 39);
    assert.ok(drawn.startsWith('…'));
    assert.ok(drawn.endsWith('nightly/students.xml'));
  });
});

describe('renderProgress', () => {
  it('shows percent, megabytes done of total and the current file, clamped to sane values', () => {
    assert.equal(renderProgress({ path: 'a.zip!/b.xml', bytesDone: 123.4 * MB, bytesTotal: 250 * MB }), 'validating  49%  123.4/250.0 MB  a.zip!/b.xml');
    assert.equal(renderProgress({ path: 'a.xml', bytesDone: 3 * MB, bytesTotal: 2 * MB }), 'validating 100%  2.0/2.0 MB  a.xml');
    assert.equal(renderProgress({ path: 'a.xml', bytesDone: 0, bytesTotal: 0 }), 'validating 100%  0.0/0.0 MB  a.xml');
  });

  it('names what is being done when told (the zip command draws a writing line)', () => {
    const t = terminal(80);
    const line = new ProgressLine(t.sink, { minBytes: 0, now: t.now, label: 'writing' });
    line.update({ path: 'a.xml', bytesDone: 1 * MB, bytesTotal: 4 * MB });
    assert.equal(t.writes[0], '\r\x1b[Kwriting  25%  1.0/4.0 MB  a.xml');
  });
});
