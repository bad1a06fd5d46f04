// Command-line counts shared by the bench scripts, so that each reads "10k" or "1m" the same way.

/** A count such as 1000, 10k or 1m; `fail` (which does not return) hears why `text` is none. */
export function parseCount(text, name, fail) {
  const match = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(text ?? '');
  if (!match) fail(`${name} must be a number such as 1000, 10k or 1m, got ${JSON.stringify(text)}`);
  return Math.round(Number(match[1]) * { '': 1, k: 1e3, m: 1e6 }[match[2].toLowerCase()]);
}
