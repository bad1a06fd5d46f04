import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { DocumentStatusNotification, type DocumentStatusParams } from '../../server/src/protocol/messages';
import { SHOW_OUTPUT } from './commands/serverCommandIds';
import { ALMA_LANGUAGE_ID, documentSelector, type AlmaSisSettings } from './settings';
import { formatStatus, NOT_ALMA_STATUS, PENDING_STATUS, type StatusText } from './statusText';

const LEVELS: Record<StatusText['level'], vscode.LanguageStatusSeverity> = {
  error: vscode.LanguageStatusSeverity.Error,
  warning: vscode.LanguageStatusSeverity.Warning,
  information: vscode.LanguageStatusSeverity.Information,
};

/**
 * The language status item ("Alma users v2", users, problems, time) for the active document, fed
 * by the server's `almaSis/documentStatus`; the same notification says a document is an Alma
 * file, which is when it may switch to the Alma language.
 */
export class AlmaLanguageStatus implements vscode.Disposable {
  private readonly item = vscode.languages.createLanguageStatusItem('alma-sis.status', documentSelector());
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
      return;
    }
    this.item.busy = false;
    this.apply(status.schemaVersion === null ? NOT_ALMA_STATUS : formatStatus(status));
  }

  private apply(status: StatusText): void {
    this.item.text = status.text;
    this.item.detail = status.detail;
    this.item.severity = LEVELS[status.level];
  }

  dispose(): void {
    for (const disposable of this.disposables) disposable.dispose();
  }
}
