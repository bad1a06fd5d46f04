/**
 * What the text report and stderr print from the input (paths, zip entry names, quoted values,
 * messages, names an SFTP server lists) goes through `visible`: a control character would reach
 * the terminal as is (ESC sequences change titles, write the clipboard, erase lines) and a line
 * break would forge whole report lines. JSON and SARIF escape on their own. It lives in the engine
 * so that every adapter (the CLI, the editor's messages) escapes the same way.
 */

// C0, DEL, C1, the Unicode line and paragraph separators, and the bidirectional overrides and
// isolates that can make a line read differently from what it holds.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeControl(char: string): string {
  const named = NAMED[char];
  if (named) return named;
  const code = char.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `text` with every control character written as a visible escape (`\x1b`, `\n`, `\u2028`). */
export function visible(text: string): string {
  return text.replace(CONTROL, escapeControl);
}

/** A multi-line message of our own (a configuration's problem list): its lines stay lines, their content is made visible. */
export function visibleLines(text: string): string {
  return text.split('\n').map(visible).join('\n');
}
