/**
 * The worker-thread sides of an XSL conversion: compiling the stylesheet, and running it on one
 * document. Each is started from its own source text (`new Worker(source, { eval: true })`), not
 * from a bundle file, so that the CLI, the language server and the tests start the same workers
 * without each shipping and finding a worker file: the functions below must therefore use
 * nothing from outside their own bodies but guardWorker, whose source goes with theirs.
 *
 * SaxonJS is required here and only here, from the file named in workerData: the main bundles
 * never load its 2.4 MB, and a process that has no converter configured never reads it.
 */

export interface XslCompileRequest {
  saxonPath: string;
  /** Saxonica's xslt3 command line, whose compiler writes the stylesheet export file (SEF). */
  xslt3Path: string;
  stylesheetPath: string;
  exportPath: string;
}

/** What the compiler said (its errors name the stylesheet's line), then the worker exits: 0 compiled. */
export type XslCompileReply = { kind: 'said'; text: string };

/**
 * Compiles with Saxonica's own xslt3 command (`-xsl: -export: -nogo`), run inside this worker:
 * a compiled stylesheet runs 2.6 times faster than one that fn:transform compiles on the fly
 * (20,000 PLIF users: 4.7 s against 12.2 s), and xslt3 is the documented way to compile.
 */
export function xslCompileWorkerMain(): void {
  const { parentPort, workerData } = require('node:worker_threads') as typeof import('node:worker_threads');
  const request = workerData as XslCompileRequest;
  // The command line requires 'saxon-js' by name, which is a file beside it in the .vsix, not a package.
  guardWorker((...parts) => parentPort!.postMessage({ kind: 'said', text: parts.map(String).join(' ').slice(0, 2000) } satisfies XslCompileReply), request.saxonPath);
  process.argv = [process.argv[0], 'xslt3', `-xsl:${request.stylesheetPath}`, `-export:${request.exportPath}`, '-nogo'];
  // It runs on loading, sets process.exitCode on failure, and the worker ends when it is done.
  require(request.xslt3Path);
}

/**
 * What both workers do first. The console goes to `say`: xsl:message and the compiler write to
 * it, and it is the parent's stdout, where it would break into the CLI's report or the language
 * server's JSON-RPC stream. SaxonJS requires axios at load time to fetch http: documents; a
 * converter has no business on the network (the toolkit works offline), so it gets a client that
 * always refuses. `saxonPath`, when given, is what `require('saxon-js')` loads.
 */
export function guardWorker(say: (...parts: unknown[]) => void, saxonPath?: string): void {
  const nodeModule = require('node:module') as { _load: (request: string, ...rest: unknown[]) => unknown };
  console.log = say;
  console.info = say;
  console.warn = say;
  console.error = say;
  console.debug = say;
  const refuse = (): Promise<never> => Promise.reject(new Error('the XSL converter cannot fetch anything from the network'));
  const offlineClient = Object.assign(refuse, { get: refuse, request: refuse, create: () => ({ get: refuse, request: refuse }) });
  const load = nodeModule._load;
  nodeModule._load = function (this: unknown, name: string, ...rest: unknown[]) {
    if (name === 'axios') return offlineClient;
    if (name === 'saxon-js' && saxonPath !== undefined) return load.call(this, saxonPath, ...rest);
    return load.call(this, name, ...rest);
  };
}

/** The compile worker's source: its function, called, after the guard it calls (by the name the bundle gives it). */
export const XSL_COMPILE_WORKER_SOURCE = `${guardWorker.toString()}\n(${xslCompileWorkerMain.toString()})();`;

export interface XslWorkerRequest {
  saxonPath: string;
  /** The compiled stylesheet (SEF, JSON). */
  stylesheetExport: string;
  /** The stylesheet's file, the one file the run may read: `document('')` (a lookup table kept in the stylesheet) reads it. */
  stylesheetPath: string;
  /** The document's bytes (UTF-8); transferred, not copied. */
  source: Uint8Array;
  /** Indent the output (the stylesheet's xsl:output indent, else yes: a person reads the result). */
  indent: boolean;
  maxOutputChars: number;
  /** xsl:message texts kept; a stylesheet that says something per user would flood the report. */
  maxMessages: number;
}

export type XslWorkerReply =
  | { kind: 'done'; output: Uint8Array; characters: number; messages: string[] }
  | { kind: 'failed'; phase: 'source' | 'stylesheet' | 'output'; message: string; code?: string; messages: string[] };

export function xslWorkerMain(): void {
  // Only node: modules, resolved in the worker itself (this body runs from its source text).
  const { parentPort, workerData } = require('node:worker_threads') as typeof import('node:worker_threads');
  const request = workerData as XslWorkerRequest;
  const messages: string[] = [];
  guardWorker((...parts) => {
    if (messages.length < request.maxMessages) messages.push(parts.map(String).join(' ').slice(0, 500));
  });

  const post = (reply: XslWorkerReply, transfer: ArrayBuffer[] = []): void => parentPort!.postMessage(reply, transfer);
  const fail = (phase: 'source' | 'stylesheet' | 'output', error: unknown): void => {
    const message = error instanceof Error ? error.message : String(error);
    const code = (error as { code?: unknown } | undefined)?.code;
    post({ kind: 'failed', phase, message, code: typeof code === 'string' ? code : undefined, messages });
  };

  void (async () => {
    let sourceText: string;
    try {
      sourceText = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(request.source);
    } catch {
      fail('source', new Error('the file is not valid UTF-8'));
      return;
    }
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const SaxonJS = require(request.saxonPath) as any;
    // From here the worker needs no file: the document and the compiled stylesheet are in memory.
    // Alma's converter cannot read or write the server's files either, so neither can this one
    // (document(), unparsed-text(), xsl:result-document): a configuration's stylesheet must not
    // reach anything the person did not choose. Only the stylesheet itself may be read. The
    // worker's own fs module (each worker has its own), patched once SaxonJS was loaded through it.
    const fs = require('node:fs') as Record<string, unknown> & { promises: Record<string, unknown> };
    const { fileURLToPath } = require('node:url') as typeof import('node:url');
    const { resolve } = require('node:path') as typeof import('node:path');
    const touchesFiles = /^(read|write|append|open|create|mkdir|mkdtemp|rm|unlink|copy|cp|rename|exists|stat|lstat|access|realpath|opendir|readdir|symlink|link|truncate|chmod|chown|utimes|watch)/;
    const readsOnly = /^(readFile|exists|stat|lstat|access|realpath)/;
    const isStylesheet = (target: unknown): boolean => {
      try {
        const path = target instanceof URL || (typeof target === 'string' && target.startsWith('file:')) ? fileURLToPath(target as string | URL) : target;
        return typeof path === 'string' && resolve(path) === resolve(request.stylesheetPath);
      } catch {
        return false;
      }
    };
    // document('') opens the stylesheet read-only and reads it by its descriptor.
    const stylesheetDescriptors = new Set<number>();
    for (const table of [fs, fs.promises]) {
      for (const name of Object.keys(table)) {
        const original = table[name] as (...args: unknown[]) => unknown;
        if (typeof original !== 'function' || !touchesFiles.test(name)) continue;
        table[name] = function (this: unknown, target: unknown, ...rest: unknown[]) {
          const opensToRead = /^open(Sync)?$/.test(name) && (rest[0] === undefined || rest[0] === 'r');
          if ((readsOnly.test(name) || opensToRead) && isStylesheet(target)) {
            const result = original.call(this, target, ...rest);
            if (opensToRead && typeof result === 'number') stylesheetDescriptors.add(result);
            return result;
          }
          if (typeof target === 'number' && stylesheetDescriptors.has(target) && /^read/.test(name)) return original.call(this, target, ...rest);
          throw new Error('the XSL converter reads no file but its stylesheet, and writes none');
        };
      }
    }
    // Should a stylesheet reach JavaScript after all (SaxonJS calls global functions by name; the
    // stylesheet check refuses the namespaces that do it), it finds nothing to load code, start a
    // process, read the environment or reach the network with. SaxonJS keeps its own require.
    const globals = globalThis as unknown as Record<string, unknown>;
    for (const name of ['require', 'module', 'exports', 'fetch', 'WebSocket', 'EventSource', 'XMLHttpRequest', 'eval']) {
      try {
        delete globals[name];
      } catch {
        // not deletable: overwritten below
      }
      if (name in globals) globals[name] = undefined;
    }
    const processFunctions = process as unknown as Record<string, unknown>;
    for (const name of ['binding', '_linkedBinding', 'dlopen', 'getBuiltinModule', 'kill', 'chdir', 'abort', 'reallyExit']) {
      processFunctions[name] = () => {
        throw new Error('the XSL converter runs XSLT only');
      };
    }
    process.env = {};
    let document: unknown;
    try {
      document = await SaxonJS.getResource({ text: sourceText, type: 'xml' });
    } catch (error) {
      fail('source', error);
      return;
    }
    sourceText = '';
    let result: unknown;
    try {
      // "raw" hands back the result tree, serialized below at once.
      result = SaxonJS.transform({ stylesheetText: request.stylesheetExport, sourceNode: document, destination: 'raw' }, 'sync').principalResult;
    } catch (error) {
      fail('stylesheet', error);
      return;
    }
    document = undefined;
    let text: string;
    try {
      text = SaxonJS.serialize(result, { method: 'xml', indent: request.indent });
    } catch (error) {
      fail('output', error);
      return;
    }
    if (text.length > request.maxOutputChars) {
      fail('output', new Error(`the output has ${text.length} characters, more than the ${request.maxOutputChars} allowed`));
      return;
    }
    // TextEncoder gives the bytes a buffer of their own (Buffer.from may share its pool), so it can be transferred.
    const output = new TextEncoder().encode(text);
    post({ kind: 'done', output, characters: text.length, messages }, [output.buffer as ArrayBuffer]);
  })().catch((error: unknown) => fail('stylesheet', error));
}

/** The worker's source: the function above, called, after the guard it calls. */
export const XSL_WORKER_SOURCE = `${guardWorker.toString()}\n(${xslWorkerMain.toString()})();`;
