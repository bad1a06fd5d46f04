import { stat } from 'node:fs/promises';
import {
  ALMA_TABLE_NAMES,
  CODE_TABLE_NAMES,
  CodeTablesImportError,
  codeTableNameFor,
  configPathFor,
  describeTableChange,
  formatImportPlace,
  importCodeTables,
  loadConfig,
  resolveCodeTablesPath,
  selectProfile,
  unknownTableMessage,
} from '../../engine';
import type { ImportCodeTablesArgs, ImportCodeTablesResult } from '../../protocol/messages';
import { failure, invalid, optionalString, pathArgument, type CommandContext } from './context';

/**
 * Import Code Tables: the engine's import into the code tables file the configuration names
 * (or `into`). What the client must ask the person first (the target, the table of a CSV) is
 * answered as a reason rather than an error, so a client can ask and run it again.
 */
export async function runImportCodeTables(args: ImportCodeTablesArgs, context: CommandContext): Promise<ImportCodeTablesResult> {
  if (!Array.isArray(args.files) || args.files.length === 0) throw invalid('files must list at least one .json or .csv file to import');
  const files = args.files.map((file, index) => pathArgument(file, `files[${index}]`, context));
  const table = optionalString(args.table, 'table');
  if (table !== undefined && codeTableNameFor(table) === undefined) throw invalid(`table: ${unknownTableMessage(table)}`);
  if (table === undefined && files.some((file) => file.toLowerCase().endsWith('.csv'))) {
    return {
      imported: false,
      reason: 'needs-table',
      message: 'a CSV file does not say which code table it holds: choose the table',
      tables: tableChoices(),
    };
  }

  const target = args.into !== undefined ? { into: pathArgument(args.into, 'into', context) } : await configuredTarget(args, context);
  if (!('into' in target)) return { imported: false, reason: 'no-target', ...target };

  try {
    const result = await importCodeTables({ into: target.into, files, ...(table !== undefined ? { table } : {}) });
    return {
      imported: true,
      into: result.into,
      created: result.created,
      tables: result.tables.map(describeTableChange),
      notes: result.notes.map(formatImportPlace),
      remainingProblems: result.remainingProblems,
    };
  } catch (error) {
    if (!(error instanceof CodeTablesImportError)) throw error;
    return { imported: false, reason: 'problems', message: error.message.split('\n')[0], problems: error.problems.map(formatImportPlace) };
  }
}

/**
 * The code tables file the scope's profile names, read from the configuration alone: the file
 * itself may not exist yet or be broken, which is what the import is there to fix.
 */
async function configuredTarget(args: ImportCodeTablesArgs, context: CommandContext): Promise<{ into: string } | { message: string; configPath?: string }> {
  const scope = args.scope === undefined ? undefined : pathArgument(args.scope, 'scope', context);
  const isFolder = scope !== undefined && (await stat(scope).then((s) => s.isDirectory(), () => false));
  const from = isFolder ? `${scope}/.` : scope;
  const choice = await context.choice(from);
  const configPath = configPathFor(choice, from, context.folders(), { orWorkspace: true });
  if (configPath === undefined) return { message: 'no alma-sis.config.json names a code tables file: choose the file to write' };
  let into: string | undefined;
  let profileCode: string | undefined;
  try {
    const config = await loadConfig(configPath);
    const profile = selectProfile(config, optionalString(args.profile, 'profile') ?? (choice.profile || undefined));
    profileCode = profile?.code;
    into = resolveCodeTablesPath(config, profile);
  } catch (error) {
    throw failure(error instanceof Error ? error.message : String(error));
  }
  if (into !== undefined) return { into };
  const which = profileCode === undefined ? 'no profile is chosen' : `profile ${profileCode} has no "codeTables"`;
  return { message: `${which} in ${configPath}: choose the file to write`, configPath };
}

function tableChoices(): { name: string; almaName?: string }[] {
  const alma = new Map(Object.entries(ALMA_TABLE_NAMES).map(([almaName, ours]) => [ours, almaName]));
  return CODE_TABLE_NAMES.map((name) => {
    const almaName = alma.get(name);
    return almaName === undefined ? { name } : { name, almaName };
  });
}
