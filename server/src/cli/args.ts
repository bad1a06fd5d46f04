/**
 * A small argv parser for the CLI. Hand-written rather than a dependency because the CLI needs
 * only long options, and it must turn every mistake into a one-line usage error with a
 * suggestion instead of a library's exception.
 */

export interface OptionSpec {
  /** The long name without dashes: `format` for `--format`. */
  name: string;
  /** A one-letter alias (`h` for `-h`). */
  short?: string;
  /** True when the option takes a value (`--format json`, `--format=json`). */
  takesValue?: boolean;
  /**
   * The value may be left out (`--xsl` alone is `true`): then the next argument is its value only
   * when it matches this, so that `--xsl feed.xml` leaves feed.xml an input; `--xsl=FILE` always is.
   */
  optionalValue?: RegExp;
  /** The allowed values, for options with a fixed set. */
  choices?: readonly string[];
  /** Shown as the value's placeholder in help: `--config FILE`. */
  valueName?: string;
  /** One line of help. */
  help: string;
}

export interface ParsedArgs {
  positionals: string[];
  /** Flags map to `true`, valued options to their last value. */
  options: Map<string, string | true>;
}

/** A mistake on the command line: the CLI prints it and exits with code 2. */
export class UsageError extends Error {
  constructor(message: string, readonly command?: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function parseArgs(argv: readonly string[], specs: readonly OptionSpec[], command?: string): ParsedArgs {
  const positionals: string[] = [];
  const options = new Map<string, string | true>();
  function fail(message: string): never {
    throw new UsageError(message, command);
  }

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    // A lone "-" is an ordinary argument (conventionally stdin), not an option.
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }

    let spec: OptionSpec | undefined;
    let inlineValue: string | undefined;
    let written: string;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      inlineValue = eq < 0 ? undefined : arg.slice(eq + 1);
      written = `--${name}`;
      spec = specs.find((s) => s.name === name);
      if (!spec) fail(`unknown option ${written}${hint(name, specs.map((s) => s.name), '--')}`);
    } else {
      written = arg;
      spec = arg.length === 2 ? specs.find((s) => s.short === arg[1]) : undefined;
      if (!spec) {
        // `-format json` is a common slip for `--format json`.
        const long = specs.find((s) => s.name === arg.slice(1));
        fail(`unknown option ${arg}${long ? `; did you mean --${long.name}?` : ''}`);
      }
    }
    const option = spec;

    if (!option.takesValue) {
      if (inlineValue !== undefined) fail(`option ${written} does not take a value`);
      options.set(option.name, true);
      continue;
    }

    let value = inlineValue;
    if (value === undefined && option.optionalValue !== undefined) {
      const next = argv[i + 1];
      if (next === undefined || !option.optionalValue.test(next)) {
        options.set(option.name, true);
        continue;
      }
      value = next;
      i++;
    }
    if (value === undefined) {
      const next = argv[i + 1];
      // An option right after a valued option almost always means the value was forgotten;
      // a value that really starts with "--" can still be given as --opt=--value.
      if (next === undefined || (next.startsWith('--') && next.length > 2)) {
        fail(`option ${written} needs a value${option.valueName ? ` (${option.valueName})` : ''}`);
      }
      value = next;
      i++;
    }
    if (value === '') fail(`option ${written} needs a value${option.valueName ? ` (${option.valueName})` : ''}`);
    if (option.choices && !option.choices.includes(value)) {
      fail(`unknown ${option.name} "${value}"; expected ${listOr(option.choices)}${hint(value, option.choices, '')}`);
    }
    options.set(option.name, value);
  }

  return { positionals, options };
}

/** Lines of option help for `--help`, aligned in one column. */
export function describeOptions(specs: readonly OptionSpec[]): string[] {
  const heads = specs.map((s) => {
    const value = s.valueName ?? 'VALUE';
    const long = `--${s.name}${s.takesValue ? (s.optionalValue !== undefined ? ` [${value}]` : ` ${value}`) : ''}`;
    return s.short ? `-${s.short}, ${long}` : `    ${long}`;
  });
  const width = Math.max(...heads.map((h) => h.length));
  return specs.map((s, i) => `  ${heads[i].padEnd(width)}  ${s.help}`);
}

/** `a, b or c`. */
export function listOr(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/** `; did you mean --format?` when a candidate is close enough to be a likely typo, else ''. */
function hint(written: string, candidates: readonly string[], prefix: string): string {
  const best = closest(written, candidates);
  return best === undefined ? '' : `; did you mean ${prefix}${best}?`;
}

/**
 * The candidate nearest to `written` by edit distance, when it is near enough to be a typo
 * (at most a third of the word), or that `written` is a prefix of exactly one candidate.
 */
export function closest(written: string, candidates: readonly string[]): string | undefined {
  const lower = written.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = editDistance(lower, candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  if (best !== undefined && bestDistance <= Math.max(1, Math.floor(best.length / 3))) return best;
  const prefixed = candidates.filter((c) => lower.length >= 2 && c.toLowerCase().startsWith(lower));
  return prefixed.length === 1 ? prefixed[0] : undefined;
}

/** Edit distance counting a swap of two neighbouring letters as one edit, the commonest typo. */
function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) rows[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2][j - 2] + 1);
      rows[i][j] = d;
    }
  }
  return rows[a.length][b.length];
}
