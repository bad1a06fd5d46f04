import * as vscode from 'vscode';
import { MAX_TEXT_SAMPLE_USERS, type GenerateSampleArgs } from '../../../server/src/protocol/messages';
import type { AlmaServer } from '../serverAccess';
import { sampleFileName, userFileName } from '../untitledNames';
import { errorText, isCancelled, withServerProgress } from './commandSupport';
import { openUntitled } from './untitledDocument';
import type { CommandActivator } from './index';

export const GENERATE_SAMPLE = 'almaSis.generateSample';
export const NEW_FILE_FROM_USER = 'almaSis.newFileFromUser';

/** What the prompt proposes (the CLI's default too). */
const PROPOSED_USERS = 10;

/**
 * "Alma SIS: Generate Sample File" (the server's generator, codes from the workspace's profile)
 * and "Alma SIS: New File from This User" (the server's one-user template of the user under the cursor).
 */
export const activateSamples: CommandActivator = (context, server) => {
  context.subscriptions.push(
    vscode.commands.registerCommand(GENERATE_SAMPLE, () => report(generateSample(server))),
    vscode.commands.registerCommand(NEW_FILE_FROM_USER, () => report(newFileFromUser(server))),
  );
};

async function report(work: Promise<void>): Promise<void> {
  try {
    await work;
  } catch (error) {
    if (!isCancelled(error)) void vscode.window.showErrorMessage(`Alma SIS: ${errorText(error)}`);
  }
}

async function generateSample(server: AlmaServer): Promise<void> {
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
    value: String(PROPOSED_USERS),
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
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const args: GenerateSampleArgs = { schema: kind.schema, researchers: kind.researchers, users, seed: seed.trim(), ...(folder ? { scope: server.uri(folder) } : {}) };

  const toEditor = 'Open in a new editor';
  const toFile = 'Save to a file…';
  const destination =
    users > MAX_TEXT_SAMPLE_USERS ? toFile : (await vscode.window.showQuickPick([toEditor, toFile], { title: 'Alma SIS: where should the sample go?' }));
  if (destination === undefined) return;
  if (destination === toEditor) {
    const result = await server.command('alma-sis.generateSample', args);
    if (!('text' in result)) return;
    const document = await openUntitled(sampleFileName(kind, users), result.text);
    await vscode.window.showTextDocument(document);
    return;
  }
  const target = await vscode.window.showSaveDialog({
    title: 'Alma SIS: save the sample file',
    defaultUri: folder && vscode.Uri.joinPath(folder, sampleFileName(kind, users)),
    filters: { 'User XML file': ['xml'] },
  });
  if (target === undefined) return;
  await withServerProgress(server, `Alma SIS: writing ${users} sample users`, (token, workDoneToken) =>
    server.command('alma-sis.generateSample', { ...args, out: server.uri(target) }, token, workDoneToken),
  );
  await vscode.window.showTextDocument(target);
}

async function newFileFromUser(server: AlmaServer): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (editor === undefined) {
    void vscode.window.showInformationMessage('Alma SIS: open a user file and put the cursor inside a user first.');
    return;
  }
  const choice = await vscode.window.showQuickPick(
    [
      { label: 'Keep the values', detail: 'a copy of this user, to edit or to test one record', values: 'keep' as const },
      { label: 'Blank the values', detail: 'the same fields, empty, as a template to fill in', values: 'blank' as const },
    ],
    { title: 'Alma SIS: new file from this user' },
  );
  if (choice === undefined) return;
  const document = editor.document;
  const { line, character } = editor.selection.active;
  const template = await server.command('alma-sis.newFileFromUser', { uri: server.uri(document.uri), position: { line, character }, values: choice.values });
  const created = await openUntitled(userFileName(template.primaryId, choice.values), template.text, document.languageId);
  await vscode.window.showTextDocument(created);
}
