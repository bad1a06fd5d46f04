import * as vscode from 'vscode';
import type { Middleware } from 'vscode-languageclient/node';
import { isRuleId, rulePageCommand, rulePageRule, SHOW_RULE_PAGE } from './rulePageLinks';

/*
 * A diagnostic's rule link (alma-sis(invalid-date) in the hover and the Problems panel) opens the
 * rule's page rendered, beside the file, instead of its Markdown source.
 */

/** The diagnostic's code link, when it is a rule page, made the command that previews it (in place: the client's diagnostics carry their data). */
function linkToPreview(diagnostic: vscode.Diagnostic): vscode.Diagnostic {
  const code = diagnostic.code;
  if (typeof code !== 'object' || code === null) return diagnostic;
  const rule = rulePageRule(code.target.toString(true));
  if (rule !== undefined) diagnostic.code = { value: code.value, target: vscode.Uri.from(rulePageCommand(rule)) };
  return diagnostic;
}

/** The middleware that rewrites the links of pushed and pulled diagnostics alike. */
export function ruleLinkMiddleware(): Middleware {
  return {
    handleDiagnostics: (uri, diagnostics, next) => next(uri, diagnostics.map(linkToPreview)),
    provideDiagnostics: async (document, previousResultId, token, next) => {
      const report = await next(document, previousResultId, token);
      if (report && 'items' in report) report.items.forEach(linkToPreview);
      return report;
    },
  };
}

/** The command behind the links: the page shipped in the extension, as the Markdown preview shows it. */
export function registerRulePages(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): void {
  context.subscriptions.push(vscode.commands.registerCommand(SHOW_RULE_PAGE, async (rule: unknown) => {
    if (!isRuleId(rule)) return;
    const page = vscode.Uri.joinPath(context.extensionUri, 'docs', 'rules', `${rule}.md`);
    try {
      await vscode.commands.executeCommand('markdown.showPreviewToSide', page);
    } catch (error) {
      // Without the built-in Markdown extension (disabled), the page as text is still the page.
      log.warn(`no Markdown preview for ${rule}: ${String(error)}`);
      await vscode.window.showTextDocument(page, { viewColumn: vscode.ViewColumn.Beside, preview: true });
    }
  }));
}
