import type * as vscode from 'vscode';
import { ExecuteCommandRequest, type CancellationToken, type LanguageClient, type RequestType } from 'vscode-languageclient/node';
import type { AlmaSisExperimental, ServerCommand, ServerCommands } from '../../server/src/protocol/messages';
import { sealSecret, type SealedSecret } from '../../server/src/protocol/sealedSecret';

/**
 * The language server as the commands use it: the engine's work runs there, asked for with the
 * typed requests and commands of the shared protocol. Calls made while the server is still
 * starting wait for it.
 */
export class AlmaServer {
  constructor(
    readonly client: LanguageClient,
    private readonly started: () => Promise<void>,
  ) {}

  async request<P, R>(type: RequestType<P, R, void>, params: P, token?: CancellationToken): Promise<R> {
    await this.started();
    // `params as never`: the client's overloads wrap P in a conditional type TypeScript cannot match for a generic P.
    return this.client.sendRequest(type, params as never, token);
  }

  async command<K extends ServerCommand>(command: K, args: ServerCommands[K]['args'], token?: CancellationToken, workDoneToken?: string): Promise<ServerCommands[K]['result']> {
    await this.started();
    const params = { command, arguments: [args], ...(workDoneToken === undefined ? {} : { workDoneToken }) };
    return (await this.client.sendRequest(ExecuteCommandRequest.type, params, token)) as ServerCommands[K]['result'];
  }

  /** A secret for the server's eyes only: LSP traces (alma-sis.trace.server) log every message. */
  async seal(secret: string): Promise<SealedSecret> {
    await this.started();
    const key = (this.client.initializeResult?.capabilities.experimental as AlmaSisExperimental | undefined)?.almaSis?.sealKey;
    if (typeof key !== 'string') throw new Error('the language server did not offer a key to seal the password with; restart it (Alma SIS: Restart Language Server)');
    return sealSecret(secret, key);
  }

  uri(uri: vscode.Uri): string {
    return this.client.code2ProtocolConverter.asUri(uri);
  }
}
