// Writes the fixtures that must be exact bytes (a BOM, Latin-1, control characters, broken UTF-8),
// which an editor or a heredoc would silently "fix". Run from anywhere:
//   node samples/invalid/make-binary-fixtures.mjs
// Each fixture's `expect:` lines are computed here from the bytes, the same way an editor counts:
// lines and UTF-16 columns of the text as a UTF-8 decoder with replacement characters sees it.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** A piece of the file that a finding of `rule` must cover exactly. */
function mark(rule, content) {
  return { rule, bytes: typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content) };
}

const COMMENT = Symbol('comment');

function toBytes(part) {
  return typeof part === 'string' ? Buffer.from(part, 'utf8') : part.bytes;
}

// ignoreBOM keeps U+FEFF in the decoded text, so a BOM occupies column 1 as editors show it.
const decode = (bytes) => new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);

function position(textBefore) {
  const line = textBefore.split('\n').length;
  const col = textBefore.length - (textBefore.lastIndexOf('\n') + 1) + 1;
  return { line, col };
}

function assemble(parts, comment) {
  const buffers = [];
  const expectations = [];
  for (const part of parts) {
    if (part === COMMENT) {
      buffers.push(Buffer.from(comment, 'utf8'));
      continue;
    }
    const before = Buffer.concat(buffers);
    buffers.push(toBytes(part));
    if (typeof part !== 'string') {
      const start = position(decode(before));
      const end = position(decode(Buffer.concat(buffers)));
      expectations.push(`${part.rule} ${start.line}:${start.col}-${end.line}:${end.col}`);
    }
  }
  return { bytes: Buffer.concat(buffers), expectations };
}

function commentText(description, expectations) {
  const lines = ['<!--', ...description.map((l) => `  ${l}`), ...expectations.map((e) => `  expect: ${e}`), '-->', ''];
  return lines.join('\n');
}

/** Builds twice: the first pass finds the ranges, the second writes them into the comment (same line count). */
function fixture(name, description, parts) {
  const draft = assemble(parts, commentText(description, parts.filter((p) => typeof p === 'object' && p !== COMMENT).map(() => 'x')));
  const final = assemble(parts, commentText(description, draft.expectations));
  if (final.expectations.join() !== draft.expectations.join()) throw new Error(`${name}: ranges moved between passes`);
  writeFileSync(join(here, name), final.bytes);
  console.log(`${name}: ${final.expectations.join('; ')}`);
}

const DECL = '<?xml version="1.0" encoding="UTF-8"?>\n';

fixture(
  'bom.xml',
  [
    'bom: the file starts with a UTF-8 byte order mark (bytes EF BB BF), as Windows Notepad and',
    'Excel "UTF-8" exports write it. Alma reports "Content is not allowed in prolog".',
  ],
  [
    mark('bom', [0xef, 0xbb, 0xbf]),
    DECL,
    COMMENT,
    `<users>
  <user>
    <primary_id>clarke.j</primary_id>
    <first_name>Jessica</first_name>
    <last_name>Clarke</last_name>
    <user_group>STUDENT</user_group>
    <expiry_date>2027-06-30Z</expiry_date>
  </user>
</users>
`,
  ],
);

fixture(
  'encoding.xml',
  [
    'encoding: a Latin-1 file that says so. Alma requires UTF-8: the declaration names another',
    'encoding, and the e-acute of "Rene" is the single byte E9, which is not valid UTF-8.',
  ],
  [
    '<?xml version="1.0" encoding="',
    mark('encoding', 'ISO-8859-1'),
    '"?>\n',
    COMMENT,
    `<users>
  <user>
    <primary_id>lefevre.r</primary_id>
    <first_name>Ren`,
    mark('encoding', [0xe9]),
    `</first_name>
    <last_name>Lefevre</last_name>
    <user_group>STUDENT</user_group>
    <expiry_date>2027-06-30Z</expiry_date>
  </user>
</users>
`,
  ],
);

fixture(
  'encoding-invalid-utf8.xml',
  [
    'encoding: a UTF-8 file with broken multi-byte sequences: a three-byte character cut after',
    'two bytes (E5 B0, after the astral character U+20BB7, which takes two UTF-16 columns) and a',
    'lone continuation byte 80. Each decodes to one replacement character.',
  ],
  [
    DECL,
    COMMENT,
    `<users>
  <user>
    <primary_id>yoshino.h</primary_id>
    <first_name>Hanako</first_name>
    <last_name>\u{20BB7}\u91CE`,
    mark('encoding', [0xe5, 0xb0]),
    `</last_name>
    <job_description>Caf`,
    mark('encoding', [0x80]),
    ` manager</job_description>
    <user_group>STAFF</user_group>
    <expiry_date>2027-06-30Z</expiry_date>
  </user>
</users>
`,
  ],
);

fixture(
  'invalid-char.xml',
  [
    'invalid-char: control characters XML 1.0 forbids, pasted from a spreadsheet into names:',
    'a vertical tab (0B) and a unit separator (1F). One such character aborts the whole Alma job.',
  ],
  [
    DECL,
    COMMENT,
    `<users>
  <user>
    <primary_id>obrien.a</primary_id>
    <first_name>Ann`,
    mark('invalid-char', [0x0b]),
    `e</first_name>
    <last_name>O`,
    mark('invalid-char', [0x1f]),
    `Brien</last_name>
    <user_group>STUDENT</user_group>
    <expiry_date>2027-06-30Z</expiry_date>
  </user>
</users>
`,
  ],
);
