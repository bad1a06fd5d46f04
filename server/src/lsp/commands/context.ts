import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorCodes, ResponseError } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { FileSettings, FileSettingsOptions, Profile } from '../../engine';
import type { SecretOpener } from '../../protocol/sealedSecret';
import type { AlmaSisSettings } from '../../protocol/settings';

/** A way to tell the person how far the work is, on the client's progress UI when it has one. */
export interface ProgressReporter {
  report(message: string, percentage: number): void;
  done(): void;
}

/**
 * What the command handlers need from the server around them; the handlers themselves only
 * translate between the protocol's arguments and the engine.
 */
export interface CommandContext {
  /** The workspace folders, as paths. */
  folders(): readonly string[];
  /** The editor settings that apply to a file (or the workspace). */
  choice(path: string | undefined): Promise<AlmaSisSettings>;
  /** The settings, configuration and profile for a file (or the workspace), as validation resolves them. */
  settingsFor(path: string | undefined, profile?: string, options?: FileSettingsOptions): Promise<FileSettings>;
  /** The open document with this URI. */
  document(uri: string): TextDocument | undefined;
  progress(title: string, token: string | number | undefined): Promise<ProgressReporter>;
  log(message: string): void;
  readonly secrets: SecretOpener;
  /** The workspace is trusted (always, for a client that does not say): a profile's XSL converter may run. */
  trusted(): boolean;
}

/** A path from an argument: a file: URI, an absolute path, or a path relative to the first workspace folder. */
export function pathArgument(value: unknown, name: string, context: CommandContext): string {
  if (typeof value !== 'string' || value.trim() === '') throw invalid(`${name} must be a path or a file: URI`);
  if (value.startsWith('file:')) {
    try {
      return fileURLToPath(value);
    } catch {
      throw invalid(`${name}: ${value} is not a file: URI`);
    }
  }
  if (/^[a-z][a-z0-9+.-]+:/i.test(value) && !/^[a-z]:[\\/]/i.test(value)) throw invalid(`${name}: only file: URIs can be read (${value})`);
  return isAbsolute(value) ? value : resolve(context.folders()[0] ?? process.cwd(), value);
}

export function optionalString(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw invalid(`${name} must be a string`);
  return value;
}

/** Why a profile's XSL converter may not run here, or undefined when it may (or there is none). */
export function untrustedConverter(profile: Profile | undefined, context: CommandContext): string | undefined {
  if (profile?.xslConverter === undefined || context.trusted()) return undefined;
  return `profile ${profile.code}'s XSL converter (${profile.xslConverter}) is a program this workspace brings, and the workspace is not trusted: ` +
    'it is not run in Restricted Mode. Trust the workspace to check what Alma loads after it.';
}

export function invalid(message: string): ResponseError<void> {
  return new ResponseError(ErrorCodes.InvalidParams, message);
}

/** An error the person can act on (a bad configuration, a missing file): its message is the answer. */
export function failure(message: string): ResponseError<void> {
  return new ResponseError(ErrorCodes.InternalError, message);
}

/** An AbortSignal that follows the request's cancellation. */
export function abortOn(token: { onCancellationRequested(listener: () => void): { dispose(): void } }): { signal: AbortSignal; dispose(): void } {
  const abort = new AbortController();
  const listener = token.onCancellationRequested(() => abort.abort());
  return { signal: abort.signal, dispose: () => listener.dispose() };
}

export function isAbortError(error: unknown): boolean {
  return (error as Error | undefined)?.name === 'AbortError';
}

export function percentOf(done: number, total: number, span = 100): number {
  return total === 0 ? span : Math.floor((done * span) / total);
}
