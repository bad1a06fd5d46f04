/**
 * JSON parsed straight from its UTF-8 bytes, for the server's biggest messages: a didOpen of a
 * 260 MB user file. `JSON.parse(body.toString())` first makes the whole body a string (520 MB
 * once the text holds one character past Latin-1) and then the text value a second one; here the
 * text value is unescaped in place in the body's own bytes and decoded once, so the message costs
 * its bytes and the one string the document keeps. Measured on a 100k-user didOpen: see the
 * README's Speed section.
 *
 * The result equals JSON.parse's for every JSON text; input that is not JSON throws a SyntaxError.
 * The body's bytes are overwritten where long strings stood: it must not be read again.
 */
export function parseJsonBytes(body: Buffer): unknown {
  const parser = new BytesParser(body);
  parser.skipSpace();
  const value = parser.value(0);
  parser.skipSpace();
  if (parser.at < body.length) throw parser.fail('unexpected data after the JSON value');
  return value;
}

/** Strings shorter than this are decoded by JSON.parse on their slice: short, and exactly its rules. */
const LONG_STRING_BYTES = 1 << 16;

/** Deeper nesting is not a message: refused before the stack is. */
const MAX_DEPTH = 512;

class BytesParser {
  at = 0;

  constructor(private readonly bytes: Buffer) {}

  fail(why: string): SyntaxError {
    return new SyntaxError(`${why} at byte ${this.at} of the message body`);
  }

  skipSpace(): void {
    const bytes = this.bytes;
    let at = this.at;
    while (at < bytes.length) {
      const b = bytes[at];
      if (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09) break;
      at++;
    }
    this.at = at;
  }

  value(depth: number): unknown {
    if (depth > MAX_DEPTH) throw this.fail(`nesting deeper than ${MAX_DEPTH}`);
    const b = this.bytes[this.at];
    if (b === 0x7b) return this.object(depth);
    if (b === 0x5b) return this.array(depth);
    if (b === 0x22) return this.string();
    if (b === 0x74) return this.literal('true', true);
    if (b === 0x66) return this.literal('false', false);
    if (b === 0x6e) return this.literal('null', null);
    if (b === 0x2d || (b >= 0x30 && b <= 0x39)) return this.number();
    throw this.fail(this.at >= this.bytes.length ? 'the body ends where a value should be' : 'a value expected');
  }

  private object(depth: number): Record<string, unknown> {
    // Keys are set as JSON.parse sets them: "__proto__" becomes an own property, not the prototype.
    const result: Record<string, unknown> = {};
    this.at++;
    this.skipSpace();
    if (this.bytes[this.at] === 0x7d) {
      this.at++;
      return result;
    }
    for (;;) {
      if (this.bytes[this.at] !== 0x22) throw this.fail('a property name expected');
      const key = this.string();
      this.skipSpace();
      if (this.bytes[this.at] !== 0x3a) throw this.fail("':' expected");
      this.at++;
      this.skipSpace();
      Object.defineProperty(result, key, { value: this.value(depth + 1), writable: true, enumerable: true, configurable: true });
      this.skipSpace();
      const next = this.bytes[this.at++];
      if (next === 0x7d) return result;
      if (next !== 0x2c) {
        this.at--;
        throw this.fail("',' or '}' expected");
      }
      this.skipSpace();
    }
  }

  private array(depth: number): unknown[] {
    const result: unknown[] = [];
    this.at++;
    this.skipSpace();
    if (this.bytes[this.at] === 0x5d) {
      this.at++;
      return result;
    }
    for (;;) {
      result.push(this.value(depth + 1));
      this.skipSpace();
      const next = this.bytes[this.at++];
      if (next === 0x5d) return result;
      if (next !== 0x2c) {
        this.at--;
        throw this.fail("',' or ']' expected");
      }
      this.skipSpace();
    }
  }

  private literal(word: string, value: boolean | null): boolean | null {
    for (let k = 0; k < word.length; k++) {
      if (this.bytes[this.at + k] !== word.charCodeAt(k)) throw this.fail(`'${word}' expected`);
    }
    this.at += word.length;
    return value;
  }

  private number(): number {
    const start = this.at;
    const bytes = this.bytes;
    let at = start;
    while (at < bytes.length) {
      const b = bytes[at];
      if ((b >= 0x30 && b <= 0x39) || b === 0x2d || b === 0x2b || b === 0x2e || b === 0x65 || b === 0x45) at++;
      else break;
    }
    const text = bytes.toString('latin1', start, at);
    if (!/^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(text)) throw this.fail(`'${text.slice(0, 40)}' is not a JSON number`);
    this.at = at;
    return Number(text);
  }

  /** The string whose opening quote is at `at`. */
  private string(): string {
    const bytes = this.bytes;
    const start = this.at + 1;
    let at = start;
    let escapes = false;
    for (;;) {
      if (at >= bytes.length) throw this.fail('a string that never ends');
      const b = bytes[at];
      if (b === 0x22) break;
      if (b === 0x5c) {
        escapes = true;
        at += 2;
        continue;
      }
      if (b < 0x20) {
        this.at = at;
        throw this.fail('a control character inside a string');
      }
      at++;
    }
    const end = at;
    this.at = end + 1;
    if (!escapes) return bytes.toString('utf8', start, end);
    // JSON.parse on the slice decides short strings, and the rare long one with a lone surrogate
    // escape (JSON keeps it; UTF-8 has no way to write it).
    if (end - start < LONG_STRING_BYTES || this.hasLoneSurrogate(start, end)) return JSON.parse(bytes.toString('utf8', start - 1, end + 1)) as string;
    return this.unescapeInPlace(start, end);
  }

  /** Whether a \u escape between `start` and `end` is half a surrogate pair without the other half. */
  private hasLoneSurrogate(start: number, end: number): boolean {
    const bytes = this.bytes;
    let pendingHigh = false;
    for (let at = start; at < end; at++) {
      if (bytes[at] !== 0x5c) {
        if (pendingHigh) return true;
        continue;
      }
      if (bytes[at + 1] !== 0x75) {
        if (pendingHigh) return true;
        at++;
        continue;
      }
      const unit = this.hex4(at + 2);
      at += 5;
      if (unit >= 0xdc00 && unit <= 0xdfff) {
        if (!pendingHigh) return true;
        pendingHigh = false;
      } else {
        if (pendingHigh) return true;
        pendingHigh = unit >= 0xd800 && unit <= 0xdbff;
      }
    }
    return pendingHigh;
  }

  /**
   * Rewrites the escapes of the string between `start` and `end` as the UTF-8 they stand for, in
   * place (each is at least as long as what it stands for), and decodes the result once.
   */
  private unescapeInPlace(start: number, end: number): string {
    const bytes = this.bytes;
    let read = start;
    let write = start;
    while (read < end) {
      const b = bytes[read];
      if (b !== 0x5c) {
        // Runs without escapes move as a block.
        let run = read + 1;
        while (run < end && bytes[run] !== 0x5c) run++;
        if (write !== read) bytes.copy(bytes, write, read, run);
        write += run - read;
        read = run;
        continue;
      }
      const e = bytes[read + 1];
      read += 2;
      switch (e) {
        case 0x22: bytes[write++] = 0x22; break;
        case 0x5c: bytes[write++] = 0x5c; break;
        case 0x2f: bytes[write++] = 0x2f; break;
        case 0x62: bytes[write++] = 0x08; break;
        case 0x66: bytes[write++] = 0x0c; break;
        case 0x6e: bytes[write++] = 0x0a; break;
        case 0x72: bytes[write++] = 0x0d; break;
        case 0x74: bytes[write++] = 0x09; break;
        case 0x75: {
          let unit = this.hex4(read);
          read += 4;
          if (unit >= 0xd800 && unit <= 0xdbff && bytes[read] === 0x5c && bytes[read + 1] === 0x75) {
            const low = this.hex4(read + 2);
            if (low >= 0xdc00 && low <= 0xdfff) {
              unit = 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
              read += 6;
            }
          }
          write = writeUtf8(bytes, write, unit);
          break;
        }
        default:
          this.at = read - 1;
          throw this.fail('an escape that JSON does not have');
      }
    }
    return bytes.toString('utf8', start, write);
  }

  private hex4(at: number): number {
    let value = 0;
    for (let k = 0; k < 4; k++) {
      const b = this.bytes[at + k];
      const digit = b >= 0x30 && b <= 0x39 ? b - 0x30 : b >= 0x61 && b <= 0x66 ? b - 0x57 : b >= 0x41 && b <= 0x46 ? b - 0x37 : -1;
      if (digit < 0) {
        this.at = at;
        throw this.fail('\\u not followed by four hex digits');
      }
      value = value * 16 + digit;
    }
    return value;
  }
}

function writeUtf8(bytes: Buffer, at: number, code: number): number {
  if (code < 0x80) {
    bytes[at] = code;
    return at + 1;
  }
  if (code < 0x800) {
    bytes[at] = 0xc0 | (code >> 6);
    bytes[at + 1] = 0x80 | (code & 0x3f);
    return at + 2;
  }
  if (code < 0x10000) {
    bytes[at] = 0xe0 | (code >> 12);
    bytes[at + 1] = 0x80 | ((code >> 6) & 0x3f);
    bytes[at + 2] = 0x80 | (code & 0x3f);
    return at + 3;
  }
  bytes[at] = 0xf0 | (code >> 18);
  bytes[at + 1] = 0x80 | ((code >> 12) & 0x3f);
  bytes[at + 2] = 0x80 | ((code >> 6) & 0x3f);
  bytes[at + 3] = 0x80 | (code & 0x3f);
  return at + 4;
}
