import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { doComplete } from '../../../server/src/engine/languageService/completion';
import { doHover } from '../../../server/src/engine/languageService/hover';
import { viewAround } from '../../../server/src/engine/languageService/textWindow';
import { EditableText } from '../../../server/src/engine/incremental/editableText';
import { sampleText } from '../../../server/src/engine';
import { mulberry32 as seededRandom } from '../../../server/src/engine/samples/sampleGenerator';
import { mutant, sampleFiles } from '../../helpers/userFileMutator';
import { SAMPLE_SETTINGS } from './serviceFixtures';

const URI = 'file:///window.xml';

/** Typed at random places after the split: tags opened, closed and broken, users started and ended, quotes, comments. */
const FRAGMENTS = ['<', '</', '<user>', '</user>', '<user', '<userRecord>', '</userRecord>', '"', "'", '>', '<!--', '-->', '<![CDATA[', '\n', ' ', 'x', '<first_name>', '</user_identifiers>', ''];

/** Many users each: the window is taken only past six pieces. */
function sources(): string[] {
  const generated = [1, 2, 3].map((seed) => sampleText({ users: 9, seed }));
  const v1 = generated[0].replace(/<(\/?)user\b/g, '<$1userRecord').replace('<users>', '<userRecords xmlns="http://com/exlibris/digitool/repository/extsystem/xmlbeans">').replace('</users>', '</userRecords>');
  const samples = sampleFiles();
  const mutants = Array.from({ length: 400 }, (_, k) => mutant(samples, 9, k).bytes.toString('latin1'));
  return [...generated, v1, ...mutants.filter((m) => (m.match(/<user/g) ?? []).length >= 6)];
}

test('completion and hover through the window of pieces around the position answer as on the whole text (pieces at users and elsewhere, then edited)', () => {
  let windowed = 0;
  let compared = 0;
  for (const [n, source] of sources().entries()) {
    const random = seededRandom(100 + n);
    let text = source;
    const editable = new EditableText(URI, 'xml', 1, text);
    // Cut where users start, as a validation does, and at a few other '<' (pieces need not start users).
    const cuts: number[] = [];
    for (let k = text.indexOf('<'); k >= 0; k = text.indexOf('<', k + 1)) if (text.startsWith('<user', k) || random() < 0.03) cuts.push(k);
    editable.splitAt(cuts);
    for (let step = 0; step < 40; step++) {
      const from = Math.floor(random() * text.length);
      const to = Math.min(text.length, from + (random() < 0.3 ? Math.floor(random() * 40) : 0));
      const insert = FRAGMENTS[Math.floor(random() * FRAGMENTS.length)];
      const range = { start: editable.positionAt(from), end: editable.positionAt(to) };
      // An offset between a CR and its LF has no position: the edit lands where the position does.
      const [start, end] = [editable.offsetAt(range.start), editable.offsetAt(range.end)];
      editable.apply({ range, text: insert }, step + 2);
      text = text.slice(0, start) + insert + text.slice(end);
      if (step % 4 !== 3) continue;
      const whole = TextDocument.create(URI, 'xml', 1, text);
      // Not getText(): it would keep the text joined, and the window would not read the pieces.
      assert.equal(editable.slice(0, editable.length), text);
      const stride = Math.max(1, Math.floor(text.length / 150));
      for (let offset = Math.floor(random() * stride); offset <= text.length; offset += stride) {
        const position = whole.positionAt(offset);
        if (viewAround(editable, editable.offsetAt(position)).document !== editable) windowed++;
        const where = `source ${n}, step ${step}, offset ${offset}`;
        assert.deepEqual(doComplete(editable, position, SAMPLE_SETTINGS), doComplete(whole, position, SAMPLE_SETTINGS), `completion: ${where}`);
        assert.deepEqual(doHover(editable, position, SAMPLE_SETTINGS), doHover(whole, position, SAMPLE_SETTINGS), `hover: ${where}`);
        compared++;
      }
    }
  }
  // Most requests must go through a window, or this says little about it.
  assert.ok(windowed > compared / 2, `${windowed} of ${compared} requests read a window`);
});

test('a document in one piece (not yet validated) is read whole', () => {
  const text = sampleText({ users: 20, seed: 4 });
  const editable = new EditableText(URI, 'xml', 1, text);
  assert.equal(viewAround(editable, text.indexOf('<first_name>')).document, editable);
  editable.splitAt([...text.matchAll(/<user>/g)].map((m) => m.index!));
  const view = viewAround(editable, text.indexOf('<first_name>', text.length / 2));
  assert.notEqual(view.document, editable);
  assert.ok(view.document.getText().length < text.length / 5, 'a window of a few users');
  assert.equal(view.root.name, 'users');
});
