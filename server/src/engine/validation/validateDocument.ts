import { scanBytes } from '../xml/scanner';
import type { ValidationSettings } from '../config/types';
import { DocumentChecker, type SetState } from './documentChecker';
import { IdentifierRegistry } from './identifiers';
import type { DocumentResult } from './results';

/**
 * One document on its own: the entry point for an editor buffer (the language server) and for
 * small inputs. Identifier uniqueness covers the users of this document only; use
 * validateInputs for a set of files.
 */
export function validateText(text: string, path: string, settings: ValidationSettings): DocumentResult {
  return validateBytes(Buffer.from(text, 'utf8'), path, settings);
}

export function validateBytes(bytes: Uint8Array, path: string, settings: ValidationSettings): DocumentResult {
  const checker = new DocumentChecker(path, settings, new IdentifierRegistry(), newSetState());
  scanBytes(bytes, checker);
  return checker.result();
}

export function newSetState(): SetState {
  return { version: null, versionPath: null };
}
