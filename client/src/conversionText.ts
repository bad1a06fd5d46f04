import type { ConvertToV2Result } from '../../server/src/protocol/messages';

/*
 * What Convert to User XSD v2 tells the person: a one-line notification and, for Show Details,
 * every listed value with no v2 home. Plain logic (no vscode), tested in test/client.
 */

/** Paths in the notification are cut to their last two steps: the full path repeats `userRecords/userRecord/`. */
function shortPath(path: string): string {
  return path.split('/').slice(-2).join('/');
}

export function conversionSummary(result: ConvertToV2Result): string {
  const users = `${result.users} ${result.users === 1 ? 'user' : 'users'}`;
  if (result.noHomeCount === 0) return `Converted ${users} to User XSD v2; every value has a place in v2.`;
  const paths = Object.entries(result.noHomeByPath).map(([path, count]) => `${shortPath(path)} (${count})`);
  const shownPaths = paths.length > 4 ? [...paths.slice(0, 4), `${paths.length - 4} more`] : paths;
  const values = result.noHomeCount === 1 ? '1 value has no v2 home and was left out' : `${result.noHomeCount} values have no v2 home and were left out`;
  return `Converted ${users} to User XSD v2; ${values}: ${shownPaths.join(', ')}.`;
}

/** The lines for the output channel: `line 23: path "value": reason`, then how many were not listed. */
export function noHomeDetails(sourceName: string, result: ConvertToV2Result): string[] {
  const lines = [`Convert to User XSD v2: ${sourceName}: ${result.noHomeCount} with no v2 home`];
  for (const value of result.noHome) lines.push(`  line ${value.line}: ${value.path} "${value.value}": ${value.reason}`);
  if (result.noHomeCount > result.noHome.length) lines.push(`  and ${result.noHomeCount - result.noHome.length} more`);
  return lines;
}
