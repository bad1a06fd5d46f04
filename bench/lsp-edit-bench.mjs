#!/usr/bin/env node
// The language server under typing: a 10,000-user document (bench/generate-users.mjs) opened in the
// bundled server (dist/server.js --stdio), 50 one-character edits spread through the file, each
// timed from the change to the published diagnostics, minus the debounce; beside it, edits that
// force a full re-validation of the same text. Then a 100k-user file whose users all carry
// record_type, account_type and external_id, validated from disk ("Validate File on Disk"): the
// diagnostics published for it are counted.
//
//   npm run build && node bench/lsp-edit-bench.mjs [--users 10000] [--edits 50] [--big 100000] [--no-big] [--no-open-big] [--server PATH]
//
// The 100k-user file is also opened as a document (didOpen with its whole text, as Neovim or
// another editor without VS Code's 50 MB limit sends it): the time to its diagnostics and the
// server's peak resident memory (VmHWM, Linux only).
//
// While the full re-validations run, a hover is sent once each has surely begun (the debounce
// plus 40 ms after the edit): its answer time against the validation's is what a user feels when
// the server is busy.
//
// Prints a Markdown table on stdout, progress on stderr.
import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';

const root = resolve(fileURLToPath(import.meta.url), '..', '..');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const USERS = option('--users', 10_000);
const EDITS = option('--edits', 50);
const BIG = option('--big', 100_000);
const DEBOUNCE_MS = 200;
const FULL_RUNS = 5;
const serverAt = args.indexOf('--server');
// Another build's server (a baseline) is timed with --server PATH.
const server = serverAt >= 0 ? resolve(args[serverAt + 1]) : join(root, 'dist', 'server.js');
// A folder of its own for each file: the files of a folder are a set, and the server indexes the
// whole folder (generated files of the same seed share their first users: beside each other, every
// one of those would be a duplicate of the other file's).
const dataRoot = join(root, 'bench', 'data', 'lsp');
const data = (name) => {
  const folder = join(dataRoot, name);
  mkdirSync(folder, { recursive: true });
  return folder;
};
const log = (s) => process.stderr.write(`${s}\n`);

if (!existsSync(server)) {
  log('dist/server.js is missing: run npm run build first');
  process.exit(2);
}

function generate(users, out) {
  if (existsSync(out)) return;
  log(`generating ${out}`);
  const run = spawnSync(process.execPath, [join(root, 'bench', 'generate-users.mjs'), '--users', String(users), '--out', out, '--seed', '7'], { stdio: 'inherit' });
  if (run.status !== 0) throw new Error('generate-users failed');
}

/** A process's peak resident memory in MB (Linux), or undefined. */
function peakRssMb(pid) {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
}

function startServer(initializationOptions) {
  const child = spawn(process.execPath, [server, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const waiting = [];
  const published = [];
  const statuses = [];
  connection.onNotification('textDocument/publishDiagnostics', (params) => {
    published.push({ at: performance.now(), params });
    for (const w of waiting.splice(0)) w();
  });
  connection.onNotification('almaSis/documentStatus', (params) => statuses.push(params));
  connection.onNotification(() => {});
  connection.onRequest(() => null);
  connection.listen();
  const until = async (probe) => {
    for (;;) {
      const found = probe();
      if (found) return found;
      await new Promise((r) => waiting.push(r));
    }
  };
  return {
    connection,
    child,
    published,
    statuses,
    until,
    async init() {
      await connection.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {}, initializationOptions });
      await connection.sendNotification('initialized', {});
    },
    async stop() {
      await connection.sendRequest('shutdown').catch(() => {});
      await connection.sendNotification('exit').catch(() => {});
      await Promise.race([once(child, 'exit'), new Promise((r) => setTimeout(r, 3000))]);
      if (child.exitCode === null) child.kill();
    },
  };
}

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Offset to line/character in `text`, counted from a known line start: a 26 MB text has no cheap positionAt. */
function positionOf(lineStarts, offset) {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lineStarts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo, character: offset - lineStarts[lo] };
}

async function typingBench() {
  const file = join(data(String(USERS)), `lsp-users-${USERS}.xml`);
  generate(USERS, file);
  let text = readFileSync(file, 'utf8');
  const lineStarts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  const uri = pathToFileURL(file).href;
  const s = startServer({ settings: { debounceMs: DEBOUNCE_MS } });
  await s.init();
  let t0 = performance.now();
  await s.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'xml', version: 1, text } });
  await s.until(() => s.published.find((p) => p.params.uri === uri && p.params.version === 1));
  const openMs = performance.now() - t0;
  log(`opened ${USERS} users (${(Buffer.byteLength(text) / 1048576).toFixed(1)} MB) in ${openMs.toFixed(0)} ms`);

  // The first name of users spread through the file: one letter replaced by another (the line's length stays).
  const starts = [];
  for (let i = text.indexOf('<first_name>'); i >= 0; i = text.indexOf('<first_name>', i + 1)) starts.push(i + '<first_name>'.length);
  let version = 1;
  const edit = async (range, newText) => {
    version++;
    const from = s.published.length;
    const sent = performance.now();
    await s.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ range, text: newText }] });
    const got = await s.until(() => s.published.slice(from).find((p) => p.params.uri === uri && p.params.version === version));
    return { ms: got.at - sent - DEBOUNCE_MS, diagnostics: got.params.diagnostics.length, serverMs: s.statuses.at(-1)?.ms };
  };
  const incremental = [];
  const serverIncremental = [];
  for (let k = 0; k < EDITS; k++) {
    const offset = starts[Math.floor(((k + 0.5) / EDITS) * starts.length)];
    const position = positionOf(lineStarts, offset);
    const replacement = text[offset] === 'x' ? 'y' : 'x';
    text = text.slice(0, offset) + replacement + text.slice(offset + 1);
    const r = await edit({ start: position, end: { line: position.line, character: position.character + 1 } }, replacement);
    incremental.push(r.ms);
    serverIncremental.push(r.serverMs);
  }
  // Completion right after a keystroke, as while typing a value: the request's own time.
  const completion = [];
  for (let k = 0; k < 10; k++) {
    const offset = starts[Math.floor(((k + 0.25) / 10) * starts.length)];
    const position = positionOf(lineStarts, offset);
    const replacement = text[offset] === 'x' ? 'y' : 'x';
    text = text.slice(0, offset) + replacement + text.slice(offset + 1);
    await edit({ start: position, end: { line: position.line, character: position.character + 1 } }, replacement);
    const asked = performance.now();
    await s.connection.sendRequest('textDocument/completion', { textDocument: { uri }, position: { line: position.line, character: position.character - '<first_name>'.length + 1 } });
    completion.push(performance.now() - asked);
  }
  // A space before the root's start tag is outside every user: the whole document is validated again.
  const rootLine = positionOf(lineStarts, text.indexOf('<users'));
  const full = [];
  const serverFull = [];
  for (let k = 0; k < FULL_RUNS; k++) {
    const range = k % 2 === 0 ? { start: rootLine, end: rootLine } : { start: rootLine, end: { line: rootLine.line, character: rootLine.character + 1 } };
    const r = await edit(range, k % 2 === 0 ? ' ' : '');
    full.push(r.ms);
    serverFull.push(r.serverMs);
  }
  // A hover while the whole document is validated again (the same edits outside the users).
  const hoverLine = positionOf(lineStarts, starts[Math.floor(starts.length / 2)]);
  const busyHover = [];
  const busyFull = [];
  for (let k = 0; k < FULL_RUNS; k++) {
    version++;
    const from = s.published.length;
    const range = k % 2 === 0 ? { start: rootLine, end: rootLine } : { start: rootLine, end: { line: rootLine.line, character: rootLine.character + 1 } };
    const sent = performance.now();
    await s.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ range, text: k % 2 === 0 ? ' ' : '' }] });
    await new Promise((r) => setTimeout(r, DEBOUNCE_MS + 40));
    const asked = performance.now();
    const hover = await s.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: hoverLine.line, character: hoverLine.character - 3 } });
    const answered = performance.now();
    if (!hover) throw new Error('the hover on <first_name> found nothing');
    const got = await s.until(() => s.published.slice(from).find((p) => p.params.uri === uri && p.params.version === version));
    const validation = got.at - sent - DEBOUNCE_MS;
    busyHover.push(answered - asked);
    busyFull.push(validation);
    // A server that blocks answers once the validation is over: the hover then waited for all of it.
    if (answered >= got.at) log(`hover ${k + 1} was answered after the validation's diagnostics`);
  }
  await s.stop();
  return { openMs, incremental, serverIncremental, full, serverFull, completion, busyHover, busyFull, mb: Buffer.byteLength(text) / 1048576 };
}

/** The generated users with account_type and external_id added after record_type (order is free in a v2 user). */
async function withProfileFields(source, out) {
  if (existsSync(out) && statSync(out).mtimeMs > statSync(source).mtimeMs) return;
  log(`writing ${out}`);
  const output = createWriteStream(out);
  const lines = createInterface({ input: createReadStream(source), crlfDelay: Infinity });
  for await (const line of lines) {
    let chunk = `${line}\n`;
    if (line.includes('<record_type')) {
      const indent = line.slice(0, line.indexOf('<'));
      chunk += `${indent}<account_type desc="External">EXTERNAL</account_type>\n${indent}<external_id>SIS</external_id>\n`;
    }
    if (!output.write(chunk)) await once(output, 'drain');
  }
  output.end();
  await finished(output);
}

async function profileFieldsBench() {
  const source = join(data(String(BIG)), `lsp-users-${BIG}.xml`);
  generate(BIG, source);
  const file = join(data(`${BIG}-profile-fields`), `lsp-users-${BIG}-profile-fields.xml`);
  await withProfileFields(source, file);
  const uri = pathToFileURL(file).href;
  const s = startServer({});
  await s.init();
  const t0 = performance.now();
  const summary = await s.connection.sendRequest('almaSis/validateFileOnDisk', { uri });
  const ms = performance.now() - t0;
  const published = await s.until(() => s.published.find((p) => p.params.uri === uri));
  await s.stop();
  const diagnostics = published.params.diagnostics;
  const profile = diagnostics.filter((d) => d.code === 'profile-field');
  return { mb: statSync(file).size / 1048576, ms, summary, diagnostics: diagnostics.length, profile };
}

/** The big file opened as a document: its whole text in didOpen, validated in the buffer. */
async function openBigBench() {
  const file = join(data(String(BIG)), `lsp-users-${BIG}.xml`);
  generate(BIG, file);
  const uri = pathToFileURL(file).href;
  const text = readFileSync(file, 'utf8');
  const s = startServer({});
  await s.init();
  const t0 = performance.now();
  await s.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'xml', version: 1, text } });
  const published = await s.until(() => s.published.find((p) => p.params.uri === uri && p.params.version === 1));
  const ms = performance.now() - t0;
  const rss = peakRssMb(s.child.pid);
  await s.stop();
  const t1 = performance.now();
  const lint = spawnSync('xmllint', ['--noout', '--stream', file], { stdio: 'ignore' });
  const xmllintMs = lint.error ? undefined : performance.now() - t1;
  return { mb: Buffer.byteLength(text) / 1048576, ms, rss, diagnostics: published.params.diagnostics.length, xmllintMs };
}

const typing = await typingBench();
const fmt = (v) => (v === undefined ? '–' : v.toFixed(1));
const out = [];
out.push(`## Language server: one-character edits in a ${USERS.toLocaleString('en-US')}-user document (${typing.mb.toFixed(1)} MB)`);
out.push('');
out.push(`Debounce ${DEBOUNCE_MS} ms; times are from the change sent to the diagnostics received, minus the debounce (stdio, bundled server).`);
out.push('');
out.push('| validation | runs | p50 ms | p95 ms | max ms | engine p50 ms (server-side) |');
out.push('|---|---:|---:|---:|---:|---:|');
out.push(`| incremental (an edit inside one user) | ${typing.incremental.length} | ${fmt(percentile(typing.incremental, 50))} | ${fmt(percentile(typing.incremental, 95))} | ${fmt(Math.max(...typing.incremental))} | ${fmt(percentile(typing.serverIncremental, 50))} |`);
out.push(`| full re-validation (an edit outside the users) | ${typing.full.length} | ${fmt(percentile(typing.full, 50))} | ${fmt(percentile(typing.full, 95))} | ${fmt(Math.max(...typing.full))} | ${fmt(percentile(typing.serverFull, 50))} |`);
out.push(`| completion request right after an edit (request to answer) | ${typing.completion.length} | ${fmt(percentile(typing.completion, 50))} | ${fmt(percentile(typing.completion, 95))} | ${fmt(Math.max(...typing.completion))} | – |`);
if (typing.busyHover.length > 0) {
  const hover = percentile(typing.busyHover, 50);
  const validation = percentile(typing.busyFull, 50);
  out.push(`| hover sent while a full re-validation runs (request to answer) | ${typing.busyHover.length} | ${fmt(hover)} | ${fmt(percentile(typing.busyHover, 95))} | ${fmt(Math.max(...typing.busyHover))} | – |`);
  out.push('');
  out.push(`Hover while busy: p50 ${fmt(hover)} ms against that validation's p50 ${fmt(validation)} ms, ${(hover / validation).toFixed(2)}x (goal <= 0.25x).`);
}
out.push('');
out.push(`Opening the document (first, full validation, diagnostics received): ${typing.openMs.toFixed(0)} ms.`);
console.log(out.join('\n'));

if (!args.includes('--no-big') && !args.includes('--no-open-big')) {
  const opened = await openBigBench();
  const lines = [];
  lines.push('');
  lines.push(`## A ${BIG.toLocaleString('en-US')}-user document opened over stdio (${opened.mb.toFixed(0)} MB in didOpen)`);
  lines.push('');
  lines.push('| open to diagnostics s | server peak RSS MB | diagnostics | xmllint --stream s (same file) |');
  lines.push('|---:|---:|---:|---:|');
  lines.push(`| ${(opened.ms / 1000).toFixed(1)} | ${opened.rss === undefined ? '–' : opened.rss.toFixed(0)} | ${opened.diagnostics} | ${opened.xmllintMs === undefined ? '–' : (opened.xmllintMs / 1000).toFixed(1)} |`);
  console.log(lines.join('\n'));
}

if (!args.includes('--no-big')) {
  const big = await profileFieldsBench();
  const lines = [];
  lines.push('');
  lines.push(`## ${BIG.toLocaleString('en-US')} users that all carry record_type, account_type and external_id (${big.mb.toFixed(0)} MB, Validate File on Disk)`);
  lines.push('');
  lines.push('| diagnostics published | profile-field diagnostics | server time s | users | errors | warnings | infos |');
  lines.push('|---:|---:|---:|---:|---:|---:|---:|');
  lines.push(`| ${big.diagnostics} | ${big.profile.length} | ${(big.ms / 1000).toFixed(1)} | ${big.summary.users} | ${big.summary.errors} | ${big.summary.warnings} | ${big.summary.infos} |`);
  lines.push('');
  for (const d of big.profile) lines.push(`- line ${d.range.start.line + 1}: ${d.message}`);
  console.log(lines.join('\n'));
}
