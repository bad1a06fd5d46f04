import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { nearest } from '../text/similarity';

/**
 * Reading the hand-written JSON files of the configuration (alma-sis.config.json, code tables)
 * with errors that point at a line and name the JSON path. JSON.parse is not enough: on Node 20
 * several of its syntax errors carry no position, and it silently keeps the last of two
 * duplicated keys, which hides typos such as a second "rules" object.
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
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(segment)) text += text === '' ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
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
  const parser = new JsonParser(text);
  try {
    return parser.parseDocument();
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error;
    const { line, column } = locationAt(text, error.offset);
    throw new ConfigError(filePath, [{ message: `JSON syntax error: ${error.message}`, line, column }]);
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

function locationAt(text: string, offset: number): JsonLocation {
  let line = 1;
  let lineStart = 0;
  for (let index = text.indexOf('\n'); index !== -1 && index < offset; index = text.indexOf('\n', index + 1)) {
    line++;
    lineStart = index + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

class JsonSyntaxError extends Error {
  constructor(message: string, readonly offset: number) {
    super(message);
  }
}

/** Deep enough for any real configuration; stops "[[[[..." from overflowing the stack. */
const MAX_DEPTH = 64;

class JsonParser {
  private offset = 0;
  private readonly locations = new Map<string, JsonLocation>();
  private readonly duplicateKeys: JsonDocument['duplicateKeys'] = [];
  /** Line bookkeeping is incremental so recording a location is O(1), not a rescan. */
  private line = 1;
  private lineStart = 0;
  private scannedTo = 0;

  constructor(private readonly text: string) {
    // Editors on Windows may save a byte order mark; it is not content.
    if (text.charCodeAt(0) === 0xfeff) this.offset = 1;
  }

  parseDocument(): JsonDocument {
    this.skipWhitespace();
    if (this.offset >= this.text.length) throw new JsonSyntaxError('the file is empty; it should hold a JSON object', this.offset);
    const value = this.parseValue([], 0);
    this.skipWhitespace();
    if (this.offset < this.text.length) {
      throw new JsonSyntaxError(`unexpected ${this.describeHere()} after the end of the JSON value`, this.offset);
    }
    return { value, locations: this.locations, duplicateKeys: this.duplicateKeys };
  }

  private parseValue(path: (string | number)[], depth: number): unknown {
    const char = this.text[this.offset];
    if (char === '{') return this.parseObject(path, depth + 1);
    if (char === '[') return this.parseArray(path, depth + 1);
    if (char === '"') return this.parseString();
    if (char === '-' || (char >= '0' && char <= '9')) return this.parseNumber();
    for (const [word, value] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.text.startsWith(word, this.offset)) {
        this.offset += word.length;
        return value;
      }
    }
    if (char === "'") throw new JsonSyntaxError("strings must be in double quotes, not single quotes", this.offset);
    throw new JsonSyntaxError(`expected a value, found ${this.describeHere()}`, this.offset);
  }

  private parseObject(path: (string | number)[], depth: number): Record<string, unknown> {
    this.checkDepth(depth);
    const result: Record<string, unknown> = {};
    const seen = new Map<string, JsonLocation>();
    this.offset++;
    this.skipWhitespace();
    if (this.text[this.offset] === '}') {
      this.offset++;
      return result;
    }
    for (;;) {
      if (this.text[this.offset] !== '"') {
        const found = this.describeHere();
        throw new JsonSyntaxError(
          this.text[this.offset] === '}' ? "trailing comma before '}'" : `expected a property name in double quotes, found ${found}`,
          this.offset,
        );
      }
      const keyLocation = this.here();
      const key = this.parseString();
      const memberPath = [...path, key];
      const earlier = seen.get(key);
      if (earlier !== undefined) this.duplicateKeys.push({ path: memberPath, first: earlier });
      seen.set(key, keyLocation);
      this.locations.set(formatJsonPath(memberPath), keyLocation);
      this.skipWhitespace();
      if (this.text[this.offset] !== ':') throw new JsonSyntaxError(`expected ':' after the property name "${key}", found ${this.describeHere()}`, this.offset);
      this.offset++;
      this.skipWhitespace();
      // defineProperty, not assignment: a "__proto__" key must stay a plain (and then unknown) key.
      Object.defineProperty(result, key, { value: this.parseValue(memberPath, depth), enumerable: true, writable: true, configurable: true });
      this.skipWhitespace();
      const next = this.text[this.offset];
      this.offset++;
      if (next === '}') return result;
      if (next !== ',') throw new JsonSyntaxError(`expected ',' or '}' after the value of "${key}", found ${this.describeAt(this.offset - 1)}`, this.offset - 1);
      this.skipWhitespace();
    }
  }

  private parseArray(path: (string | number)[], depth: number): unknown[] {
    this.checkDepth(depth);
    const result: unknown[] = [];
    this.offset++;
    this.skipWhitespace();
    if (this.text[this.offset] === ']') {
      this.offset++;
      return result;
    }
    for (;;) {
      if (this.text[this.offset] === ']') throw new JsonSyntaxError("trailing comma before ']'", this.offset);
      const elementPath = [...path, result.length];
      this.locations.set(formatJsonPath(elementPath), this.here());
      result.push(this.parseValue(elementPath, depth));
      this.skipWhitespace();
      const next = this.text[this.offset];
      this.offset++;
      if (next === ']') return result;
      if (next !== ',') throw new JsonSyntaxError(`expected ',' or ']' after an array element, found ${this.describeAt(this.offset - 1)}`, this.offset - 1);
      this.skipWhitespace();
    }
  }

  private parseString(): string {
    const start = this.offset;
    this.offset++;
    let result = '';
    let runStart = this.offset;
    for (;;) {
      if (this.offset >= this.text.length) throw new JsonSyntaxError('unterminated string', start);
      const code = this.text.charCodeAt(this.offset);
      if (code === 0x22) break;
      if (code < 0x20) {
        throw new JsonSyntaxError(code === 0x0a ? 'line break inside a string (unterminated string?)' : 'control character inside a string; escape it', this.offset);
      }
      if (code !== 0x5c) {
        this.offset++;
        continue;
      }
      result += this.text.slice(runStart, this.offset);
      result += this.parseEscape();
      runStart = this.offset;
    }
    result += this.text.slice(runStart, this.offset);
    this.offset++;
    return result;
  }

  private parseEscape(): string {
    const escapeStart = this.offset;
    const letter = this.text[this.offset + 1];
    this.offset += 2;
    const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
    if (letter !== undefined && Object.prototype.hasOwnProperty.call(simple, letter)) return simple[letter];
    if (letter === 'u') {
      const hex = this.text.slice(this.offset, this.offset + 4);
      if (!/^[0-9A-Fa-f]{4}$/.test(hex)) throw new JsonSyntaxError('\\u must be followed by four hexadecimal digits', escapeStart);
      this.offset += 4;
      return String.fromCharCode(parseInt(hex, 16));
    }
    // Windows paths are the usual cause: "C:\Users\..." must be written "C:\\Users\\..." or with "/".
    throw new JsonSyntaxError(`invalid escape \\${letter ?? ''} in a string; write a backslash as \\\\ (or use / in paths)`, escapeStart);
  }

  private parseNumber(): number {
    const match = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    match.lastIndex = this.offset;
    const found = match.exec(this.text);
    if (found === null) throw new JsonSyntaxError(`invalid number at ${this.describeHere()}`, this.offset);
    const after = this.text[this.offset + found[0].length];
    if (after !== undefined && /[\w.]/.test(after)) throw new JsonSyntaxError(`invalid number "${found[0]}${after}..."`, this.offset);
    this.offset += found[0].length;
    return Number(found[0]);
  }

  private skipWhitespace(): void {
    for (;;) {
      const char = this.text[this.offset];
      if (char === ' ' || char === '\t' || char === '\n' || char === '\r') this.offset++;
      else if (char === '/' && (this.text[this.offset + 1] === '/' || this.text[this.offset + 1] === '*')) {
        throw new JsonSyntaxError('comments are not allowed in JSON', this.offset);
      } else return;
    }
  }

  private checkDepth(depth: number): void {
    if (depth > MAX_DEPTH) throw new JsonSyntaxError(`nested more than ${MAX_DEPTH} levels deep`, this.offset);
  }

  private here(): JsonLocation {
    // Only up to the offset: an indexOf('\n') looks on to the next line break, which in a file on
    // one line (a minified export) is the end of the file, at every key: minutes for 10 MB.
    const text = this.text;
    for (let index = this.scannedTo; index < this.offset; index++) {
      if (text.charCodeAt(index) === 0x0a) {
        this.line++;
        this.lineStart = index + 1;
      }
    }
    this.scannedTo = Math.max(this.scannedTo, this.offset);
    return { line: this.line, column: this.offset - this.lineStart + 1 };
  }

  private describeHere(): string {
    return this.describeAt(this.offset);
  }

  private describeAt(offset: number): string {
    if (offset >= this.text.length) return 'the end of the file';
    const char = this.text.codePointAt(offset)!;
    const shown = String.fromCodePoint(char);
    return char < 0x20 || char === 0x7f ? `character U+${char.toString(16).toUpperCase().padStart(4, '0')}` : `'${shown}'`;
  }
}
