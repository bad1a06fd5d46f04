import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Hover, Position } from 'vscode-languageserver-types';
import type { ValidationSettings } from '../config/types';

/** Documentation of the element, attribute or coded value under the position. */
export function doHover(document: TextDocument, position: Position, settings: ValidationSettings): Hover | null {
  void document;
  void position;
  void settings;
  return null;
}
