import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { DryRunResult, DryRunUserPlace } from '../../../server/src/protocol/messages';
import { reportViewHtml, reportViewMessage } from '../dryRunWebview';
import { errorText, shown } from './commandSupport';

export const REPORT_VIEW_TYPE = 'almaSis.dryRunReport';

interface ShownReport {
  result: DryRunResult;
  input: vscode.Uri;
  /** Where each linked user is, by its index in load order. */
  places: Map<number, DryRunUserPlace>;
  /** The documents the report is about (vscode.Uri strings): an edit in one makes it out of date. */
  files: Set<string>;
  outdated?: string;
  rerun: () => void;
}

/**
 * The dry-run report as a view beside the input: the server's HTML page in a webview that runs
 * only its own nonce'd script, loads nothing (no local resources, no remote content), and asks
 * the extension to open a user's `<user>` tag or to save the report. One view, reused by every
 * run, so that runs do not pile up columns.
 */
export class DryRunReportView implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private shownReport: ShownReport | undefined;

  show(result: DryRunResult, input: vscode.Uri, rerun: () => void): void {
    const places = new Map(result.places.map((place) => [place.user, place]));
    const files = new Set([input.toString(), ...result.places.map((p) => vscode.Uri.parse(p.uri).toString()), ...result.rejections.map((r) => vscode.Uri.parse(r.uri).toString())]);
    this.shownReport = { result, input, places, files, rerun };
    const title = `Dry-run: ${path.basename(input.fsPath)}`;
    if (this.panel === undefined) {
      this.panel = vscode.window.createWebviewPanel(REPORT_VIEW_TYPE, title, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
        // For the rows' clicks and the buttons, which post messages; the page reads without it.
        enableScripts: true,
        enableFindWidget: true,
        localResourceRoots: [],
      });
      this.panel.webview.onDidReceiveMessage((message) => this.received(message));
      this.panel.onDidDispose(() => {
        this.panel = undefined;
        this.shownReport = undefined;
      });
    } else {
      this.panel.title = title;
      this.panel.reveal(this.panel.viewColumn ?? vscode.ViewColumn.Beside, true);
    }
    this.render();
  }

  /**
   * A document changed: a report about it says that it is out of date, once (a webview shown
   * again after being hidden starts from its HTML, so the state is in the HTML, not posted).
   */
  edited(uri: vscode.Uri): void {
    const report = this.shownReport;
    if (report === undefined || report.outdated !== undefined || !report.files.has(uri.toString())) return;
    report.outdated = `${path.basename(uri.fsPath)} was edited after this dry-run: the report may no longer say what Alma would do.`;
    this.render();
  }

  dispose(): void {
    this.panel?.dispose();
  }

  private render(): void {
    const report = this.shownReport;
    if (this.panel === undefined || report === undefined) return;
    this.panel.webview.html = reportViewHtml(report.result.html, {
      nonce: randomBytes(18).toString('base64'),
      linked: [...report.places.keys()],
      outdated: report.outdated,
    });
  }

  private async received(value: unknown): Promise<void> {
    const message = reportViewMessage(value);
    const report = this.shownReport;
    if (message === undefined || report === undefined) return;
    try {
      if (message.type === 'jump') await this.jump(report, message.user);
      else if (message.type === 'save') await save(report, message.format);
      else report.rerun();
    } catch (error) {
      void vscode.window.showErrorMessage(`Alma SIS: ${errorText(error)}`);
    }
  }

  /** Opens the input at the user's `<user>` tag, in the column of the input's editor when it shows. */
  private async jump(report: ShownReport, user: number): Promise<void> {
    const place = report.places.get(user);
    if (place === undefined) return;
    const uri = vscode.Uri.parse(place.uri);
    const position = new vscode.Position(place.line, place.character);
    const shownIn = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString())?.viewColumn;
    const column = shownIn ?? (this.panel?.viewColumn === vscode.ViewColumn.One ? vscode.ViewColumn.Two : vscode.ViewColumn.One);
    const editor = await vscode.window.showTextDocument(uri, { viewColumn: column, selection: new vscode.Range(position, position), preview: false });
    editor.revealRange(new vscode.Range(position, position), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }
}

async function save(report: ShownReport, format: 'html' | 'markdown'): Promise<void> {
  const extension = format === 'html' ? 'html' : 'md';
  const input = report.input;
  const stem = path.basename(input.fsPath).replace(/\.[^.]*$/, '');
  const target = await vscode.window.showSaveDialog({
    title: `Alma SIS: save the dry-run report as ${format === 'html' ? 'HTML' : 'Markdown'}`,
    defaultUri: vscode.Uri.joinPath(input, '..', `${stem}-dry-run.${extension}`),
    filters: format === 'html' ? { HTML: ['html', 'htm'] } : { Markdown: ['md'] },
  });
  if (target === undefined) return;
  const text = format === 'html' ? report.result.html : report.result.markdown;
  await vscode.workspace.fs.writeFile(target, Buffer.from(text, 'utf8'));
  void vscode.window.showInformationMessage(shown(`Alma SIS: the dry-run report is saved as ${path.basename(target.fsPath)}`));
}
