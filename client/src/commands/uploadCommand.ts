import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  findConfig,
  loadConfig,
  remoteFolder,
  resolveKeyPath,
  UploadError,
  uploadZip,
  visible,
  withHostKeyFingerprint,
  type AlmaSisConfig,
  type Profile,
  type SftpCredentials,
  type UploadProgress,
  type UploadResult,
  type UploadTarget,
} from '../../../server/src/engine/index';
import { readSettings, SETTINGS_SECTION } from '../settings';
import type { CommandActivator } from './index';

export const UPLOAD = 'almaSis.upload';

type SftpProfile = Profile & { sftp: NonNullable<Profile['sftp']> };

/**
 * "Alma SIS: Upload to SFTP": asks for the zip, the profile and the target folder, keeps the
 * password or key passphrase in VS Code's secret storage (asked once, kept only after a login
 * worked, never written to settings, logs or the output channel), and on first contact shows the
 * server's host key fingerprint and offers to pin it in alma-sis.config.json. The engine does the
 * upload itself (host key check, temporary name, size check, rename, retries, clean-up).
 */
export const activateUpload: CommandActivator = (context) => {
  context.subscriptions.push(vscode.commands.registerCommand(UPLOAD, (clicked?: vscode.Uri) => upload(context.secrets, clicked)));
};

async function upload(secrets: vscode.SecretStorage, clicked?: vscode.Uri): Promise<void> {
  try {
    const zip = chosenZip(clicked) ?? (await pickZip());
    if (zip === undefined) return;
    const settings = readSettings(vscode.workspace.getConfiguration(SETTINGS_SECTION, zip));
    const configPath = settings.configPath !== '' ? settings.configPath : findConfig(path.dirname(zip.fsPath)) ?? workspaceConfig();
    if (configPath === undefined) {
      void vscode.window.showErrorMessage('Alma SIS: no alma-sis.config.json with sftp settings was found for this zip (see the setting alma-sis.configPath).');
      return;
    }
    const config = await loadConfig(configPath);
    const profile = await pickProfile(config, settings.profile);
    if (profile === undefined) return;
    const target = await pickTarget(profile);
    if (target === undefined) return;
    await uploadWithPrompts(secrets, zip.fsPath, config, profile, target);
  } catch (error) {
    void vscode.window.showErrorMessage(`Alma SIS: upload failed: ${shown(error instanceof Error ? error.message : String(error))}`);
  }
}

/**
 * Text from the input or the server as a notification shows it: control characters escaped as the
 * CLI escapes them, and link syntax broken, since notifications turn `[text](command:...)` into a
 * link that runs a command when clicked and a remote file may be named so.
 */
function shown(text: string): string {
  return visible(text).replace(/\]\(/g, ']\\(');
}

async function uploadWithPrompts(secrets: vscode.SecretStorage, zipPath: string, config: AlmaSisConfig, profile: SftpProfile, target: UploadTarget): Promise<void> {
  const baseDir = path.dirname(config.path);
  let sftp = profile.sftp;
  const credentials = new Credentials(secrets, sftp, baseDir);
  for (;;) {
    const given = await credentials.current();
    if (given === undefined) return;
    try {
      const result = await withProgress(path.basename(zipPath), (signal, onProgress) =>
        uploadZip({ localPath: zipPath, sftp, target, credentials: given, baseDir }, { signal, onProgress }),
      );
      await credentials.remember();
      showResult(result, sftp.host);
      return;
    } catch (error) {
      if (!(error instanceof UploadError)) throw error;
      if (error.reason === 'host-key-unknown' && error.seenFingerprint) {
        if (!(await trustHostKey(config.path, profile.code, sftp, error.seenFingerprint))) return;
        sftp = { ...sftp, hostKeyFingerprint: error.seenFingerprint };
        continue;
      }
      if (error.reason === 'authentication' && (await credentials.askAgain(error))) continue;
      if (error.reason === 'cancelled') {
        void vscode.window.showInformationMessage('Alma SIS: upload cancelled; nothing was left on the server.');
        return;
      }
      void vscode.window.showErrorMessage(`Alma SIS: upload failed: ${shown(error.message)}`);
      return;
    }
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

function workspaceConfig(): string | undefined {
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    const found = findConfig(folder.uri.fsPath);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The profiles that can upload; the setting's or the configuration's default first. */
async function pickProfile(config: AlmaSisConfig, preferred: string): Promise<SftpProfile | undefined> {
  const candidates = config.profiles.filter((profile): profile is SftpProfile => profile.sftp !== undefined);
  if (candidates.length === 0) {
    void vscode.window.showErrorMessage(`Alma SIS: no profile in ${config.path} has sftp settings.`);
    return undefined;
  }
  if (candidates.length === 1) return candidates[0];
  const first = preferred || config.defaultProfile;
  const ordered = [...candidates].sort((a, b) => Number(b.code === first) - Number(a.code === first));
  const picked = await vscode.window.showQuickPick(
    ordered.map((profile) => ({ label: profile.code, description: profile.name, detail: `${profile.sftp.username}@${profile.sftp.host}`, profile })),
    { title: 'Alma SIS: upload with which integration profile?' },
  );
  return picked?.profile;
}

async function pickTarget(profile: SftpProfile): Promise<UploadTarget | undefined> {
  const item = (target: UploadTarget, label: string) => {
    let folder: string;
    try {
      folder = remoteFolder(profile.sftp, target);
    } catch (error) {
      folder = error instanceof Error ? error.message : String(error);
    }
    return { label, description: folder, target };
  };
  const picked = await vscode.window.showQuickPick([item('synchronize', 'Synchronize'), item('import', 'Import')], {
    title: `Alma SIS: which of ${profile.code}'s jobs should read the zip?`,
  });
  return picked?.target;
}

/**
 * First contact: the fingerprint is shown so it can be compared with the one the server's
 * administrator gives; trusting it pins it in the configuration (a text edit of that one value).
 */
async function trustHostKey(configPath: string, profileCode: string, sftp: SftpProfile['sftp'], fingerprint: string): Promise<boolean> {
  const trust = 'Trust and Save';
  const choice = await vscode.window.showWarningMessage(
    `Alma SIS: first connection to ${sftp.host}:${sftp.port ?? 22}. Trust this server?`,
    {
      modal: true,
      detail:
        `Its host key fingerprint is\n\n${fingerprint}\n\nCompare it with the fingerprint your SFTP administrator gives you ` +
        `(ssh-keygen -lf on the server's host key). Trusting it saves it as sftp.hostKeyFingerprint of profile ${profileCode} ` +
        `in ${path.basename(configPath)}; a server that later shows another key is refused.`,
    },
    trust,
  );
  if (choice !== trust) return false;
  const document = await vscode.workspace.openTextDocument(vscode.Uri.file(configPath));
  const text = document.getText();
  const edited = withHostKeyFingerprint(text, configPath, profileCode, fingerprint);
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
class Credentials {
  private readonly usesKey: boolean;
  private readonly key: string;
  private secret: string | undefined;
  private entered = false;
  private asked = false;
  private readonly agent = process.env.SSH_AUTH_SOCK;

  constructor(
    private readonly storage: vscode.SecretStorage,
    private readonly sftp: SftpProfile['sftp'],
    baseDir: string,
  ) {
    this.usesKey = sftp.privateKeyPath !== undefined;
    this.key = this.usesKey
      ? `alma-sis.sftp.passphrase:${resolveKeyPath(sftp.privateKeyPath!, baseDir)}`
      : `alma-sis.sftp.password:${sftp.username}@${sftp.host}:${sftp.port ?? 22}`;
  }

  /** What to log in with; undefined when a needed password prompt was dismissed. */
  async current(): Promise<SftpCredentials | undefined> {
    this.secret ??= await this.storage.get(this.key);
    if (this.secret === undefined && !this.usesKey && !this.agent) {
      if (!(await this.ask())) return undefined;
    }
    const credentials: SftpCredentials = {};
    if (this.agent) credentials.agent = this.agent;
    if (this.secret !== undefined) {
      if (this.usesKey) credentials.passphrase = this.secret;
      else credentials.password = this.secret;
    }
    return credentials;
  }

  /** After a refused login: forget a stored secret and ask once; false when there is nothing to ask. */
  async askAgain(error: UploadError): Promise<boolean> {
    if (this.asked) return false;
    if (this.usesKey && !/passphrase|decrypt|encrypted/i.test(error.message)) return false;
    if (!this.entered) await this.storage.delete(this.key);
    return this.ask(error.message);
  }

  /** After a successful login; a secret store that fails only means being asked again next time. */
  async remember(): Promise<void> {
    if (!this.entered || this.secret === undefined) return;
    await Promise.resolve(this.storage.store(this.key, this.secret)).catch(() => undefined);
  }

  private async ask(reason?: string): Promise<boolean> {
    this.asked = true;
    const what = this.usesKey ? `the passphrase of ${this.sftp.privateKeyPath}` : `the password of ${this.sftp.username}@${this.sftp.host}`;
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

function withProgress<T>(name: string, work: (signal: AbortSignal, onProgress: (p: UploadProgress) => void) => Promise<T>): Thenable<T> {
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Alma SIS: uploading ${shown(name)}`, cancellable: true },
    (progress, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      let reported = 0;
      return work(abort.signal, (p) => {
        const attempt = p.attempt > 1 ? ` (attempt ${p.attempt} of ${p.attempts})` : '';
        const message =
          p.phase === 'uploading' ? `${p.percent}% of ${(p.bytesTotal / 1e6).toFixed(1)} MB${attempt}`
          : p.phase === 'waiting' ? `connection lost, retrying: ${shown(p.reason ?? '')}`
          : `${p.phase}${attempt}`;
        // A bar cannot go back: after a retry it moves again once the new attempt passes the old mark.
        const increment = p.phase === 'uploading' && p.percent > reported ? p.percent - reported : 0;
        progress.report({ increment, message });
        reported += increment;
      });
    },
  );
}

function showResult(result: UploadResult, host: string): void {
  const tries = result.attempts > 1 ? ` after ${result.attempts} attempts` : '';
  const waiting = result.otherZips.length > 0 ? ` Alma has not fetched ${result.otherZips.map(shown).join(', ')} there yet; its next run loads them too.` : '';
  void vscode.window.showInformationMessage(
    `Alma SIS: uploaded ${shown(path.posix.basename(result.remotePath))} to ${shown(`${host}:${result.remotePath}`)}${tries}.${waiting}`,
  );
}
