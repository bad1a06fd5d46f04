import type { LastDryRunSummary } from './dryRunMemory';
import { formatAge } from './zipPick';

/*
 * The question Upload to SFTP asks before a synchronize: a synchronize rewrites every matched
 * user (swap-all), so the person sees where the zip goes and what its last dry-run found, or is
 * offered one. Plain data in, text out (no vscode import).
 */

export interface SyncConfirmationFacts {
  zipName: string;
  /** When the zip was last written. */
  zipMtimeMs: number;
  host: string;
  /** The remote folder Alma's synchronize job reads. */
  folder: string;
  /** The profile the upload uses. */
  profile: string;
  /** The dry-run command's record for this zip, if it ran on it. */
  lastDryRun?: LastDryRunSummary;
  nowMs: number;
}

export type UploadButton = 'Upload' | 'Upload Anyway';
export type DryRunButton = 'Run Dry-run First' | 'Run Dry-run Again';

export interface SyncConfirmation {
  /** The modal's headline. */
  message: string;
  /** Its text: what a synchronize does, the last dry-run's summary and the warnings. */
  detail: string;
  /** Why the dry-run's summary should not be trusted as it is (also in `detail`). */
  warnings: string[];
  /** "Upload" only when a dry-run of this very zip found nothing to worry about. */
  upload: UploadButton;
  dryRun: DryRunButton;
  /**
   * Both, the default first (the one Enter chooses): the dry-run unless a dry-run of this zip
   * found nothing to worry about, so a reflex never sends an unchecked synchronize.
   */
  buttons: [UploadButton, DryRunButton] | [DryRunButton, UploadButton];
}

export function syncConfirmation(facts: SyncConfirmationFacts): SyncConfirmation {
  const message = `Alma SIS: upload ${facts.zipName} to ${facts.host}:${facts.folder} for a synchronize?`;
  const what =
    `Alma's synchronize job of profile ${facts.profile} reads that folder and updates every matched user from the file: ` +
    'a field the file leaves out is deleted in Alma (swap-all).';
  const run = facts.lastDryRun;
  if (run === undefined) {
    const none = 'No dry-run of this zip is on record. A dry-run shows, before Alma does it, which users would be added, ' +
      'changed (with what swap-all deletes) or rejected.';
    return { message, detail: `${what}\n\n${none}`, warnings: [], upload: 'Upload Anyway', dryRun: 'Run Dry-run First', buttons: ['Run Dry-run First', 'Upload Anyway'] };
  }
  const atMs = Date.parse(run.at);
  const known = Number.isFinite(atMs);
  const when = known ? formatAge(atMs, facts.nowMs) : 'at an unknown time';
  const against = [`baseline ${lastSegment(run.baseline)}`, ...(run.profile === undefined ? [] : [`profile ${run.profile}`])].join(', ');
  const warnings: string[] = [];
  if (run.alert) warnings.push("The rejected users are at or over Alma's 5% alert threshold.");
  // A dry-run as old as the zip, or older, may have read another zip of the same name.
  if (!known || atMs < facts.zipMtimeMs) {
    warnings.push(`The zip was written after that dry-run (modified ${formatAge(facts.zipMtimeMs, facts.nowMs)}): the summary may not describe it.`);
  }
  if (run.profile !== undefined && run.profile !== facts.profile) warnings.push(`That dry-run used profile ${run.profile}, this upload ${facts.profile}.`);
  const summary = `Last dry-run of this zip, ${when} (${against}):\n${run.summaryLine}`;
  const notes = warnings.map((w) => `Warning: ${w}`).join('\n');
  const clean = warnings.length === 0;
  return {
    message,
    detail: [what, summary, ...(clean ? [] : [notes])].join('\n\n'),
    warnings,
    upload: clean ? 'Upload' : 'Upload Anyway',
    dryRun: 'Run Dry-run Again',
    buttons: clean ? ['Upload', 'Run Dry-run Again'] : ['Run Dry-run Again', 'Upload Anyway'],
  };
}

/** A baseline is stored as a path (or a URI): its file name is what the person recognises. */
function lastSegment(path: string): string {
  const parts = path.split(/[/\\]/).filter((part) => part !== '');
  return parts[parts.length - 1] ?? path;
}
