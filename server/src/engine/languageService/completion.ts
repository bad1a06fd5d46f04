import type { TextDocument } from 'vscode-languageserver-textdocument';
import { CompletionList, type Position } from 'vscode-languageserver-types';
import type { ValidationSettings } from '../config/types';

export const COMPLETION_TRIGGER_CHARACTERS = ['<', '"', "'"];

/** What may be written at the position. */
export function doComplete(document: TextDocument, position: Position, settings: ValidationSettings): CompletionList {
  void document;
  void position;
  void settings;
  return CompletionList.create([], false);
}
