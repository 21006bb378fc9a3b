/**
 * Baseline: bare csv-parse (default options: records as arrays, no column mapping, no
 * casting) on a file read stream; counts data records (header excluded). Prints the count.
 * Usage: node count-csv-parse.mjs FILE
 */
import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';

const file = process.argv[2];
if (!file) throw new Error('usage: count-csv-parse.mjs FILE');
let records = 0;
const parser = createReadStream(file, { highWaterMark: 1 << 16 }).pipe(parse());
parser.on('readable', () => {
  while (parser.read() !== null) records++;
});
parser.on('error', (err) => {
  process.stderr.write(`${err.message}\n`);
  process.exitCode = 1;
});
parser.on('end', () => process.stdout.write(`${Math.max(0, records - 1)}\n`));
