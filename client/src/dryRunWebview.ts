/*
 * The dry-run report's page as the report view shows it: the server's self-contained HTML (the
 * page `alma-sis dry-run --format html` writes) with the view's own policy, a toolbar and a
 * small script that sends the rows' clicks to the extension. No vscode import: tested in
 * test/client/ on the engine's real page.
 */

/** What the page's script sends to the extension. Anything else it receives is ignored. */
export type ReportViewMessage =
  | { type: 'jump'; user: number }
  | { type: 'save'; format: 'html' | 'markdown' }
  | { type: 'rerun' };

/** The message, if `value` is one the page sends; the page is not trusted with more than indexes and names. */
export function reportViewMessage(value: unknown): ReportViewMessage | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const message = value as Record<string, unknown>;
  if (message.type === 'jump' && Number.isSafeInteger(message.user) && (message.user as number) >= 0) return { type: 'jump', user: message.user as number };
  if (message.type === 'save' && (message.format === 'html' || message.format === 'markdown')) return { type: 'save', format: message.format };
  if (message.type === 'rerun') return { type: 'rerun' };
  return undefined;
}

export interface ReportViewOptions {
  /** A fresh random value for this page: the only style and script allowed to run carry it. */
  nonce: string;
  /** The users (indexes in load order) whose rows can jump to the input: those in a file an editor opens. */
  linked: readonly number[];
  /** Set once the input was edited after the run: the page says the report is out of date. */
  outdated?: string;
}

const VIEW_CSS = `
.almasis-bar { position: sticky; top: 0; z-index: 1; display: flex; flex-wrap: wrap; gap: 8px; align-items: center;
  margin: -16px -24px 12px; padding: 8px 24px; background: var(--vscode-editor-background, #fff); border-bottom: 1px solid var(--vscode-panel-border, #d1d9e0); }
.almasis-bar button { font: inherit; color: var(--vscode-button-foreground, #fff); background: var(--vscode-button-background, #0e639c);
  border: none; border-radius: 2px; padding: 4px 12px; cursor: pointer; }
.almasis-bar button:hover { background: var(--vscode-button-hoverBackground, #1177bb); }
.almasis-bar button.secondary { color: var(--vscode-button-secondaryForeground, #fff); background: var(--vscode-button-secondaryBackground, #5f6a79); }
.almasis-bar .hint { color: var(--vscode-descriptionForeground, #59636e); }
.almasis-outdated { width: 100%; padding: 6px 10px; border: 1px solid var(--vscode-inputValidation-warningBorder, #d98e04);
  background: var(--vscode-inputValidation-warningBackground, #fff4e5); border-radius: 3px; }
`;

// Plain DOM, no library: marks the rows that can jump, and posts clicks (and Enter) as messages.
const VIEW_SCRIPT = `
(() => {
  const vscode = acquireVsCodeApi();
  const linked = new Set(LINKED);
  for (const row of document.querySelectorAll('tr[data-user]')) {
    if (!linked.has(Number(row.getAttribute('data-user')))) continue;
    row.classList.add('jump');
    row.tabIndex = 0;
    row.title = 'Go to this user in the input file';
  }
  const jump = (target) => {
    const row = target instanceof Element ? target.closest('tr.jump') : null;
    if (row) vscode.postMessage({ type: 'jump', user: Number(row.getAttribute('data-user')) });
  };
  document.addEventListener('click', (event) => {
    const button = event.target instanceof Element ? event.target.closest('button[data-action]') : null;
    if (button) {
      const action = button.getAttribute('data-action');
      vscode.postMessage(action === 'rerun' ? { type: 'rerun' } : { type: 'save', format: action });
      return;
    }
    // A click that ends a text selection is for copying, not for leaving the report.
    if (String(window.getSelection() ?? '') !== '') return;
    jump(event.target);
  });
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') jump(event.target);
  });
})();
`;

/** The policy of the view: nothing from anywhere; the one style and the one script that carry the nonce. */
export function reportViewCsp(nonce: string): string {
  return `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; base-uri 'none'; form-action 'none'`;
}

/**
 * The view's page from the server's: its policy replaced by the view's (the page's own allows its
 * stylesheet by hash and no script), the stylesheet given the nonce, the toolbar and the script
 * added. The server's page escapes every value from the files, so the markers looked for here
 * occur once, where the renderer wrote them.
 */
export function reportViewHtml(reportHtml: string, options: ReportViewOptions): string {
  const { nonce } = options;
  if (!/^[A-Za-z0-9+/=]{16,}$/.test(nonce)) throw new Error('the nonce must be base64 of at least 12 random bytes');
  const head = reportHtml.indexOf('<head>');
  const headEnd = reportHtml.indexOf('</head>');
  const bodyStart = reportHtml.indexOf('<body>');
  const bodyEnd = reportHtml.lastIndexOf('</body>');
  if (head < 0 || headEnd < head || bodyStart < headEnd || bodyEnd < bodyStart) throw new Error('the server sent a report page of an unexpected shape');
  const headPart = reportHtml
    .slice(head + '<head>'.length, headEnd)
    .replace(/<meta http-equiv="Content-Security-Policy"[^>]*>\n?/g, '')
    .replace(/<style>/g, `<style nonce="${nonce}">`);
  const bar = [
    '<div class="almasis-bar">',
    options.outdated === undefined ? '' : `<div class="almasis-outdated" role="status">${escapeHtml(options.outdated)} <button type="button" data-action="rerun">Run Again</button></div>`,
    '<button type="button" data-action="html">Save as HTML</button>',
    '<button type="button" class="secondary" data-action="markdown">Save as Markdown</button>',
    options.linked.length > 0 ? '<span class="hint">Click a user to open it in the input file.</span>' : '',
    '</div>',
  ].join('');
  const script = VIEW_SCRIPT.replace('LINKED', () => JSON.stringify([...options.linked]));
  return [
    reportHtml.slice(0, head),
    '<head>\n',
    `<meta http-equiv="Content-Security-Policy" content="${reportViewCsp(nonce)}">\n`,
    headPart,
    `<style nonce="${nonce}">${VIEW_CSS}</style>\n`,
    '</head>\n<body>\n',
    bar,
    reportHtml.slice(bodyStart + '<body>'.length, bodyEnd),
    `<script nonce="${nonce}">${script}</script>\n`,
    reportHtml.slice(bodyEnd),
  ].join('');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
