/**
 * A profile's XSL converter: Alma applies it to every file before it loads it, so what must be
 * validated, dry-run and shown is its output. The stylesheet runs in SaxonJS on a worker thread
 * with a heap limit, a time limit and an output cap, so that a stylesheet that loops, recurses
 * or writes without end is a clear error, never a hung or crashed CLI or language server.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { resolveXslConverterPath } from '../config/configFile';
import type { AlmaSisConfig, Profile } from '../config/types';
import { InputError, type InputDocument, type InputNote } from '../files/inputDocument';
import { publishOutput, refuseExistingOutput, temporaryBeside } from '../files/outputFile';
import { checkStylesheet, type StylesheetOutput, type StylesheetRemark } from './stylesheetCheck';
import {
  XSL_COMPILE_WORKER_SOURCE,
  XSL_WORKER_SOURCE,
  type XslCompileReply,
  type XslCompileRequest,
  type XslWorkerReply,
  type XslWorkerRequest,
} from './xslWorker';

/** How a converted document is named: a document of its own, never the file it came from. */
export const AFTER_XSL = ' (after XSL)';

/** The most a stylesheet file may hold; Alma's own editor takes 4,096 characters. */
const MAX_STYLESHEET_BYTES = 1 << 20;

export interface XslLimits {
  /** Wall time for converting one document (the compile has bounds of its own, COMPILE_LIMITS). */
  timeoutMs: number;
  /** The worker's V8 heap (old generation). */
  maxHeapMb: number;
  /** Characters of output; past V8's longest string (536.9 M) the output could not even be held. */
  maxOutputChars: number;
  /** Bytes of input read for one conversion: the input is held whole, as any XSLT 1.0 processor holds it. */
  maxInputBytes: number;
}

/**
 * Measured on 20,000 PLIF users (14 MB in, 23 MB out): about 10 s and 0.9 GB of memory. The limits
 * leave room for a feed ten times that, and stop a runaway stylesheet in minutes, not never.
 */
export const DEFAULT_XSL_LIMITS: XslLimits = {
  timeoutMs: 5 * 60_000,
  maxHeapMb: 8192,
  maxOutputChars: 512 * 1024 * 1024,
  maxInputBytes: 512 * 1024 * 1024,
};

/** A loaded, checked stylesheet, ready to run. */
export interface XslConverter {
  /** Absolute path of the stylesheet. */
  path: string;
  text: string;
  /** Warnings about the stylesheet (XSLT 2.0+, over Alma's editor limit), with their places. */
  warnings: StylesheetRemark[];
  output: StylesheetOutput;
  /** The compiled stylesheet (SEF), made once for every document it converts. */
  compiled?: Promise<string>;
}

export interface XslOutput {
  bytes: Uint8Array;
  characters: number;
  /** What the stylesheet said with xsl:message, the first few. */
  messages: string[];
  ms: number;
}

/**
 * The stylesheet cannot be used or failed on a document: not well-formed, not XSLT, a compile or
 * run-time error, over a limit. The message says which file and, where known, which line; the
 * CLI's exit code 2.
 */
export class XslError extends InputError {
  constructor(
    message: string,
    path: string,
    readonly kind: 'stylesheet' | 'source' | 'timeout' | 'memory' | 'output' | 'processor',
    /** 0-based place in the stylesheet, when known. */
    readonly at?: { line: number; col: number },
  ) {
    super(message, path);
    this.name = 'XslError';
  }
}

/**
 * Reads and checks the stylesheet. Throws XslError when it cannot be read, is not well-formed, or
 * is not an XSLT stylesheet; warnings (XSLT 2.0+, length) travel with the converter.
 */
export async function loadXslConverter(path: string): Promise<XslConverter> {
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new XslError(`${path}: the XSL converter is not a file`, path, 'stylesheet');
    size = info.size;
  } catch (error) {
    if (error instanceof XslError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new XslError(`${path}: the XSL converter cannot be read (${code === 'ENOENT' ? 'no such file' : code ?? String(error)})`, path, 'stylesheet');
  }
  if (size > MAX_STYLESHEET_BYTES) throw new XslError(`${path}: the XSL converter is ${size} bytes, more than the ${MAX_STYLESHEET_BYTES} read`, path, 'stylesheet');
  const text = (await readFile(path, 'utf8')).replace(/^\uFEFF/, '');
  return converterFromText(text, path);
}

/** The profile's converter, loaded and checked; undefined when the profile has none. */
export async function profileXslConverter(config: AlmaSisConfig | undefined, profile: Profile | undefined): Promise<XslConverter | undefined> {
  const path = config === undefined ? undefined : resolveXslConverterPath(config, profile);
  return path === undefined ? undefined : loadXslConverter(path);
}

/**
 * What Alma loads from a profile's documents: themselves, or its XSL converter's output when it
 * has one. The stylesheet is read and checked once, here (XslError when it cannot be used).
 */
export async function profileLoads(
  config: AlmaSisConfig | undefined,
  profile: Profile | undefined,
  options: { limits?: Partial<XslLimits>; signal?: AbortSignal; onConverted?: (path: string, output: XslOutput) => void } = {},
): Promise<{ converter?: XslConverter; loads: (documents: readonly InputDocument[]) => readonly InputDocument[] }> {
  const converter = await profileXslConverter(config, profile);
  if (converter === undefined) return { loads: (documents) => documents };
  return { converter, loads: (documents) => convertedDocuments(documents, converter, options) };
}

function converterFromText(text: string, path: string): XslConverter {
  const check = checkStylesheet(text);
  const error = check.remarks.find((remark) => remark.severity === 'error');
  if (error !== undefined) throw new XslError(`${placeIn(path, error.span)}: ${error.message}`, path, 'stylesheet', { line: error.span.line, col: error.span.col });
  return { path, text, warnings: check.remarks, output: check.output };
}

/** `plif-to-sis.xsl:12:5: warning: ...`, the stylesheet's remarks as the CLI prints notes. */
export function stylesheetNotes(converter: XslConverter): InputNote[] {
  return converter.warnings.map((remark) => ({ path: placeIn(converter.path, remark.span), message: `warning: ${remark.message}` }));
}

/**
 * Where SaxonJS and its xslt3 command line lie: beside the bundles in dist/saxon-js/ (the .vsix),
 * else in node_modules (the repository, an npm install).
 */
export function saxonScripts(): { saxonPath: string; xslt3Path: string } | undefined {
  const beside = { saxonPath: join(__dirname, 'saxon-js', 'SaxonJS2N.js'), xslt3Path: join(__dirname, 'saxon-js', 'xslt3.js') };
  if (existsSync(beside.saxonPath) && existsSync(beside.xslt3Path)) return beside;
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const found = { saxonPath: join(dir, 'node_modules', 'saxon-js', 'SaxonJS2N.js'), xslt3Path: join(dir, 'node_modules', 'xslt3', 'xslt3.js') };
    if (existsSync(found.saxonPath) && existsSync(found.xslt3Path)) return found;
    if (dirname(dir) === dir) return undefined;
  }
}

/** The compiler's bounds: a stylesheet of 1 MB at most compiles in a second or two. */
const COMPILE_LIMITS = { timeoutMs: 60_000, maxHeapMb: 2048 };

/**
 * Compiles the stylesheet once (xslt3 -export on a worker thread); the export is kept on the
 * converter for every later document. Throws XslError with the stylesheet's line where known.
 */
export function compiledStylesheet(converter: XslConverter, signal?: AbortSignal): Promise<string> {
  converter.compiled ??= compile(converter, signal);
  // A compile that was cancelled is not kept: the next document compiles again.
  converter.compiled.catch(() => {
    if (signal?.aborted) converter.compiled = undefined;
  });
  return converter.compiled;
}

async function compile(converter: XslConverter, signal?: AbortSignal): Promise<string> {
  const scripts = saxonScripts();
  if (scripts === undefined) throw new XslError(`${converter.path}: the XSLT processor (SaxonJS) is not installed beside alma-sis`, converter.path, 'processor');
  const folder = await mkdtemp(join(tmpdir(), 'alma-sis-xsl-'));
  const exportPath = join(folder, 'stylesheet.sef.json');
  const said: string[] = [];
  try {
    const request: XslCompileRequest = { ...scripts, stylesheetPath: converter.path, exportPath };
    const code = await bounded<number>(XSL_COMPILE_WORKER_SOURCE, request, [], COMPILE_LIMITS, signal, converter, `${converter.path}: compiling`, (message) => {
      if (said.length < 50) said.push((message as XslCompileReply).text);
      return undefined;
    }, (exitCode) => exitCode);
    if (code !== 0 || !existsSync(exportPath)) throw compileError(converter, said);
    return await readFile(exportPath, 'utf8');
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

/** `Error XTSE0010 on line 4 in x.xsl:\n  xsl:frobnicate is not a known XSLT element`, as one message with the line. */
function compileError(converter: XslConverter, said: readonly string[]): XslError {
  const text = said.join('\n').replace(/\nFailed to compile stylesheet\s*$/, '');
  const lines = text.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  const head = /^(?:Error|Static error) (\S+?)(?: on line (\d+))?(?: column (\d+))?(?: in .*)?:?$/.exec(lines[0] ?? '');
  const detail = (head ? lines.slice(1) : lines).join(' ').replace(/ on line \d+ in \S+ /, ' ');
  // What the message quotes is found in the file; the compiler's line is right for instructions
  // but not inside an XPath expression.
  const quoted = placeOfError(converter.text, detail);
  const line = head?.[2] !== undefined ? Number(head[2]) - 1 : undefined;
  const at = quoted ?? (line !== undefined ? { line, col: head?.[3] !== undefined ? Number(head[3]) - 1 : 0 } : undefined);
  const where = at === undefined ? converter.path : `${converter.path}:${at.line + 1}:${at.col + 1}`;
  const code = head ? ` [${head[1]}]` : '';
  return new XslError(`${where}: the XSL converter does not compile: ${detail || 'no reason given'}${code}`, converter.path, 'stylesheet', at);
}

/**
 * Runs the converter on one document's bytes, on a worker thread bounded by `limits`. Throws
 * XslError for every failure, with the stylesheet's line where it can be found.
 */
export async function runXslConverter(
  converter: XslConverter,
  source: Uint8Array,
  sourcePath: string,
  options: { limits?: Partial<XslLimits>; signal?: AbortSignal } = {},
): Promise<XslOutput> {
  const limits = { ...DEFAULT_XSL_LIMITS, ...options.limits };
  const scripts = saxonScripts();
  if (scripts === undefined) throw new XslError(`${converter.path}: the XSLT processor (SaxonJS) is not installed beside alma-sis`, converter.path, 'processor');
  options.signal?.throwIfAborted();
  const started = Date.now();
  const stylesheetExport = await compiledStylesheet(converter, options.signal);
  // A copy the worker owns (new Uint8Array copies; Buffer's slice would be a view): the caller's
  // bytes may be a view into a reused read buffer or Node's shared pool.
  const owned = new Uint8Array(source);
  const request: XslWorkerRequest = {
    saxonPath: scripts.saxonPath,
    stylesheetExport,
    stylesheetPath: converter.path,
    source: owned,
    indent: converter.output.indent ?? true,
    maxOutputChars: limits.maxOutputChars,
    maxMessages: 20,
  };
  const reply = await bounded<XslWorkerReply>(XSL_WORKER_SOURCE, request, [owned.buffer as ArrayBuffer], limits, options.signal, converter, sourcePath, (message) => message as XslWorkerReply, (exitCode) => {
    throw new XslError(`${sourcePath}: the XSL converter ${basename(converter.path)} stopped (exit code ${exitCode})`, converter.path, 'stylesheet');
  });
  if (reply.kind === 'failed') throw failureOf(reply, converter, sourcePath, limits);
  return { bytes: reply.output, characters: reply.characters, messages: reply.messages, ms: Date.now() - started };
}

/**
 * Runs a worker from its source within a time and heap limit. `onMessage` returns the answer (the
 * worker is then stopped) or undefined to wait on; a worker that exits first is answered by `onExit`.
 */
function bounded<T>(
  source: string,
  workerData: unknown,
  transferList: ArrayBuffer[],
  limits: { timeoutMs: number; maxHeapMb: number },
  signal: AbortSignal | undefined,
  converter: XslConverter,
  what: string,
  onMessage: (message: unknown) => T | undefined,
  onExit: (code: number) => T,
): Promise<T> {
  const resourceLimits: ResourceLimits = { maxOldGenerationSizeMb: limits.maxHeapMb, stackSizeMb: 8 };
  // stdout and stderr kept in the worker: whatever the stylesheet prints must not reach the
  // CLI's report or the language server's JSON-RPC stream.
  const worker = new Worker(source, { eval: true, workerData, transferList, resourceLimits, stdout: true, stderr: true });
  worker.stdout.resume();
  worker.stderr.resume();
  const name = basename(converter.path);
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const finish = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      outcome();
    };
    const timer = setTimeout(
      () => finish(() => reject(new XslError(`${what}: the XSL converter ${name} did not finish within ${Math.round(limits.timeoutMs / 1000)} s (a loop in the stylesheet?); stopped`, converter.path, 'timeout'))),
      limits.timeoutMs,
    );
    const onAbort = (): void => finish(() => reject(signal!.reason));
    if (signal?.aborted) onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (message: unknown) => {
      const answer = onMessage(message);
      if (answer !== undefined) finish(() => resolve(answer));
    });
    worker.on('error', (error: Error & { code?: string }) => {
      const memory = error.code === 'ERR_WORKER_OUT_OF_MEMORY';
      const message = memory
        ? `${what}: the XSL converter ${name} needed more than ${limits.maxHeapMb} MB of memory (an output without end?); stopped`
        : `${what}: the XSL converter ${name} failed: ${error.message}`;
      finish(() => reject(new XslError(message, converter.path, memory ? 'memory' : 'stylesheet')));
    });
    worker.on('exit', (code) =>
      finish(() => {
        try {
          resolve(onExit(code));
        } catch (error) {
          reject(error);
        }
      }),
    );
  });
}

function failureOf(reply: Extract<XslWorkerReply, { kind: 'failed' }>, converter: XslConverter, sourcePath: string, limits: XslLimits): XslError {
  const name = basename(converter.path);
  if (reply.phase === 'source') return new XslError(`${sourcePath}: cannot be read for the XSL converter: ${reply.message}`, sourcePath, 'source');
  if (reply.phase === 'output') {
    const cap = /more than the \d+ allowed$/.test(reply.message) ? `more than ${limits.maxOutputChars.toLocaleString('en-US')} characters of output` : reply.message;
    return new XslError(`${sourcePath}: the XSL converter ${name} wrote ${cap}; stopped`, converter.path, 'output');
  }
  if (/Maximum call stack size exceeded|too much recursion/i.test(reply.message)) {
    return new XslError(`${sourcePath}: the XSL converter ${name} recursed too deeply (a template that calls itself without end?); stopped`, converter.path, 'stylesheet');
  }
  const at = placeOfError(converter.text, reply.message);
  const where = at === undefined ? converter.path : `${converter.path}:${at.line + 1}:${at.col + 1}`;
  const code = reply.code !== undefined ? ` [${reply.code.replace(/^Q\{[^}]*\}/, '')}]` : '';
  return new XslError(`${where}: ${clean(reply.message)}${code} (converting ${sourcePath})`, converter.path, 'stylesheet', at);
}

/**
 * The line SaxonJS's message is about. Its own line numbers (xsltLineNr) do not match the file,
 * so the place is found from what the message quotes: an unknown instruction, or the XPath
 * expression in braces.
 */
export function placeOfError(text: string, message: string): { line: number; col: number } | undefined {
  const instruction = /^(xsl:[\w.-]+) is not a known XSLT element|cannot contain element (xsl:[\w.-]+)/.exec(message);
  const quoted = /\{(.+?)\}:/.exec(message);
  const needles: string[] = [];
  if (instruction) needles.push(`<${instruction[1] ?? instruction[2]}`);
  if (quoted) needles.push(quoted[1], escapeXml(quoted[1]));
  for (const needle of needles) {
    const index = text.indexOf(needle);
    if (index >= 0) return positionOf(text, index);
  }
  return undefined;
}

/** SaxonJS names its own temporary module in messages; the file's name is said already. */
function clean(message: string): string {
  return message.replace(/ on line \d+ in \S+ /, ' ');
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
}

function positionOf(text: string, index: number): { line: number; col: number } {
  let line = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < index; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, col: index - lineStart };
}

function placeIn(path: string, span: { line: number; col: number }): string {
  return `${path}:${span.line + 1}:${span.col + 1}`;
}

/**
 * The documents as Alma loads them: each one converted when it is read, named `<path> (after
 * XSL)`; an Alma export found beside them (`apart`) stays as it is. Findings are placed in the converted text, a document of its own. `onConverted` hears
 * of each conversion (its messages), for the report.
 */
export function convertedDocuments(
  documents: readonly InputDocument[],
  converter: XslConverter,
  options: { limits?: Partial<XslLimits>; signal?: AbortSignal; onConverted?: (path: string, output: XslOutput) => void } = {},
): InputDocument[] {
  const limits = { ...DEFAULT_XSL_LIMITS, ...options.limits };
  return documents.map((document) => {
    // An Alma export found beside the feed is Alma's own output, never the SIS's: Alma does not
    // convert it, and neither does this (it is checked on its own, as it is).
    if (document.apart !== undefined) return document;
    const converted: InputDocument = {
      path: `${document.path}${AFTER_XSL}`,
      converted: true,
      read: async function* () {
        const source = await readWhole(document, limits.maxInputBytes);
        const output = await runXslConverter(converter, source, document.path, options);
        options.onConverted?.(converted.path, output);
        yield output.bytes;
      },
    };
    return converted;
  });
}

async function readWhole(document: InputDocument, maxBytes: number): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of document.read()) {
    total += chunk.length;
    if (total > maxBytes) throw new XslError(`${document.path}: more than ${maxBytes} bytes, the most an XSL conversion reads`, document.path, 'source');
    // Copied: a chunk is valid only until the next one is read.
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks, total);
}

/** `feed.xml` is written as `feed.after-xsl.xml`, beside it or in `folder`. */
export function xslOutputFileName(input: string, folder?: string): string {
  const name = basename(input).replace(/\.xml$/i, '');
  return join(folder ?? dirname(input), `${name}.after-xsl.xml`);
}

/**
 * Converts one file and writes the output: under a hidden temporary name, given its name only
 * when complete; an existing file is never replaced without `force` (EEXIST).
 */
export async function convertFileWithXsl(
  converter: XslConverter,
  input: string,
  output: string,
  options: { force?: boolean; signal?: AbortSignal; limits?: Partial<XslLimits> } = {},
): Promise<XslOutput> {
  await refuseExistingOutput(output, options.force);
  const limits = { ...DEFAULT_XSL_LIMITS, ...options.limits };
  const result = await runXslConverter(converter, await readXslSource(input, limits.maxInputBytes), input, options);
  const temporary = temporaryBeside(output);
  try {
    await writeFile(temporary, result.bytes, { flag: 'wx' });
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  await publishOutput(temporary, output, options.force);
  return result;
}

/** A file's bytes for a conversion, refused (XslError) past `maxBytes` or when it cannot be read. */
export async function readXslSource(path: string, maxBytes = DEFAULT_XSL_LIMITS.maxInputBytes): Promise<Buffer> {
  const size = (await stat(path).catch(() => undefined))?.size;
  if (size === undefined) throw new XslError(`${path} cannot be read`, path, 'source');
  if (size > maxBytes) throw new XslError(`${path}: ${size} bytes, more than the ${maxBytes} an XSL conversion reads`, path, 'source');
  return readFile(path);
}
