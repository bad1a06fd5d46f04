import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { missingTool } from '../helpers/prerequisites';
import { repoRoot } from '../helpers/repoRoot';
import { SERVER_PATH } from './stdioClient';

/*
 * Neovim (Debian's 0.7: vim.lsp.start_client + buf_attach_client) as a second, unrelated LSP
 * client of the bundled server: it opens a file with known mistakes and prints the diagnostics it
 * received, with their codes; the test reads them back.
 */

const LUA = `
local function out(s) io.stdout:write(s .. '\\n') end
local file = os.getenv('LSP_FILE')
vim.cmd('edit ' .. vim.fn.fnameescape(file))
local bufnr = vim.api.nvim_get_current_buf()
local id = vim.lsp.start_client({
  name = 'alma-sis',
  cmd = { os.getenv('NODE'), os.getenv('SERVER'), '--stdio' },
  root_dir = vim.fn.fnamemodify(file, ':p:h'),
})
if not id then out('FAIL start_client'); vim.cmd('cquit 1') end
vim.lsp.buf_attach_client(bufnr, id)
local got = vim.wait(20000, function()
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if d.code == 'duplicate-identifier' then return true end
  end
  return false
end, 50)
for _, d in ipairs(vim.diagnostic.get(bufnr)) do
  out(('DIAG %d:%d %s %s'):format(d.lnum + 1, d.col + 1, tostring(d.code), d.source or '?'))
end
vim.lsp.stop_client(id)
vim.wait(3000, function() return vim.lsp.get_client_by_id(id) == nil end, 50)
if got then out('OK'); vim.cmd('qall!') else out('FAIL no diagnostics'); vim.cmd('cquit 1') end
`;

test('Neovim 0.7 receives the diagnostics with their rule ids', { skip: missingTool('nvim', 'neovim') }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'alma-sis-nvim-'));
  try {
    const samples = join(repoRoot(), 'samples');
    copyFileSync(join(samples, 'alma-sis.config.json'), join(dir, 'alma-sis.config.json'));
    copyFileSync(join(samples, 'code-tables.json'), join(dir, 'code-tables.json'));
    const file = join(dir, 'common-mistakes.xml');
    copyFileSync(join(samples, 'invalid', 'common-mistakes.xml'), file);
    const script = join(dir, 'check.lua');
    writeFileSync(script, LUA);
    const run = spawnSync('nvim', ['--headless', '--clean', '-c', `luafile ${script}`], {
      env: { ...process.env, LSP_FILE: file, NODE: process.execPath, SERVER: SERVER_PATH },
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(run.status, 0, `nvim: ${run.stdout}\n${run.stderr}`);
    const lines = run.stdout.split('\n').filter((l) => l.startsWith('DIAG '));
    const expected = [...readFileSync(file, 'utf8').matchAll(/expect: ([\w-]+) (\d+):(\d+)-/g)].map((m) => `DIAG ${m[2]}:${m[3]} ${m[1]} alma-sis`);
    for (const want of expected) assert.ok(lines.includes(want), `${want} in\n${lines.join('\n')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
