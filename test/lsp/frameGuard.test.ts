import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameGuard } from '../../server/src/lsp/frameGuard';

/*
 * The guard in front of the server's stdin, in-process: what comes out for what goes in, whatever
 * the chunking. hostile.stdio.test.ts sends the same shapes to the bundled server.
 */

function frame(body: string | Buffer, header?: string): Buffer {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return Buffer.concat([Buffer.from(header ?? `Content-Length: ${bytes.length}\r\n\r\n`, 'latin1'), bytes]);
}

/** The bodies of the frames the guard lets through, and the problems it reported. */
function run(input: Buffer, chunkSize = input.length, maxBody?: number): { bodies: string[]; problems: string[]; raw: Buffer } {
  const problems: string[] = [];
  const guard = new FrameGuard((message) => problems.push(message), maxBody);
  const out: Buffer[] = [];
  guard.on('data', (chunk: Buffer) => out.push(chunk));
  for (let at = 0; at < input.length; at += Math.max(1, chunkSize)) guard.write(input.subarray(at, at + Math.max(1, chunkSize)));
  guard.end();
  const raw = Buffer.concat(out);
  const bodies: string[] = [];
  let rest = raw;
  while (rest.length > 0) {
    const m = /^Content-Length: (\d+)\r\n\r\n/.exec(rest.toString('latin1', 0, Math.min(rest.length, 40)));
    assert.ok(m, `a well-formed frame, not ${JSON.stringify(rest.toString('latin1', 0, 60))}`);
    const start = m[0].length;
    bodies.push(rest.subarray(start, start + Number(m[1])).toString('utf8'));
    rest = rest.subarray(start + Number(m[1]));
  }
  return { bodies, problems, raw };
}

const A = '{"jsonrpc":"2.0","id":1,"method":"a"}';
const B = '{"jsonrpc":"2.0","id":2,"method":"b","params":{"text":"é😀\\r\\n"}}';

test('well-formed frames pass byte for byte, however the input is cut', () => {
  const input = Buffer.concat([frame(A), frame(B), frame('')]);
  for (const size of [1, 2, 3, 7, 16, 39, 40, 41, input.length]) {
    const { bodies, problems, raw } = run(input, size);
    assert.deepEqual(bodies, [A, B, '']);
    assert.deepEqual(problems, []);
    assert.ok(raw.equals(input), `chunks of ${size}`);
  }
});

test('other headers are dropped, so a charset the reader cannot decode costs nothing', () => {
  const input = frame(B, `Content-Type: application/vscode-jsonrpc; charset=klingon\r\ncontent-length: ${Buffer.byteLength(B)}\r\n\r\n`);
  assert.deepEqual(run(input).bodies, [B]);
  assert.deepEqual(run(input, 5).bodies, [B]);
});

test('a header that cannot be used is dropped and reading goes on at the next Content-Length', () => {
  const bad: [string, Buffer][] = [
    ['not a number', Buffer.from('Content-Length: abc\r\n\r\n{}')],
    ['negative', Buffer.from('Content-Length: -5\r\n\r\n{}')],
    ['past any message', Buffer.from('Content-Length: 99999999999\r\n\r\n{}')],
    ['two lengths', Buffer.from('Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}')],
    ['no length', Buffer.from('Content-Type: application/json\r\n\r\n{}')],
    ['a line that is no header', Buffer.from('Garbage\r\n\r\n')],
    ['no header at all', Buffer.from(`${A}\r\n\r\n`)],
    ['line feeds only', Buffer.from('Content-Length: 2\n\n{}')],
    ['a header that never ends', Buffer.from('X'.repeat(100_000))],
    ['binary', Buffer.from([0xff, 0xfe, 0x00, 0x0d, 0x0a, 0x0d, 0x0a, 0x80])],
  ];
  for (const [name, garbage] of bad) {
    for (const size of [1, 13, garbage.length + 10]) {
      const { bodies, problems } = run(Buffer.concat([frame(A), garbage, frame(B)]), size);
      assert.deepEqual(bodies.filter((b) => b !== '{}'), [A, B], `${name}, chunks of ${size}`);
      assert.ok(problems.length >= 1 && problems.length <= 3, `${name}: ${JSON.stringify(problems)}`);
      assert.match(problems[0], /^dropped \d+ bytes of input that are not a message: /);
    }
  }
});

test('a body shorter than announced takes the start of the next frame; the frame after that is read', () => {
  const short = Buffer.from('Content-Length: 60\r\n\r\n{"jsonrpc":"2.0"}');
  const sacrifice = frame(JSON.stringify({ jsonrpc: '2.0', method: 'x', params: 'p'.repeat(100) }));
  const { bodies, problems } = run(Buffer.concat([short, sacrifice, frame(B)]), 9);
  assert.equal(bodies.length, 2, JSON.stringify(bodies));
  assert.equal(bodies[0].length, 60, 'the announced 60 bytes, as the header said');
  assert.equal(bodies[1], B);
  assert.equal(problems.length, 1);
});

test('a body longer than the limit is refused at its header; one within it passes whole', () => {
  const big = `{"t":"${'x'.repeat(3000)}"}`;
  const refused = run(Buffer.concat([frame(big), frame(A)]), 500, 1000);
  assert.deepEqual(refused.bodies, [A]);
  assert.match(refused.problems[0], /Content-Length 3008 is more than a message can be/);
  assert.deepEqual(run(Buffer.concat([frame(big), frame(A)]), 500, 4000).bodies, [big, A]);
});

test('garbage with no Content-Length in it is dropped in one piece, not byte by byte', () => {
  const { bodies, problems } = run(Buffer.concat([Buffer.from('Garbage\r\n\r\nMore garbage\r\n\r\n'), frame(A)]));
  assert.deepEqual(bodies, [A]);
  assert.ok(problems.length <= 2, JSON.stringify(problems));
});

test('input that ends inside a message is reported, not waited for', () => {
  const { bodies, problems } = run(Buffer.from('Content-Length: 10\r\n\r\n{"a'));
  assert.deepEqual(bodies, []);
  assert.match(problems.at(-1) ?? '', /ended inside a message/);
});

test('a body over a mebibyte is gathered into one buffer as it comes, whatever the chunks, and the frames around it pass', () => {
  const big = JSON.stringify({ jsonrpc: '2.0', method: 'textDocument/didOpen', params: { text: 'Ngata é 王 😀\n'.repeat(120_000) } });
  const input = Buffer.concat([frame(A), frame(big), frame(B), frame(big), frame(A)]);
  for (const size of [65_536, 1_000_003, input.length]) {
    const { bodies, problems, raw } = run(input, size);
    assert.deepEqual(problems, []);
    assert.equal(bodies.length, 5, `chunks of ${size}`);
    assert.deepEqual(bodies, [A, big, B, big, A]);
    assert.ok(raw.equals(input), `chunks of ${size}`);
  }
  // Ended inside the big body: said, with what was dropped.
  const cut = Buffer.concat([frame(A), frame(big)]).subarray(0, 2_000_000);
  const { bodies, problems } = run(cut, 65_536);
  assert.deepEqual(bodies, [A]);
  assert.match(problems[0], /^the input ended inside a message \(\d+ bytes dropped\)$/);
});

test('given a receiver, the guard hands it each body, big or small, and pushes nothing', () => {
  const big = JSON.stringify({ text: 'x'.repeat(3 << 20) });
  const delivered: string[] = [];
  let pushed = 0;
  const guard = new FrameGuard(() => undefined, undefined, (body) => delivered.push(body.toString('utf8')));
  guard.on('data', () => pushed++);
  const input = Buffer.concat([frame(A), frame(big), frame(B)]);
  for (let at = 0; at < input.length; at += 100_000) guard.write(input.subarray(at, at + 100_000));
  guard.end();
  assert.deepEqual(delivered, [A, big, B]);
  assert.equal(pushed, 0);
});
