// The profile's XSL converter on generated PLIF files: `alma-sis convert --xsl` (SaxonJS on a worker,
// compile included) and `alma-sis validate` through the converter, beside xsltproc (libxslt) on the same
// file and stylesheet in the same run; the outputs of SaxonJS and xsltproc are compared (indent="no").
//   npm run build && node bench/xsl-bench.mjs [--sizes 1k,20k] [--runs N] [--timeout SECONDS]
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measure, pickRssMeter } from './measure.mjs';

const root = join(fileURLToPath(import.meta.url), '..', '..');
const data = join(root, 'bench', 'data', 'xsl');
const cli = join(root, 'dist', 'cli.js');
const flag = (name, fallback) => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : fallback;
};
const sizes = flag('sizes', '1k,20k').split(',').map((size) => Number(size.replace(/k$/i, '000').replace(/m$/i, '000000')));
const runs = Number(flag('runs', '1'));
const timeoutSeconds = Number(flag('timeout', '1800'));

/** A PLIF file of `users` patrons, in the shape of test/fixtures/xsl/legacy-plif.xml, no errors planted. */
function plif(users) {
  const parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<p-file-20>\n'];
  for (let i = 1; i <= users; i++) {
    const id = `P${String(i).padStart(7, '0')}`;
    parts.push(
      `  <patron-record>\n    <z303>\n      <z303-id>${id}</z303-id>\n      <z303-name>Name${i}, Given</z303-name>\n    </z303>\n` +
        `    <z304>\n      <z304-address-1>${i} Main Street</z304-address-1>\n      <z304-address-2>Springfield</z304-address-2>\n      <z304-zip>12345</z304-zip>\n` +
        `      <z304-email-address>${id.toLowerCase()}@example.edu</z304-email-address>\n    </z304>\n` +
        `    <z305>\n      <z305-bor-status>UG</z305-bor-status>\n      <z305-expiry-date>20270630</z305-expiry-date>\n    </z305>\n` +
        `    <z308>\n      <z308-key-type>01</z308-key-type>\n      <z308-key-data>B${i}</z308-key-data>\n    </z308>\n` +
        `    <z308>\n      <z308-key-type>02</z308-key-type>\n      <z308-key-data>U${i}</z308-key-data>\n    </z308>\n  </patron-record>\n`,
    );
  }
  parts.push('</p-file-20>\n');
  return parts.join('');
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

mkdirSync(data, { recursive: true });
const stylesheet = join(data, 'plif-to-sis.xsl');
copyFileSync(join(root, 'test', 'fixtures', 'xsl', 'plif-to-sis.xsl'), stylesheet);
const unindented = join(data, 'plif-to-sis-unindented.xsl');
writeFileSync(unindented, readFileSync(stylesheet, 'utf8').replace('indent="yes"', 'indent="no"'));
writeFileSync(join(data, 'alma-sis.config.json'), JSON.stringify({ profiles: [{ code: 'PLIF', xsdVersion: 2, xslConverter: 'plif-to-sis.xsl' }] }));
const meter = pickRssMeter();
const hasXsltproc = spawnSync('xsltproc', ['--version']).error === undefined;

const rows = [];
for (const users of sizes) {
  const input = join(data, `plif-${users}.xml`);
  if (!existsSync(input)) writeFileSync(input, plif(users));
  const mb = (readFileSync(input).length / 1e6).toFixed(1);
  const timed = async (label, command, args) => {
    const results = [];
    for (let run = 0; run < runs; run++) {
      process.stderr.write(`${users} users: ${label}, run ${run + 1}\n`);
      rmSync(join(data, `plif-${users}.after-xsl.xml`), { force: true });
      results.push(await measure(meter, command, args, { stdoutPath: join(data, `${label}.out`), stderrPath: join(data, `${label}.err`), timeoutSeconds }));
    }
    const failed = results.find((r) => r.failure || (r.code !== 0 && r.code !== 1));
    if (failed) return `failed (${failed.failure ?? `exit ${failed.code}`})`;
    return `${median(results.map((r) => r.seconds)).toFixed(2)} s / ${Math.round(Math.max(...results.map((r) => r.rssKB ?? 0)) / 1024)} MB`;
  };
  const convert = await timed('convert', process.execPath, [cli, 'convert', '--xsl', stylesheet, input, '--out', data, '--force']);
  const validate = await timed('validate', process.execPath, [cli, 'validate', '--config', join(data, 'alma-sis.config.json'), input]);
  const xsltproc = hasXsltproc ? await timed('xsltproc', 'xsltproc', ['-o', join(data, `xsltproc-${users}.xml`), stylesheet, input]) : 'skipped (no xsltproc)';
  let same = 'not compared';
  if (hasXsltproc) {
    const ours = spawnSync(process.execPath, [cli, 'convert', '--xsl', unindented, input, '--out', data, '--force'], { encoding: 'utf8' });
    const theirs = spawnSync('xsltproc', [unindented, input], { maxBuffer: 1 << 30 });
    const body = (text) => text.replace(/^<\?xml[^>]*\?>\s*/, '').trimEnd();
    same = ours.status === 0 && body(readFileSync(join(data, `plif-${users}.after-xsl.xml`), 'utf8')) === body(theirs.stdout.toString('utf8')) ? 'yes' : 'NO';
  }
  rows.push(`| ${users.toLocaleString('en-US')} | ${mb} | ${convert} | ${validate} | ${xsltproc} | ${same} |`);
}

console.log(`Measured ${new Date().toISOString().slice(0, 10)}, ${runs} run(s) each (median wall time, largest peak RSS, ${meter.name}).\n`);
console.log('| PLIF users | MB | alma-sis convert --xsl | alma-sis validate (through the converter) | xsltproc | output = xsltproc\'s (indent="no") |');
console.log('|---:|---:|---:|---:|---:|---|');
for (const row of rows) console.log(row);
