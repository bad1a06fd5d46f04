// Small users files for the dry-run tests, written as strings: each test shows the records it is about.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import type { InputDocument } from '../../../server/src/engine/files/inputDocument';
import { DEFAULT_SETTINGS } from '../../../server/src/engine/config/types';
import { dryRun, type DryRunOptions } from '../../../server/src/engine/dryRun/dryRun';
import type { DryRunReport, DryRunUser } from '../../../server/src/engine/dryRun/types';

export function usersFile(...users: string[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<users>\n${users.join('\n')}\n</users>\n`;
}

/** A user with a primary id and optional extra children (identifiers, contact info...). */
export function user(primaryId: string | null, ...children: string[]): string {
  const id = primaryId === null ? '' : `<primary_id>${primaryId}</primary_id>`;
  return `  <user>${id}<first_name>F</first_name><last_name>L</last_name>${children.join('')}</user>`;
}

export function identifier(type: string, value: string, segmentType?: string): string {
  const attribute = segmentType ? ` segment_type="${segmentType}"` : '';
  return `<user_identifiers><user_identifier${attribute}><id_type>${type}</id_type><value>${value}</value></user_identifier></user_identifiers>`;
}

export function document(path: string, text: string): InputDocument {
  const bytes = Buffer.from(text, 'utf8');
  return {
    path,
    size: bytes.length,
    async *read() {
      // Two chunks, split inside the text, so that chunk boundaries are exercised too.
      const half = bytes.length >> 1;
      yield bytes.subarray(0, half);
      yield bytes.subarray(half);
    },
  };
}

export async function run(input: string | InputDocument[], baseline: string | InputDocument[], options: Partial<DryRunOptions> = {}): Promise<DryRunReport> {
  const inputs = typeof input === 'string' ? [document('feed.xml', input)] : input;
  const base = typeof baseline === 'string' ? [document('export.xml', baseline)] : baseline;
  return dryRun(inputs, base, { settings: DEFAULT_SETTINGS, ...options });
}

/** `primaryId outcome[/reason]` per user: the shape most assertions compare. */
export function outcomes(report: DryRunReport): string[] {
  return report.users.map(outcomeOf);
}

export function outcomeOf(u: DryRunUser): string {
  return `${u.primaryId ?? '-'} ${u.outcome}${u.reason ? `/${u.reason}` : ''}`;
}

/** A fresh tmp folder, removed when the test file ends. */
export function tmpFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'alma-sis-dryrun-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
}
