import { ConversionError, convertV1ToV2Text } from '../../engine';
import { MAX_LISTED_NO_HOME, type ConvertToV2Args, type ConvertToV2Result } from '../../protocol/messages';
import { failure, invalid, type CommandContext } from './context';

/** Convert to User XSD v2: the engine's conversion of the open v1 buffer, as text for a new editor. */
export function convertToV2(args: ConvertToV2Args, context: CommandContext): ConvertToV2Result {
  if (typeof args.uri !== 'string') throw invalid('alma-sis.convertToV2 needs { uri } of an open document');
  const document = context.document(args.uri);
  if (!document) throw failure(`${args.uri} is not open: open the User XSD v1 file first`);
  try {
    const result = convertV1ToV2Text(document.getText());
    return {
      text: result.text,
      users: result.users,
      changedCount: result.changedCount,
      noHomeCount: result.noHomeCount,
      noHomeByPath: result.noHomeByPath,
      noHome: result.noHome.slice(0, MAX_LISTED_NO_HOME),
    };
  } catch (error) {
    // The engine's message starts with line:column; the editor shows it as it is.
    if (error instanceof ConversionError) throw failure(`this file cannot be converted: ${error.message}`);
    throw error;
  }
}
