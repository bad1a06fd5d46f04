/*
 * What the extension remembers of the last dry-run of an input, in workspaceState: the dry-run
 * command writes it after every successful run, the upload command reads it to say what the zip
 * it sends was last found to do. No vscode import, so that both sides and the tests can share it.
 */

/** The last dry-run of an input (a zip or an XML file), as the dry-run command stores it. */
export interface LastDryRunSummary {
  /** `8 users (synchronize, matched by primary_id, against 6 existing): 1 new, ...` */
  summaryLine: string;
  /** The rejected share reached Alma's 5% alert threshold. */
  alert: boolean;
  /** When the run finished, ISO 8601 (UTC). */
  at: string;
  /** The baseline's path. */
  baseline: string;
  /** The profile it ran with, undefined without a configuration. */
  profile: string | undefined;
}

/** The workspaceState key for an input, given as its vscode.Uri's toString(). */
export function lastDryRunKey(uri: string): string {
  return `almaSis.dryRun.lastSummary:${uri}`;
}
