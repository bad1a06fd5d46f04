import type * as vscode from 'vscode';
import type { AlmaServer } from '../serverAccess';
import { activateDryRun } from './dryRunCommand';
import { activateCreateZip } from './zipCommand';
import { activateUpload } from './uploadCommand';
import { activateSamples } from './sampleCommand';
import { activateConfiguration } from './configurationCommands';
import { activateCodeTables } from './codeTablesCommand';
import { activateConvert } from './convertCommand';
import { activateXslPreview } from './xslPreviewCommand';

/**
 * The palette commands beyond the language server's own: each feature (zip, upload, sample,
 * dry-run, code tables import) is one module that registers its commands here, so extension.ts stays a list. Each
 * asks the language server to do the work.
 */
export type CommandActivator = (context: vscode.ExtensionContext, server: AlmaServer) => void;

export const COMMAND_ACTIVATORS: CommandActivator[] = [activateDryRun, activateCreateZip, activateUpload, activateSamples, activateConvert, activateXslPreview, activateConfiguration, activateCodeTables];
