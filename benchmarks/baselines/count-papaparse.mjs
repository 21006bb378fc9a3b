/**
 * Baseline: bare papaparse streaming a file read stream (utf8-decoded), counting data rows
 * (header excluded). Prints the count.
 * Usage: node count-papaparse.mjs FILE [--mode chunk|step]
 *   chunk (default): a callback per parsed chunk with its rows array (papaparse's fastest
 *                    streaming mode here); step: a callback per row.
 * fastMode is left to papaparse's own choice (it turns it on only for chunks without any
 * quote character; consent files with quoted configIds keep the full quote-aware parser).
 */
import { createReadStream } from 'node:fs';
import Papa from 'papaparse';

const file = process.argv[2];
if (!file) throw new Error('usage: count-papaparse.mjs FILE [--mode chunk|step]');
const mode = process.argv.includes('--mode') ? process.argv[process.argv.indexOf('--mode') + 1] : 'chunk';
let rows = 0;
const input = createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 16 });
Papa.parse(input, {
  skipEmptyLines: true,
  ...(mode === 'step' ? { step: () => void rows++ } : { chunk: (res) => void (rows += res.data.length) }),
  complete: () => process.stdout.write(`${Math.max(0, rows - 1)}\n`),
  error: (err) => {
    process.stderr.write(`${err.message}\n`);
    process.exitCode = 1;
  },
});
