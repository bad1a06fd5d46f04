import * as vscode from 'vscode';
import { LSPErrorCodes, ResponseError, WorkDoneProgress, type CancellationToken } from 'vscode-languageclient/node';
import type { ProfileSummary, ProfilesResult } from '../../../server/src/protocol/messages';
import type { AlmaServer } from '../serverAccess';

/*
 * What every command shares: the server's progress shown in a cancellable notification, the
 * profile pick, and the text of an error.
 */

let progressTokens = 0;

/**
 * Runs server work under a cancellable notification: the server reports its progress against
 * `workDoneToken`, and cancelling the notification cancels the request.
 */
export function withServerProgress<T>(server: AlmaServer, title: string, work: (token: CancellationToken, workDoneToken: string) => Promise<T>): Thenable<T> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: shown(title), cancellable: true }, async (progress, token) => {
    const followed = followServerProgress(server, progress);
    try {
      return await work(token, followed.workDoneToken);
    } finally {
      followed.dispose();
    }
  });
}

/** A new work-done token for one request, and what the server reports against it passed on to `progress`. */
export function followServerProgress(server: AlmaServer, progress: vscode.Progress<{ message?: string; increment?: number }>): { workDoneToken: string; dispose(): void } {
  const workDoneToken = `almaSis.progress.${process.pid}.${++progressTokens}`;
  let reported = 0;
  const listener = server.client.onProgress(WorkDoneProgress.type, workDoneToken, (value) => {
    if (value.kind === 'end') return;
    // A bar cannot go back: after a retry it moves again once the new attempt passes the old mark.
    const percentage = value.percentage ?? reported;
    progress.report({ message: value.message === undefined ? undefined : shown(value.message), increment: Math.max(0, percentage - reported) });
    reported = Math.max(reported, percentage);
  });
  return { workDoneToken, dispose: () => listener.dispose() };
}

/** The request was cancelled (by the notification's Cancel, or the server saw it so). */
export function isCancelled(error: unknown): boolean {
  return error instanceof ResponseError && error.code === LSPErrorCodes.RequestCancelled;
}

export function errorText(error: unknown): string {
  return shown(error instanceof Error ? error.message : String(error));
}

/** Shows an error as `Alma SIS: <what> failed: <why>`; a cancel is not an error. */
export function showFailure(what: string, error: unknown): void {
  if (isCancelled(error)) return;
  void vscode.window.showErrorMessage(`Alma SIS: ${what} failed: ${errorText(error)}`);
}

/**
 * Text from a file or a server as a notification shows it: notifications turn
 * `[text](command:...)` into a link that runs a command when clicked, and a file may be named so.
 * Control characters are escaped by the server already.
 */
export function shown(text: string): string {
  return text.replace(/\]\(/g, ']\\(');
}

export interface ProfilePick {
  title: string;
  /** Only these profiles can serve (upload: those with sftp settings). */
  usable?: (profile: ProfileSummary) => boolean;
  /** Ask even when the configuration has a default (upload chooses the server each time). */
  always?: boolean;
  detail?: (profile: ProfileSummary) => string | undefined;
}

/**
 * The profile a command runs with: the setting's, else the configuration's default or only one,
 * else asked. Undefined when there is nothing to choose (no configuration, or the one usable
 * profile); null when the person dismissed the pick or no profile can serve.
 */
export async function pickProfile(profiles: ProfilesResult, pick: ProfilePick): Promise<ProfileSummary | undefined | null> {
  const usable = profiles.profiles.filter((p) => pick.usable?.(p) ?? true);
  if (profiles.profiles.length === 0) return undefined;
  if (usable.length === 0) return null;
  if (usable.length === 1) return usable[0];
  const first = profiles.chosen ?? profiles.defaultProfile;
  if (!pick.always && first !== undefined) {
    const preferred = usable.find((p) => p.code === first);
    if (preferred) return preferred;
  }
  const ordered = [...usable].sort((a, b) => Number(b.code === first) - Number(a.code === first));
  const picked = await vscode.window.showQuickPick(
    ordered.map((profile) => ({ label: profile.code, description: profile.name, detail: pick.detail?.(profile), profile })),
    { title: `Alma SIS: ${pick.title}`, ignoreFocusOut: true },
  );
  return picked === undefined ? null : picked.profile;
}
