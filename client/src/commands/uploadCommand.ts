import * as path from 'node:path';
import * as vscode from 'vscode';
import { PinHostKeyRequest, ProfilesRequest, type ProfileSummary, type SftpSummary, type UploadArgs, type UploadResultMessage, type UploadTarget } from '../../../server/src/protocol/messages';
import type { AlmaServer } from '../serverAccess';
import { errorText, isCancelled, pickProfile, shown, withServerProgress } from './commandSupport';
import type { CommandActivator } from './index';

export const UPLOAD = 'almaSis.upload';

type SftpProfile = ProfileSummary & { sftp: SftpSummary };

/**
 * "Alma SIS: Upload to SFTP": asks for the zip, the profile and the target folder, keeps the
 * password or key passphrase in VS Code's secret storage (asked once, kept only after a login
 * worked, never written to settings, logs or the output channel; sealed to the language server's
 * key on the wire), and on first contact shows the server's host key fingerprint and offers to
 * pin it in alma-sis.config.json. The language server does the upload itself (alma-sis.upload:
 * host key check, temporary name, size check, rename, retries, clean-up).
 */
export const activateUpload: CommandActivator = (context, server) => {
  context.subscriptions.push(vscode.commands.registerCommand(UPLOAD, (clicked?: vscode.Uri) => upload(server, context.secrets, clicked)));
};

async function upload(server: AlmaServer, secrets: vscode.SecretStorage, clicked?: vscode.Uri): Promise<void> {
  try {
    const zip = chosenZip(clicked) ?? (await pickZip());
    if (zip === undefined) return;
    const profiles = await server.request(ProfilesRequest, { uri: server.uri(zip), orWorkspace: true });
    if (profiles.problem !== undefined) throw new Error(profiles.problem);
    if (profiles.configPath === undefined) {
      void vscode.window.showErrorMessage('Alma SIS: no alma-sis.config.json with sftp settings was found for this zip (see the setting alma-sis.configPath).');
      return;
    }
    const profile = await pickProfile(profiles, {
      title: 'upload with which integration profile?',
      usable: (p) => p.sftp !== undefined,
      always: true,
      detail: (p) => (p.sftp ? `${p.sftp.username}@${p.sftp.host}` : undefined),
    });
    if (profile === null && !profiles.profiles.some((p) => p.sftp !== undefined)) {
      void vscode.window.showErrorMessage(shown(`Alma SIS: no profile in ${profiles.configPath} has sftp settings.`));
      return;
    }
    if (!profile?.sftp) return;
    const target = await pickTarget(profile as SftpProfile);
    if (target === undefined) return;
    await uploadWithPrompts(server, secrets, zip, profile as SftpProfile, target);
  } catch (error) {
    if (!isCancelled(error)) void vscode.window.showErrorMessage(`Alma SIS: upload failed: ${errorText(error)}`);
  }
}

async function uploadWithPrompts(server: AlmaServer, secrets: vscode.SecretStorage, zip: vscode.Uri, profile: SftpProfile, target: UploadTarget): Promise<void> {
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
      throw error;
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
    void vscode.window.showErrorMessage(`Alma SIS: upload failed: ${shown(result.message)}`);
    return;
  }
}

/** The explorer's zip, else the open file when it is a zip. */
function chosenZip(clicked?: vscode.Uri): vscode.Uri | undefined {
  if (clicked?.scheme === 'file' && /\.zip$/i.test(clicked.fsPath)) return clicked;
  const open = vscode.window.activeTextEditor?.document.uri;
  return open?.scheme === 'file' && /\.zip$/i.test(open.fsPath) ? open : undefined;
}

async function pickZip(): Promise<vscode.Uri | undefined> {
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
 * one is stored only after a login succeeded with it, and a stored one that fails is asked again.
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
    this.secret ??= await this.storage.get(this.key);
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

  /** After a refused login: forget a stored secret and ask once; false when there is nothing to ask. */
  async askAgain(reason: string): Promise<boolean> {
    if (this.asked) return false;
    if (this.usesKey && !/passphrase|decrypt|encrypted/i.test(reason)) return false;
    if (!this.entered) await this.storage.delete(this.key);
    return this.ask(reason);
  }

  /** After a successful login; a secret store that fails only means being asked again next time. */
  async remember(): Promise<void> {
    if (!this.entered || this.secret === undefined) return;
    await Promise.resolve(this.storage.store(this.key, this.secret)).catch(() => undefined);
  }

  private async ask(reason?: string): Promise<boolean> {
    this.asked = true;
    const what = this.usesKey ? `the passphrase of ${this.sftp.keyPath}` : `the password of ${this.sftp.username}@${this.sftp.host}`;
    const value = await vscode.window.showInputBox({
      title: `Alma SIS: ${what}`,
      prompt: `${reason ? `${shown(reason)}. ` : ''}Kept in VS Code's secret storage once the login works.`,
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
