import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { EditableText } from '../../../server/src/engine';
import { mulberry32 as seededRandom } from '../../../server/src/engine/samples/sampleGenerator';


/** Line starts as LSP counts them, from scratch. */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 13 && text.charCodeAt(i + 1) === 10) i++;
    if (c === 13 || c === 10) starts.push(i + 1);
  }
  return starts;
}

test('property: pieces and line starts follow random edits exactly (text, positions, offsets, line breaks split and joined)', () => {
  const pieces = ['a', 'b', '\n', '\r', '\r\n', '<user>', 'é😀', '', 'xyz\nabc'];
  for (let seed = 1; seed <= 40; seed++) {
    const random = seededRandom(seed);
    let text = 'line one\r\nline two\rline three\n<user>\n</user>\n';
    // Blocks of a line or a few in the line table, as well as the default: edits then cross blocks.
    const lineBlock = seed % 4 === 0 ? undefined : seed % 4;
    const doc = new EditableText('file:///t', 'xml', 1, text, lineBlock);
    for (let step = 0; step < 60; step++) {
      if (random() < 0.15) {
        // Split into pieces somewhere, as a validation does.
        const cuts = [...new Set(Array.from({ length: 4 }, () => Math.floor(random() * text.length)))].sort((a, b) => a - b);
        doc.splitAt(cuts);
      }
      const from = Math.floor(random() * (text.length + 1));
      const to = Math.min(text.length, from + Math.floor(random() * 4));
      const insert = pieces[Math.floor(random() * pieces.length)];
      const reference = TextDocument.create('file:///t', 'xml', 1, text);
      const range = { start: reference.positionAt(from), end: reference.positionAt(to) };
      doc.apply({ range, text: insert }, step + 2);
      text = TextDocument.applyEdits(reference, [{ range, newText: insert }]);
      if (random() < 0.3) {
        // Cut again from the pieces themselves (nothing joined since the edit).
        const cuts = [...new Set(Array.from({ length: 6 }, () => Math.floor(random() * text.length)))].sort((a, b) => a - b);
        doc.splitAt(cuts);
      }
      // Before getText(), which joins the pieces until the next edit: these must read the pieces.
      const a = Math.floor(random() * text.length);
      assert.equal(doc.slice(a, a + 5), text.slice(a, a + 5));
      const b = Math.min(text.length, a + Math.floor(random() * 40));
      const bytes = Buffer.alloc(3 * (b - a) + 3);
      assert.equal(bytes.subarray(0, doc.encodeInto(a, b, bytes)).toString('latin1'), Buffer.from(text.slice(a, b), 'utf8').toString('latin1'), `seed ${seed} step ${step}: encodeInto ${a}-${b}`);
      // Found across pieces as in the joined text (a needle may straddle several short pieces).
      for (const needle of ['\n', '\r\n', '<user>', 'e\nl', text.slice(a, a + 7) || 'x', 'zz-none']) {
        assert.equal(doc.lastIndexOf(needle), text.lastIndexOf(needle), `seed ${seed} step ${step}: lastIndexOf ${JSON.stringify(needle)}`);
      }
      assert.equal(doc.getText(), text, `seed ${seed} step ${step}`);
      const fresh = TextDocument.create('file:///t', 'xml', 1, text);
      assert.equal(doc.lineCount, lineStarts(text).length, `seed ${seed} step ${step}: line count`);
      for (let o = 0; o <= text.length; o += 1 + Math.floor(random() * 3)) {
        assert.deepEqual(doc.positionAt(o), fresh.positionAt(o), `seed ${seed} step ${step} offset ${o}`);
      }
      for (let line = 0; line < fresh.lineCount; line++) {
        for (const character of [0, 1, 3, 100]) assert.equal(doc.offsetAt({ line, character }), fresh.offsetAt({ line, character }));
      }
    }
  }
});
