import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { DocumentStatusNotification, type DocumentStatusParams } from '../../server/src/protocol/messages';
import { SHOW_OUTPUT } from './commands/serverCommandIds';
import { formatCodeTablesStatus, formatConfigStatus, formatSetStatus, type StatusItemText } from './configStatusText';
import { ALMA_LANGUAGE_ID, documentSelector, type AlmaSisSettings } from './settings';
import { formatStatus, NOT_ALMA_STATUS, PENDING_STATUS, type StatusText } from './statusText';

/*
 * The hover lists items of one severity by id: these ids follow 'alma-sis.status' and each
 * other, so the lines read users, configuration, code tables, set (a warning comes first).
 */
const CONFIG_ITEM = { id: 'alma-sis.status.configuration', name: 'Alma SIS configuration' };
const CODE_TABLES_ITEM = { id: 'alma-sis.status.configuration.codeTables', name: 'Alma SIS code tables' };
const SET_ITEM = { id: 'alma-sis.status.set', name: 'Alma SIS set' };

const LEVELS: Record<StatusText['level'], vscode.LanguageStatusSeverity> = {
  error: vscode.LanguageStatusSeverity.Error,
  warning: vscode.LanguageStatusSeverity.Warning,
  information: vscode.LanguageStatusSeverity.Information,
};

/**
 * The language status items for the active document, fed by the server's `almaSis/documentStatus`:
 * "Alma users v2" (users, problems, time); for an Alma file, the profile and the configuration
 * file it was validated with (a warning when there is none or it cannot be used), the profile's
 * code tables, and its place in its set ("File 2 of 3 in the STUDENTS feed"). Several items
 * rather than one longer detail: the hover shows each on its own unwrapped line with its own
 * action (Show Output; Open or Create Configuration; Open Code Tables) and clips a long line,
 * action and all (see configStatusText.ts). The same notification says a document is an Alma
 * file, which is when it may switch to the Alma language.
 */
export class AlmaLanguageStatus implements vscode.Disposable {
  private readonly item = vscode.languages.createLanguageStatusItem('alma-sis.status', documentSelector());
  // Only while the active document is an Alma file (for other XML they would only say "no
  // configuration"), the code tables' while a profile applies, the set's while it has one.
  private configItem: vscode.LanguageStatusItem | undefined;
  private codeTablesItem: vscode.LanguageStatusItem | undefined;
  private setItem: vscode.LanguageStatusItem | undefined;
  private readonly byUri = new Map<string, DocumentStatusParams>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly switching = new Set<string>();

  constructor(
    private readonly client: LanguageClient,
    private readonly settings: () => AlmaSisSettings,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.item.name = 'Alma SIS';
    this.item.command = { title: 'Show Output', command: SHOW_OUTPUT };
    this.disposables.push(
      this.item,
      client.onNotification(DocumentStatusNotification, (status) => this.onStatus(status)),
      vscode.window.onDidChangeActiveTextEditor(() => this.show()),
      vscode.workspace.onDidCloseTextDocument((document) => this.byUri.delete(this.key(document.uri))),
    );
    this.show();
  }

  private key(uri: vscode.Uri): string {
    return this.client.code2ProtocolConverter.asUri(uri);
  }

  private onStatus(status: DocumentStatusParams): void {
    this.byUri.set(status.uri, status);
    if (status.schemaVersion !== null && this.settings().useAlmaLanguage) {
      const document = vscode.workspace.textDocuments.find((d) => this.key(d.uri) === status.uri);
      if (document?.languageId === 'xml') this.setLanguage(document, ALMA_LANGUAGE_ID);
    }
    this.show();
  }

  /** After the setting is turned off, Alma files go back to plain XML. */
  applyLanguageSetting(): void {
    const useAlma = this.settings().useAlmaLanguage;
    for (const document of vscode.workspace.textDocuments) {
      const status = this.byUri.get(this.key(document.uri));
      if (!useAlma && document.languageId === ALMA_LANGUAGE_ID) this.setLanguage(document, 'xml');
      if (useAlma && document.languageId === 'xml' && status !== undefined && status.schemaVersion !== null) {
        this.setLanguage(document, ALMA_LANGUAGE_ID);
      }
    }
  }

  private setLanguage(document: vscode.TextDocument, languageId: string): void {
    // Statuses keep arriving while VS Code reopens the document in its new language: switch once.
    const key = document.uri.toString();
    if (this.switching.has(key)) return;
    this.switching.add(key);
    vscode.languages.setTextDocumentLanguage(document, languageId).then(
      () => this.log.info(`${document.uri.fsPath || key}: language ${languageId}`),
      (error: unknown) => this.log.warn(`could not switch ${key} to ${languageId}: ${String(error)}`),
    ).then(() => this.switching.delete(key));
  }

  private show(): void {
    const document = vscode.window.activeTextEditor?.document;
    const status = document === undefined ? undefined : this.byUri.get(this.key(document.uri));
    if (status === undefined) {
      this.item.busy = document !== undefined && !this.client.isRunning();
      this.apply(PENDING_STATUS);
      this.showConfig(undefined);
      return;
    }
    this.item.busy = false;
    this.apply(status.schemaVersion === null ? NOT_ALMA_STATUS : formatStatus(status));
    this.showConfig(status);
  }

  private showConfig(status: DocumentStatusParams | undefined): void {
    const shortPath = (path: string): string => vscode.workspace.asRelativePath(path);
    const alma = status !== undefined && status.schemaVersion !== null;
    this.configItem = this.showItem(this.configItem, CONFIG_ITEM, alma ? formatConfigStatus(status.config, shortPath) : undefined);
    this.codeTablesItem = this.showItem(this.codeTablesItem, CODE_TABLES_ITEM, alma ? formatCodeTablesStatus(status.config, shortPath) : undefined);
    this.setItem = this.showItem(this.setItem, SET_ITEM, alma && status.set !== undefined ? formatSetStatus(status.set) : undefined);
  }

  /** Shows `shown` in the item (made when needed), or removes the item when there is nothing to show. */
  private showItem(item: vscode.LanguageStatusItem | undefined, kind: { id: string; name: string }, shown: StatusItemText | undefined): vscode.LanguageStatusItem | undefined {
    if (shown === undefined) {
      item?.dispose();
      return undefined;
    }
    const it = item ?? vscode.languages.createLanguageStatusItem(kind.id, documentSelector());
    it.name = kind.name;
    it.text = shown.text;
    it.detail = shown.detail;
    it.severity = LEVELS[shown.level];
    it.command = shown.action;
    it.accessibilityInformation = { label: shown.accessibility };
    return it;
  }

  private apply(status: StatusText): void {
    this.item.text = status.text;
    this.item.detail = status.detail;
    this.item.severity = LEVELS[status.level];
  }

  dispose(): void {
    for (const disposable of this.disposables) disposable.dispose();
    for (const item of [this.configItem, this.codeTablesItem, this.setItem]) item?.dispose();
  }
}
