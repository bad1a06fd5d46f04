import * as path from 'node:path';
import * as vscode from 'vscode';
import { ProfilesRequest, type CreateZipArgs, type CreateZipResult } from '../../../server/src/protocol/messages';
import type { AlmaServer } from '../serverAccess';
import { errorText, isCancelled, pickProfile, shown, withServerProgress } from './commandSupport';
import type { CommandActivator } from './index';
import { UPLOAD } from './uploadCommand';

export const CREATE_ZIP = 'almaSis.createZip';

/** How long a document whose save() said false may take to turn clean. */
const SAVE_SETTLE_MS = 5_000;

/**
 * "Alma SIS: Create Zip": the language server's zip packaging (alma-sis.createZip) of the files
 * selected in the explorer (or the open file). This module only asks for the profile and the
 * zip's name, shows progress and the result; validating, ordering, refusing and writing safely
 * are the engine's, in the server.
 */
export const activateCreateZip: CommandActivator = (context, server) => {
  context.subscriptions.push(
    vscode.commands.registerCommand(CREATE_ZIP, (clicked?: vscode.Uri, selected?: vscode.Uri[]) => createZip(server, clicked, selected)),
  );
};

async function createZip(server: AlmaServer, clicked?: vscode.Uri, selected?: vscode.Uri[]): Promise<void> {
  const inputs = chosenInputs(clicked, selected) ?? (await pickInputs());
  if (inputs === undefined || inputs.length === 0) return;
  if (!(await savedFirst(inputs))) return;
  try {
    const first = inputs[0].fsPath;
    const profiles = await server.request(ProfilesRequest, { uri: server.uri(inputs[0]) });
    if (profiles.problem !== undefined) throw new Error(profiles.problem);
    const profile = await pickProfile(profiles, { title: 'the integration profile the zip is for' });
    if (profile === null) return;
    const folder = (await isFolder(inputs[0])) ? first : path.dirname(first);
    const target = await vscode.window.showSaveDialog({
      title: 'Alma SIS: the zip to create',
      defaultUri: vscode.Uri.file(path.join(folder, profile?.zipName ?? profiles.zipName)),
      filters: { 'Zip for Alma': ['zip'] },
      saveLabel: 'Create Zip',
    });
    if (target === undefined) return;

    const args: CreateZipArgs = { inputs: inputs.map((uri) => server.uri(uri)), out: target.fsPath, profile: profile?.code };
    let result = await withProgress(server, args);
    if (!result.created) {
      if (!(await forceAfterRefusal(result))) return;
      result = await withProgress(server, { ...args, force: true });
    }
    if (result.created) await showResult(result);
  } catch (error) {
    if (isCancelled(error)) {
      void vscode.window.showInformationMessage('Alma SIS: zip cancelled; nothing was written.');
      return;
    }
    void vscode.window.showErrorMessage(`Alma SIS: zip failed: ${errorText(error)}`);
  }
}

function withProgress(server: AlmaServer, args: CreateZipArgs): Thenable<CreateZipResult> {
  return withServerProgress(server, 'Alma SIS: creating zip', (token, workDoneToken) => server.command('alma-sis.createZip', args, token, workDoneToken));
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

async function isFolder(uri: vscode.Uri): Promise<boolean> {
  return (await vscode.workspace.fs.stat(uri)).type === vscode.FileType.Directory;
}

/** Shows why the files were refused; true when the user chooses to zip them anyway (never for mixed versions). */
async function forceAfterRefusal(refusal: Extract<CreateZipResult, { created: false }>): Promise<boolean> {
  const where = refusal.firstError ? ` First: ${refusal.firstError}` : '';
  const actions = refusal.reason === 'errors' ? ['Show Errors', 'Zip Anyway'] : ['Show Errors'];
  const choice = await vscode.window.showErrorMessage(shown(`Alma SIS: ${refusal.message}.${where}`), ...actions);
  if (choice === 'Show Errors') {
    const doc = await vscode.workspace.openTextDocument({ language: 'plaintext', content: refusal.errorList });
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

async function showResult(result: Extract<CreateZipResult, { created: true }>): Promise<void> {
  const names = result.entries.map((entry) => entry.name);
  const order = names.length <= 8 ? names.join(', ') : `${names.slice(0, 8).join(', ')} and ${names.length - 8} more`;
  const forced = result.forced ? ` despite ${result.errors} error${result.errors === 1 ? '' : 's'}` : '';
  const notes = result.notes.length > 0 ? ` Note: ${result.notes.map((n) => `${path.basename(n.path)}: ${n.message}`).join('; ')}.` : '';
  const choice = await vscode.window.showInformationMessage(
    shown(`Alma SIS: created ${path.basename(result.zipPath)}${forced}: ${names.length} XML file${names.length === 1 ? '' : 's'} in this order: ${order}.${notes}`),
    'Reveal in Explorer',
    'Upload…',
  );
  if (choice === 'Reveal in Explorer') await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(result.zipPath));
  // The zip just made, so the upload does not ask which one.
  if (choice === 'Upload…') await vscode.commands.executeCommand(UPLOAD, vscode.Uri.file(result.zipPath));
}
