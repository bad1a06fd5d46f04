import type { Connection } from 'vscode-languageserver';
import type { Position, Range } from '../engine';

/**
 * What arrives from the client is checked for its shape before the engine sees it. JSON-RPC
 * delivers whatever the client sent: a position of `"a"` or `1.5` makes the text's offsets NaN,
 * and a change whose text is not a string leaves the document's length undefined, so that the
 * server's copy of the text is wrong from then on. Out-of-range whole numbers are fine (they
 * stand for the nearest place in the text, as LSP says); anything else is refused.
 */

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A position of whole numbers, or undefined. Negative and huge ones are kept: what they stand for
 * (the start, the end of the line or of the text) is the document's to say (offsetAt).
 */
export function positionOf(value: unknown): Position | undefined {
  if (!isRecord(value)) return undefined;
  const { line, character } = value;
  if (!isWhole(line) || !isWhole(character)) return undefined;
  return { line, character };
}

export function rangeOf(value: unknown): Range | undefined {
  if (!isRecord(value)) return undefined;
  const start = positionOf(value.start);
  const end = positionOf(value.end);
  return start && end ? { start, end } : undefined;
}

/** `params.textDocument.uri`, when it is a string. */
export function documentUriOf(params: unknown): string | undefined {
  if (!isRecord(params) || !isRecord(params.textDocument)) return undefined;
  const uri = params.textDocument.uri;
  return typeof uri === 'string' ? uri : undefined;
}

type ContentChange = { text: string } | { range: Range; text: string };

/** The content changes of a didChange, checked; undefined when one of them cannot be applied. */
export function contentChangesOf(value: unknown): ContentChange[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const changes: ContentChange[] = [];
  for (const change of value) {
    if (!isRecord(change) || typeof change.text !== 'string') return undefined;
    if (change.range === undefined || change.range === null) {
      changes.push({ text: change.text });
      continue;
    }
    const range = rangeOf(change.range);
    if (!range) return undefined;
    changes.push({ range, text: change.text });
  }
  return changes;
}

/**
 * The connection as TextDocuments should see it: the document notifications reach it only with
 * the shape it relies on (it reads `textDocument.uri` and `contentChanges` unchecked). A
 * notification that cannot be applied is logged and dropped; the document then keeps its last
 * good state.
 */
export function checkedDocumentSync(connection: Connection, log: (message: string) => void): Connection {
  type Handler = (params: never) => unknown;
  const refuse = (method: string, why: string) => log(`${method} ignored: ${why}`);
  const wrap = (register: (handler: Handler) => unknown, method: string, check: (params: unknown) => unknown | string) =>
    (handler: Handler) => register((params: never) => {
      const checked = check(params);
      if (typeof checked === 'string') return refuse(method, checked);
      return handler(checked as never);
    });
  const withDocument = (params: unknown): unknown | string => {
    const uri = documentUriOf(params);
    return uri === undefined ? 'no textDocument.uri' : params;
  };
  const overrides: Partial<Connection> = {
    onDidOpenTextDocument: wrap(connection.onDidOpenTextDocument.bind(connection) as never, 'textDocument/didOpen', (params) => {
      const uri = documentUriOf(params);
      if (uri === undefined) return 'no textDocument.uri';
      const document = (params as { textDocument: Record<string, unknown> }).textDocument;
      if (typeof document.text !== 'string') return `${uri}: textDocument.text is not a string`;
      const version = isWhole(document.version) ? document.version : 0;
      const languageId = typeof document.languageId === 'string' ? document.languageId : '';
      return { textDocument: { uri, languageId, version, text: document.text } };
    }) as never,
    onDidChangeTextDocument: wrap(connection.onDidChangeTextDocument.bind(connection) as never, 'textDocument/didChange', (params) => {
      const uri = documentUriOf(params);
      if (uri === undefined) return 'no textDocument.uri';
      const version = (params as { textDocument: Record<string, unknown> }).textDocument.version;
      if (!isWhole(version)) return `${uri}: no whole-number textDocument.version`;
      const contentChanges = contentChangesOf((params as Record<string, unknown>).contentChanges);
      if (!contentChanges) return `${uri}: contentChanges is not a list of { range?, text }; the document keeps its last good text`;
      return { textDocument: { uri, version }, contentChanges };
    }) as never,
    onDidCloseTextDocument: wrap(connection.onDidCloseTextDocument.bind(connection) as never, 'textDocument/didClose', withDocument) as never,
    onDidSaveTextDocument: wrap(connection.onDidSaveTextDocument.bind(connection) as never, 'textDocument/didSave', withDocument) as never,
    onWillSaveTextDocument: wrap(connection.onWillSaveTextDocument.bind(connection) as never, 'textDocument/willSave', withDocument) as never,
  };
  return new Proxy(connection, {
    get(target, property, receiver) {
      if (typeof property === 'string' && property in overrides) return overrides[property as keyof Connection];
      return Reflect.get(target, property, receiver);
    },
  });
}

function isWhole(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value);
}
