import * as path from 'node:path';
import { stat } from 'node:fs/promises';
import * as vscode from 'vscode';
import { ProfilesRequest, type DryRunResult } from '../../../server/src/protocol/messages';
import type { AlmaServer } from '../serverAccess';
import { shown, showFailure, withServerProgress } from './commandSupport';
import type { CommandActivator } from './index';

export const DRY_RUN = 'almaSis.dryRun';

/** workspaceState key of the remembered baseline, per profile ('' when none is configured). */
export function baselineKey(profileCode: string | undefined): string {
  return `almaSis.dryRun.baseline:${profileCode ?? ''}`;
}

/**
 * "Alma SIS: Dry-run Synchronize": what Alma's synchronize would do with the input file, against
 * an Export Users file. The language server does the work (alma-sis.dryRun); this module picks
 * files, shows progress, opens the report beside the input and puts the rejected users on it as
 * diagnostics.
 */
export const activateDryRun: CommandActivator = (context, server) => {
  const diagnostics = vscode.languages.createDiagnosticCollection('alma-sis-dry-run');
  context.subscriptions.push(
    diagnostics,
    vscode.commands.registerCommand(DRY_RUN, (uri?: vscode.Uri) => runDryRun(context, server, diagnostics, uri)),
  );
};

async function runDryRun(context: vscode.ExtensionContext, server: AlmaServer, diagnostics: vscode.DiagnosticCollection, given?: vscode.Uri): Promise<void> {
  const input = given ?? activeInput() ?? (await pickInput());
  if (input === undefined) return;
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === input.toString());
  if (open?.isDirty) {
    const save = await vscode.window.showWarningMessage(`${path.basename(input.fsPath)} has unsaved changes; the dry-run reads the file on disk.`, 'Save and Run', 'Run Anyway');
    if (save === undefined) return;
    if (save === 'Save and Run') await open.save();
  }
  try {
    const profiles = await server.request(ProfilesRequest, { uri: server.uri(input) });
    if (profiles.problem !== undefined) throw new Error(profiles.problem);
    const profileCode = profiles.chosen;
    const baseline = await rememberedBaseline(context, profileCode) ?? (await pickBaseline(context, profileCode));
    if (baseline === undefined) return;

    const report: DryRunResult = await withServerProgress(server, 'Alma SIS: dry-run', (token, workDoneToken) =>
      server.command('alma-sis.dryRun', { input: server.uri(input), baseline, profile: profileCode }, token, workDoneToken),
    );
    showDiagnostics(diagnostics, report);
    await showReport(report.markdown);
    const summary = shown(`Alma SIS: ${report.summaryLine} (baseline ${path.basename(baseline)})`);
    const choice = report.alert
      ? await vscode.window.showWarningMessage(`${summary}: at or over Alma's 5% alert threshold`, 'Change Baseline')
      : await vscode.window.showInformationMessage(summary, 'Change Baseline');
    if (choice === 'Change Baseline') await pickBaseline(context, profileCode);
  } catch (error) {
    showFailure('dry-run', error);
  }
}

/** The last report, reused while it is open: each run would otherwise open one more column. */
let lastReport: vscode.TextDocument | undefined;

async function showReport(markdown: string): Promise<void> {
  const open = lastReport !== undefined && !lastReport.isClosed ? lastReport : undefined;
  if (open) {
    const edit = new vscode.WorkspaceEdit();
    edit.replace(open.uri, new vscode.Range(0, 0, open.lineCount, 0), markdown);
    if (await vscode.workspace.applyEdit(edit)) {
      // In the tab group that holds it, visible or not.
      const group = vscode.window.tabGroups.all.find((g) => g.tabs.some((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === open.uri.toString()));
      await vscode.window.showTextDocument(open, { viewColumn: group?.viewColumn ?? vscode.ViewColumn.Beside, preview: false });
      return;
    }
  }
  lastReport = await vscode.workspace.openTextDocument({ language: 'markdown', content: markdown });
  await vscode.window.showTextDocument(lastReport, { viewColumn: vscode.ViewColumn.Beside, preview: false });
}

/** The rejected users on the files they come from. */
function showDiagnostics(diagnostics: vscode.DiagnosticCollection, report: DryRunResult): void {
  diagnostics.clear();
  for (const { uri, marks } of report.rejections) {
    diagnostics.set(vscode.Uri.parse(uri), marks.map((mark) => {
      const { start, end } = mark.range;
      const diagnostic = new vscode.Diagnostic(
        new vscode.Range(start.line, start.character, end.line, end.character),
        mark.message,
        vscode.DiagnosticSeverity.Warning,
      );
      diagnostic.code = mark.code;
      diagnostic.source = 'alma-sis dry-run';
      return diagnostic;
    }));
  }
}

function activeInput(): vscode.Uri | undefined {
  const uri = vscode.window.activeTextEditor?.document.uri;
  return uri?.scheme === 'file' && /\.(xml|zip)$/i.test(uri.fsPath) ? uri : undefined;
}

async function pickInput(): Promise<vscode.Uri | undefined> {
  const picked = await vscode.window.showOpenDialog({
    title: 'Alma SIS: the users file (or zip) to dry-run',
    canSelectMany: false,
    filters: { 'Alma user files': ['xml', 'zip'] },
  });
  return picked?.[0];
}

async function rememberedBaseline(context: vscode.ExtensionContext, profileCode: string | undefined): Promise<string | undefined> {
  const remembered = context.workspaceState.get<string>(baselineKey(profileCode));
  if (remembered === undefined) return undefined;
  // A baseline that was moved or deleted is asked for again rather than failing the run.
  return (await stat(remembered).then((s) => s.isFile(), () => false)) ? remembered : undefined;
}

async function pickBaseline(context: vscode.ExtensionContext, profileCode: string | undefined): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({
    title: `Alma SIS: the Export Users file with the current users${profileCode ? ` (profile ${profileCode})` : ''}`,
    openLabel: 'Use as Baseline',
    canSelectMany: false,
    filters: { 'Export Users output': ['xml', 'zip'], 'All files': ['*'] },
  });
  const file = picked?.[0]?.fsPath;
  if (file !== undefined) await context.workspaceState.update(baselineKey(profileCode), file);
  return file;
}
