/**
 * What the language status item says about a document, from the server's `almaSis/documentStatus`
 * notification. Plain data in, plain text out: no `vscode` import.
 */
import type { DocumentStatusParams, ValidationSummary } from '../../server/src/protocol/messages';

/** The notification's payload without its URI; a file validated on disk has no version to show. */
export type StatusFacts = ValidationSummary & { schemaVersion?: DocumentStatusParams['schemaVersion'] };

export interface StatusText {
  /** Short: shown in the status bar. */
  text: string;
  /** Longer: shown under it when the item is hovered. */
  detail: string;
  /** How loudly the item should show: errors make it stand out. */
  level: 'error' | 'warning' | 'information';
}

const count = new Intl.NumberFormat('en-US');

function plural(n: number, one: string, many = `${one}s`): string {
  return `${count.format(n)} ${n === 1 ? one : many}`;
}

/** Milliseconds as people read them: 0.4 ms, 12 ms, 1.3 s. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

export function formatStatus(facts: StatusFacts): StatusText {
  const version = facts.schemaVersion === 1 || facts.schemaVersion === 2 ? `v${facts.schemaVersion}` : '';
  const text = `Alma users ${version}`.trimEnd();
  const problems = [
    plural(facts.errors, 'error'),
    plural(facts.warnings, 'warning'),
    ...(facts.infos > 0 ? [plural(facts.infos, 'info')] : []),
  ].join(', ');
  const detail = `${plural(facts.users, 'user')}: ${problems}; validated in ${formatDuration(facts.ms)}`;
  const level = facts.errors > 0 ? 'error' : facts.warnings > 0 ? 'warning' : 'information';
  return { text, detail, level };
}

/** The item's words for an XML file the server has not recognised as an Alma user file. */
export const NOT_ALMA_STATUS: StatusText = {
  text: 'Alma SIS',
  detail: 'not an Alma user file (its root is not users, userRecords or user)',
  level: 'information',
};

/** Before the server has said anything about the document. */
export const PENDING_STATUS: StatusText = {
  text: 'Alma SIS',
  detail: 'not validated yet',
  level: 'information',
};
