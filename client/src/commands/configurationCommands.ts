import * as path from 'node:path';
import * as vscode from 'vscode';
import { DidChangeWatchedFilesNotification, FileChangeType } from 'vscode-languageclient/node';
import { ProfilesRequest } from '../../../server/src/protocol/messages';
import {
  checkHost, checkIdType, checkPort, checkProfileCode, checkUsername, codeTablesReference, configText, CONFIG_FILE_NAME, DEFAULT_SFTP_PORT,
  identifierTypesOf, looksLikeCodeTables, PROPOSED_PATHS, RECORD_TYPE_CHOICES, UNMATCHED_CHOICES, USED_FOR_CHOICES, XSD_VERSION_CHOICES,
  type SftpAnswers, type WizardAnswers,
} from '../configWizard';
import type { AlmaServer } from '../serverAccess';
import { errorText, isCancelled } from './commandSupport';
import { CREATE_CONFIGURATION, OPEN_CONFIGURATION, type OpenConfigurationArgs } from './configCommandIds';
import type { CommandActivator } from './index';

/**
 * "Alma SIS: Create Configuration", a wizard with the questions of Alma's SIS integration profile
 * wizard that writes alma-sis.config.json (the JSON is built by configWizard.ts), and "Alma SIS:
 * Open Configuration", the actions of the configuration's language status item. The server
 * watches alma-sis.config.json files: the open files are validated with the new one as soon as it
 * is written.
 */
export const activateConfiguration: CommandActivator = (context, server) => {
  context.subscriptions.push(
    vscode.commands.registerCommand(CREATE_CONFIGURATION, () => report(createConfiguration(server))),
    vscode.commands.registerCommand(OPEN_CONFIGURATION, (args?: unknown) => report(openConfiguration(server, openArgs(args)))),
  );
};

const TITLE = 'Alma SIS: Create Configuration';

async function report(work: Promise<void>): Promise<void> {
  try {
    await work;
  } catch (error) {
    if (!isCancelled(error)) void vscode.window.showErrorMessage(`Alma SIS: ${errorText(error)}`);
  }
}

async function createConfiguration(server: AlmaServer): Promise<void> {
  const target = await chooseTarget(server);
  if (target === undefined) return;
  const existed = await isFile(target);
  if (existed && !(await mayReplace(target))) return;
  const answers = await askAnswers(target);
  if (answers === undefined) return;
  // Made meanwhile (by another window, a script): asked about only now.
  if (!existed && (await isFile(target)) && !(await mayReplace(target))) return;
  await vscode.workspace.fs.writeFile(target, Buffer.from(configText(answers), 'utf8'));
  if (vscode.workspace.getWorkspaceFolder(target) === undefined && server.client.isRunning()) {
    // The watchers cover the workspace folders and the file alma-sis.configPath names; one
    // written above the workspace (it applies to the files below it) is told about here.
    void server.client.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: server.uri(target), type: FileChangeType.Created }] });
  }
  await vscode.window.showTextDocument(target, { preview: false });
}

/** Asks before a configuration is replaced; "Open It" opens the one there instead. */
async function mayReplace(target: vscode.Uri): Promise<boolean> {
  const replace = 'Replace';
  const open = 'Open It';
  const choice = await vscode.window.showWarningMessage(
    `${vscode.workspace.asRelativePath(target)} already exists.`,
    { modal: true, detail: 'Replace it with the new configuration? Its profiles would be lost.' },
    replace,
    open,
  );
  if (choice === open) await vscode.window.showTextDocument(target, { preview: false });
  return choice === replace;
}

interface TargetItem extends vscode.QuickPickItem {
  uri?: vscode.Uri;
}

/**
 * Where the configuration goes: where alma-sis.configPath points when nothing is there yet, the
 * workspace folders, the open file's folder, or a folder the person picks.
 */
async function chooseTarget(server: AlmaServer): Promise<vscode.Uri | undefined> {
  const active = vscode.window.activeTextEditor?.document.uri;
  const file = active?.scheme === 'file' ? active : undefined;
  const profiles = await server.request(ProfilesRequest, { ...(file !== undefined ? { uri: server.uri(file) } : {}), orWorkspace: true });
  const candidates: { uri: vscode.Uri; why: string }[] = [];
  if (profiles.configPath !== undefined) {
    const inUse = vscode.Uri.file(profiles.configPath);
    const kind = await fileType(inUse);
    // A folder is what the search started from when a profile was named without a configuration.
    if (kind === undefined) candidates.push({ uri: inUse, why: 'where alma-sis.configPath points' });
    else if (kind & vscode.FileType.File) candidates.push({ uri: inUse, why: 'the configuration in use now' });
  }
  const home = file !== undefined ? vscode.workspace.getWorkspaceFolder(file) : undefined;
  const folders = [...(home ? [home] : []), ...(vscode.workspace.workspaceFolders ?? []).filter((f) => f !== home)];
  for (const folder of folders) candidates.push({ uri: vscode.Uri.joinPath(folder.uri, CONFIG_FILE_NAME), why: `the workspace folder ${folder.name}: for every file in it` });
  if (file !== undefined) candidates.push({ uri: vscode.Uri.file(path.join(path.dirname(file.fsPath), CONFIG_FILE_NAME)), why: 'beside the open file: for the files in its folder' });

  const items: TargetItem[] = [];
  for (const { uri, why } of candidates) {
    if (items.some((item) => item.uri?.fsPath === uri.fsPath)) continue;
    const exists = (await fileType(uri)) !== undefined;
    items.push({ label: vscode.workspace.asRelativePath(uri), description: exists ? `${why} (exists: you are asked before it is replaced)` : why, detail: uri.fsPath, uri });
  }
  items.push({ label: 'Another folder…', description: `${CONFIG_FILE_NAME} applies to the files in that folder and below it` });
  const picked = await vscode.window.showQuickPick(items, { title: `${TITLE}: where should ${CONFIG_FILE_NAME} go?`, ignoreFocusOut: true });
  if (picked === undefined) return undefined;
  if (picked.uri !== undefined) return picked.uri;
  const chosen = await vscode.window.showOpenDialog({
    title: `${TITLE}: the folder for ${CONFIG_FILE_NAME}`,
    canSelectFiles: false,
    canSelectFolders: true,
    canSelectMany: false,
    openLabel: 'Create Here',
    defaultUri: folders[0]?.uri,
  });
  return chosen?.[0] === undefined ? undefined : vscode.Uri.joinPath(chosen[0], CONFIG_FILE_NAME);
}

interface Choice<T> extends vscode.QuickPickItem {
  value: T;
}

async function pick<T>(question: string, items: Choice<T>[]): Promise<T | undefined> {
  return (await vscode.window.showQuickPick(items, { title: `${TITLE}: ${question}`, ignoreFocusOut: true }))?.value;
}

async function ask(question: string, options: Omit<vscode.InputBoxOptions, 'title' | 'ignoreFocusOut'>): Promise<string | undefined> {
  return (await vscode.window.showInputBox({ ...options, title: `${TITLE}: ${question}`, ignoreFocusOut: true }))?.trim();
}

/** The wizard's questions, in the order of Alma's profile wizard; undefined when the person leaves it. */
async function askAnswers(target: vscode.Uri): Promise<WizardAnswers | undefined> {
  const code = await ask('profile code', {
    prompt: 'The code of the SIS integration profile in Alma (Configuration > General > External Systems)',
    placeHolder: 'STUDENTS',
    validateInput: checkProfileCode,
  });
  if (code === undefined) return undefined;
  const name = await ask('profile name', { prompt: 'The profile\'s name in Alma, for people', value: code });
  if (name === undefined) return undefined;
  const xsdVersion = await pick('User XSD version', XSD_VERSION_CHOICES);
  if (xsdVersion === undefined) return undefined;
  const recordType = await pick('record type of the users it creates', RECORD_TYPE_CHOICES);
  if (recordType === undefined) return undefined;
  const usedFor = xsdVersion === 1 ? 'users' : await pick('used for', USED_FOR_CHOICES);
  if (usedFor === undefined) return undefined;
  const codeTables = await askCodeTables(target);
  if (codeTables === undefined) return undefined;
  const matchIdType = await askMatchIdentifier(codeTables.identifierTypes);
  if (matchIdType === undefined) return undefined;
  const unmatched = await pick('users that match no existing user (synchronize)', UNMATCHED_CHOICES);
  if (unmatched === undefined) return undefined;
  const sftp = await askSftp();
  if (sftp === undefined) return undefined;
  return {
    code, name, xsdVersion, recordType, usedFor, matchIdType, unmatched,
    ...(codeTables.reference !== undefined ? { codeTables: codeTables.reference } : {}),
    ...(sftp !== null ? { sftp } : {}),
  };
}

/** The code tables file (or none), and the identifier types it lists for the match identifier. */
async function askCodeTables(target: vscode.Uri): Promise<{ reference?: string; identifierTypes: string[] } | undefined> {
  const found = (await vscode.workspace.findFiles('**/*.json', '**/node_modules/**', 500)).filter((uri) => looksLikeCodeTables(uri.fsPath));
  // null: choose a file in a dialog.
  const items: Choice<vscode.Uri | 'none' | null>[] = [
    ...found.map((uri) => ({ label: vscode.workspace.asRelativePath(uri), description: 'code tables', value: uri })),
    { label: 'No code tables', description: 'codes are checked against Alma\'s fixed lists only; add codeTables later', value: 'none' },
    { label: 'Choose a file…', value: null },
  ];
  const picked = await pick('the institution\'s code tables (user groups, identifier types…)', items);
  if (picked === undefined) return undefined;
  if (picked === 'none') return { identifierTypes: [] };
  let file = picked ?? undefined;
  if (file === undefined) {
    const chosen = await vscode.window.showOpenDialog({ title: `${TITLE}: the code tables file`, canSelectMany: false, filters: { 'Code tables (JSON)': ['json'] } });
    file = chosen?.[0];
    if (file === undefined) return undefined;
  }
  let identifierTypes: string[] = [];
  try {
    identifierTypes = identifierTypesOf(Buffer.from(await vscode.workspace.fs.readFile(file)).toString('utf8')).map((type) => type.code);
  } catch {
    // Unreadable: the server reports it once the configuration names it.
  }
  return { reference: codeTablesReference(target.fsPath, file.fsPath), identifierTypes };
}

async function askMatchIdentifier(identifierTypes: readonly string[]): Promise<string | undefined> {
  // null: another identifier type, typed in.
  const picked = await pick<string | null>('the identifier a synchronize matches users on', [
    { label: 'primary_id', description: 'the user\'s primary identifier', value: 'primary_id' },
    ...identifierTypes.map((code) => ({ label: code, description: 'an identifier type of the code tables', value: code })),
    { label: 'Another identifier type…', description: 'an id_type code', value: null },
  ]);
  if (picked !== null) return picked;
  return ask('the identifier type to match on', { prompt: 'An id_type code of the users\' user_identifiers', placeHolder: 'UNIV_ID', validateInput: checkIdType });
}

/** The SFTP settings, null for none; never a password (asked at upload, kept in VS Code's secret storage). */
async function askSftp(): Promise<SftpAnswers | null | undefined> {
  const wanted = await pick('SFTP server (for Upload to SFTP)', [
    { label: 'No SFTP settings', description: 'add sftp later', value: false },
    { label: 'Set up SFTP…', description: 'host, user and folders; no password is stored', value: true },
  ]);
  if (wanted === undefined) return undefined;
  if (!wanted) return null;
  const host = await ask('SFTP host', { prompt: 'The host name or address Alma fetches the files from', placeHolder: 'sftp.example.edu', validateInput: checkHost });
  if (host === undefined) return undefined;
  const port = await ask('SFTP port', { value: String(DEFAULT_SFTP_PORT), validateInput: checkPort });
  if (port === undefined) return undefined;
  const username = await ask('SFTP user name', { validateInput: checkUsername });
  if (username === undefined) return undefined;
  const privateKeyPath = await ask('SFTP private key file (optional)', {
    prompt: 'Empty: a password, asked at upload and kept in VS Code\'s secret storage, or the ssh agent',
    placeHolder: '~/.ssh/alma_sis_ed25519',
  });
  if (privateKeyPath === undefined) return undefined;
  const directory = await ask('SFTP directory (optional)', { prompt: 'The profile\'s folder on the server (Alma\'s sub-directory)', placeHolder: '/incoming/sis' });
  if (directory === undefined) return undefined;
  const folders: Partial<Record<keyof typeof PROPOSED_PATHS, string>> = {};
  for (const [key, job] of [['importPath', 'Import'], ['synchronizePath', 'Synchronize'], ['exportPath', 'Export']] as const) {
    const value = await ask(`${job} folder (optional)`, { prompt: `Where files for the ${job} job are, below the directory; empty: none`, value: PROPOSED_PATHS[key] });
    if (value === undefined) return undefined;
    folders[key] = value;
  }
  return { host, port: Number(port), username, privateKeyPath, directory, ...folders };
}

// -----------------------------------------------------------------------------------------
// Open Configuration

/** The arguments of a status link (JSON from the hover) or none (the palette). */
function openArgs(value: unknown): OpenConfigurationArgs | undefined {
  if (typeof value !== 'object' || value === null || typeof (value as { path?: unknown }).path !== 'string') return undefined;
  const { path: file, line, character } = value as Record<string, unknown>;
  return {
    path: file as string,
    ...(typeof line === 'number' && line >= 0 ? { line, character: typeof character === 'number' && character >= 0 ? character : 0 } : {}),
  };
}

async function openConfiguration(server: AlmaServer, args: OpenConfigurationArgs | undefined): Promise<void> {
  let configPath = args?.path;
  if (configPath === undefined) {
    const active = vscode.window.activeTextEditor?.document.uri;
    const file = active?.scheme === 'file' ? active : undefined;
    configPath = (await server.request(ProfilesRequest, { ...(file !== undefined ? { uri: server.uri(file) } : {}), orWorkspace: true })).configPath;
  }
  const uri = configPath === undefined ? undefined : vscode.Uri.file(configPath);
  if (uri === undefined || !(await isFile(uri))) {
    const create = 'Create Configuration';
    const where = uri === undefined ? 'no alma-sis.config.json applies here' : `there is no configuration file at ${vscode.workspace.asRelativePath(uri)}`;
    if ((await vscode.window.showInformationMessage(`Alma SIS: ${where}.`, create)) === create) await createConfiguration(server);
    return;
  }
  const at = args?.line === undefined ? undefined : new vscode.Position(args.line, args.character ?? 0);
  await vscode.window.showTextDocument(uri, { preview: false, ...(at !== undefined ? { selection: new vscode.Range(at, at) } : {}) });
}

async function fileType(uri: vscode.Uri): Promise<vscode.FileType | undefined> {
  try {
    return (await vscode.workspace.fs.stat(uri)).type;
  } catch {
    return undefined;
  }
}

/** A file, or a link to one (FileType is a bit set). */
async function isFile(uri: vscode.Uri): Promise<boolean> {
  return ((await fileType(uri)) ?? 0) & vscode.FileType.File ? true : false;
}
