/**
 * The custom part of the protocol between the Alma SIS language server and its clients.
 * Types and method names only (no vscode or connection import), so that the VS Code client,
 * the server and the tests share one definition.
 */

/** The configuration section the server reads with workspace/configuration. */
export const CONFIGURATION_SECTION = 'alma-sis';

/** The settings under `alma-sis.*`, as the server reads them (every field optional on the wire). */
export interface AlmaSisClientSettings {
  /** Per-document cap on published diagnostics, errors first; one more diagnostic says how many were left out. Default 1000. */
  maxProblems?: number;
  /** Validate while typing (debounced) or only when the document is saved. Default "onType". */
  validate?: 'onType' | 'onSave';
  /** Path of alma-sis.config.json; default: the nearest one found upwards from the document. */
  configPath?: string;
  /** Treat empty values as errors, as the configuration's `strict` does. */
  strict?: boolean;
  /** Rule id -> severity or "off", on top of the configuration file's rules. */
  rules?: Record<string, 'error' | 'warning' | 'info' | 'off'>;
  /** Profile code of alma-sis.config.json to validate against; default: the file's default profile. */
  profile?: string;
  /** Milliseconds to wait after the last keystroke before validating. Default 200. */
  debounceMs?: number;
}

/** Request (client -> server): validate a file on disk (for files over the 50 MB editors sync). */
export const VALIDATE_FILE_ON_DISK = 'almaSis/validateFileOnDisk';

export interface ValidateFileOnDiskParams {
  /** file: URI of the file to stream from disk. */
  uri: string;
}

/** The summary of a validation; the diagnostics themselves are published on the file's URI. */
export interface ValidationSummary {
  users: number;
  errors: number;
  warnings: number;
  infos: number;
  /** Wall milliseconds the validation took. */
  ms: number;
}

export type ValidateFileOnDiskResult = ValidationSummary;

/** Notification (server -> client) after each validation of a document, for the language status item. */
export const DOCUMENT_STATUS = 'almaSis/documentStatus';

export interface DocumentStatusParams extends ValidationSummary {
  uri: string;
  /** The User XSD version detected, or null when the root was not recognised. */
  schemaVersion: 1 | 2 | null;
}
