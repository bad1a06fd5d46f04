import { open, stat } from 'node:fs/promises';
import { basename, dirname, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import {
  TextDocuments,
  TextDocumentSyncKind,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  DocumentDiagnosticReportKind,
  ResponseError,
  ErrorCodes,
  LSPErrorCodes,
  type Connection,
  type InitializeParams,
  type InitializeResult,
  type Diagnostic,
  type CancellationToken,
  type TextDocumentsConfiguration,
  type DocumentDiagnosticReport,
  type ServerCapabilities,
  type CodeActionContext,
  type Position,
} from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import {
  IncrementalDocument,
  EditableText,
  expandInputs,
  validateInputs,
  countSeverities,
  languageService,
  type DocumentResult,
  type FileIdentifiers,
  type ValidationSettings,
  type FileSettings,
  type FileSettingsOptions,
  resolveFileSettings,
  resolveCodeTablesPath,
  feedRank,
  isBaseline,
  compareInFeed,
  isAlmaUserFile,
  identifierSignature,
  sameIdentifierSignature,
  earlierFilesSignature,
  NO_IDENTIFIER_SIGNATURE,
  type IdentifierSignature,
} from '../engine';
import {
  CONFIGURATION_SECTION,
  DocumentStatusNotification,
  PinHostKeyRequest,
  ProfilesRequest,
  SERVER_COMMANDS,
  ValidateFileOnDiskRequest,
  WatchedConfigFilesRequest,
  WorkspaceTrustedNotification,
  type AlmaSisExperimental,
  type AlmaSisInitializationOptions,
  type ConfigInUse,
  type SetInUse,
  type DocumentStatusParams,
  type ProfilesResult,
  type ValidateFileOnDiskParams,
  type ValidateFileOnDiskResult,
} from '../protocol/messages';
import { readSettings, settingsSourceOf, type AlmaSisSettings } from '../protocol/settings';
import { SecretOpener } from '../protocol/sealedSecret';
import { executeServerCommand, pinHostKey, profilesFor, watchedConfigFiles, type CommandContext } from './commands';
import { toDiagnostics, configErrorDiagnostics } from './diagnostics';
import { FolderSets, type SetOrder } from './folderSets';
import { DocumentScheduler } from './documentScheduler';
import { checkedDocumentSync, documentUriOf, isRecord, positionOf, rangeOf } from './wire';

/** One open document the server follows. */
interface OpenDocument {
  uri: string;
  /** File system path for file: URIs, else undefined (untitled buffers). */
  fsPath?: string;
  incremental: IncrementalDocument | null;
  /** Whether the last look at the content found an Alma user file. */
  alma: boolean;
  /** The last published validation's diagnostics (for code actions and pulls); its version is the scheduler's. */
  diagnostics: Diagnostic[];
  settings?: FileSettings;
  client?: AlmaSisSettings;
  /**
   * Counts the times `settings` and `client` were dropped to be resolved anew: a resolution still
   * under way when they are dropped again must not store what it read of the old configuration.
   */
  settingsEpoch: number;
  /** The identifier signature of the last validation: when it changes, later files of the set are validated again. */
  identifierSignature: IdentifierSignature;
  /** The last status sent, so that a set learnt later can be told without validating again. */
  status?: DocumentStatusParams;
  /** What the incremental document was last configured with. */
  configuredWith?: { settings: FileSettings; earlier: string };
}

/** Watched when the client lets the server register watchers: configurations, code tables, and the XML files of the sets. */
const WATCHED_FILES = ['**/alma-sis.config.json', '**/*.codetables.json', '**/*code-tables*.json', '**/*.xml'];

/** Lets the event loop take the messages that arrived (setImmediate runs after pending I/O). */
const giveWay = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * The Alma SIS language server: a thin adapter from LSP to the engine. Diagnostics (pushed, or
 * pulled when the client offers it), incremental validation while typing, sets across the files
 * of a folder, validation of files on disk, and the language service (completion, hover, quick
 * fixes, outline, folding). Every handler is guarded: a failure is logged and answered.
 */
export class AlmaSisServer {
  private readonly open = new Map<string, OpenDocument>();
  private readonly documents: TextDocuments<EditableText>;
  private readonly sets: FolderSets;
  /** When each open document (by URI) is validated, and the pulls waiting for it. */
  private readonly scheduler: DocumentScheduler<string>;
  private workspaceFolders: string[] = [];
  /** False while the client says the workspace is not trusted (AlmaSisInitializationOptions). */
  private workspaceTrusted = true;
  private readonly secrets = new SecretOpener();
  private supportsConfiguration = false;
  private supportsPull = false;
  private supportsRefresh = false;
  private supportsProgress = false;
  private supportsWatchRegistration = false;
  /** The client shows a fold's collapsedText (LSP 3.17): folded users then read their primary_id. */
  private supportsCollapsedText = false;
  private globalClient: AlmaSisSettings = readSettings(settingsSourceOf({}));
  /** Configuration files that currently show problems, to clear them once fixed. */
  private readonly configProblemUris = new Set<string>();
  /** Files whose diagnostics Validate File on Disk pushed: a client that pulls shows those beside its pulled ones. */
  private readonly publishedFromDisk = new Set<string>();

  constructor(private readonly connection: Connection) {
    const server = this;
    // The documents follow the client's edits through IncrementalDocument, which sees each change.
    const config: TextDocumentsConfiguration<EditableText> = {
      create: (uri, languageId, version, content) => new EditableText(uri, languageId, version, content),
      update: (document, changes, version) => server.applyChanges(document, changes, version),
    };
    this.documents = new TextDocuments(config);
    this.scheduler = new DocumentScheduler(
      (uri) => {
        const state = this.open.get(uri);
        return state ? this.validate(state) : undefined;
      },
      (_uri, error) => this.connection.console.error(`validate failed: ${describe(error)}`),
    );
    this.sets = new FolderSets({
      openUsers: (path) => this.openUsers(path),
      progress: (title) => this.beginProgress(title),
      log: (message) => this.log(message),
      folderChanged: (folder) => this.revalidateWhere((d) => d.fsPath !== undefined && d.fsPath.startsWith(folder + sep)),
    });
  }

  listen(): void {
    const c = this.connection;
    c.onInitialize((params) => this.initialize(params));
    c.onInitialized(() => this.guard('initialized', () => this.initialized(), undefined));
    this.documents.onDidOpen((e) => this.guard('didOpen', () => this.opened(e.document), undefined));
    this.documents.onDidChangeContent((e) => this.guard('didChange', () => this.changed(e.document), undefined));
    this.documents.onDidSave((e) => this.guard('didSave', () => this.saved(e.document), undefined));
    this.documents.onDidClose((e) => this.guard('didClose', () => this.closed(e.document), undefined));
    c.onDidChangeConfiguration((params) => this.guard('didChangeConfiguration', () => this.configurationChanged(isRecord(params) ? params.settings : undefined), undefined));
    c.onDidChangeWatchedFiles((params) => this.guard('didChangeWatchedFiles', () => this.watchedFilesChanged(changedUris(params)), undefined));
    c.onNotification(WorkspaceTrustedNotification, () => {
      this.workspaceTrusted = true;
    });
    c.onRequest(ValidateFileOnDiskRequest, (params: ValidateFileOnDiskParams, token: CancellationToken) => this.validateFileOnDisk(params, token));
    // The engine's work for the commands (zip, dry-run, samples, upload) and what their pickers need.
    const commands = this.commandContext();
    c.onExecuteCommand((params, token) => this.guard('executeCommand', () => executeServerCommand(params, commands, token), new ResponseError(ErrorCodes.InternalError, 'the command failed; see the server log')));
    c.onRequest(ProfilesRequest, (params) => this.guard<ProfilesResult | ResponseError<void>>('profiles', () => profilesFor(isRecord(params) ? params : {}, commands), new ResponseError(ErrorCodes.InternalError, 'the profiles could not be read; see the server log')));
    c.onRequest(WatchedConfigFilesRequest, (params) => this.guard('watchedConfigFiles', () => watchedConfigFiles(isRecord(params) && Array.isArray(params.configPaths) ? params.configPaths : [], commands), { codeTablesFiles: [] }));
    c.onRequest(PinHostKeyRequest, (params) => this.guard('pinHostKey', () => (isRecord(params) ? pinHostKey(params) : new ResponseError(ErrorCodes.InvalidParams, 'almaSis/pinHostKey needs { configPath, profile, fingerprint, text }')), new ResponseError(ErrorCodes.InternalError, 'the fingerprint could not be pinned; see the server log')));
    c.languages.diagnostics.on((params) => {
      const uri = documentUriOf(params);
      if (uri === undefined) return new ResponseError(ErrorCodes.InvalidParams, 'textDocument/diagnostic needs { textDocument: { uri } }', { retriggerRequest: false });
      return this.pullDiagnostics(uri);
    });
    // The requests' parameters are checked first (wire.ts): a malformed one is answered with
    // InvalidParams, not with a TypeError from deep inside the engine.
    c.onCompletion((params) => this.guard('completion', () => {
      const at = this.positionRequest('textDocument/completion', params);
      if (at instanceof ResponseError) return at;
      return at.doc ? languageService.doComplete(at.doc.document, at.position, this.settingsOf(at.doc.uri)) : null;
    }, null));
    c.onHover((params) => this.guard('hover', () => {
      const at = this.positionRequest('textDocument/hover', params);
      if (at instanceof ResponseError) return at;
      return at.doc ? languageService.doHover(at.doc.document, at.position, this.settingsOf(at.doc.uri)) : null;
    }, null));
    c.onCodeAction((params) => this.guard('codeAction', () => {
      const uri = documentUriOf(params);
      const range = rangeOf(isRecord(params) ? params.range : undefined);
      if (uri === undefined || !range) return invalidParams('textDocument/codeAction', '{ textDocument: { uri }, range, context }');
      const doc = this.almaDocument(uri);
      if (!doc) return null;
      const inside = { start: inText(doc.document, range.start), end: inText(doc.document, range.end) };
      return languageService.getCodeActions(doc.document, inside, codeActionContextOf(params.context), this.settingsOf(doc.uri), doc.state.diagnostics);
    }, null));
    c.onDocumentSymbol((params) => this.guard('documentSymbol', () => {
      const uri = documentUriOf(params);
      if (uri === undefined) return invalidParams('textDocument/documentSymbol', '{ textDocument: { uri } }');
      const doc = this.almaDocument(uri);
      return doc ? languageService.findDocumentSymbols(doc.document) : null;
    }, null));
    c.onFoldingRanges((params) => this.guard('foldingRange', () => {
      const uri = documentUriOf(params);
      if (uri === undefined) return invalidParams('textDocument/foldingRange', '{ textDocument: { uri } }');
      const doc = this.almaDocument(uri);
      return doc ? languageService.getFoldingRanges(doc.document, { collapsedText: this.supportsCollapsedText }) : null;
    }, null));
    this.documents.listen(checkedDocumentSync(c, (message) => this.log(message)));
    c.listen();
  }

  /** The document and position of a completion or hover request, or the error that answers it. */
  private positionRequest(method: string, params: unknown): { doc: ReturnType<AlmaSisServer['almaDocument']>; position: Position } | ResponseError<void> {
    const uri = documentUriOf(params);
    const position = positionOf(isRecord(params) ? params.position : undefined);
    if (uri === undefined || !position) return invalidParams(method, '{ textDocument: { uri }, position: { line, character } } with whole numbers');
    const doc = this.almaDocument(uri);
    return { doc, position: doc ? inText(doc.document, position) : position };
  }

  // -------------------------------------------------------------------------------------
  // Lifecycle

  private initialize(params: InitializeParams): InitializeResult {
    const caps = params.capabilities;
    this.supportsConfiguration = caps.workspace?.configuration === true;
    this.supportsPull = caps.textDocument?.diagnostic !== undefined;
    this.supportsRefresh = caps.workspace?.diagnostics?.refreshSupport === true;
    this.supportsProgress = caps.window?.workDoneProgress === true;
    this.supportsWatchRegistration = caps.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
    this.supportsCollapsedText = caps.textDocument?.foldingRange?.foldingRange?.collapsedText === true;
    const folders = params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []);
    this.workspaceFolders = folders.filter((uri) => uri.startsWith('file:')).map(fsPathOf);
    const options = params.initializationOptions as AlmaSisInitializationOptions | undefined;
    this.globalClient = readSettings(settingsSourceOf(options?.settings));
    this.workspaceTrusted = options?.trusted !== false;
    const capabilities: ServerCapabilities = {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
      completionProvider: { triggerCharacters: languageService.COMPLETION_TRIGGER_CHARACTERS, resolveProvider: false },
      hoverProvider: true,
      codeActionProvider: { codeActionKinds: languageService.CODE_ACTION_KINDS },
      documentSymbolProvider: true,
      foldingRangeProvider: true,
      executeCommandProvider: { commands: [...SERVER_COMMANDS] },
      experimental: { almaSis: { sealKey: this.secrets.publicKey } } satisfies AlmaSisExperimental,
    };
    if (this.supportsPull) capabilities.diagnosticProvider = { identifier: 'alma-sis', interFileDependencies: true, workspaceDiagnostics: false };
    return { capabilities, serverInfo: { name: 'alma-sis-language-server', version: '0.1.0' } };
  }

  private async initialized(): Promise<void> {
    if (this.supportsConfiguration) {
      await this.connection.client.register(DidChangeConfigurationNotification.type, { section: CONFIGURATION_SECTION }).catch(() => undefined);
    }
    if (this.supportsWatchRegistration) {
      await this.connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: WATCHED_FILES.map((globPattern) => ({ globPattern })) })
        .catch((error: unknown) => this.log(`registering file watchers: ${String(error)}`));
    }
  }

  // -------------------------------------------------------------------------------------
  // Documents

  private applyChanges(document: EditableText, changes: Parameters<TextDocumentsConfiguration<EditableText>['update']>[1], version: number): EditableText {
    const state = this.open.get(document.uri);
    if (state?.incremental && state.incremental.document === document) return state.incremental.update(changes, version);
    for (const change of changes) document.apply(change, version);
    return document;
  }

  private opened(document: TextDocument): void {
    const state: OpenDocument = {
      uri: document.uri,
      fsPath: document.uri.startsWith('file:') ? fsPathOf(document.uri) : undefined,
      incremental: null,
      alma: false,
      diagnostics: [],
      identifierSignature: NO_IDENTIFIER_SIGNATURE,
      settingsEpoch: 0,
    };
    // Opened again without a close: the earlier state's pending work ends here.
    this.scheduler.cancel(document.uri);
    this.open.set(document.uri, state);
    // Its set now counts its buffer, and it reads what its earlier files hold afresh.
    if (state.fsPath) this.sets.touch(state.fsPath);
    // Validated from disk before it was opened (a big file, opened after all): the buffer's
    // diagnostics take over, and a pulling client would otherwise keep the pushed ones too.
    if (this.publishedFromDisk.delete(document.uri) && this.supportsPull) void this.connection.sendDiagnostics({ uri: document.uri, diagnostics: [] });
    this.schedule(state, 0);
  }

  private changed(document: TextDocument): void {
    const state = this.open.get(document.uri);
    if (!state || this.scheduler.validatedVersion(state.uri) === undefined && this.scheduler.isScheduled(state.uri)) return; // the open's validation is pending
    const client = state.client ?? this.globalClient;
    if (client.validate === 'onSave') return;
    this.schedule(state, client.debounceMs);
  }

  private saved(document: TextDocument): void {
    const state = this.open.get(document.uri);
    if (state && (state.client ?? this.globalClient).validate === 'onSave') this.schedule(state, 0);
  }

  private closed(document: TextDocument): void {
    const state = this.open.get(document.uri);
    if (!state) return;
    this.open.delete(document.uri);
    this.scheduler.cancel(document.uri);
    if (state.alma && !this.supportsPull) void this.connection.sendDiagnostics({ uri: document.uri, diagnostics: [] });
    if (!state.fsPath) return;
    const folder = dirname(state.fsPath);
    if (![...this.open.values()].some((other) => other.fsPath !== undefined && dirname(other.fsPath) === folder)) {
      // The last open document of its folder: nothing needs the folder's identifiers now.
      this.sets.release(folder);
    } else if (state.alma && state.settings) {
      // Its set now reads it from disk.
      void this.sets.fileChanged(state.fsPath, state.settings.settings);
    }
  }

  private schedule(state: OpenDocument, delay: number): void {
    this.scheduler.schedule(state.uri, delay);
  }

  /**
   * Validates the document's current version and publishes the result, unless the version moved
   * on meanwhile (a newer run is then scheduled and this one's result would be stale).
   */
  private async validate(state: OpenDocument): Promise<void> {
    const document = this.documents.get(state.uri);
    if (!document || this.open.get(state.uri) !== state) return;
    const version = document.version;
    const epoch = state.settingsEpoch;
    if (!state.client) {
      const client = await this.clientSettings(state.uri);
      // Dropped meanwhile: the run scheduled with the drop resolves them from the new configuration.
      if (state.settingsEpoch !== epoch) return;
      state.client = client;
    }
    if (!state.settings) {
      const settings = await this.resolve(state);
      if (state.settingsEpoch !== epoch) return;
      state.settings = settings;
    }
    if (this.documents.get(state.uri)?.version !== version || this.open.get(state.uri) !== state) return;
    const current = this.documents.get(state.uri)!;
    if (!state.incremental) {
      state.alma = isAlmaUserFile(current.getText());
      if (!state.alma) {
        this.finish(state, version, []);
        return;
      }
      state.incremental = new IncrementalDocument(current, this.displayPath(state), state.settings.settings, this.earlierFiles(state));
      state.configuredWith = { settings: state.settings, earlier: earlierFilesSignature(this.earlierFiles(state)) };
    } else {
      // Only a change of settings or of the earlier files of the set makes the next validation whole.
      const earlier = this.earlierFiles(state);
      const key = earlierFilesSignature(earlier);
      if (state.configuredWith?.settings !== state.settings || state.configuredWith.earlier !== key) {
        state.incremental.reconfigure(state.settings.settings, earlier);
        state.configuredWith = { settings: state.settings, earlier: key };
      } else if (this.scheduler.validatedVersion(state.uri) === version) {
        // Asked again (a file of its set changed, or was closed) but nothing it depends on did:
        // what was published stands. Publishing it again costs every open file of a folder a
        // message per change in the folder, which for hundreds of files is a storm. Only the
        // status learns of the set once the folder is indexed (the first file's place in it).
        const set = this.setInUse(state).set;
        if (state.status && JSON.stringify(set) !== JSON.stringify(state.status.set)) {
          state.status = { ...state.status, set };
          void this.connection.sendNotification(DocumentStatusNotification, state.status);
        }
        return;
      }
    }
    const started = performance.now();
    const incremental = state.incremental;
    let result: DocumentResult | null;
    try {
      // A whole scan gives way between slices: hovers, completions and edits are answered meanwhile.
      result = await incremental.validateInSlices(giveWay);
    } catch (error) {
      // The engine never should; if it does, the document is validated afresh next time.
      if (state.incremental === incremental) state.incremental = null;
      throw error;
    }
    // Overtaken while it scanned: the edit or the new settings scheduled the run that counts.
    if (!result || state.incremental !== incremental || state.settingsEpoch !== epoch || this.open.get(state.uri) !== state) return;
    if (this.documents.get(state.uri)?.version !== version) return;
    const ms = performance.now() - started;
    const diagnostics = toDiagnostics(result, (p) => this.uriOf(state, p), state.client.maxProblems);
    this.finish(state, version, diagnostics);
    const counts = countSeverities(result.findings);
    const status: DocumentStatusParams = { uri: state.uri, schemaVersion: result.schemaVersion, users: result.users, ...counts, ms: Math.round(ms * 10) / 10, config: configInUse(state.settings), ...this.setInUse(state) };
    state.status = status;
    void this.connection.sendNotification(DocumentStatusNotification, status);
    this.identifiersValidated(state);
  }

  private finish(state: OpenDocument, version: number, diagnostics: Diagnostic[]): void {
    const hadDiagnostics = state.diagnostics.length > 0;
    state.diagnostics = diagnostics;
    if (!this.supportsPull && (state.alma || hadDiagnostics)) {
      void this.connection.sendDiagnostics({ uri: state.uri, version, diagnostics });
    }
    const asked = this.scheduler.validated(state.uri, version);
    // Validated without being asked (a setting, a configuration or an earlier file changed): a
    // pulling client is told to ask again.
    if (this.supportsPull && !asked && (state.alma || hadDiagnostics)) this.refreshPulls();
  }

  private refreshQueued = false;

  private refreshPulls(): void {
    if (!this.supportsRefresh || this.refreshQueued) return;
    this.refreshQueued = true;
    setImmediate(() => {
      this.refreshQueued = false;
      void this.connection.languages.diagnostics.refresh().catch(() => undefined);
    });
  }

  private async pullDiagnostics(uri: string): Promise<DocumentDiagnosticReport> {
    try {
      const state = this.open.get(uri);
      if (!state) return { kind: DocumentDiagnosticReportKind.Full, items: [] };
      const document = this.documents.get(uri);
      if (document) await this.scheduler.whenValidated(uri, document.version);
      return { kind: DocumentDiagnosticReportKind.Full, items: state.diagnostics };
    } catch (error) {
      this.log(`diagnostic pull for ${uri} failed: ${describe(error)}`);
      return { kind: DocumentDiagnosticReportKind.Full, items: [] };
    }
  }

  /** The open document for a request, when it is an Alma user file. */
  private almaDocument(uri: string): { uri: string; document: TextDocument; state: OpenDocument } | undefined {
    const state = this.open.get(uri);
    const document = this.documents.get(uri);
    if (!state || !document) return undefined;
    if (!state.alma && this.scheduler.validatedVersion(uri) === undefined) state.alma = isAlmaUserFile(document.getText());
    return state.alma ? { uri, document, state } : undefined;
  }

  private settingsOf(uri: string): ValidationSettings {
    return this.open.get(uri)?.settings?.settings ?? { rules: {}, strict: false };
  }

  // -------------------------------------------------------------------------------------
  // Settings and configuration files

  private async clientSettings(uri: string | undefined): Promise<AlmaSisSettings> {
    if (!this.supportsConfiguration) return this.globalClient;
    try {
      const raw: unknown = await this.connection.workspace.getConfiguration({ scopeUri: uri, section: CONFIGURATION_SECTION });
      return readSettings(settingsSourceOf(raw));
    } catch (error) {
      this.log(`reading settings: ${describe(error)}`);
      return this.globalClient;
    }
  }

  private async resolve(state: OpenDocument): Promise<FileSettings> {
    const resolved = await resolveFileSettings(state.fsPath, state.client ?? this.globalClient, this.workspaceFolders);
    if (resolved.configError) {
      const uri = pathToFileURL(resolved.configError.path).href;
      this.configProblemUris.add(uri);
      void this.connection.sendDiagnostics({ uri, diagnostics: configErrorDiagnostics(resolved.configError) });
      this.log(resolved.configError.message);
    } else if (resolved.configPath) {
      const uri = pathToFileURL(resolved.configPath).href;
      if (this.configProblemUris.delete(uri)) void this.connection.sendDiagnostics({ uri, diagnostics: [] });
    }
    return resolved;
  }

  /** Clients without workspace/configuration (Neovim's default) push the settings here. */
  private configurationChanged(settings: unknown): void {
    const pushed = settings && typeof settings === 'object' ? (settings as Record<string, unknown>)[CONFIGURATION_SECTION] : undefined;
    if (pushed !== undefined) this.globalClient = readSettings(settingsSourceOf(pushed));
    for (const state of this.open.values()) {
      state.client = undefined;
      state.settingsEpoch++;
    }
    this.revalidateWhere(() => true, true);
  }

  private watchedFilesChanged(uris: string[]): void {
    let configuration = false;
    for (const uri of uris) {
      if (/\.json$/i.test(uri)) configuration = true;
      else if (/\.(xml|zip)$/i.test(uri) && uri.startsWith('file:') && !this.open.has(uri)) {
        const path = fsPathOf(uri);
        void this.sets.fileChanged(path, this.anySettings());
      }
    }
    if (configuration) {
      // Cleared now, shown again by the next validation when still broken.
      for (const uri of this.configProblemUris) void this.connection.sendDiagnostics({ uri, diagnostics: [] });
      this.configProblemUris.clear();
      this.revalidateWhere(() => true, true);
    }
  }

  /** Validates again the open documents that match; `resettle` resolves their settings anew. */
  private revalidateWhere(match: (state: OpenDocument) => boolean, resettle = false): void {
    for (const state of this.open.values()) {
      if (!match(state)) continue;
      if (resettle) {
        state.settings = undefined;
        state.settingsEpoch++;
      }
      this.schedule(state, 0);
    }
  }

  private anySettings(): ValidationSettings {
    for (const state of this.open.values()) if (state.settings) return state.settings.settings;
    return { rules: {}, strict: false };
  }

  // -------------------------------------------------------------------------------------
  // Sets across the files of a folder

  private displayPath(state: OpenDocument): string {
    return state.fsPath ? this.sets.displayPath(dirname(state.fsPath), state.fsPath) : state.uri;
  }

  private uriOf(state: OpenDocument, path: string): string {
    if (path === this.displayPath(state) || !state.fsPath) return state.uri;
    const [file] = path.split('!/');
    return pathToFileURL(resolve(dirname(state.fsPath), file)).href;
  }

  private earlierFiles(state: OpenDocument) {
    if (!state.fsPath || !state.settings) return undefined;
    return this.sets.earlierFiles(state.fsPath, state.settings.settings, setOrderOf(state.settings));
  }

  private openUsers(path: string): FileIdentifiers | undefined {
    for (const state of this.open.values()) {
      if (state.fsPath === path && state.incremental) return { path, version: state.incremental.version(), users: state.incremental.users() };
    }
    return undefined;
  }

  /**
   * When a document's identifiers changed, the later open files of its set are validated again.
   * Only looked at when such files are open: the signature costs a pass over the identifiers.
   */
  private identifiersValidated(state: OpenDocument): void {
    if (!state.fsPath || !state.incremental) return;
    const later = new Set(this.sets.later(state.fsPath, [...this.open.values()].flatMap((s) => (s.fsPath ? [s.fsPath] : [])), state.settings && setOrderOf(state.settings)));
    if (later.size === 0) {
      state.identifierSignature = NO_IDENTIFIER_SIGNATURE;
      return;
    }
    const signature = identifierSignature({ version: state.incremental.version(), users: state.incremental.users() });
    if (sameIdentifierSignature(signature, state.identifierSignature)) return;
    state.identifierSignature = signature;
    this.sets.touch(state.fsPath);
    this.revalidateWhere((s) => s.fsPath !== undefined && later.has(s.fsPath));
  }

  /** The set a document belongs to, for its status, when it is not alone. */
  private setInUse(state: OpenDocument): { set?: SetInUse } {
    if (!state.fsPath || !state.settings) return {};
    const order = setOrderOf(state.settings);
    const place = this.sets.placeInSet(state.fsPath, order);
    if (!place || place.files < 2) return {};
    return { set: { name: order?.name ?? `the files of ${basename(dirname(state.fsPath))}`, ...place } };
  }

  // -------------------------------------------------------------------------------------
  // Commands

  private commandContext(): CommandContext {
    return {
      folders: () => this.workspaceFolders,
      choice: (path) => this.clientSettings(path === undefined ? this.workspaceUri() : pathToFileURL(path).href),
      settingsFor: async (path, profile, options?: FileSettingsOptions) => {
        const choice = await this.clientSettings(path === undefined ? this.workspaceUri() : pathToFileURL(path).href);
        return resolveFileSettings(path, profile === undefined ? choice : { ...choice, profile }, this.workspaceFolders, options);
      },
      document: (uri) => this.documents.get(uri),
      progress: (title, token) => this.beginProgress(title, token),
      log: (message) => this.log(message),
      secrets: this.secrets,
      trusted: () => this.workspaceTrusted,
    };
  }

  private workspaceUri(): string | undefined {
    return this.workspaceFolders[0] === undefined ? undefined : pathToFileURL(this.workspaceFolders[0]).href;
  }

  // -------------------------------------------------------------------------------------
  // Validate File on Disk

  private async validateFileOnDisk(params: ValidateFileOnDiskParams, token: CancellationToken): Promise<ValidateFileOnDiskResult | ResponseError<void>> {
    const started = performance.now();
    let progress: { report(message: string, percentage: number): void; done(): void } | undefined;
    try {
      if (!isRecord(params) || typeof params.uri !== 'string' || !params.uri.startsWith('file:')) {
        return new ResponseError(ErrorCodes.InvalidParams, 'almaSis/validateFileOnDisk needs { uri } with a file: URI');
      }
      const path = fsPathOf(params.uri);
      // A file, as the request says: a folder would validate all it holds (and a device never ends).
      const kind = await stat(path).then((s) => (s.isFile() ? 'file' : s.isDirectory() ? 'a folder' : 'not a regular file'), (error: NodeJS.ErrnoException) => error.code === 'ENOENT' ? 'not found' : `not readable (${error.code ?? error.message})`);
      if (kind !== 'file') return new ResponseError(ErrorCodes.InvalidParams, `${path}: ${kind}; almaSis/validateFileOnDisk validates one file`);
      if (params.onlyAlma === true && !isAlmaUserFile(await headOf(path))) {
        return { users: 0, errors: 0, warnings: 0, infos: 0, ms: Math.round(performance.now() - started), schemaVersion: null, notAlma: true };
      }
      const client = await this.clientSettings(params.uri);
      const resolved = await resolveFileSettings(path, client, this.workspaceFolders);
      // Named as the open documents of its set name theirs (relative to the folder), so messages read the same.
      const documents = (await expandInputs([path])).documents.map((d) => ({ ...d, path: this.sets.displayPath(dirname(path), d.path) }));
      const abort = new AbortController();
      const cancelled = token.onCancellationRequested(() => abort.abort());
      progress = await this.beginProgress(`Alma SIS: validating ${path}`, (params as { workDoneToken?: string | number }).workDoneToken);
      const doneProgress = progress;
      let lastPercent = -1;
      try {
        // The set before it, as an open document of its set sees it (the folder's files, or the
        // profile's feed): a duplicate of an earlier file's identifier is found as it is there.
        doneProgress.report('reading the files before it in its set', 0);
        const earlier = await this.sets.earlierFilesOnDisk(path, resolved.settings, setOrderOf(resolved), abort.signal);
        const set = await validateInputs(documents, resolved.settings, {
          signal: abort.signal,
          earlier,
          onProgress: (p) => {
            const percent = p.bytesTotal > 0 ? Math.floor((p.bytesDone / p.bytesTotal) * 100) : 0;
            if (percent !== lastPercent) {
              lastPercent = percent;
              doneProgress.report(`${Math.round(p.bytesDone / 1048576)} of ${Math.round(p.bytesTotal / 1048576)} MB`, percent);
            }
          },
        });
        const result = set.documents[0];
        const ms = Math.round(performance.now() - started);
        // A file open in the editor keeps its buffer's diagnostics (an editor that pulls would
        // otherwise list each problem twice); the summary still describes the file on disk.
        if (result && !this.open.has(params.uri)) {
          const folder = dirname(path);
          const uriOf = (p: string) => (p === result.path ? params.uri : pathToFileURL(resolve(folder, p.split('!/')[0])).href);
          void this.connection.sendDiagnostics({ uri: params.uri, diagnostics: toDiagnostics(result, uriOf, client.maxProblems) });
          this.publishedFromDisk.add(params.uri);
        }
        const counts = countSeverities(set.documents.flatMap((d) => d.findings));
        return { users: set.summary.users, ...counts, ms, schemaVersion: result?.schemaVersion ?? null, config: configInUse(resolved) };
      } finally {
        cancelled.dispose();
      }
    } catch (error) {
      if (token.isCancellationRequested) return new ResponseError(LSPErrorCodes.RequestCancelled, 'cancelled');
      // The answer is for people (the editor shows it): the message alone; the log keeps the stack.
      this.log(`validateFileOnDisk ${params?.uri}: ${describe(error)}`);
      return new ResponseError(ErrorCodes.InternalError, error instanceof Error ? error.message : String(error));
    } finally {
      progress?.done();
    }
  }

  // -------------------------------------------------------------------------------------
  // Plumbing

  /** Progress in the client's window: on the request's own token when it sent one, else one the server creates. */
  private async beginProgress(title: string, token?: string | number): Promise<{ report(message: string, percentage: number): void; done(): void }> {
    if (!this.supportsProgress && token === undefined) return { report: () => undefined, done: () => undefined };
    try {
      const reporter = token !== undefined ? this.connection.window.attachWorkDoneProgress(token) : await this.connection.window.createWorkDoneProgress();
      reporter.begin(title, 0, undefined, false);
      return { report: (message, percentage) => reporter.report(percentage, message), done: () => reporter.done() };
    } catch {
      return { report: () => undefined, done: () => undefined };
    }
  }

  private log(message: string): void {
    this.connection.console.log(message);
  }

  /**
   * Runs a handler so that a failure is logged and answered with `fallback`, never thrown. A
   * ResponseError thrown on purpose (bad parameters, a configuration that cannot be used) is the
   * answer itself.
   */
  private guard<T>(name: string, run: () => T | Promise<T>, fallback: T): T | Promise<T> {
    const failed = (error: unknown): T => {
      if (error instanceof ResponseError) return error as T;
      this.connection.console.error(`${name} failed: ${describe(error)}`);
      return fallback;
    };
    try {
      const value = run();
      return value instanceof Promise ? value.catch(failed) : value;
    } catch (error) {
      return failed(error);
    }
  }
}

/**
 * The place in the text a position stands for, as LSP defines it (past the end of a line: its
 * end; past the last line: the end of the text; negative: the start), so that every feature sees
 * a position inside the document whatever the client sent.
 */
function inText(document: TextDocument, position: Position): Position {
  return document.positionAt(document.offsetAt(position));
}

function invalidParams(method: string, shape: string): ResponseError<void> {
  return new ResponseError(ErrorCodes.InvalidParams, `${method} needs ${shape}`);
}

/** The URIs of a didChangeWatchedFiles that has a list of changes; others have none. */
function changedUris(params: unknown): string[] {
  const changes = isRecord(params) ? params.changes : undefined;
  if (!Array.isArray(changes)) return [];
  return changes.flatMap((change: unknown) => (isRecord(change) && typeof change.uri === 'string' ? [change.uri] : []));
}

/** The profile's say over a document's set (its feed, its baseline), made once per resolved settings so that the set's cache holds. */
const setOrders = new WeakMap<FileSettings, SetOrder | null>();

function setOrderOf(settings: FileSettings): SetOrder | undefined {
  let order = setOrders.get(settings);
  if (order === undefined) {
    const { config, profile } = settings;
    order = config && profile && (profile.feed || profile.baseline)
      ? {
          name: profile.feed ? `the ${profile.code} feed` : 'this folder\'s files',
          ...(profile.feed ? { messageName: `the ${profile.code} feed` } : {}),
          includes: (path) => (profile.feed ? feedRank(config, profile, path) !== undefined : !isBaseline(config, profile, path)),
          compare: (a, b) => compareInFeed(config, profile, a, b),
        }
      : null;
    setOrders.set(settings, order);
  }
  return order ?? undefined;
}

/** What a status names about the configuration a document was validated with. */
function configInUse(settings: FileSettings): ConfigInUse {
  const config = settings.config;
  const codeTables = config && settings.profile ? resolveCodeTablesPath(config, settings.profile) : undefined;
  const firstProblem = settings.configError?.problems[0];
  return {
    ...(settings.configPath !== undefined ? { path: settings.configPath } : {}),
    ...(settings.configError ? { problem: settings.configError.message } : {}),
    ...(firstProblem?.line !== undefined ? { problemAt: { line: firstProblem.line - 1, character: (firstProblem.column ?? 1) - 1 } } : {}),
    ...(settings.profile ? { profile: settings.profile.code } : {}),
    ...(settings.profile?.name !== undefined ? { profileName: settings.profile.name } : {}),
    ...(codeTables !== undefined ? { codeTables } : {}),
  };
}

/** The client's code action context, with only the diagnostics that have a range. */
function codeActionContextOf(value: unknown): CodeActionContext {
  const context = isRecord(value) ? value : {};
  const diagnostics = Array.isArray(context.diagnostics)
    ? context.diagnostics.flatMap((d: unknown) => {
        const range = isRecord(d) ? rangeOf(d.range) : undefined;
        return range ? [{ ...(d as Record<string, unknown>), range, message: typeof (d as { message?: unknown }).message === 'string' ? (d as { message: string }).message : '' } as unknown as Diagnostic] : [];
      })
    : [];
  const only = Array.isArray(context.only) ? context.only.filter((kind: unknown): kind is string => typeof kind === 'string') : undefined;
  return only ? { diagnostics, only } : { diagnostics };
}

/** The start of a file, enough for its root element (isAlmaUserFile reads no further than this). */
async function headOf(path: string): Promise<string> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await file.read(buffer, 0, HEAD_BYTES, 0);
    return buffer.toString('utf8', 0, bytesRead);
  } finally {
    await file.close();
  }
}

const HEAD_BYTES = 64 * 1024;

function describe(error: unknown): string {
  return error instanceof Error ? `${error.message}${error.stack ? `\n${error.stack}` : ''}` : String(error);
}

function fsPathOf(uri: string): string {
  try {
    return fileURLToPath(uri);
  } catch {
    return uri;
  }
}
