import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { StreamMessageReader, StreamMessageWriter, createMessageConnection, type MessageConnection } from 'vscode-jsonrpc/node';
import {
  InitializeRequest,
  InitializedNotification,
  PublishDiagnosticsNotification,
  DidOpenTextDocumentNotification,
  DidChangeTextDocumentNotification,
  DidCloseTextDocumentNotification,
  ShutdownRequest,
  ExitNotification,
  type ClientCapabilities,
  type Diagnostic,
  type PublishDiagnosticsParams,
  type TextDocumentContentChangeEvent,
} from 'vscode-languageserver-protocol';
import { repoRoot } from '../helpers/repoRoot';

export const SERVER_PATH = join(repoRoot(), 'dist', 'server.js');

/**
 * An independent LSP client for the bundled server, spoken to over stdio with
 * vscode-languageserver-protocol: it records every publishDiagnostics and notification, and
 * answers the server's requests the way a plain editor would (no configuration, no progress).
 */
export class StdioClient {
  readonly connection: MessageConnection;
  readonly process: ChildProcess;
  readonly published: PublishDiagnosticsParams[] = [];
  readonly notifications: { method: string; params: unknown }[] = [];
  readonly stderr: string[] = [];
  /** Methods of the requests the server sent. */
  readonly requests: string[] = [];
  private listeners: (() => void)[] = [];
  private versions = new Map<string, number>();
  /** Every message the server wrote, as parsed from its stdout by this client itself (tapRaw()). */
  private rawOut: Buffer = Buffer.alloc(0);
  private rawMessages: Record<string, unknown>[] | undefined;

  /** What the client answers to workspace/configuration (for each item asked). */
  configuration: unknown = null;

  constructor(args: string[] = ['--stdio']) {
    this.process = spawn(process.execPath, [SERVER_PATH, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.process.stderr!.on('data', (chunk: Buffer) => this.stderr.push(chunk.toString()));
    this.connection = createMessageConnection(new StreamMessageReader(this.process.stdout!), new StreamMessageWriter(this.process.stdin!));
    this.connection.onNotification(PublishDiagnosticsNotification.type, (params) => {
      this.published.push(params);
      this.wake();
    });
    this.connection.onNotification((method, params) => {
      this.notifications.push({ method, params });
      this.wake();
    });
    // vscode-jsonrpc routes $/progress to progress handlers; a token nobody registered lands here.
    this.connection.onUnhandledProgress((params) => {
      this.notifications.push({ method: '$/progress', params });
      this.wake();
    });
    this.connection.onRequest((method, params) => {
      this.requests.push(method);
      this.wake();
      if (method === 'workspace/configuration') return ((params as { items?: unknown[] })?.items ?? [null]).map(() => this.configuration);
      return null;
    });
    this.connection.listen();
  }

  /**
   * From now on, also parse the server's output frame by frame, independently of the connection:
   * an answer to a request written with writeRaw() (whose id the connection does not know) is
   * found with rawResponse().
   */
  tapRaw(): void {
    if (this.rawMessages) return;
    this.rawMessages = [];
    this.process.stdout!.on('data', (chunk: Buffer) => {
      this.rawOut = Buffer.concat([this.rawOut, chunk]);
      for (;;) {
        const end = this.rawOut.indexOf('\r\n\r\n');
        if (end < 0) return;
        const length = Number(/Content-Length: (\d+)/i.exec(this.rawOut.subarray(0, end).toString('latin1'))?.[1]);
        if (this.rawOut.length < end + 4 + length) return;
        this.rawMessages!.push(JSON.parse(this.rawOut.subarray(end + 4, end + 4 + length).toString('utf8')) as Record<string, unknown>);
        this.rawOut = this.rawOut.subarray(end + 4 + length);
        this.wake();
      }
    });
  }

  /** Bytes written to the server's stdin as they are, between the connection's own messages. */
  writeRaw(bytes: string | Buffer): Promise<void> {
    return new Promise((resolve, reject) => this.process.stdin!.write(bytes, (error) => (error ? reject(error) : resolve())));
  }

  /** The server's answer to the request with this id (tapRaw() first), waiting up to `timeoutMs`. */
  async rawResponse(id: number | string, timeoutMs = 10_000): Promise<Record<string, unknown> | undefined> {
    if (!this.rawMessages) throw new Error('tapRaw() first');
    return this.waitFor(() => this.rawMessages!.find((m) => m.id === id && !('method' in m)), timeoutMs);
  }

  /** The server's log messages (window/logMessage) so far. */
  logMessages(): string[] {
    return this.notifications.filter((n) => n.method === 'window/logMessage').map((n) => String((n.params as { message?: unknown }).message));
  }

  async initialize(capabilities: ClientCapabilities = {}, rootPath?: string, initializationOptions?: unknown): Promise<Record<string, unknown>> {
    const result = await this.connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: rootPath ? pathToFileURL(rootPath).href : null,
      capabilities,
      initializationOptions,
    });
    await this.connection.sendNotification(InitializedNotification.type, {});
    return result.capabilities as Record<string, unknown>;
  }

  async open(uri: string, text: string, languageId = 'xml'): Promise<void> {
    this.versions.set(uri, 1);
    await this.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId, version: 1, text } });
  }

  async change(uri: string, changes: TextDocumentContentChangeEvent[]): Promise<number> {
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    await this.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: changes });
    return version;
  }

  async close(uri: string): Promise<void> {
    await this.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  }

  /** The diagnostics of the first publication for `uri` that satisfies `accept`, waiting up to `timeoutMs`. */
  async diagnostics(uri: string, accept: (p: PublishDiagnosticsParams) => boolean = () => true, timeoutMs = 20_000, from = 0): Promise<Diagnostic[]> {
    const found = await this.waitFor(() => this.published.slice(from).find((p) => p.uri === uri && accept(p)), timeoutMs);
    if (!found) throw new Error(`no diagnostics for ${uri} within ${timeoutMs} ms; stderr: ${this.stderr.join('')}`);
    return found.diagnostics;
  }

  async waitFor<T>(probe: () => T | undefined, timeoutMs: number): Promise<T | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = probe();
      if (value !== undefined) return value;
      const left = deadline - Date.now();
      if (left <= 0) return undefined;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 100));
        this.listeners.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private wake(): void {
    const listeners = this.listeners;
    this.listeners = [];
    for (const l of listeners) l();
  }

  async stop(): Promise<void> {
    try {
      await Promise.race([this.connection.sendRequest(ShutdownRequest.type), new Promise((r) => setTimeout(r, 3000))]);
      await this.connection.sendNotification(ExitNotification.type);
    } catch {
      // already gone
    }
    await Promise.race([new Promise((r) => this.process.once('exit', r)), new Promise((r) => setTimeout(r, 3000))]);
    if (this.process.exitCode === null) this.process.kill();
    this.connection.dispose();
  }
}
