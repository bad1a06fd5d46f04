import * as path from 'node:path';
import * as vscode from 'vscode';
import { PinHostKeyRequest, ProfilesRequest, type ProfileSummary, type SftpSummary, type UploadArgs, type UploadResultMessage, type UploadTarget } from '../../../server/src/protocol/messages';
import { lastDryRunKey, type LastDryRunSummary } from '../dryRunMemory';
import type { AlmaServer } from '../serverAccess';
import { syncConfirmation } from '../syncConfirmation';
import { configurationFocus, failureNotice, RESTRICTED_MODE_MESSAGE, savedSecretSuspect, SHOW_DETAILS, type FailureFacts, type NextStep } from '../uploadFailure';
import { zipPickItems, type ZipFile } from '../zipPick';
import { isCancelled, pickProfile, shown, withServerProgress } from './commandSupport';
import { DRY_RUN } from './dryRunCommand';
import type { CommandActivator } from './index';

export const UPLOAD = 'almaSis.upload';

/** The workspace's zips the pick looks at; past this many, Browse… finds the others. */
const MAX_ZIPS = 500;

type SftpProfile = ProfileSummary & { sftp: SftpSummary };

/** Where Open Configuration puts the cursor (see configurationFocus). */
interface Focus {
  profile?: string;
  fingerprint?: string;
}

/** A failure whose facts are known where it happened (the configuration it concerns, the profile). */
class UploadProblem extends Error {
  constructor(
    readonly facts: FailureFacts,
    readonly focus: Focus = {},
  ) {
    super(facts.message);
  }
}

/**
 * "Alma SIS: Upload to SFTP": asks for the zip (the workspace's, newest first), the profile and
 * the target folder, asks again before a synchronize with what the zip's last dry-run found,
 * keeps the password or key passphrase in VS Code's secret storage (asked once, kept only after a
 * login worked, never written to settings, logs or the output channel; sealed to the language
 * server's key on the wire), and on first contact shows the server's host key fingerprint and
 * offers to pin it in alma-sis.config.json. A failure comes with its next step as a button. The
 * language server does the upload itself (alma-sis.upload: host key check, temporary name, size
 * check, rename, retries, clean-up).
 */
export const activateUpload: CommandActivator = (context, server) => {
  context.subscriptions.push(vscode.commands.registerCommand(UPLOAD, (clicked?: vscode.Uri) => upload(context, server, clicked)));
};

async function upload(context: vscode.ExtensionContext, server: AlmaServer, clicked?: vscode.Uri): Promise<void> {
  // Not hidden by `enablement`: a command that silently does nothing leaves the person guessing why.
  if (!vscode.workspace.isTrusted) {
    const manage = 'Manage Workspace Trust';
    if ((await vscode.window.showWarningMessage(`Alma SIS: ${RESTRICTED_MODE_MESSAGE}`, manage)) === manage) {
      await vscode.commands.executeCommand('workbench.trust.manage');
    }
    return;
  }
  try {
    const zip = chosenZip(clicked) ?? (await pickZip());
    if (zip === undefined) return;
    const profiles = await server.request(ProfilesRequest, { uri: server.uri(zip), orWorkspace: true });
    if (profiles.problem !== undefined) throw new UploadProblem({ reason: 'request', message: profiles.problem, configPath: profiles.configPath });
    if (profiles.configPath === undefined) {
      void vscode.window.showErrorMessage('Alma SIS: no alma-sis.config.json with sftp settings was found for this zip (see the setting alma-sis.configPath).');
      return;
    }
    const configPath = profiles.configPath;
    const profile = await pickProfile(profiles, {
      title: 'upload with which integration profile?',
      usable: (p) => p.sftp !== undefined,
      always: true,
      detail: (p) => (p.sftp ? `${p.sftp.username}@${p.sftp.host}` : undefined),
    });
    if (profile === null && !profiles.profiles.some((p) => p.sftp !== undefined)) {
      throw new UploadProblem({ reason: 'configuration', message: `no profile in ${configPath} has sftp settings`, configPath });
    }
    if (!profile?.sftp) return;
    const sftpProfile = profile as SftpProfile;
    const target = await pickTarget(sftpProfile);
    if (target === undefined) return;
    const folder = sftpProfile.sftp.folders[target];
    // Asking for a password to then fail on a folder the configuration cannot name would waste it.
    if ('problem' in folder) throw new UploadProblem({ reason: 'configuration', message: folder.problem, configPath }, { profile: profile.code });
    if (target === 'synchronize' && !(await confirmSynchronize(context, zip, sftpProfile, folder.folder))) return;
    await uploadWithPrompts(server, context.secrets, zip, sftpProfile, target, configPath);
  } catch (error) {
    if (isCancelled(error)) return;
    if (error instanceof UploadProblem) await nextStepAfter(error.facts, error.focus);
    else await nextStepAfter({ reason: 'request', message: messageOf(error) });
  }
}

/**
 * A synchronize rewrites every matched user (swap-all): before it goes, the target and the zip's
 * last dry-run (how old, whether it raised the alert, whether the zip changed since), or a dry-run
 * offered. True to upload.
 */
async function confirmSynchronize(context: vscode.ExtensionContext, zip: vscode.Uri, profile: SftpProfile, folder: string): Promise<boolean> {
  const stat = await vscode.workspace.fs.stat(zip);
  const confirmation = syncConfirmation({
    zipName: path.basename(zip.fsPath),
    zipMtimeMs: stat.mtime,
    host: profile.sftp.host,
    folder,
    profile: profile.code,
    lastDryRun: context.workspaceState.get<LastDryRunSummary>(lastDryRunKey(zip.toString())),
    nowMs: Date.now(),
  });
  const choice = await vscode.window.showWarningMessage(confirmation.message, { modal: true, detail: confirmation.detail }, ...confirmation.buttons);
  if (choice === confirmation.dryRun) {
    // The report is to be read before anything is sent: the upload ends here and is started again.
    void vscode.commands.executeCommand(DRY_RUN, zip);
    return false;
  }
  return choice === confirmation.upload;
}

async function uploadWithPrompts(server: AlmaServer, secrets: vscode.SecretStorage, zip: vscode.Uri, profile: SftpProfile, target: UploadTarget, configPath: string): Promise<void> {
  const credentials = new Credentials(secrets, profile.sftp);
  for (;;) {
    const given = await credentials.current();
    if (given === undefined) return;
    const args: UploadArgs = { zip: server.uri(zip), profile: profile.code, target, ...(given.agent ? { agent: given.agent } : {}) };
    if (given.password !== undefined) args.password = await server.seal(given.password);
    if (given.passphrase !== undefined) args.passphrase = await server.seal(given.passphrase);
    const result: UploadResultMessage = await withServerProgress(server, `Alma SIS: uploading ${path.basename(zip.fsPath)}`, (token, workDoneToken) =>
      server.command('alma-sis.upload', args, token, workDoneToken),
    ).then((r) => r, (error: unknown) => {
      if (isCancelled(error)) return { uploaded: false as const, reason: 'cancelled', message: 'cancelled' };
      // The server refuses before uploading only over the configuration (none found, unreadable, no such profile).
      throw new UploadProblem({ reason: 'request', message: messageOf(error), configPath }, { profile: profile.code });
    });
    if (result.uploaded) {
      await credentials.remember();
      showResult(result);
      return;
    }
    if (result.reason === 'host-key-unknown' && result.seenFingerprint && result.configPath) {
      if (!(await trustHostKey(server, result.configPath, profile, result.seenFingerprint))) return;
      continue;
    }
    if (result.reason === 'authentication' && (await credentials.askAgain(result.message))) continue;
    if (result.reason === 'cancelled') {
      void vscode.window.showInformationMessage('Alma SIS: upload cancelled; nothing was left on the server.');
      return;
    }
    const facts: FailureFacts = { reason: result.reason, message: result.message, configPath: result.configPath ?? configPath };
    if (result.reason === 'authentication') facts.saved = credentials.savedSuspect(result.message);
    const step = await nextStepAfter(facts, { profile: profile.code, fingerprint: result.reason === 'host-key-mismatch' ? profile.sftp.hostKeyFingerprint : undefined });
    if (step === 'Retry') {
      if (result.reason === 'authentication') credentials.startOver();
      continue;
    }
    if (step === 'Forget Saved Password' || step === 'Forget Saved Passphrase') await credentials.forget();
    return;
  }
}

/**
 * Shows a failure with its next steps and takes the one that needs no more of the upload (opening
 * the configuration); returns the one chosen. A long message shows its first sentence, and
 * "Show Details" the whole of it in a dialog that offers the same steps.
 */
async function nextStepAfter(facts: FailureFacts, focus: Focus = {}): Promise<NextStep | undefined> {
  const notice = failureNotice(facts);
  let choice = await vscode.window.showErrorMessage(shown(notice.message), ...notice.buttons);
  if (choice === SHOW_DETAILS) {
    // The whole message is the dialog's text: plain (no links), so shown as the server wrote it.
    choice = await vscode.window.showErrorMessage('Alma SIS: upload failed', { modal: true, detail: notice.detail }, ...notice.steps);
  }
  const step = notice.steps.find((s) => s === choice);
  if (step === 'Open Configuration' && facts.configPath !== undefined) await openConfiguration(facts.configPath, focus);
  return step;
}

async function openConfiguration(configPath: string, focus: Focus): Promise<void> {
  const document = await vscode.workspace.openTextDocument(vscode.Uri.file(configPath));
  const at = configurationFocus(document.getText(), focus);
  const selection = at && new vscode.Range(document.positionAt(at.offset), document.positionAt(at.offset + at.length));
  await vscode.window.showTextDocument(document, { preview: false, ...(selection ? { selection } : {}) });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The explorer's zip, else the open file when it is a zip. */
function chosenZip(clicked?: vscode.Uri): vscode.Uri | undefined {
  if (clicked?.scheme === 'file' && /\.zip$/i.test(clicked.fsPath)) return clicked;
  const open = vscode.window.activeTextEditor?.document.uri;
  return open?.scheme === 'file' && /\.zip$/i.test(open.fsPath) ? open : undefined;
}

/** The workspace's zips, newest first, with Browse… for one elsewhere; straight to the file dialog when there are none. */
async function pickZip(): Promise<vscode.Uri | undefined> {
  const zips = await workspaceZips();
  if (zips.length === 0) return browseForZip();
  const browse: vscode.QuickPickItem = { label: 'Browse…', description: 'a zip outside the workspace, in the file dialog', alwaysShow: true };
  const items = zipPickItems(zips, Date.now());
  const picked = await vscode.window.showQuickPick<vscode.QuickPickItem & { uri?: string }>(
    [...items, { label: '', kind: vscode.QuickPickItemKind.Separator }, browse],
    { title: 'Alma SIS: which zip to upload? Newest first', matchOnDescription: true, ignoreFocusOut: true },
  );
  if (picked === undefined) return undefined;
  if (picked === browse) return browseForZip();
  return picked.uri === undefined ? undefined : vscode.Uri.parse(picked.uri);
}

async function workspaceZips(): Promise<ZipFile[]> {
  // Default excludes (files.exclude) apply; zips in a virtual or remote folder cannot be uploaded from disk.
  const found = (await vscode.workspace.findFiles('**/*.zip', undefined, MAX_ZIPS)).filter((uri) => uri.scheme === 'file');
  const zips = await Promise.all(found.map(async (uri): Promise<ZipFile | undefined> => {
    try {
      const stat = await vscode.workspace.fs.stat(uri);
      if ((stat.type & vscode.FileType.File) === 0) return undefined;
      const where = path.posix.dirname(vscode.workspace.asRelativePath(uri));
      return { uri: uri.toString(), name: path.basename(uri.fsPath), where: where === '.' ? '' : where, size: stat.size, mtimeMs: stat.mtime };
    } catch {
      return undefined; // removed since the search
    }
  }));
  return zips.filter((zip): zip is ZipFile => zip !== undefined);
}

async function browseForZip(): Promise<vscode.Uri | undefined> {
  const picked = await vscode.window.showOpenDialog({
    title: 'Alma SIS: the zip to upload',
    canSelectMany: false,
    filters: { 'Zip for Alma': ['zip'] },
    openLabel: 'Upload',
  });
  return picked?.[0];
}

async function pickTarget(profile: SftpProfile): Promise<UploadTarget | undefined> {
  const item = (target: UploadTarget, label: string) => {
    const folder = profile.sftp.folders[target];
    return { label, description: shown('folder' in folder ? folder.folder : folder.problem), target };
  };
  const picked = await vscode.window.showQuickPick([item('synchronize', 'Synchronize'), item('import', 'Import')], {
    title: shown(`Alma SIS: which of ${profile.code}'s jobs should read the zip?`),
  });
  return picked?.target;
}

/**
 * First contact: the fingerprint is shown so it can be compared with the one the server's
 * administrator gives; trusting it pins it in the configuration (a text edit of that one value,
 * made by the server on the text the editor holds, then saved).
 */
async function trustHostKey(server: AlmaServer, configPath: string, profile: SftpProfile, fingerprint: string): Promise<boolean> {
  const trust = 'Trust and Save';
  const choice = await vscode.window.showWarningMessage(
    shown(`Alma SIS: first connection to ${profile.sftp.host}:${profile.sftp.port}. Trust this server?`),
    {
      modal: true,
      detail:
        `Its host key fingerprint is\n\n${fingerprint}\n\nCompare it with the fingerprint your SFTP administrator gives you ` +
        `(ssh-keygen -lf on the server's host key). Trusting it saves it as sftp.hostKeyFingerprint of profile ${profile.code} ` +
        `in ${path.basename(configPath)}; a server that later shows another key is refused.`,
    },
    trust,
  );
  if (choice !== trust) return false;
  const document = await vscode.workspace.openTextDocument(vscode.Uri.file(configPath));
  const text = document.getText();
  const { text: edited } = await server.request(PinHostKeyRequest, { configPath, profile: profile.code, fingerprint, text });
  const edit = new vscode.WorkspaceEdit();
  edit.replace(document.uri, new vscode.Range(document.positionAt(0), document.positionAt(text.length)), edited);
  if (!(await vscode.workspace.applyEdit(edit)) || !(await document.save())) {
    throw new Error(`could not save the host key fingerprint in ${configPath}`);
  }
  return true;
}

/**
 * The password or passphrase for one server or key: from secret storage, else asked; an entered
 * one is stored only after a login succeeded with it. A stored one that is refused is asked again
 * but kept until another one works or the person chooses to forget it: a refusal can be the
 * server's passing trouble, and the failure's "Forget Saved Password" says what it would do.
 */
interface Secrets {
  agent?: string;
  password?: string;
  passphrase?: string;
}

class Credentials {
  private readonly usesKey: boolean;
  private readonly key: string;
  private secret: string | undefined;
  private entered = false;
  private asked = false;
  /** Secret storage held a secret for this login when it was read. */
  private stored = false;
  private readonly agent = process.env.SSH_AUTH_SOCK;

  constructor(
    private readonly storage: vscode.SecretStorage,
    private readonly sftp: SftpSummary,
  ) {
    this.usesKey = sftp.keyPath !== undefined;
    this.key = this.usesKey
      ? `alma-sis.sftp.passphrase:${sftp.keyPath}`
      : `alma-sis.sftp.password:${sftp.username}@${sftp.host}:${sftp.port}`;
  }

  /** What to log in with; undefined when a needed password prompt was dismissed. */
  async current(): Promise<Secrets | undefined> {
    if (this.secret === undefined) {
      this.secret = await this.storage.get(this.key);
      this.stored = this.secret !== undefined;
    }
    if (this.secret === undefined && !this.usesKey && !this.agent) {
      if (!(await this.ask())) return undefined;
    }
    const credentials: Secrets = {};
    if (this.agent) credentials.agent = this.agent;
    if (this.secret !== undefined) {
      if (this.usesKey) credentials.passphrase = this.secret;
      else credentials.password = this.secret;
    }
    return credentials;
  }

  /** After a refused login: ask once; false when there is nothing to ask or the prompt was dismissed. */
  async askAgain(reason: string): Promise<boolean> {
    if (this.asked) return false;
    if (!savedSecretSuspect(this.kind, reason)) return false;
    return this.ask(reason);
  }

  /** The saved secret, when this refusal may be its fault. */
  savedSuspect(reason: string): 'password' | 'passphrase' | undefined {
    return this.stored && savedSecretSuspect(this.kind, reason) ? this.kind : undefined;
  }

  async forget(): Promise<void> {
    await this.storage.delete(this.key);
    this.stored = false;
    const what = this.usesKey ? `passphrase of ${this.sftp.keyPath}` : `password of ${this.sftp.username}@${this.sftp.host}`;
    void vscode.window.showInformationMessage(shown(`Alma SIS: the saved ${what} is forgotten; the next upload asks for it.`));
  }

  /** Retry after a refused login: what was entered is dropped and asked again. */
  startOver(): void {
    if (this.entered) this.secret = undefined;
    this.entered = false;
    this.asked = false;
  }

  /** After a successful login; a secret store that fails only means being asked again next time. */
  async remember(): Promise<void> {
    if (!this.entered || this.secret === undefined) return;
    await Promise.resolve(this.storage.store(this.key, this.secret)).catch(() => undefined);
  }

  private get kind(): 'password' | 'passphrase' {
    return this.usesKey ? 'passphrase' : 'password';
  }

  private async ask(reason?: string): Promise<boolean> {
    this.asked = true;
    const what = this.usesKey ? `the passphrase of ${this.sftp.keyPath}` : `the password of ${this.sftp.username}@${this.sftp.host}`;
    const replaces = this.stored ? ' (in place of the saved one)' : '';
    const value = await vscode.window.showInputBox({
      title: `Alma SIS: ${what}`,
      prompt: `${reason ? `${shown(reason)}. ` : ''}Kept in VS Code's secret storage${replaces} once the login works.`,
      password: true,
      ignoreFocusOut: true,
    });
    if (value === undefined) return false;
    this.secret = value;
    this.entered = true;
    return true;
  }
}

function showResult(result: Extract<UploadResultMessage, { uploaded: true }>): void {
  const tries = result.attempts > 1 ? ` after ${result.attempts} attempts` : '';
  const waiting = result.otherZips.length > 0 ? ` Alma has not fetched ${result.otherZips.join(', ')} there yet; its next run loads them too.` : '';
  void vscode.window.showInformationMessage(
    shown(`Alma SIS: uploaded ${path.posix.basename(result.remotePath)} to ${result.host}:${result.remotePath}${tries}.${waiting}`),
  );
}
