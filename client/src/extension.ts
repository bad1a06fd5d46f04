import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { registerServerCommands } from './commands/serverCommands';
import { COMMAND_ACTIVATORS } from './commands/index';
import { DiskChecks } from './diskChecks';
import { ServerFileWatchers } from './fileWatchers';
import { AlmaLanguageStatus } from './languageStatus';
import { ruleLinkMiddleware, registerRulePages } from './ruleDocumentation';
import { AlmaServer } from './serverAccess';
import { documentSelector, readSettings, SETTINGS_SECTION, toWireSettings, type AlmaSisSettings } from './settings';
import { WorkspaceTrustedNotification, type AlmaSisInitializationOptions } from '../../server/src/protocol/messages';

/*
 * The VS Code side: starts the bundled language server, which does all the Alma work (validation,
 * zip, dry-run, samples, upload), and adds what only the editor can (status item, language
 * switch, the commands' dialogues, secret storage, watchers). Activation does no validation
 * itself and does not wait for the server, so opening an XML file stays quick.
 */

let client: LanguageClient | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('Alma SIS', { log: true });
  context.subscriptions.push(log);

  let settings = currentSettings();
  const serverModule = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6010'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: documentSelector(),
    // The server pulls `alma-sis` with workspace/configuration; this also tells it when it changed.
    synchronize: { configurationSection: SETTINGS_SECTION },
    // Untrusted, the server runs no profile's XSL converter: a program the workspace brings.
    initializationOptions: { settings: toWireSettings(settings), trusted: vscode.workspace.isTrusted } satisfies AlmaSisInitializationOptions,
    outputChannel: log,
    diagnosticCollectionName: 'alma-sis',
    // A diagnostic's rule link opens the rule's page rendered (ruleDocumentation.ts).
    middleware: ruleLinkMiddleware(),
  };
  // The id 'alma-sis' makes the client read `alma-sis.trace.server` by itself.
  client = new LanguageClient('alma-sis', 'Alma SIS Language Server', serverOptions, clientOptions);
  const languageClient = client;
  const starting = languageClient.start();
  // A command run while the server starts waits for it; after a restart the client is running again.
  const server = new AlmaServer(languageClient, () => (languageClient.isRunning() ? Promise.resolve() : starting));

  const status = new AlmaLanguageStatus(languageClient, () => settings, log);
  // Files over the 50 MB VS Code gives extensions: validated from disk, their status in the status bar.
  const diskChecks = new DiskChecks(server, log);
  const watchers = new ServerFileWatchers(server, log, () => diskChecks.checkAgain());
  context.subscriptions.push(status, watchers, diskChecks);
  registerServerCommands(context, server, log, diskChecks);
  registerRulePages(context, log);
  for (const activateCommands of COMMAND_ACTIVATORS) activateCommands(context, server);
  context.subscriptions.push(vscode.workspace.onDidGrantWorkspaceTrust(() => {
    languageClient.sendNotification(WorkspaceTrustedNotification, {}).catch((error: unknown) => log.appendLine(`telling the server of workspace trust: ${String(error)}`));
  }));

  context.subscriptions.push(vscode.workspace.onDidChangeConfiguration((event) => {
    if (!event.affectsConfiguration(SETTINGS_SECTION)) return;
    const before = settings;
    settings = currentSettings();
    log.info(`settings changed: ${JSON.stringify(toWireSettings(settings))}`);
    if (before.useAlmaLanguage !== settings.useAlmaLanguage) status.applyLanguageSetting();
    if (before.configPath !== settings.configPath) void watchers.refresh();
    diskChecks.checkAgain();
  }));

  // The e2e test reads these two lines (their timestamps, against the extension host's log).
  log.info(`activated in ${(performance.now() - started).toFixed(1)} ms`);
  starting.then(
    () => {
      log.info(`language server ready ${(performance.now() - started).toFixed(0)} ms after activation`);
      void watchers.refresh().catch((error: unknown) => log.error(`watching configuration files: ${String(error)}`));
    },
    (error: unknown) => log.error(`the language server did not start: ${String(error)}`),
  );
}

function currentSettings(): AlmaSisSettings {
  return readSettings(vscode.workspace.getConfiguration(SETTINGS_SECTION));
}

export function deactivate(): Thenable<void> | undefined {
  return client?.stop();
}
