import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  DEFAULT_SAMPLE_USERS,
  findConfig,
  resolveProfile,
  sampleText,
  userTemplate,
  UserTemplateError,
  writeSampleFile,
  type SampleOptions,
  type TemplateValues,
} from '../../../server/src/engine/index';
import { readSettings, SETTINGS_SECTION } from '../settings';
import type { CommandActivator } from './index';

export const GENERATE_SAMPLE = 'almaSis.generateSample';
export const NEW_FILE_FROM_USER = 'almaSis.newFileFromUser';

/** More users than this go to a file: an untitled editor holding hundreds of megabytes helps nobody. */
const MAX_UNTITLED_USERS = 5000;

/**
 * "Alma SIS: Generate Sample File" (the engine's generator, codes from the workspace's profile)
 * and "Alma SIS: New File from This User" (the engine's one-user template of the user under the cursor).
 */
export const activateSamples: CommandActivator = (context) => {
  context.subscriptions.push(
    vscode.commands.registerCommand(GENERATE_SAMPLE, () => report(generateSample())),
    vscode.commands.registerCommand(NEW_FILE_FROM_USER, () => report(newFileFromUser())),
  );
};

async function report(work: Promise<void>): Promise<void> {
  try {
    await work;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    void vscode.window.showErrorMessage(`Alma SIS: ${error instanceof UserTemplateError ? '' : 'sample failed: '}${message}`);
  }
}

async function generateSample(): Promise<void> {
  const kind = await vscode.window.showQuickPick(
    [
      { label: 'Users (User XSD v2)', schema: 2 as const, researchers: false },
      { label: 'Researchers (User XSD v2, Esploro)', schema: 2 as const, researchers: true },
      { label: 'Users (User XSD v1, deprecated)', schema: 1 as const, researchers: false },
    ],
    { title: 'Alma SIS: what kind of sample file?' },
  );
  if (kind === undefined) return;
  const usersText = await vscode.window.showInputBox({
    title: 'Alma SIS: how many users?',
    value: String(DEFAULT_SAMPLE_USERS),
    validateInput: (value) => (/^\d+$/.test(value.trim()) ? undefined : 'a whole number'),
  });
  if (usersText === undefined) return;
  const seed = await vscode.window.showInputBox({
    title: 'Alma SIS: seed (the same seed gives the same file)',
    value: '1',
    validateInput: (value) => (value.trim() === '' ? 'a number or a word' : undefined),
  });
  if (seed === undefined) return;
  const users = Number(usersText.trim());
  const options: SampleOptions = { schema: kind.schema, researchers: kind.researchers, users, seed: seed.trim(), ...(await profileCodes()) };

  const toEditor = 'Open in a new editor';
  const toFile = 'Save to a file…';
  const destination =
    users > MAX_UNTITLED_USERS ? toFile : (await vscode.window.showQuickPick([toEditor, toFile], { title: 'Alma SIS: where should the sample go?' }));
  if (destination === undefined) return;
  if (destination === toEditor) {
    const document = await vscode.workspace.openTextDocument({ language: 'xml', content: sampleText(options) });
    await vscode.window.showTextDocument(document);
    return;
  }
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const target = await vscode.window.showSaveDialog({
    title: 'Alma SIS: save the sample file',
    defaultUri: folder && vscode.Uri.joinPath(folder, `sample-${kind.researchers ? 'researchers' : 'users'}-v${kind.schema}-${users}.xml`),
    filters: { 'User XML file': ['xml'] },
  });
  if (target === undefined) return;
  await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Alma SIS: writing ${users} sample users`, cancellable: true },
    async (_progress, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      await writeSampleFile(target.fsPath, options, abort.signal);
    },
  );
  await vscode.window.showTextDocument(target);
}

/** Codes, schema version and match identifier of the workspace's profile, when there is a configuration. */
async function profileCodes(): Promise<Partial<SampleOptions>> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const settings = readSettings(vscode.workspace.getConfiguration(SETTINGS_SECTION, folder));
  const configPath = settings.configPath !== '' ? settings.configPath : folder && findConfig(folder.fsPath);
  if (configPath === undefined) return {};
  const resolved = await resolveProfile({ configPath, searchFrom: path.dirname(configPath), profileCode: settings.profile || undefined });
  return { codeTables: resolved.settings.codeTables, matchIdType: resolved.profile?.matchIdType };
}

async function newFileFromUser(): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (editor === undefined) {
    void vscode.window.showInformationMessage('Alma SIS: open a user file and put the cursor inside a user first.');
    return;
  }
  const choice = await vscode.window.showQuickPick(
    [
      { label: 'Keep the values', detail: 'a copy of this user, to edit or to test one record', values: 'keep' as TemplateValues },
      { label: 'Blank the values', detail: 'the same fields, empty, as a template to fill in', values: 'blank' as TemplateValues },
    ],
    { title: 'Alma SIS: new file from this user' },
  );
  if (choice === undefined) return;
  const document = editor.document;
  const template = userTemplate(document.getText(), document.offsetAt(editor.selection.active), choice.values);
  const created = await vscode.workspace.openTextDocument({ language: document.languageId, content: template.text });
  await vscode.window.showTextDocument(created);
}
