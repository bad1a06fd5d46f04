import { stat } from 'node:fs/promises';
import type { CancellationToken } from 'vscode-languageserver';
import { sampleText, userTemplate, UserTemplateError, writeSampleFile, type SampleOptions } from '../../engine';
import { MAX_TEXT_SAMPLE_USERS, type GenerateSampleArgs, type GenerateSampleResult, type NewFileFromUserArgs, type NewFileFromUserResult } from '../../protocol/messages';
import { positionOf } from '../wire';
import { abortOn, failure, invalid, pathArgument, type CommandContext } from './context';

/** Generate Sample File: the engine's generator with the codes of the scope's profile. */
export async function generateSample(args: GenerateSampleArgs, context: CommandContext, token: CancellationToken, workDoneToken?: string | number): Promise<GenerateSampleResult> {
  if (args.schema !== 1 && args.schema !== 2) throw invalid('schema must be 1 or 2');
  if (!Number.isSafeInteger(args.users) || args.users < 0) throw invalid('users must be a whole number');
  if (typeof args.seed !== 'string' && typeof args.seed !== 'number') throw invalid('seed must be a number or a word');
  if (args.schema === 1 && args.researchers === true) throw invalid('researchers exist in User XSD v2 only');
  const scope = args.scope === undefined ? undefined : pathArgument(args.scope, 'scope', context);
  const isFolder = scope !== undefined && (await stat(scope).then((s) => s.isDirectory(), () => false));
  // A folder's configuration is searched from inside it, as the file's is from its folder.
  const resolved = await context.settingsFor(isFolder ? `${scope}/.` : scope);
  if (resolved.configError) throw failure(resolved.configError.message);
  const options: SampleOptions = {
    schema: args.schema,
    researchers: args.researchers === true,
    users: args.users,
    seed: String(args.seed).trim(),
    codeTables: resolved.settings.codeTables,
    matchIdType: resolved.profile?.matchIdType,
  };
  if (args.out === undefined) {
    if (args.users > MAX_TEXT_SAMPLE_USERS) throw invalid(`more than ${MAX_TEXT_SAMPLE_USERS} users go to a file: give out`);
    return { text: sampleText(options) };
  }
  const out = pathArgument(args.out, 'out', context);
  const progress = await context.progress(`Alma SIS: writing ${args.users} sample users`, workDoneToken);
  const abort = abortOn(token);
  try {
    await writeSampleFile(out, options, abort.signal);
    return { path: out, users: args.users };
  } finally {
    abort.dispose();
    progress.done();
  }
}

/** New File from This User: the engine's one-user template of the user at the position, from the open document. */
export function newFileFromUser(args: NewFileFromUserArgs, context: CommandContext): NewFileFromUserResult {
  const position = positionOf(args.position);
  if (typeof args.uri !== 'string' || !position) throw invalid('alma-sis.newFileFromUser needs { uri, position: { line, character }, values }');
  if (args.values !== 'keep' && args.values !== 'blank') throw invalid('values must be "keep" or "blank"');
  const document = context.document(args.uri);
  if (!document) throw failure(`${args.uri} is not open: open the file and put the cursor inside a user`);
  try {
    const template = userTemplate(document.getText(), document.offsetAt(position), args.values);
    return template.primaryId === undefined ? { text: template.text } : { text: template.text, primaryId: template.primaryId };
  } catch (error) {
    if (error instanceof UserTemplateError) throw failure(error.message);
    throw error;
  }
}
