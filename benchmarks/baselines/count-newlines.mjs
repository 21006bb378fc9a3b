/**
 * Baseline: count LF bytes in a file with Node alone (no parsing). The ceiling for any
 * streaming reader on this machine. Prints the count. Usage: node count-newlines.mjs FILE
 */
import { createReadStream } from 'node:fs';

const file = process.argv[2];
if (!file) throw new Error('usage: count-newlines.mjs FILE');
let lines = 0;
for await (const buf of createReadStream(file, { highWaterMark: 1 << 20 })) {
  let i = -1;
  while ((i = buf.indexOf(10, i + 1)) !== -1) lines++;
}
process.stdout.write(`${lines}\n`);
