/**
 * Baseline: uDSV (the fastest pure-JS CSV parser measured here) over a read stream, rows
 * counted through its incremental API with our own handler (nothing accumulated). Prints the
 * data row count (the header is the schema's). Usage: node count-udsv.mjs FILE
 */
import { createReadStream } from 'node:fs';
import { inferSchema, initParser } from 'udsv';

const file = process.argv[2];
if (!file) throw new Error('usage: count-udsv.mjs FILE');
let parser = null;
let rows = 0;
const count = () => {
  rows++;
};
for await (const chunk of createReadStream(file, { highWaterMark: 256 * 1024, encoding: 'utf8' })) {
  parser ??= initParser(inferSchema(chunk));
  parser.chunk(chunk, parser.stringArrs, count);
}
parser?.end();
console.log(rows);
