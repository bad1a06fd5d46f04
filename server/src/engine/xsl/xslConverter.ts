/**
 * A profile's XSL converter: Alma applies it to every file before it loads it, so what must be
 * validated, dry-run and shown is its output. The stylesheet runs in SaxonJS on a worker thread
 * with a heap limit, a time limit and an output cap, so that a stylesheet that loops, recurses
 * or writes without end is a clear error, never a hung or crashed CLI or language server.
 */
import { existsSync } from 'node:fs';
import { link, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { resolveXslConverterPath } from '../config/codeTables';
import type { AlmaSisConfig, Profile } from '../config/types';
import { InputError, type InputDocument, type InputNote } from '../files/inputDocument';
import { checkStylesheet, type StylesheetOutput, type StylesheetRemark } from './stylesheetCheck';
import { XSL_WORKER_SOURCE, type XslWorkerReply, type XslWorkerRequest } from './xslWorker';

/** How a converted document is named: a document of its own, never the file it came from. */
export const AFTER_XSL = ' (after XSL)';

/** The most a stylesheet file may hold; Alma's own editor takes 4,096 characters. */
const MAX_STYLESHEET_BYTES = 1 << 20;

export interface XslLimits {
  /** Wall time for one document, compile included. */
  timeoutMs: number;
  /** The worker's V8 heap (old generation). */
  maxHeapMb: number;
  /** Characters of output; past V8's longest string (536.9 M) the output could not even be held. */
  maxOutputChars: number;
  /** Bytes of input read for one conversion: the input is held whole, as any XSLT 1.0 processor holds it. */
  maxInputBytes: number;
}

/**
 * Measured on 20,000 PLIF users (13 MB in, 22 MB out): 8-10 s and 780 MB of memory. The limits
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

/** As loadXslConverter, from text already read (an editor's buffer of the stylesheet). */
export function converterFromText(text: string, path: string): XslConverter {
  const check = checkStylesheet(text);
  const error = check.remarks.find((remark) => remark.severity === 'error');
  if (error !== undefined) throw new XslError(`${placeIn(path, error.span)}: ${error.message}`, path, 'stylesheet', { line: error.span.line, col: error.span.col });
  return { path, text, warnings: check.remarks, output: check.output };
}

/** `plif-to-sis.xsl:12:5: warning: ...`, the stylesheet's remarks as the CLI prints notes. */
export function stylesheetNotes(converter: XslConverter): InputNote[] {
  return converter.warnings.map((remark) => ({ path: placeIn(converter.path, remark.span), message: `warning: ${remark.message}` }));
}

/** Where SaxonJS lies: beside the bundles in dist/ (the .vsix), else in node_modules (the repository, an npm install). */
export function saxonScript(): string | undefined {
  const beside = join(__dirname, 'saxon-js', 'SaxonJS2N.js');
  if (existsSync(beside)) return beside;
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', 'saxon-js', 'SaxonJS2N.js');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
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
  const saxonPath = saxonScript();
  if (saxonPath === undefined) throw new XslError(`${converter.path}: the XSLT processor (SaxonJS) is not installed beside alma-sis`, converter.path, 'processor');
  options.signal?.throwIfAborted();
  const started = Date.now();
  // A copy the worker owns (new Uint8Array copies; Buffer's slice would be a view): the caller's
  // bytes may be a view into a reused read buffer or Node's shared pool.
  const owned = new Uint8Array(source);
  const request: XslWorkerRequest = {
    saxonPath,
    stylesheetText: converter.text,
    stylesheetUri: pathToFileURL(converter.path).href,
    source: owned,
    indent: converter.output.indent ?? true,
    maxOutputChars: limits.maxOutputChars,
    maxMessages: 20,
  };
  const worker = new Worker(XSL_WORKER_SOURCE, {
    eval: true,
    workerData: request,
    transferList: [owned.buffer as ArrayBuffer],
    resourceLimits: { maxOldGenerationSizeMb: limits.maxHeapMb, stackSizeMb: 8 },
    // The worker's console goes nowhere: xsl:message is collected inside it.
    stdout: true,
    stderr: true,
  });
  const name = basename(converter.path);
  return new Promise<XslOutput>((resolve, reject) => {
    let settled = false;
    const finish = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      outcome();
    };
    const timer = setTimeout(
      () => finish(() => reject(new XslError(`${sourcePath}: the XSL converter ${name} did not finish within ${Math.round(limits.timeoutMs / 1000)} s (a loop in the stylesheet?); stopped`, converter.path, 'timeout'))),
      limits.timeoutMs,
    );
    const onAbort = (): void => finish(() => reject(options.signal!.reason));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (reply: XslWorkerReply) => {
      if (reply.kind === 'done') finish(() => resolve({ bytes: reply.output, characters: reply.characters, messages: reply.messages, ms: Date.now() - started }));
      else finish(() => reject(failureOf(reply, converter, sourcePath, limits)));
    });
    worker.on('error', (error: Error & { code?: string }) => {
      const message =
        error.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? `${sourcePath}: the XSL converter ${name} needed more than ${limits.maxHeapMb} MB of memory (an output without end?); stopped`
          : `${sourcePath}: the XSL converter ${name} failed: ${error.message}`;
      finish(() => reject(new XslError(message, converter.path, error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'memory' : 'stylesheet')));
    });
    worker.on('exit', (code) => finish(() => reject(new XslError(`${sourcePath}: the XSL converter ${name} stopped (exit code ${code})`, converter.path, 'stylesheet'))));
  });
}

function failureOf(reply: Extract<XslWorkerReply, { kind: 'failed' }>, converter: XslConverter, sourcePath: string, limits: XslLimits): XslError {
  const name = basename(converter.path);
  const said = reply.messages.length > 0 ? ` (xsl:message: ${reply.messages[reply.messages.length - 1]})` : '';
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
  return new XslError(`${where}: ${clean(reply.message)}${code}${said} (converting ${sourcePath})`, converter.path, 'stylesheet', at);
}

/**
 * The line SaxonJS's message is about. Its own line numbers (xsltLineNr) do not match the file,
 * so the place is found from what the message quotes: an unknown instruction, or the XPath
 * expression in braces.
 */
export function placeOfError(text: string, message: string): { line: number; col: number } | undefined {
  const instruction = /^(xsl:[\w.-]+) is not a known XSLT element/.exec(message);
  const quoted = /\{(.+?)\}:/.exec(message);
  const needles: string[] = [];
  if (instruction) needles.push(`<${instruction[1]}`);
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
 * XSL)`. Findings are placed in the converted text, a document of its own. `onConverted` hears
 * of each conversion (its messages), for the report.
 */
export function convertedDocuments(
  documents: readonly InputDocument[],
  converter: XslConverter,
  options: { limits?: Partial<XslLimits>; signal?: AbortSignal; onConverted?: (path: string, output: XslOutput) => void } = {},
): InputDocument[] {
  const limits = { ...DEFAULT_XSL_LIMITS, ...options.limits };
  return documents.map((document) => {
    const converted: InputDocument = {
      path: `${document.path}${AFTER_XSL}`,
      read: async function* () {
        const source = await readWhole(document, limits.maxInputBytes);
        const output = await runXslConverter(converter, source, document.path, options);
        options.onConverted?.(converted.path, output);
        yield output.bytes;
      },
    };
    if (document.apart !== undefined) converted.apart = document.apart;
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
  if (!options.force && (await stat(output).then(() => true, () => false))) {
    throw Object.assign(new Error(`${output} already exists`), { code: 'EEXIST' });
  }
  const limits = { ...DEFAULT_XSL_LIMITS, ...options.limits };
  const { size } = await stat(input);
  if (size > limits.maxInputBytes) throw new XslError(`${input}: ${size} bytes, more than the ${limits.maxInputBytes} an XSL conversion reads`, input, 'source');
  const result = await runXslConverter(converter, await readFile(input), input, options);
  const temporary = join(dirname(output), `.${basename(output)}.${process.pid}.partial`);
  try {
    await writeFile(temporary, result.bytes, { flag: 'wx' });
    if (options.force) await rename(temporary, output);
    else await link(temporary, output);
  } finally {
    await rm(temporary, { force: true });
  }
  return result;
}
