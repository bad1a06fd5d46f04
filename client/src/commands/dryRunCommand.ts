import * as path from 'node:path';
import { stat } from 'node:fs/promises';
import * as vscode from 'vscode';
import { ProfilesRequest, type DryRunResult } from '../../../server/src/protocol/messages';
import type { AlmaServer } from '../serverAccess';
import { lastDryRunKey, type LastDryRunSummary } from '../dryRunMemory';
import { shown, showFailure, withServerProgress } from './commandSupport';
import { DryRunReportView } from './dryRunReportView';
import type { CommandActivator } from './index';

export const DRY_RUN = 'almaSis.dryRun';

/** workspaceState key of the remembered baseline, per profile ('' when none is configured). */
export function baselineKey(profileCode: string | undefined): string {
  return `almaSis.dryRun.baseline:${profileCode ?? ''}`;
}

interface DryRunParts {
  context: vscode.ExtensionContext;
  server: AlmaServer;
  diagnostics: vscode.DiagnosticCollection;
  view: DryRunReportView;
}

/**
 * "Alma SIS: Dry-run Synchronize": what Alma's synchronize would do with the input file, against
 * an Export Users file. The language server does the work (alma-sis.dryRun); this module picks
 * files, shows progress, opens the report view beside the input and puts the rejected users on
 * it as diagnostics. An edit makes both stale: the diagnostics of the edited file go (their lines
 * no longer hold), and the view says it is out of date.
 */
export const activateDryRun: CommandActivator = (context, server) => {
  const parts: DryRunParts = { context, server, diagnostics: vscode.languages.createDiagnosticCollection('alma-sis-dry-run'), view: new DryRunReportView() };
  context.subscriptions.push(
    parts.diagnostics,
    parts.view,
    vscode.commands.registerCommand(DRY_RUN, (uri?: vscode.Uri) => runDryRun(parts, uri)),
    vscode.workspace.onDidChangeTextDocument((event) => {
      // Saving or a change of the dirty state alone fire with no content change.
      if (event.contentChanges.length === 0) return;
      parts.diagnostics.delete(event.document.uri);
      parts.view.edited(event.document.uri);
    }),
  );
};

/** Runs the dry-run of `given` (else the active file, else one picked), with `baselineChoice` or the remembered baseline. */
async function runDryRun(parts: DryRunParts, given?: vscode.Uri, baselineChoice?: string): Promise<void> {
  const { context, server, diagnostics, view } = parts;
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
    // The profile's own baseline (its `baseline` in the configuration) needs no question.
    const configured = profiles.profiles.find((p) => p.code === profileCode)?.baseline;
    const baseline = baselineChoice ?? configured ?? (await rememberedBaseline(context, profileCode)) ?? (await pickBaseline(context, profileCode));
    if (baseline === undefined) return;

    const report: DryRunResult = await withServerProgress(server, 'Alma SIS: dry-run', (token, workDoneToken) =>
      server.command('alma-sis.dryRun', { input: server.uri(input), baseline, profile: profileCode }, token, workDoneToken),
    );
    showDiagnostics(diagnostics, report);
    view.show(report, input, () => void runDryRun(parts, input, baseline));
    // For the upload command: what this input was last found to do.
    const memory: LastDryRunSummary = { summaryLine: report.summaryLine, alert: report.alert, at: new Date().toISOString(), baseline, profile: report.profile ?? profileCode };
    await context.workspaceState.update(lastDryRunKey(input.toString()), memory);
    const summary = shown(`Alma SIS: ${report.summaryLine} (baseline ${path.basename(baseline)})`);
    const choice = report.alert
      ? await vscode.window.showWarningMessage(`${summary}: at or over Alma's 5% alert threshold`, 'Change Baseline')
      : await vscode.window.showInformationMessage(summary, 'Change Baseline');
    if (choice !== 'Change Baseline') return;
    const changed = await pickBaseline(context, profileCode);
    if (changed !== undefined) await runDryRun(parts, input, changed);
  } catch (error) {
    showFailure('dry-run', error);
  }
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
