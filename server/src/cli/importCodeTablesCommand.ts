import { codeTableNameFor, describeTableChange, formatImportPlace, importCodeTables, unknownTableMessage, type CodeTablesImportResult } from '../engine';
import { UsageError, type ParsedArgs } from './args';
import { ExitCode, type Command, type CommandContext } from './command';
import { visible } from './visibleText';

const FORMATS = ['text', 'json'] as const;
type Format = (typeof FORMATS)[number];

export const importCodeTablesCommand: Command = {
  name: 'import-code-tables',
  summary: "fill the code tables file from Alma's code table exports or CSV files",
  usage: '--into CODES.json [--table NAME] FILE...',
  description: [
    "Each FILE is what Alma's API answers for GET /almaws/v1/conf/code-tables/{name} (JSON: the table's name and its " +
      'rows; an array of such tables, or a code_table wrapper, gives several), or a CSV of code,description rows (an ' +
      'optional header row, quoted fields as spreadsheets write them). A JSON table goes to the table its Alma name maps ' +
      'to (UserGroups is userGroups); a CSV names no table, so --table says which (our name or Alma\'s), for every FILE.',
    'Each imported table replaces that table of the code tables file: the codes as written, rows disabled in Alma left ' +
      'out, a repeated code kept once. The other tables and keys are kept as they are; a missing file is created. The ' +
      'file is written under a temporary name beside it and renamed; when any FILE has a problem, all are reported and ' +
      'nothing is written.',
    'Exit code: 0 written, 2 bad usage, a FILE or the code tables file cannot be read or has problems (nothing written).',
  ],
  options: [
    { name: 'into', takesValue: true, valueName: 'CODES.json', help: 'the code tables file to write (the one a profile\'s codeTables names)' },
    { name: 'table', takesValue: true, valueName: 'NAME', help: 'the table every FILE fills (required for CSV): userGroups, identifierTypes... or UserGroups...' },
    { name: 'format', takesValue: true, valueName: 'FORMAT', choices: FORMATS, help: 'text (default) or json' },
  ],
  run: runImportCodeTables,
};

async function runImportCodeTables(args: ParsedArgs, context: CommandContext): Promise<number> {
  const into = args.options.get('into');
  if (typeof into !== 'string') throw new UsageError('name the code tables file to write with --into CODES.json', importCodeTablesCommand.name);
  if (args.positionals.length === 0) {
    throw new UsageError("name at least one file to import: Alma's code table JSON or a code,description CSV", importCodeTablesCommand.name);
  }
  const table = args.options.get('table');
  if (typeof table === 'string' && codeTableNameFor(table) === undefined) throw new UsageError(`--table ${unknownTableMessage(table)}`, importCodeTablesCommand.name);
  const format = (args.options.get('format') ?? 'text') as Format;

  const result = await importCodeTables({ into, files: args.positionals, ...(typeof table === 'string' ? { table } : {}) });
  if (format === 'json') {
    context.out(`${JSON.stringify(jsonResult(result), null, 2)}\n`);
    return ExitCode.clean;
  }
  for (const note of result.notes) context.err(`${visible(formatImportPlace({ ...note, message: `note: ${note.message}` }))}\n`);
  for (const change of result.tables) context.out(`${visible(describeTableChange(change))}\n`);
  context.out(`${result.created ? 'created' : 'wrote'} ${visible(result.into)}\n`);
  for (const problem of result.remainingProblems) context.err(`warning: ${visible(problem)} (not imported, so not fixed by this import)\n`);
  return ExitCode.clean;
}

/** A stable shape for scripts, built field by field rather than serialising the engine's result. */
function jsonResult(result: CodeTablesImportResult) {
  return {
    into: result.into,
    created: result.created,
    tables: result.tables.map((change) => ({
      table: change.table,
      source: change.source,
      almaName: change.almaName ?? null,
      codes: change.codes,
      before: change.before ?? null,
      added: change.added,
      removed: change.removed,
    })),
    notes: result.notes.map((note) => ({ path: note.path, line: note.line ?? null, message: note.message, text: formatImportPlace(note) })),
    remainingProblems: result.remainingProblems,
  };
}
