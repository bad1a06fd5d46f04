import * as zlib from 'node:zlib';

/**
 * CRC-32 (the zip / gzip polynomial), continued from `previous` so that a stream can be checked
 * chunk by chunk. Uses zlib's native implementation (Node 20.15+); the table-driven fallback
 * keeps older Node 20 releases working, at a fraction of the speed.
 */
export const crc32: (data: Uint8Array, previous?: number) => number =
  typeof zlib.crc32 === 'function' ? (data, previous = 0) => zlib.crc32(data, previous) : tableCrc32;

let table: Uint32Array | undefined;

function crcTable(): Uint32Array {
  if (table) return table;
  table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

/** Exported for the test that compares it with zlib's; use `crc32`. */
export function tableCrc32(data: Uint8Array, previous = 0): number {
  const t = crcTable();
  let c = ~previous >>> 0;
  for (let i = 0; i < data.length; i++) c = t[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}
