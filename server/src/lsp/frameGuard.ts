import { Transform, type TransformCallback } from 'node:stream';

/**
 * Stands between stdin and vscode-jsonrpc's reader and hands it only well-formed frames.
 *
 * Why: the reader trusts the framing. After one header without a usable Content-Length (missing,
 * not a number, negative) it has consumed the header but not the body, and every later message
 * is read from the wrong offset, so the server goes deaf for good while it seems alive; a
 * Content-Length of 10^11 makes it wait for bytes that never come. Here a bad header is dropped
 * and reading resumes at the next `Content-Length:`, so one broken message from an editor plugin
 * costs that message, not the session. Bodies are passed on as they are (the reader reports a
 * body that is not JSON and carries on), with the header rewritten to the Content-Length alone:
 * a Content-Type naming a charset the reader cannot decode would otherwise lose the message too.
 *
 * Given `deliver`, each body goes to it instead (the server's own reader, bodyReader.ts) and
 * nothing is pushed. A body over a mebibyte is copied into one buffer of its length as it comes
 * (a 260 MB didOpen held as chunks and then joined needs twice that at the join).
 */
export class FrameGuard extends Transform {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** The body length of the frame being read, or -1 while reading a header. */
  private bodyLength = -1;
  /** Input is being dropped: the first problem was reported, the bytes after it are counted until a message passes again. */
  private dropping = false;
  private droppedSince = 0;

  /** A big body being filled as it comes, and how much of it is there. */
  private body: Buffer | null = null;
  private bodyFilled = 0;

  /** `problem` hears of each piece of input that was dropped (the server logs it). */
  constructor(
    private readonly problem: (message: string) => void = () => undefined,
    private readonly maxBody = MAX_BODY_BYTES,
    private readonly deliver?: (body: Buffer) => void,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    if (this.body !== null) chunk = this.fillBody(chunk);
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
      this.forwardFrames();
    }
    done();
  }

  override _flush(done: TransformCallback): void {
    const left = this.buffered + this.bodyFilled;
    if (left > 0) this.problem(`the input ended inside a message (${left} bytes dropped)`);
    done();
  }

  /** Copies what the big body still lacks from `chunk`; returns the rest of the chunk, after the body. */
  private fillBody(chunk: Buffer): Buffer {
    const body = this.body!;
    const taken = Math.min(chunk.length, body.length - this.bodyFilled);
    chunk.copy(body, this.bodyFilled, 0, taken);
    this.bodyFilled += taken;
    if (this.bodyFilled < body.length) return chunk.subarray(chunk.length);
    this.body = null;
    this.bodyFilled = 0;
    this.bodyLength = -1;
    this.pass(body);
    return chunk.subarray(taken);
  }

  /** A whole frame's body: to `deliver`, or pushed with a header of its length alone. */
  private pass(body: Buffer): void {
    if (this.dropping && this.droppedSince > 0) this.problem(`dropped ${this.droppedSince} more bytes before the next message`);
    this.dropping = false;
    this.droppedSince = 0;
    if (this.deliver) {
      this.deliver(body);
      return;
    }
    this.push(Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'));
    this.push(body);
  }

  private forwardFrames(): void {
    for (;;) {
      if (this.bodyLength >= 0) {
        // A body arrives in many chunks: they are joined once, when all of it is there.
        if (this.buffered < this.bodyLength) return;
        const data = this.joinBuffered();
        const length = this.bodyLength;
        this.bodyLength = -1;
        this.pass(data.subarray(0, length));
        this.putBack(data.subarray(length));
        continue;
      }
      const data = this.joinBuffered();
      const end = data.indexOf(HEADER_END);
      if (end < 0) {
        if (data.length <= MAX_HEADER_BYTES) {
          this.putBack(data);
          return;
        }
        this.resync(data, `a header of more than ${MAX_HEADER_BYTES} bytes without an end`);
        continue;
      }
      const header = readHeader(data.subarray(0, end).toString('latin1'), this.maxBody);
      if (typeof header !== 'number') {
        // Lines that are all headers make one header, unusable as a whole: it goes, up to its end.
        // A line that is no header, or a Content-Length inside a line, may be the rest of a broken
        // message glued to a good header: reading goes on at that Content-Length.
        if (header.wellFormed && !hasGluedContentLength(data, end)) {
          this.dropped(end + HEADER_END.length, header.why);
          this.putBack(data.subarray(end + HEADER_END.length));
        } else {
          this.resync(data, header.wellFormed ? 'something glued before a Content-Length' : header.why);
        }
        continue;
      }
      this.bodyLength = header;
      const rest = data.subarray(end + HEADER_END.length);
      if (header > BIG_BODY_BYTES) {
        this.body = Buffer.allocUnsafe(header);
        const after = this.fillBody(rest);
        // Filled already (or not yet): what follows it is read as the next frame.
        if (this.body === null) {
          this.putBack(after);
          continue;
        }
        return;
      }
      this.putBack(rest);
    }
  }

  /** Drops the input up to the next `Content-Length:` after its first byte (or all of it but an end that may begin one). */
  private resync(data: Buffer, why: string): void {
    const next = indexOfIgnoreCase(data, CONTENT_LENGTH, 1);
    const from = next >= 0 ? next : data.length - partialPrefixAtEnd(data, CONTENT_LENGTH);
    this.dropped(from, why);
    this.putBack(data.subarray(from));
  }

  /** One line in the log per stretch of garbage, however long (it may come in many pieces). */
  private dropped(bytes: number, why: string): void {
    if (this.dropping) {
      this.droppedSince += bytes;
      return;
    }
    this.dropping = true;
    this.problem(`dropped ${bytes} bytes of input that are not a message: ${why}`);
  }

  private joinBuffered(): Buffer {
    const data = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.buffered);
    this.chunks = [];
    this.buffered = 0;
    return data;
  }

  private putBack(rest: Buffer): void {
    if (rest.length === 0) return;
    this.chunks.unshift(rest);
    this.buffered += rest.length;
  }
}

/**
 * The longest body accepted: longer ones cannot become a JavaScript string (V8's limit is about
 * 2^29 characters), so the reader could not read them anyway.
 */
export const MAX_BODY_BYTES = 2 ** 29 - 24;

/** Bodies longer than this are copied into a buffer of their own length as they arrive. */
const BIG_BODY_BYTES = 1 << 20;

/** Real headers are a few dozen bytes; this leaves room for any header a client may add. */
const MAX_HEADER_BYTES = 8192;

const HEADER_END = Buffer.from('\r\n\r\n', 'ascii');
const CONTENT_LENGTH = Buffer.from('content-length:', 'ascii');
const HEADER_LINE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+:[ \t]*(.*?)[ \t]*$/;

/** The body length a header announces, or why the header cannot be used. */
function readHeader(text: string, maxBody: number): number | { why: string; wellFormed: boolean } {
  let length: number | undefined;
  let why: string | undefined;
  for (const line of text.split('\r\n')) {
    const match = HEADER_LINE.exec(line);
    if (!match) return { why: `a header line that is not "Name: value" (${JSON.stringify(line.slice(0, 40))})`, wellFormed: false };
    const value = match[1];
    const name = line.slice(0, line.indexOf(':')).toLowerCase();
    if (name !== 'content-length' || why !== undefined) continue;
    if (length !== undefined) why = 'two Content-Length headers';
    else if (!/^\d{1,16}$/.test(value)) why = `Content-Length ${JSON.stringify(value.slice(0, 40))} is not a byte count`;
    else if (Number(value) > maxBody) why = `Content-Length ${value} is more than a message can be`;
    else length = Number(value);
  }
  if (why === undefined && length === undefined) why = 'a header without Content-Length';
  return why === undefined ? length! : { why, wellFormed: true };
}

/** Whether a `Content-Length:` starts inside a line (not at its start) before `end`. */
function hasGluedContentLength(data: Buffer, end: number): boolean {
  for (let at = indexOfIgnoreCase(data, CONTENT_LENGTH, 1); at >= 0 && at < end; at = indexOfIgnoreCase(data, CONTENT_LENGTH, at + 1)) {
    if (data[at - 1] !== 0x0a) return true;
  }
  return false;
}

function indexOfIgnoreCase(data: Buffer, lowerNeedle: Buffer, from: number): number {
  for (let i = from; i <= data.length - lowerNeedle.length; i++) {
    if (startsWithIgnoreCase(data, i, lowerNeedle, lowerNeedle.length)) return i;
  }
  return -1;
}

/** How many bytes at the end of `data` begin `lowerNeedle` (the rest of it may be in the next chunk). */
function partialPrefixAtEnd(data: Buffer, lowerNeedle: Buffer): number {
  for (let n = Math.min(lowerNeedle.length - 1, data.length); n > 0; n--) {
    if (startsWithIgnoreCase(data, data.length - n, lowerNeedle, n)) return n;
  }
  return 0;
}

function startsWithIgnoreCase(data: Buffer, at: number, lowerNeedle: Buffer, n: number): boolean {
  for (let j = 0; j < n; j++) if (lowerCase(data[at + j]) !== lowerNeedle[j]) return false;
  return true;
}

function lowerCase(byte: number): number {
  return byte >= 0x41 && byte <= 0x5a ? byte | 0x20 : byte;
}
