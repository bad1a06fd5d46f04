/**
 * Entry point of the bundled language server (dist/server.js, bin `alma-sis-language-server`).
 * `createConnection(ProposedFeatures.all)` picks the transport from the command line: `--stdio`
 * for any editor, IPC when VS Code forks it (`--node-ipc`), or `--socket=N`.
 */
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { AlmaSisServer } from './server';

const connection = createConnection(ProposedFeatures.all);
// Never exit on a stray error: log it; the editor keeps its server.
process.on('uncaughtException', (error) => connection.console.error(`uncaught: ${error.stack ?? String(error)}`));
process.on('unhandledRejection', (reason) => connection.console.error(`unhandled rejection: ${String(reason)}`));
new AlmaSisServer(connection).listen();
