import { isDeepStrictEqual } from 'node:util';
import { TextDocument, type TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';
import { IncrementalDocument, validateText, validateInputs, indexIdentifiers, earlierFilesOf, NO_EARLIER_FILES, type ValidationSettings, type DocumentResult, type EarlierFiles, type InputDocument, type UserIdentifiers } from '../../server/src/engine';

/**
 * Random edit sequences for IncrementalDocument, written to find where an incremental validation
 * and a full one disagree: the edits are the ones that change what the scanner carries from one
 * place to the next (comments, CDATA, processing instructions, quotes and tags opened or closed,
 * CR and LF joined or split), the ones that change what users share (whole users pasted, so
 * identifiers repeat), and ordinary typing. A failing sequence is shrunk and printed as data that
 * replays it.
 */

export type Random = () => number;

/** One change, as offsets in the text just before it (the editor sends it as a range of positions). */
export interface Change {
  start: number;
  end: number;
  text: string;
  /** Sent without a range: the whole text replaced (start and end are then ignored). */
  whole?: true;
}

/** One didChange (one or more changes, in order) and whether a validation follows it. */
export interface Step {
  changes: Change[];
  validate: boolean;
  /** New settings before the changes (the configuration file or the editor's settings changed). */
  settings?: ValidationSettings;
  /** Before the changes, the file loaded before this one in its set became this text (null: none). */
  earlier?: string | null;
  /** What the generator meant (printed with a failure, ignored by the replay). */
  what?: string;
}

export interface Failure {
  /** The step after which the results differed (-1: the first validation). */
  step: number;
  message: string;
  text: string;
}

const PATH = '/work/doc.xml';
const URI = 'file:///work/doc.xml';
/** The file before the document in its set's load order, when there is one. */
const EARLIER_PATH = '/work/a-earlier.xml';

function inputOf(path: string, text: string): InputDocument {
  const bytes = Buffer.from(text, 'utf8');
  return { path, size: bytes.length, read: async function* () { yield bytes; } };
}

// ---------------------------------------------------------------------------------------------
// Replay

/**
 * An IncrementalDocument beside a plain string that the same edits are applied to the way an
 * editor applies them (offsets turned into LSP positions, which never point between CR and LF).
 */
export class EditSession {
  readonly doc: IncrementalDocument;
  text: string;
  validations = 0;
  /** The last validation scanned the whole document (the pieces could not be trusted). */
  lastWasFull = false;
  private version = 1;
  /** Inverses of the changes applied, most recent last: applying the last one is an editor's undo. */
  readonly undo: Change[] = [];

  private constructor(base: string, public settings: ValidationSettings, public earlier: string | null, earlierFiles: EarlierFiles, blockElements?: number) {
    this.text = base;
    this.doc = new IncrementalDocument(TextDocument.create(URI, 'xml', 1, base), PATH, settings, earlierFiles, blockElements);
  }

  /**
   * `earlier`: the text of a file loaded before this one in its set, as the language server sees a
   * folder; `blockElements`: users per block of folded findings (small: a few users make many blocks).
   */
  static async open(base: string, settings: ValidationSettings, earlier: string | null = null, blockElements?: number): Promise<EditSession> {
    return new EditSession(base, settings, earlier, await earlierFilesFor(earlier, settings), blockElements);
  }

  /** Applies one step; returns what went wrong, or null. */
  async apply(step: Step, index: number): Promise<Failure | null> {
    if (step.settings || step.earlier !== undefined) {
      if (step.settings) this.settings = step.settings;
      if (step.earlier !== undefined) this.earlier = step.earlier;
      this.doc.reconfigure(this.settings, await earlierFilesFor(this.earlier, this.settings));
    }
    const events: TextDocumentContentChangeEvent[] = [];
    for (const original of step.changes) {
      if (original.whole) {
        this.undo.push({ start: 0, end: original.text.length, text: this.text });
        this.text = original.text;
        events.push({ text: original.text });
        continue;
      }
      const change = whole(this.text, original);
      const reference = TextDocument.create(URI, 'xml', 1, this.text);
      const range = { start: reference.positionAt(change.start), end: reference.positionAt(change.end) };
      const start = reference.offsetAt(range.start);
      const end = reference.offsetAt(range.end);
      this.undo.push({ start, end: start + change.text.length, text: this.text.slice(start, end) });
      this.text = this.text.slice(0, start) + change.text + this.text.slice(end);
      events.push({ range, text: change.text });
    }
    try {
      this.doc.update(events, ++this.version);
    } catch (error) {
      return { step: index, message: `update threw: ${(error as Error).stack}`, text: this.text };
    }
    // Read without getText(), which would keep the text joined until the next edit: the
    // validation must read the pieces, as it does in the server.
    const document = this.doc.document;
    if (document.slice(0, document.length) !== this.text) return { step: index, message: 'the document\'s text differs from the edited text', text: this.text };
    return step.validate ? this.check(index) : null;
  }

  /** Validates incrementally and in full (as the second file of a set when there is an earlier one); null when both agree. */
  async check(index: number): Promise<Failure | null> {
    this.validations++;
    let got: DocumentResult;
    const fullScans = this.doc.stats.fullScans;
    try {
      // Every other validation as the server makes it: a whole scan, if one is needed, in slices.
      const result = this.validations % 2 === 0 ? await this.doc.validateInSlices(() => Promise.resolve(), 1 + ((index * 37) % 600)) : this.doc.validate();
      if (result === null) return { step: index, message: 'validateInSlices gave up with no edit under way', text: this.text };
      got = result;
      this.lastWasFull = this.doc.stats.fullScans > fullScans;
    } catch (error) {
      return { step: index, message: `validate threw: ${(error as Error).stack}`, text: this.text };
    }
    const want = this.earlier === null
      ? validateText(this.text, PATH, this.settings)
      : (await validateInputs([inputOf(EARLIER_PATH, this.earlier), inputOf(PATH, this.text)], this.settings)).documents[1];
    if (!isDeepStrictEqual(got, want)) return { step: index, message: describeDifference(got, want), text: this.text };
    // What the language server hands the later files of the set: the same as indexing the text.
    const indexed = await indexIdentifiers(inputOf(PATH, this.text), this.settings);
    const kept = { version: this.doc.version(), users: this.doc.users().map(comparable) };
    const fresh = { version: indexed.version, users: indexed.users.map(comparable) };
    if (!isDeepStrictEqual(kept, fresh)) return { step: index, message: `users() and version() differ from indexIdentifiers:\n  incremental: ${JSON.stringify(kept)}\n  indexed:     ${JSON.stringify(fresh)}`, text: this.text };
    return null;
  }
}

/** A user's identifiers without what registering them writes in (earlierFilesOf copies them without it). */
function comparable(user: UserIdentifiers): unknown {
  return { label: user.label, repeats: user.repeats, uses: user.uses.map(({ documentIndex: _index, userLabel: _label, ...use }) => use) };
}

/** What the earlier file leaves for the document, found the way the language server finds it for a folder. */
async function earlierFilesFor(earlier: string | null, settings: ValidationSettings): Promise<EarlierFiles> {
  if (earlier === null) return NO_EARLIER_FILES;
  return earlierFilesOf([await indexIdentifiers(inputOf(EARLIER_PATH, earlier), settings)]);
}

/** Replays steps on a base text (validated first); the first disagreement, or null. */
export async function replay(base: string, settings: ValidationSettings, steps: readonly Step[], earlier: string | null = null, blockElements?: number): Promise<Failure | null> {
  const session = await EditSession.open(base, settings, earlier, blockElements);
  const first = await session.check(-1);
  if (first) return first;
  for (let i = 0; i < steps.length; i++) {
    const failure = await session.apply(steps[i], i);
    if (failure) return failure;
  }
  return null;
}

/** A shorter sequence than `steps` that `replay` of `base` still fails (see shrinkSteps). */
export function shrink(base: string, settings: ValidationSettings, steps: readonly Step[], earlier: string | null = null, blockElements?: number, budget = 400): Promise<{ steps: Step[]; failure: Failure }> {
  return shrinkSteps(steps, (candidate) => replay(base, settings, candidate, earlier, blockElements), budget);
}

/**
 * A shorter sequence that still fails (any failure counts): cut after the failing step, then drop
 * runs of steps, halving their length, while the rest still fails; then single changes of a step,
 * and validations in between. Offsets of later changes are clamped to the shorter text, so a
 * replay is always possible. At most `budget` replays.
 */
export async function shrinkSteps(steps: readonly Step[], run: (steps: Step[]) => Promise<Failure | null>, budget = 400): Promise<{ steps: Step[]; failure: Failure }> {
  let best = [...steps];
  let failure = await run(best);
  if (!failure) throw new Error('shrink: the sequence does not fail');
  best = best.slice(0, failure.step + 1);
  let tries = 0;
  const attempt = async (candidate: Step[]): Promise<boolean> => {
    if (tries++ >= budget || candidate.length === 0) return false;
    const f = await run(candidate);
    if (!f) return false;
    best = candidate.slice(0, f.step + 1);
    failure = f;
    return true;
  };
  for (let size = Math.max(1, best.length >> 1); size >= 1; size >>= 1) {
    for (let from = 0; from < best.length && tries < budget;) {
      if (!await attempt([...best.slice(0, from), ...best.slice(from + size)])) from += size;
    }
  }
  for (let i = 0; i < best.length && tries < budget; i++) {
    const step = best[i];
    for (let c = 0; step.changes.length > 1 && c < step.changes.length && tries < budget;) {
      const changes = [...step.changes.slice(0, c), ...step.changes.slice(c + 1)];
      if (!await attempt([...best.slice(0, i), { ...step, changes }, ...best.slice(i + 1)])) c++;
    }
    if (best[i].validate && i < best.length - 1) await attempt([...best.slice(0, i), { ...best[i], validate: false }, ...best.slice(i + 1)]);
  }
  return { steps: best, failure: failure! };
}

function describeDifference(got: DocumentResult, want: DocumentResult): string {
  const lines: string[] = [];
  for (const key of ['path', 'schemaVersion', 'users'] as const) {
    if (got[key] !== want[key]) lines.push(`${key}: incremental ${JSON.stringify(got[key])}, full ${JSON.stringify(want[key])}`);
  }
  const n = Math.max(got.findings.length, want.findings.length);
  let k = 0;
  while (k < n && isDeepStrictEqual(got.findings[k], want.findings[k])) k++;
  if (k < n) {
    lines.push(`findings: incremental ${got.findings.length}, full ${want.findings.length}; the first difference is finding #${k}:`);
    lines.push(`  incremental: ${JSON.stringify(got.findings[k] ?? null)}`);
    lines.push(`  full:        ${JSON.stringify(want.findings[k] ?? null)}`);
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Generation

const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)];
const int = (random: Random, from: number, to: number): number => from + Math.floor(random() * (to - from + 1));

/** Start offsets of every match of `pattern` (global) in `text`, plus the match lengths. */
function matches(text: string, pattern: RegExp): { at: number; length: number; groups: string[] }[] {
  const found: { at: number; length: number; groups: string[] }[] = [];
  pattern.lastIndex = 0;
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
    found.push({ at: m.index, length: m[0].length, groups: m.slice(1) });
    if (m[0].length === 0) pattern.lastIndex++;
  }
  return found;
}

/** Markup whose opening or closing changes the scanner's state until its other half. */
const MARKUP = ['<!--', '-->', '<![CDATA[', ']]>', '<?', '?>', '<!-- ', ' -->', '<?pi x?>', '<![CDATA[x]]>', '<!-- c -->', '<!', '--', ']]', '<', '>', '/>', '</', '<!DOCTYPE users>', '<?xml version="1.0"?>'];
const LINE_BREAKS = ['\r', '\n', '\r\n', '\r', '\n', '\n\r', '\r\r', '\r\n\r\n'];
const AMPERSANDS = ['&', '&amp;', '&lt;', '&#1;', '&#x41;', '&#65;', '&nbsp;', '&am', '&#;', '&amp', '& '];
const TYPED = ['a', 'Z', '1', ' ', '-', '.', 'é', '😀', '\t', 'x'];
const ATTRIBUTES = [' segment_type="External"', ' segment_type="external"', ' preferred="true"', ' preferred="True"', ' a=b', ' x="1" x="2"', ' desc="é&amp;"', ' xsi:nil="true"', '="', ' q', "='"];
const SNIPPETS = ['</user>', '<user>', '</users>', '<users>', '<primary_id>a1</primary_id>', '<value>B-a2</value>', '<record_type>STAFF</record_type>',
  '<Primary_ID>x</Primary_ID>', 'text', '<user_group>Student</user_group>', '<id_type>BARCODE</id_type>', '<expiry_date>2020</expiry_date>',
  '<user_identifiers><user_identifier><id_type>BARCODE</id_type><value>B-a1</value></user_identifier></user_identifiers>', '<userRecord>', '<x/>', '<first_name/>'];
const INVALID = ['\u0001', '\u000b', '\ufffe', '\ufeff', '\u0000'];

/** A place to edit, chosen among the kinds of places that matter. */
function place(text: string, random: Random, kind?: string): number {
  const kinds = ['any', 'value', 'lineBreak', 'boundary', 'tag', 'endOfUser', 'name'];
  const k = kind ?? pick(random, kinds);
  let candidates: number[] = [];
  switch (k) {
    case 'value':
      candidates = matches(text, />([^<>]*[^<>\s][^<>]*)</g).map((m) => m.at + 1 + int(random, 0, m.length - 2));
      break;
    case 'lineBreak':
      // At a line break, just after it, and between a CR and what follows it.
      candidates = matches(text, /[\r\n]/g).map((m) => m.at + int(random, 0, 1));
      break;
    case 'boundary':
      // Where one user ends and the next begins, and the root's tags.
      candidates = [...matches(text, /<\/user>|<\/userRecord>|<\/users>|<\/userRecords>/g).map((m) => m.at + (random() < 0.5 ? m.length : 0)),
        ...matches(text, /<user[ >]|<userRecord[ >]/g).map((m) => m.at - (random() < 0.3 ? 1 : 0))];
      break;
    case 'tag':
      candidates = matches(text, /<[A-Za-z_][^<>]*>/g).map((m) => m.at + int(random, 1, m.length - 1));
      break;
    case 'endOfUser':
      candidates = matches(text, /<\/user>|<\/userRecord>/g).map((m) => m.at);
      break;
    case 'name':
      candidates = matches(text, /<\/?([A-Za-z_][\w.:-]*)/g).map((m) => m.at + m.length - int(random, 0, m.groups[0].length));
      break;
    default:
  }
  if (candidates.length === 0) return Math.floor(random() * (text.length + 1));
  return Math.max(0, Math.min(text.length, pick(random, candidates)));
}

/**
 * Never split a surrogate pair: editors do not, and the two texts would then differ in UTF-8 (a
 * piece ending in half a pair is encoded on its own). Offsets past the end are clamped.
 */
function whole(text: string, change: Change): Change {
  const isLow = (i: number) => i > 0 && i < text.length && (text.charCodeAt(i) & 0xfc00) === 0xdc00;
  let start = Math.min(change.start, text.length);
  let end = Math.min(Math.max(change.start, change.end), text.length);
  if (isLow(start)) start--;
  if (isLow(end)) end++;
  return { start, end: Math.max(start, end), text: change.text };
}

const insertAt = (at: number, text: string): Change => ({ start: at, end: at, text });

/** Typing `token` one character after the other (a validation may run between keystrokes). */
function typed(at: number, token: string, random: Random, what: string): Step[] {
  const steps: Step[] = [];
  let offset = at;
  for (const c of token) {
    steps.push({ changes: [insertAt(offset, c)], validate: random() < 0.6, what });
    offset += c.length;
  }
  return steps;
}

/** The users of the text, as [start, end) of '<user ...>' to '</user>'. */
function users(text: string): { at: number; length: number }[] {
  return matches(text, /<(user|userRecord)[\s>][\s\S]*?<\/\1>/g).filter((m) => m.length < 6000);
}

/**
 * The next edit action for `text`: one or more steps (typing a token character by character is
 * several). The kinds and their weights are chosen so that every state the scanner carries across
 * a user boundary is opened, closed, and reopened often. `undo` is the session's undo stack;
 * `broken`: the last validation was a whole scan.
 */
export function randomAction(text: string, random: Random, undo: readonly Change[], broken = false): Step[] {
  const one = (what: string, change: Change, validate = random() < 0.75): Step[] => [{ changes: [change], validate, what }];
  // A document the last validation had to scan whole is often repaired (undone) next, as a person
  // does: so that both the broken states and the way back from them are visited often.
  if (broken && undo.length > 0 && random() < 0.5) return [{ changes: [undo[undo.length - 1]], validate: true, what: 'undo' }];
  const roll = random() * 100;
  if (roll < 12) {
    // Ordinary typing in a value (the common case, and the one that must stay incremental).
    const at = place(text, random, 'value');
    if (random() < 0.3 && at < text.length) return one('delete in a value', { start: at, end: at + 1, text: '' });
    return one('type in a value', insertAt(at, pick(random, TYPED)));
  }
  if (roll < 26) {
    // Open or close a comment, CDATA section, PI..., at once or keystroke by keystroke.
    const token = pick(random, MARKUP);
    const at = place(text, random);
    return random() < 0.4 && token.length > 1 ? typed(at, token, random, `type ${JSON.stringify(token)}`) : one(`insert ${JSON.stringify(token)}`, insertAt(at, token));
  }
  if (roll < 34) {
    // Delete markup that is there (or a piece of it).
    const token = pick(random, ['<!--', '-->', '<![CDATA[', ']]>', '<?', '?>', '</', '/>', '<', '>']);
    const hits = matches(text, new RegExp(token.replace(/[[\]?*.]/g, '\\$&'), 'g'));
    if (hits.length === 0) return one('delete at random', { start: place(text, random), end: place(text, random, 'any'), text: '' });
    const hit = pick(random, hits);
    const partial = random() < 0.3 && hit.length > 1;
    const from = partial ? hit.at + int(random, 0, hit.length - 1) : hit.at;
    return one(`delete ${partial ? 'part of ' : ''}${JSON.stringify(token)}`, { start: from, end: partial ? from + 1 : hit.at + hit.length, text: '' });
  }
  if (roll < 46) {
    // Line breaks: typed, deleted, and converted, next to the ones already there.
    const r = random();
    const at = place(text, random, random() < 0.7 ? 'lineBreak' : undefined);
    if (r < 0.5) {
      const lineBreak = pick(random, LINE_BREAKS);
      return one(`insert ${JSON.stringify(lineBreak)}`, insertAt(at, lineBreak));
    }
    if (r < 0.75) return one('delete a character at a line break', { start: at, end: at + 1, text: '' });
    // Convert the line ends of a stretch of text (a paste from another system).
    const start = place(text, random);
    const end = Math.min(text.length, start + int(random, 1, 600));
    const style = pick(random, ['\r\n', '\r', '\n']);
    return one(`line ends to ${JSON.stringify(style)}`, { start, end, text: text.slice(start, end).replace(/\r\n|\r|\n/g, style) });
  }
  if (roll < 55) {
    // Whole users pasted (copies: their identifiers repeat), cut, or moved.
    const all = users(text);
    if (all.length === 0) return one('insert a snippet', insertAt(place(text, random), pick(random, SNIPPETS)));
    const u = pick(random, all);
    const copy = text.slice(u.at, u.at + u.length);
    const r = random();
    if (r < 0.55) {
      const at = random() < 0.8 ? place(text, random, 'boundary') : place(text, random);
      const renamed = random() < 0.4 ? copy.replace(/(<primary_id>)([^<]*)/, `$1$2-${int(random, 1, 99)}`) : copy;
      return one('paste a user', insertAt(at, (random() < 0.6 ? '\n  ' : '') + renamed));
    }
    if (r < 0.8) return one('cut a user', { start: u.at, end: u.at + u.length, text: '' });
    const at = place(text, random, 'boundary');
    if (at >= u.at && at <= u.at + u.length) return one('cut a user', { start: u.at, end: u.at + u.length, text: '' });
    // A move is two changes in one didChange: the later one first, so the earlier offsets hold.
    const changes = at > u.at ? [insertAt(at, copy), { start: u.at, end: u.at + u.length, text: '' }] : [{ start: u.at, end: u.at + u.length, text: '' }, insertAt(at, copy)];
    return [{ changes, validate: true, what: 'move a user' }];
  }
  if (roll < 62) {
    // End tags deleted, whole or in part (and start tags, less often).
    const ends = random() < 0.75;
    const hits = matches(text, ends ? /<\/[A-Za-z_][^<>]*>/g : /<[A-Za-z_][^<>]*>/g);
    if (hits.length === 0) return one('type in a value', insertAt(place(text, random, 'value'), 'a'));
    const hit = pick(random, hits);
    const r = random();
    if (r < 0.6) return one(`delete ${ends ? 'an end' : 'a start'} tag`, { start: hit.at, end: hit.at + hit.length, text: '' });
    if (r < 0.8) return one('delete a tag\'s ">"', { start: hit.at + hit.length - 1, end: hit.at + hit.length, text: '' });
    return one('delete a tag\'s "<"', { start: hit.at, end: hit.at + 1, text: '' });
  }
  if (roll < 68) {
    // Typing inside an element name.
    const at = place(text, random, 'name');
    const r = random();
    if (r < 0.5) return one('type in a name', insertAt(at, pick(random, ['x', '_', '-', '1', ' ', 'A', 's', ':'])));
    if (r < 0.8) return one('delete in a name', { start: at, end: at + 1, text: '' });
    const c = text.charAt(at);
    return one('change case in a name', { start: at, end: at + 1, text: c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase() });
  }
  if (roll < 74) {
    // Attributes and their quotes.
    const at = place(text, random, 'tag');
    const r = random();
    if (r < 0.4) return one('insert an attribute', insertAt(at, pick(random, ATTRIBUTES)));
    if (r < 0.7) return one('insert a quote', insertAt(at, pick(random, ['"', "'"])));
    const quotes = matches(text, /["']/g);
    if (quotes.length === 0) return one('insert a quote', insertAt(at, '"'));
    const q = pick(random, quotes);
    return one('delete a quote', { start: q.at, end: q.at + 1, text: '' });
  }
  if (roll < 79) {
    const at = place(text, random, pick(random, ['value', 'value', 'tag', 'any']));
    return one('insert an ampersand', insertAt(at, pick(random, AMPERSANDS)));
  }
  if (roll < 84) {
    // An identifier takes another user's value, or its case changes: duplicates come and go.
    const ids = matches(text, /<(primary_id|value)>([^<]*)</g);
    if (ids.length < 2) return one('type in a value', insertAt(place(text, random, 'value'), 'b'));
    const a = pick(random, ids);
    const b = pick(random, ids);
    const start = a.at + a.groups[0].length + 2;
    const value = random() < 0.3 ? b.groups[1].toUpperCase() : b.groups[1];
    return one('copy an identifier', { start, end: start + a.groups[1].length, text: value });
  }
  if (roll < 88 && undo.length > 0) {
    // An editor's undo of the last change (typing a thing and taking it back).
    return [{ changes: [undo[undo.length - 1]], validate: random() < 0.8, what: 'undo' }];
  }
  if (roll < 90) {
    // Several cursors typing the same thing: one didChange, the later place first so the earlier offset holds.
    const places = [place(text, random, 'value'), place(text, random)].sort((a, b) => b - a);
    const c = pick(random, [...TYPED, ...MARKUP.slice(0, 6), '\r', '\n']);
    return [{ changes: places.map((at) => insertAt(at, c)), validate: random() < 0.75, what: `type ${JSON.stringify(c)} at two places` }];
  }
  if (roll < 91) {
    // The whole text sent again (a client without incremental sync, or a reload), with one difference.
    const at = place(text, random);
    return one('the whole text replaced', { start: 0, end: 0, text: text.slice(0, at) + pick(random, TYPED) + text.slice(at), whole: true });
  }
  if (roll < 94) {
    // A random stretch deleted: mostly short, sometimes across users.
    const start = place(text, random);
    return one('delete a stretch', { start, end: Math.min(text.length, start + (random() < 0.8 ? int(random, 1, 12) : int(random, 13, 900))), text: '' });
  }
  if (roll < 97) {
    const at = place(text, random);
    const end = random() < 0.3 ? Math.min(text.length, at + int(random, 1, 3)) : at;
    return one('insert a snippet', { start: at, end, text: pick(random, SNIPPETS) });
  }
  if (roll < 98.5) return one('insert an invalid character', insertAt(place(text, random), pick(random, INVALID)));
  // A piece of the document pasted elsewhere.
  const from = Math.floor(random() * text.length);
  return one('paste a piece', insertAt(place(text, random), text.slice(from, from + int(random, 1, 400))));
}
