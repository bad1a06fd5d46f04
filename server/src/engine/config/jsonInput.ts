import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { ParseErrorCode, visit } from 'jsonc-parser/lib/esm/main.js';
import { nearest } from '../text/similarity';

/**
 * Reading the hand-written JSON files of the configuration (alma-sis.config.json, code tables)
 * with errors that point at a line and name the JSON path. JSON.parse is not enough: on Node 20
 * several of its syntax errors carry no position, and it silently keeps the last of two
 * duplicated keys, which hides typos such as a second "rules" object. jsonc-parser (the JSON
 * language service's) scans, in strict mode; the locations, duplicate keys and messages are ours.
 * Its ESM build is imported because esbuild cannot follow the requires inside its UMD main.
 */

/** 1-based, as people and `path:line:col` links count. */
export interface JsonLocation {
  line: number;
  column: number;
}

export type JsonPath = ReadonlyArray<string | number>;

export interface JsonDocument {
  value: unknown;
  /** Where each value starts (the key, for object members), keyed by formatJsonPath. */
  locations: Map<string, JsonLocation>;
  duplicateKeys: Array<{ path: JsonPath; first: JsonLocation }>;
}

/** One problem; line and column are 1-based (UTF-16 columns) and absent only when the file could not be read. */
export interface ConfigProblem {
  message: string;
  line?: number;
  column?: number;
}

/** A configuration or code tables file that cannot be used, with every problem found in it. */
export class ConfigError extends Error {
  readonly path: string;
  readonly problems: readonly ConfigProblem[];

  constructor(path: string, problems: ConfigProblem[] | string) {
    const list = typeof problems === 'string' ? [{ message: problems }] : problems;
    super(formatProblems(path, list));
    this.name = 'ConfigError';
    this.path = path;
    this.problems = list;
  }
}

/** Long lists (a pasted API export) would bury the first problems; the full list stays on the error. */
const SHOWN_PROBLEMS = 50;

function formatProblems(path: string, problems: readonly ConfigProblem[]): string {
  const lines = problems.slice(0, SHOWN_PROBLEMS).map((problem) =>
    problem.line === undefined ? `${path}: ${problem.message}` : `${path}:${problem.line}:${problem.column}: ${problem.message}`,
  );
  if (problems.length > SHOWN_PROBLEMS) lines.push(`... and ${problems.length - SHOWN_PROBLEMS} more`);
  if (problems.length === 1) return lines[0];
  return [`${problems.length} problems in ${path}:`, ...lines.map((line) => `  ${line}`)].join('\n');
}

/** `profiles[0].sftp.port`; rule ids such as `pin-format` stay readable as `rules.pin-format`. */
export function formatJsonPath(path: JsonPath): string {
  let text = '';
  for (const segment of path) text = appendPathSegment(text, segment);
  return text;
}

function appendPathSegment(text: string, segment: string | number): string {
  if (typeof segment === 'number') return `${text}[${segment}]`;
  if (/^[A-Za-z_$][\w$-]*$/.test(segment)) return text === '' ? segment : `${text}.${segment}`;
  return `${text}[${JSON.stringify(segment)}]`;
}

/** How a value appears in a message: strings quoted, containers by kind. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return JSON.stringify(shown);
  }
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return String(value);
}

/** `1 or 2`, `"add" or "reject"`, `"a", "b" or "c"`. */
export function listAlternatives(values: ReadonlyArray<string | number>): string {
  const shown = values.map((value) => (typeof value === 'string' ? JSON.stringify(value) : String(value)));
  return shown.length <= 1 ? shown.join('') : `${shown.slice(0, -1).join(', ')} or ${shown[shown.length - 1]}`;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The candidate a mistyped name most likely meant: the same name in another case, a unique
 * completion of a prefix (`warn`), a known name with a suffix added (`hostname`), or the closest
 * by edit distance when it is close enough to be a typo rather than a different word.
 */
export function nearestName(word: string, candidates: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  const sameCase = candidates.find((candidate) => candidate.toLowerCase() === lower);
  if (sameCase !== undefined) return sameCase;
  if (lower.length >= 3) {
    const completions = candidates.filter((candidate) => candidate.toLowerCase().startsWith(lower));
    if (completions.length === 1) return completions[0];
  }
  // hostName -> host, portNumber -> port: a known name with something added.
  const extended = candidates.filter((candidate) => candidate.length >= 4 && lower.startsWith(candidate.toLowerCase()));
  if (extended.length === 1) return extended[0];
  return nearest(word, candidates, 1)[0];
}

/** Collects every problem of one file so the user fixes them in one pass, not one per run. */
export class ProblemList {
  readonly problems: ConfigProblem[] = [];

  constructor(private readonly document: JsonDocument) {
    for (const duplicate of document.duplicateKeys) {
      this.report(duplicate.path, `${formatJsonPath(duplicate.path)} appears twice in one object (first at line ${duplicate.first.line}); JSON keeps only the last one`);
    }
  }

  /** Reports at the value's place, or the nearest enclosing value that exists (for a missing key). */
  report(path: JsonPath, message: string): void {
    for (let length = path.length; length >= 0; length--) {
      const location = this.document.locations.get(formatJsonPath(path.slice(0, length)));
      if (location !== undefined) {
        this.problems.push({ message, line: location.line, column: location.column });
        return;
      }
    }
    this.problems.push({ message });
  }

  /** In file order, as an editor's problem list would show them. */
  throwIfAny(filePath: string): void {
    if (this.problems.length === 0) return;
    const inFileOrder = [...this.problems].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
    throw new ConfigError(filePath, inFileOrder);
  }
}

/** Parses JSON text, throwing a ConfigError with the line and column of a syntax error. */
export function parseJsonDocument(text: string, filePath: string): JsonDocument {
  try {
    return readDocument(text);
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error;
    throw new ConfigError(filePath, [{ message: `JSON syntax error: ${error.message}`, line: error.line, column: error.column }]);
  }
}

/** A configuration or code tables file larger than this is refused: real ones are a few kilobytes. */
export const MAX_CONFIG_BYTES = 10 * 1024 * 1024;

/**
 * Reads a UTF-8 file as text; unreadable or non-UTF-8 files become a ConfigError that says why.
 * Only a regular file of at most MAX_CONFIG_BYTES is read: `/dev/zero` would fill memory and a
 * FIFO would block forever. Opened non-blocking and checked on the open handle, so a FIFO swapped
 * in after a first look still cannot block.
 */
export async function readConfigText(filePath: string): Promise<string> {
  let bytes: Buffer;
  let handle: FileHandle | undefined;
  try {
    handle = await open(filePath, constants.O_RDONLY | constants.O_NONBLOCK);
    const info = await handle.stat();
    if (info.isDirectory()) throw new ConfigError(filePath, 'cannot read the file: it is a folder, not a file');
    if (!info.isFile()) throw new ConfigError(filePath, 'cannot read the file: it is not a regular file (a device, pipe or socket)');
    if (info.size > MAX_CONFIG_BYTES) throw tooLarge(filePath);
    // Read at most one byte past the limit: the file may have grown since it was measured.
    bytes = Buffer.alloc(Math.min(info.size, MAX_CONFIG_BYTES) + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(bytes, length, bytes.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length === bytes.length) {
        if (length > MAX_CONFIG_BYTES) throw tooLarge(filePath);
        bytes = Buffer.concat([bytes, Buffer.alloc(Math.min(bytes.length, MAX_CONFIG_BYTES + 1 - bytes.length))]);
      }
    }
    bytes = bytes.subarray(0, length);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT' ? 'the file does not exist'
      : code === 'EISDIR' ? 'it is a folder, not a file'
      : code === 'EACCES' || code === 'EPERM' ? 'permission denied'
      : (error as Error).message;
    throw new ConfigError(filePath, `cannot read the file: ${reason}`);
  } finally {
    await handle?.close();
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ConfigError(filePath, 'the file is not valid UTF-8; save it as UTF-8');
  }
}

function tooLarge(filePath: string): ConfigError {
  return new ConfigError(filePath, `cannot read the file: it is larger than ${MAX_CONFIG_BYTES / (1024 * 1024)} MB, far more than any configuration or code tables`);
}

class JsonSyntaxError extends Error {
  constructor(message: string, readonly line: number, readonly column: number) {
    super(message);
  }
}

/** Deep enough for any real configuration; stops "[[[[..." from overflowing jsonc-parser's recursion. */
const MAX_DEPTH = 64;

/** What the reader has just read in a container, which decides what may come next and the message when it does not. */
type Read = 'start' | 'key' | 'colon' | 'comma' | 'value';

interface Container {
  kind: 'document' | 'object' | 'array';
  value: Record<string, unknown> | unknown[] | undefined;
  /** formatJsonPath of the container, extended by one segment for each member. */
  pathText: string;
  /** The container's key or index in its parent (undefined for the document). */
  segment: string | number | undefined;
  read: Read;
  /** The last property name read (objects), and formatJsonPath of that member. */
  key: string;
  keyPathText: string;
}

const STRICT = { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false };

/**
 * jsonc-parser's visitor gives each token's line and column as it scans (a lone CR ends a line, as
 * in editors), so recording a location costs only the Map entry. Its ParseErrors name what it
 * expected, not what it found nor where inside a string; the messages are therefore made here from
 * what was read before the error and the text at its place, and reading stops at the first error
 * by throwing from the visitor.
 */
function readDocument(input: string): JsonDocument {
  // Editors on Windows may save a byte order mark; it is not content. A space keeps the columns.
  const text = input.charCodeAt(0) === 0xfeff ? ` ${input.slice(1)}` : input;
  const locations = new Map<string, JsonLocation>();
  const duplicateKeys: JsonDocument['duplicateKeys'] = [];
  const stack: Container[] = [{ kind: 'document', value: undefined, pathText: '', segment: undefined, read: 'start', key: '', keyPathText: '' }];
  let document: unknown;
  let current = stack[0];
  let lastNumber = { start: -1, end: -1, line: 0, character: 0 };

  function place(value: unknown, line: number, character: number): string {
    const parent = current;
    let pathText = '';
    if (parent.kind === 'array') {
      const array = parent.value as unknown[];
      pathText = appendPathSegment(parent.pathText, array.length);
      locations.set(pathText, { line: line + 1, column: character + 1 });
      array.push(value);
    } else if (parent.kind === 'object') {
      pathText = parent.keyPathText;
      const object = parent.value as Record<string, unknown>;
      // defineProperty, not assignment: a "__proto__" key must stay a plain (and then unknown) key.
      if (parent.key === '__proto__') Object.defineProperty(object, parent.key, { value, enumerable: true, writable: true, configurable: true });
      else object[parent.key] = value;
    } else {
      document = value;
    }
    parent.read = 'value';
    return pathText;
  }

  function begin(value: Record<string, unknown> | unknown[], line: number, character: number): void {
    if (stack.length > MAX_DEPTH) throw new JsonSyntaxError(`nested more than ${MAX_DEPTH} levels deep`, line + 1, character + 1);
    const segment = current.kind === 'array' ? (current.value as unknown[]).length : current.kind === 'object' ? current.key : undefined;
    const pathText = place(value, line, character);
    current = { kind: Array.isArray(value) ? 'array' : 'object', value, pathText, segment, read: 'start', key: '', keyPathText: '' };
    stack.push(current);
  }

  function end(offset: number, length: number, line: number, character: number): void {
    // jsonc-parser ends a container that the file leaves open at its end, then reports it.
    if (length === 0) throw unexpected(offset, line, character);
    stack.pop();
    current = stack[stack.length - 1];
  }

  /** The error at `offset`, from what the container has read so far and what the text holds there. */
  function unexpected(offset: number, line: number, character: number): JsonSyntaxError {
    const at = (message: string) => new JsonSyntaxError(message, line + 1, character + 1);
    const found = describeAt(text, offset);
    const char = text[offset];
    const { kind, read, key } = current;
    if (read === 'key') return at(`expected ':' after the property name "${key}", found ${found}`);
    if (read === 'value') {
      // jsonc-parser ends a number before a letter or a second dot ("1x", "1.2.3", "01").
      if (lastNumber.end === offset && char !== undefined && /[\w.]/.test(char)) return numberError(lastNumber.start, lastNumber.line, lastNumber.character);
      if (kind === 'document') return at(`unexpected ${found} after the end of the JSON value`);
      return at(kind === 'object' ? `expected ',' or '}' after the value of "${key}", found ${found}` : `expected ',' or ']' after an array element, found ${found}`);
    }
    // A name or a value belongs here. A string is wrong only inside (an escape, a line break...).
    if (char === '"') return stringError(offset, line, character);
    if (kind === 'object' && read !== 'colon') return at(char === '}' ? "trailing comma before '}'" : `expected a property name in double quotes, found ${found}`);
    if (read === 'comma' && char === ']') return at("trailing comma before ']'");
    if (kind === 'document' && offset >= text.length) return at('the file is empty; it should hold a JSON object');
    if (char === "'") return at('strings must be in double quotes, not single quotes');
    if (char === '-' || (char >= '0' && char <= '9')) return numberError(offset, line, character);
    // jsonc-parser reads "truex" as one unknown word; the value is "true" and the error the "x".
    const word = ['true', 'false', 'null'].find((candidate) => text.startsWith(candidate, offset));
    if (word === undefined) return at(`expected a value, found ${found}`);
    current.read = 'value';
    return unexpected(offset + word.length, line, character + word.length);
  }

  function numberError(offset: number, line: number, character: number): JsonSyntaxError {
    const number = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    number.lastIndex = offset;
    const found = number.exec(text);
    const after = found === null ? undefined : text[offset + found[0].length];
    const message = found === null || after === undefined ? `invalid number at ${describeAt(text, offset)}` : `invalid number "${found[0]}${after}..."`;
    return new JsonSyntaxError(message, line + 1, character + 1);
  }

  /** The first problem inside the string token that starts at `start`, which jsonc-parser reports at the token. */
  function stringError(start: number, line: number, character: number): JsonSyntaxError {
    const at = (offset: number, message: string) => new JsonSyntaxError(message, line + 1, character + offset - start + 1);
    let i = start + 1;
    for (; i < text.length && text.charCodeAt(i) !== 0x22; i++) {
      const code = text.charCodeAt(i);
      if (code < 0x20) return at(i, code === 0x0a ? 'line break inside a string (unterminated string?)' : 'control character inside a string; escape it');
      if (code !== 0x5c) continue;
      const letter = text[i + 1];
      if (letter === 'u') {
        if (!/^[0-9A-Fa-f]{4}$/.test(text.slice(i + 2, i + 6))) return at(i, '\\u must be followed by four hexadecimal digits');
        i += 5;
      } else if (letter !== undefined && '"\\/bfnrt'.includes(letter)) {
        i++;
      } else {
        // Windows paths are the usual cause: "C:\Users\..." must be written "C:\\Users\\..." or with "/".
        return at(i, `invalid escape \\${letter ?? ''} in a string; write a backslash as \\\\ (or use / in paths)`);
      }
    }
    return at(start, 'unterminated string');
  }

  visit(
    text,
    {
      onObjectBegin: (_offset, _length, line, character) => begin({}, line, character),
      onArrayBegin: (_offset, _length, line, character) => begin([], line, character),
      onObjectEnd: end,
      onArrayEnd: end,
      onObjectProperty: (name, _offset, _length, line, character) => {
        const location = { line: line + 1, column: character + 1 };
        const pathText = appendPathSegment(current.pathText, name);
        // Checked against the object being built: a repeated object elsewhere has the same paths.
        if (Object.prototype.hasOwnProperty.call(current.value, name)) {
          // stack[0] is the document and stack[1] its value, which has no segment.
          const path = [...stack.slice(2).map((container) => container.segment!), name];
          duplicateKeys.push({ path, first: locations.get(pathText)! });
        }
        locations.set(pathText, location);
        current.key = name;
        current.keyPathText = pathText;
        current.read = 'key';
      },
      onSeparator: (separator) => {
        current.read = separator === ':' ? 'colon' : 'comma';
      },
      onLiteralValue: (value, offset, length, line, character) => {
        place(value, line, character);
        if (typeof value === 'number') lastNumber = { start: offset, end: offset + length, line, character };
      },
      // Whatever jsonc-parser expected, the message says what the text holds at the error's place.
      onError: (code, offset, _length, line, character) => {
        if (code === ParseErrorCode.InvalidCommentToken) throw new JsonSyntaxError('comments are not allowed in JSON', line + 1, character + 1);
        throw unexpected(offset, line, character);
      },
    },
    STRICT,
  );
  return { value: document, locations, duplicateKeys };
}

function describeAt(text: string, offset: number): string {
  if (offset >= text.length) return 'the end of the file';
  const char = text.codePointAt(offset)!;
  const shown = String.fromCodePoint(char);
  return char < 0x20 || char === 0x7f ? `character U+${char.toString(16).toUpperCase().padStart(4, '0')}` : `'${shown}'`;
}
