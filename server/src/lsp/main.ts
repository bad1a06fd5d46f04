/**
 * Entry point of the bundled language server (dist/server.js, bin `alma-sis-language-server`).
 * `createConnection(ProposedFeatures.all)` picks the transport from the command line: IPC when
 * VS Code forks it (`--node-ipc`), or `--socket=N`. With `--stdio` the input first passes through
 * a FrameGuard, so that a malformed frame costs one message instead of the whole session, and its
 * bodies go to our own reader (bodyReader.ts), which parses a big one without copying it.
 */
import { format } from 'node:util';
import { createConnection, ProposedFeatures, StreamMessageWriter, type Connection } from 'vscode-languageserver/node';
import { AlmaSisServer } from './server';
import { FrameGuard, MAX_BODY_BYTES } from './frameGuard';
import { BodyMessageReader } from './bodyReader';

let connection: Connection;
if (process.argv.includes('--stdio')) {
  const reader = new BodyMessageReader();
  const input = new FrameGuard((message) => connection.console.warn(`input: ${message}`), MAX_BODY_BYTES, (body) => reader.deliver(body));
  input.on('finish', () => reader.end());
  process.stdin.pipe(input);
  connection = createConnection(ProposedFeatures.all, reader, new StreamMessageWriter(process.stdout));
  // Given streams, the library no longer routes console output away from stdout, where one
  // stray console.log would corrupt the protocol: it goes to the client's log instead.
  console.log = console.info = console.debug = (...args: unknown[]) => connection.console.log(format(...args));
  console.warn = (...args: unknown[]) => connection.console.warn(format(...args));
  console.error = (...args: unknown[]) => connection.console.error(format(...args));
} else {
  connection = createConnection(ProposedFeatures.all);
}
// Never exit on a stray error: log it; the editor keeps its server.
process.on('uncaughtException', (error) => connection.console.error(`uncaught: ${error.stack ?? String(error)}`));
process.on('unhandledRejection', (reason) => connection.console.error(`unhandled rejection: ${String(reason)}`));
new AlmaSisServer(connection).listen();
