import { ErrorCodes, LSPErrorCodes, ResponseError, type CancellationToken } from 'vscode-languageserver';
import { SERVER_COMMANDS, type ServerCommand, type ServerCommands } from '../../protocol/messages';
import { isRecord } from '../wire';
import { isAbortError, type CommandContext } from './context';
import { convertToV2 } from './convert';
import { createZip } from './createZip';
import { runDryRun } from './dryRun';
import { generateSample, newFileFromUser } from './samples';
import { runImportCodeTables } from './importCodeTables';
import { upload } from './upload';
import { previewXslConversion } from './xslPreview';

export { profilesFor, watchedConfigFiles } from './profiles';
export { pinHostKey } from './upload';
export type { CommandContext, ProgressReporter } from './context';

type Handler<K extends ServerCommand> = (args: ServerCommands[K]['args'], context: CommandContext, token: CancellationToken, workDoneToken?: string | number) => ServerCommands[K]['result'] | Promise<ServerCommands[K]['result']>;

const HANDLERS: { [K in ServerCommand]: Handler<K> } = {
  'alma-sis.createZip': createZip,
  'alma-sis.dryRun': runDryRun,
  'alma-sis.generateSample': generateSample,
  'alma-sis.importCodeTables': (args, context) => runImportCodeTables(args, context),
  'alma-sis.newFileFromUser': (args, context) => newFileFromUser(args, context),
  'alma-sis.convertToV2': (args, context) => convertToV2(args, context),
  'alma-sis.previewXslConversion': previewXslConversion,
  'alma-sis.upload': upload,
};

/**
 * workspace/executeCommand: the engine's work on the server's side of the wire, for any client.
 * Every answer is a result or a ResponseError whose message is fit to show; a cancel is
 * RequestCancelled.
 */
export async function executeServerCommand(params: unknown, context: CommandContext, token: CancellationToken): Promise<unknown> {
  const command = isRecord(params) ? params.command : undefined;
  if (typeof command !== 'string' || !(SERVER_COMMANDS as readonly string[]).includes(command)) {
    return new ResponseError(ErrorCodes.InvalidParams, `unknown command ${String(command)}; the server has ${SERVER_COMMANDS.join(', ')}`);
  }
  const args = Array.isArray((params as { arguments?: unknown }).arguments) ? (params as { arguments: unknown[] }).arguments[0] : undefined;
  if (!isRecord(args)) return new ResponseError(ErrorCodes.InvalidParams, `${command} takes one argument object`);
  const workDoneToken = (params as { workDoneToken?: string | number }).workDoneToken;
  try {
    const handler = HANDLERS[command as ServerCommand] as Handler<ServerCommand>;
    return await handler(args as never, context, token, workDoneToken);
  } catch (error) {
    if (token.isCancellationRequested || isAbortError(error)) return new ResponseError(LSPErrorCodes.RequestCancelled, 'cancelled');
    if (error instanceof ResponseError) return error;
    // Answered with its message, which is what the person needs (a folder that is not there, a disk
    // that is full); the stack goes to the log.
    context.log(`${command} failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    return new ResponseError(ErrorCodes.InternalError, error instanceof Error ? error.message : String(error));
  }
}
