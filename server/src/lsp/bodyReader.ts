import { AbstractMessageReader, type DataCallback, type Disposable, type Message, type MessageReader } from 'vscode-languageserver/node';
import { parseJsonBytes } from './jsonBytes';

/** Bodies from this size on are parsed from their bytes (jsonBytes.ts); smaller ones by JSON.parse. */
export const BYTES_PARSE_FROM = 8 << 20;

/** A message body as the reader takes it: the same value JSON.parse gives, a big one without a copy of the body as a string. */
export function parseMessageBody(body: Buffer): unknown {
  return body.length >= BYTES_PARSE_FROM ? parseJsonBytes(body) : JSON.parse(body.toString('utf8'));
}

/**
 * The server's reader on stdio, in place of vscode-jsonrpc's StreamMessageReader: FrameGuard
 * frames the input (main.ts) and hands each body here. The library's reader keeps a message's
 * chunks, joins them and decodes the whole body into a string before JSON.parse makes the text
 * a second string: for a 100k-user didOpen that peaked at 1.65 GB, over the 1.2 GB a server may
 * take (README, Speed). A body that is not JSON is reported as the library's reader reports it,
 * and reading goes on.
 */
export class BodyMessageReader extends AbstractMessageReader implements MessageReader {
  private callback: DataCallback | undefined;
  /** Messages framed before the connection listens. */
  private readonly early: Message[] = [];

  listen(callback: DataCallback): Disposable {
    this.callback = callback;
    for (const message of this.early.splice(0)) callback(message);
    return { dispose: () => (this.callback = undefined) };
  }

  /** One framed body. */
  deliver(body: Buffer): void {
    let message: Message;
    try {
      message = parseMessageBody(body) as Message;
    } catch (error) {
      this.fireError(new Error(`a message body of ${body.length} bytes is not JSON: ${error instanceof Error ? error.message : String(error)}`));
      return;
    }
    if (this.callback) this.callback(message);
    else this.early.push(message);
  }

  /** The input ended. */
  end(): void {
    this.fireClose();
  }
}
