import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { closest, describeOptions, listOr, parseArgs, UsageError, type OptionSpec } from '../../server/src/cli/args';

const SPECS: OptionSpec[] = [
  { name: 'config', takesValue: true, valueName: 'FILE', help: 'the configuration' },
  { name: 'format', takesValue: true, valueName: 'FORMAT', choices: ['text', 'json', 'sarif'], help: 'output format' },
  { name: 'strict', help: 'strict mode' },
  { name: 'no-progress', help: 'no progress line' },
  { name: 'help', short: 'h', help: 'show help' },
];

function usageError(argv: string[]): UsageError {
  try {
    parseArgs(argv, SPECS, 'validate');
  } catch (error) {
    assert.ok(error instanceof UsageError, `expected a UsageError, got ${String(error)}`);
    assert.equal(error.command, 'validate');
    return error;
  }
  assert.fail(`expected ${argv.join(' ')} to be refused`);
}

describe('parseArgs', () => {
  it('reads flags, --opt value and --opt=value, keeping positionals in order', () => {
    const parsed = parseArgs(['a.xml', '--format', 'json', 'b.zip', '--config=x/alma.json', '--strict', '-h', '--no-progress', 'c'], SPECS);
    assert.deepEqual(parsed.positionals, ['a.xml', 'b.zip', 'c']);
    assert.deepEqual(
      [...parsed.options],
      [['format', 'json'], ['config', 'x/alma.json'], ['strict', true], ['help', true], ['no-progress', true]],
    );
  });

  it('takes everything after -- as positionals, and a lone - as one', () => {
    const parsed = parseArgs(['--strict', '--', '--format', '-x.xml', '-'], SPECS);
    assert.deepEqual(parsed.positionals, ['--format', '-x.xml', '-']);
    assert.deepEqual([...parsed.options], [['strict', true]]);
    assert.deepEqual(parseArgs(['-'], SPECS).positionals, ['-']);
  });

  it('keeps the last of a repeated valued option, and accepts values that look like options after =', () => {
    assert.equal(parseArgs(['--format', 'json', '--format=sarif'], SPECS).options.get('format'), 'sarif');
    assert.equal(parseArgs(['--config=--odd'], SPECS).options.get('config'), '--odd');
    assert.equal(parseArgs(['--config', '-'], SPECS).options.get('config'), '-');
  });

  it('refuses an unknown option, suggesting the nearest known one', () => {
    assert.equal(usageError(['--formt', 'json']).message, 'unknown option --formt; did you mean --format?');
    assert.equal(usageError(['--strcit']).message, 'unknown option --strcit; did you mean --strict?');
    assert.equal(usageError(['--conf', 'x']).message, 'unknown option --conf; did you mean --config?');
    assert.equal(usageError(['--banana']).message, 'unknown option --banana');
    assert.equal(usageError(['-format', 'json']).message, 'unknown option -format; did you mean --format?');
    assert.equal(usageError(['-x']).message, 'unknown option -x');
  });

  it('refuses a valued option without its value', () => {
    assert.equal(usageError(['--config']).message, 'option --config needs a value (FILE)');
    assert.equal(usageError(['--config', '--strict']).message, 'option --config needs a value (FILE)');
    assert.equal(usageError(['--config=']).message, 'option --config needs a value (FILE)');
  });

  it('refuses a value given to a flag', () => {
    assert.equal(usageError(['--strict=yes']).message, 'option --strict does not take a value');
  });

  it('refuses a value outside the choices, suggesting the nearest', () => {
    assert.equal(usageError(['--format', 'jsno']).message, 'unknown format "jsno"; expected text, json or sarif; did you mean json?');
    assert.equal(usageError(['--format=xml']).message, 'unknown format "xml"; expected text, json or sarif');
    assert.equal(usageError(['--format', 'JSON']).message, 'unknown format "JSON"; expected text, json or sarif; did you mean json?');
  });
});

describe('an option whose value may be left out', () => {
  const specs: OptionSpec[] = [{ name: 'xsl', takesValue: true, optionalValue: /\.xslt?$/i, valueName: 'FILE.xsl', help: 'a converter' }];
  it('takes the next argument only when it looks like its value, and always after =', () => {
    assert.deepEqual([...parseArgs(['--xsl', 'feed.xml'], specs).options], [['xsl', true]]);
    assert.deepEqual(parseArgs(['--xsl', 'feed.xml'], specs).positionals, ['feed.xml']);
    assert.deepEqual([...parseArgs(['--xsl', 'plif.XSL', 'feed.xml'], specs).options], [['xsl', 'plif.XSL']]);
    assert.deepEqual(parseArgs(['--xsl', 'plif.XSL', 'feed.xml'], specs).positionals, ['feed.xml']);
    assert.deepEqual([...parseArgs(['--xsl=convert.txt', 'feed.xml'], specs).options], [['xsl', 'convert.txt']]);
    assert.deepEqual([...parseArgs(['feed.xml', '--xsl'], specs).options], [['xsl', true]]);
    assert.deepEqual(describeOptions(specs), ['      --xsl [FILE.xsl]  a converter']);
  });
});

describe('describeOptions', () => {
  it('aligns the help column and shows value placeholders and short aliases', () => {
    assert.deepEqual(describeOptions(SPECS.slice(1, 5)), [
      '      --format FORMAT  output format',
      '      --strict         strict mode',
      '      --no-progress    no progress line',
      '  -h, --help           show help',
    ]);
  });
});

describe('closest and listOr', () => {
  it('suggests only near misses or unambiguous prefixes', () => {
    assert.equal(closest('valdate', ['validate', 'zip', 'upload']), 'validate');
    assert.equal(closest('val', ['validate', 'zip', 'upload']), 'validate');
    assert.equal(closest('qqq', ['validate', 'zip', 'upload']), undefined);
    assert.equal(closest('x', ['validate']), undefined);
  });

  it('joins a list with commas and a final or', () => {
    assert.equal(listOr(['a']), 'a');
    assert.equal(listOr(['a', 'b']), 'a or b');
    assert.equal(listOr(['a', 'b', 'c']), 'a, b or c');
  });
});
