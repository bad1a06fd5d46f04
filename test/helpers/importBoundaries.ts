import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/**
 * The import rules of the code's shape, checked on the sources: adapters (the language server,
 * the CLI, the VS Code client) translate, the engine decides, and the protocol is what the
 * server and the client share.
 */

export interface ImportViolation {
  file: string;
  specifier: string;
  rule: string;
}

type Area = 'engine' | 'protocol' | 'lsp' | 'cli' | 'client' | 'other';

const EDITOR_PACKAGES = /^(vscode|vscode-languageserver|vscode-languageclient|vscode-languageserver-protocol|vscode-jsonrpc)(\/|$)/;

function areaOf(root: string, path: string): Area {
  const rel = relative(root, path).split(sep).join('/');
  if (rel.startsWith('server/src/engine/') || rel === 'server/src/engine') return 'engine';
  if (rel.startsWith('server/src/protocol/')) return 'protocol';
  if (rel.startsWith('server/src/lsp/')) return 'lsp';
  if (rel.startsWith('server/src/cli/')) return 'cli';
  if (rel.startsWith('client/src/')) return 'client';
  return 'other';
}

/** Every module specifier of a TypeScript source: static imports and exports, import(), require(). */
export function specifiersOf(source: string): string[] {
  const found: string[] = [];
  const patterns = [
    /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]/g,
    /(?:^|[\s;])import\s*['"]([^'"]+)['"]/g,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const pattern of patterns) for (const match of source.matchAll(pattern)) found.push(match[1]);
  return found;
}

function sources(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** The violations under `root` (a checkout: server/src and client/src). */
export function importViolations(root: string): ImportViolation[] {
  const engineFace = resolve(root, 'server', 'src', 'engine', 'index');
  const violations: ImportViolation[] = [];
  for (const file of [...sources(join(root, 'server', 'src')), ...sources(join(root, 'client', 'src'))]) {
    const from = areaOf(root, file);
    for (const specifier of specifiersOf(readFileSync(file, 'utf8'))) {
      const add = (rule: string) => violations.push({ file: relative(root, file), specifier, rule });
      if (!specifier.startsWith('.')) {
        if ((from === 'engine' || from === 'protocol' && !specifier.startsWith('vscode-languageserver-protocol')) && EDITOR_PACKAGES.test(specifier)) {
          add(`the ${from} imports no editor or LSP package`);
        }
        continue;
      }
      const target = resolve(dirname(file), specifier).replace(/\.(js|ts)$/, '');
      const to = areaOf(root, target);
      if (from === 'engine' && to !== 'engine') add('the engine imports only the engine');
      if (from === 'protocol' && to !== 'protocol') add('the protocol imports only the protocol');
      if ((from === 'lsp' || from === 'cli') && to === 'engine' && target !== engineFace && target !== dirname(engineFace + sep)) {
        add('an adapter imports the engine only through server/src/engine/index.ts');
      }
      if (from === 'client' && (to === 'engine' || to === 'lsp' || to === 'cli')) add('the client imports no engine, server or CLI module: only the protocol');
      if (from === 'lsp' && to === 'cli') add('the language server does not import the CLI');
      if (from === 'cli' && to === 'lsp') add('the CLI does not import the language server');
      if ((from === 'lsp' || from === 'cli') && to === 'client') add('the server side does not import the VS Code client');
    }
  }
  return violations;
}
