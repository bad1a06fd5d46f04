import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  createZipPackage,
  defaultZipName,
  findConfig,
  InputError,
  loadConfig,
  PackagingRefused,
  resolveProfile,
  type SetResult,
  type ZipPackageResult,
} from '../../../server/src/engine/index';
import { readSettings, SETTINGS_SECTION } from '../settings';
import type { CommandActivator } from './index';

export const CREATE_ZIP = 'almaSis.createZip';

/** How long a document whose save() said false may take to turn clean. */
const SAVE_SETTLE_MS = 5_000;

/**
 * "Alma SIS: Create Zip": the engine's zip packaging on the files selected in the explorer (or the
 * open file). This module only asks for the profile and the zip's name, shows progress and the
 * result; validating, ordering, refusing and writing safely are the engine's.
 */
export const activateCreateZip: CommandActivator = (context) => {
  context.subscriptions.push(
    vscode.commands.registerCommand(CREATE_ZIP, (clicked?: vscode.Uri, selected?: vscode.Uri[]) => createZip(clicked, selected)),
  );
};

async function createZip(clicked?: vscode.Uri, selected?: vscode.Uri[]): Promise<void> {
  const inputs = chosenInputs(clicked, selected) ?? (await pickInputs());
  if (inputs === undefined || inputs.length === 0) return;
  if (!(await savedFirst(inputs))) return;
  try {
    const first = inputs[0].fsPath;
    const settings = readSettings(vscode.workspace.getConfiguration(SETTINGS_SECTION, inputs[0]));
    const configPath = settings.configPath === '' ? findConfig(path.dirname(first)) : settings.configPath;
    const profileCode = settings.profile !== '' ? settings.profile : await pickProfile(configPath);
    if (profileCode === null) return;
    const resolved = await resolveProfile({ configPath, searchFrom: path.dirname(first), profileCode });
    const folder = (await isFolder(inputs[0])) ? first : path.dirname(first);
    const target = await vscode.window.showSaveDialog({
      title: 'Alma SIS: the zip to create',
      defaultUri: vscode.Uri.file(path.join(folder, defaultZipName(resolved.profile?.code, new Date()))),
      filters: { 'Zip for Alma': ['zip'] },
      saveLabel: 'Create Zip',
    });
    if (target === undefined) return;

    const request = {
      inputs: inputs.map((uri) => uri.fsPath),
      settings: resolved.settings,
      out: target.fsPath,
      cwd: folder,
      profileCode: resolved.profile?.code,
    };
    let result: ZipPackageResult | undefined;
    try {
      result = await withProgress((options) => createZipPackage(request, options));
    } catch (error) {
      if (!(error instanceof PackagingRefused)) throw error;
      if (!(await forceAfterRefusal(error))) return;
      result = await withProgress((options) => createZipPackage({ ...request, force: true }, options));
    }
    if (result) await showResult(result);
  } catch (error) {
    if ((error as Error | undefined)?.name === 'AbortError') {
      void vscode.window.showInformationMessage('Alma SIS: zip cancelled; nothing was written.');
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    void vscode.window.showErrorMessage(`Alma SIS: ${error instanceof InputError ? '' : 'zip failed: '}${message}`);
  }
}

/** The explorer's selection (a right-click on one of several selected files passes them all), or the open file. */
function chosenInputs(clicked?: vscode.Uri, selected?: vscode.Uri[]): vscode.Uri[] | undefined {
  if (selected !== undefined && selected.length > 0) return selected;
  if (clicked !== undefined) return [clicked];
  const open = vscode.window.activeTextEditor?.document.uri;
  return open?.scheme === 'file' && /\.xml$/i.test(open.fsPath) ? [open] : undefined;
}

async function pickInputs(): Promise<vscode.Uri[] | undefined> {
  return vscode.window.showOpenDialog({
    title: 'Alma SIS: the user XML files to zip, in load order',
    canSelectMany: true,
    filters: { 'User XML files': ['xml'] },
    openLabel: 'Zip',
  });
}

/** The engine reads files from disk: unsaved changes would not be in the zip. */
async function savedFirst(inputs: readonly vscode.Uri[]): Promise<boolean> {
  const wanted = new Set(inputs.map((uri) => uri.toString()));
  const dirty = vscode.workspace.textDocuments.filter((doc) => doc.isDirty && wanted.has(doc.uri.toString()));
  if (dirty.length === 0) return true;
  const names = dirty.map((doc) => path.basename(doc.uri.fsPath)).join(', ');
  const choice = await vscode.window.showWarningMessage(`${names}: unsaved changes; the zip is made from the files on disk.`, 'Save and Zip', 'Zip Saved Files');
  if (choice !== 'Save and Zip') return choice === 'Zip Saved Files';
  const unsaved = await saveAll(dirty);
  if (unsaved.length === 0) return true;
  const failed = unsaved.map((doc) => path.basename(doc.uri.fsPath)).join(', ');
  void vscode.window.showErrorMessage(`Alma SIS: ${failed} could not be saved; no zip was made.`);
  return false;
}

/**
 * Saves `docs` and returns those still unsaved. In code-server 4.100 save() resolved false now and
 * then right after typing while the save went through: the document, still dirty then, turned clean
 * a moment later at the same version. So a false is believed only once the document stays dirty.
 */
async function saveAll(docs: readonly vscode.TextDocument[]): Promise<vscode.TextDocument[]> {
  const saved = await Promise.all(docs.map((doc) => doc.save()));
  const unsaved = () => docs.filter((doc, index) => !saved[index] && doc.isDirty);
  for (let waited = 0; unsaved().length > 0 && waited < SAVE_SETTLE_MS; waited += 100) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return unsaved();
}

/** The profile for the zip's name and settings: asked only when the configuration has several and no default; null when dismissed. */
async function pickProfile(configPath: string | undefined): Promise<string | undefined | null> {
  if (configPath === undefined) return undefined;
  const config = await loadConfig(configPath);
  if (config.profiles.length <= 1 || config.defaultProfile !== undefined) return undefined;
  const picked = await vscode.window.showQuickPick(
    config.profiles.map((profile) => ({ label: profile.code, description: profile.name })),
    { title: 'Alma SIS: the integration profile the zip is for', ignoreFocusOut: true },
  );
  return picked === undefined ? null : picked.label;
}

async function isFolder(uri: vscode.Uri): Promise<boolean> {
  return (await vscode.workspace.fs.stat(uri)).type === vscode.FileType.Directory;
}

type PackagingOptions = Parameters<typeof createZipPackage>[1];

function withProgress<T>(work: (options: PackagingOptions) => Promise<T>): Thenable<T> {
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Alma SIS: creating zip', cancellable: true },
    (progress, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      let reported = 0;
      return work({
        signal: abort.signal,
        onProgress: (p) => {
          // Validating is the first half of the bar, writing the second.
          const half = p.bytesTotal === 0 ? 50 : Math.floor((p.bytesDone * 50) / p.bytesTotal);
          const percent = (p.phase === 'writing' ? 50 : 0) + half;
          if (percent === reported) return;
          progress.report({ increment: percent - reported, message: `${p.phase} ${path.basename(p.path)}` });
          reported = percent;
        },
      });
    },
  );
}

/** Shows why the files were refused; true when the user chooses to zip them anyway (never for mixed versions). */
async function forceAfterRefusal(refusal: PackagingRefused): Promise<boolean> {
  const first = firstError(refusal.validation);
  const where = first ? ` First: ${first}` : '';
  const actions = refusal.reason === 'errors' ? ['Show Errors', 'Zip Anyway'] : ['Show Errors'];
  const choice = await vscode.window.showErrorMessage(`Alma SIS: ${refusal.message}.${where}`, ...actions);
  if (choice === 'Show Errors') {
    const doc = await vscode.workspace.openTextDocument({ language: 'plaintext', content: errorList(refusal.validation) });
    await vscode.window.showTextDocument(doc, { preview: true });
    return false;
  }
  if (choice !== 'Zip Anyway') return false;
  const sure = await vscode.window.showWarningMessage(
    'Alma SIS: zip files that have errors? Alma rejects users with errors, and one bad character aborts its whole job.',
    { modal: true },
    'Zip Anyway',
  );
  return sure === 'Zip Anyway';
}

function firstError(validation: SetResult): string | undefined {
  for (const doc of validation.documents) {
    const finding = doc.findings.find((f) => f.severity === 'error');
    if (finding) return `${path.basename(doc.path)}:${finding.range.start.line + 1}: ${finding.message}`;
  }
  return undefined;
}

/** `path:line:col: rule message`, one error a line, as the command line prints them. */
function errorList(validation: SetResult): string {
  const lines: string[] = [];
  for (const doc of validation.documents) {
    for (const f of doc.findings) {
      if (f.severity === 'error') lines.push(`${doc.path}:${f.range.start.line + 1}:${f.range.start.character + 1}: ${f.rule} ${f.message}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

async function showResult(result: ZipPackageResult): Promise<void> {
  const names = result.entries.map((entry) => entry.name);
  const order = names.length <= 8 ? names.join(', ') : `${names.slice(0, 8).join(', ')} and ${names.length - 8} more`;
  const errors = result.validation.summary.errors;
  const forced = result.forced ? ` despite ${errors} error${errors === 1 ? '' : 's'}` : '';
  const notes = result.notes.length > 0 ? ` Note: ${result.notes.map((n) => `${path.basename(n.path)}: ${n.message}`).join('; ')}.` : '';
  const choice = await vscode.window.showInformationMessage(
    `Alma SIS: created ${path.basename(result.zipPath)}${forced}: ${names.length} XML file${names.length === 1 ? '' : 's'} in this order: ${order}.${notes}`,
    'Reveal in Explorer',
  );
  if (choice === 'Reveal in Explorer') await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(result.zipPath));
}
