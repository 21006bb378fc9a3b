/**
 * Baseline: bare stream-json 2 (`require('stream-json')`: the parser stream) on a file read
 * stream; counts objects at depth 1 (the elements of a top-level array). Prints the count.
 * Usage: node count-stream-json.mjs FILE [--packed]
 *   default:  parser options {} - stream-json's defaults: values are both packed and
 *             streamed (startString/stringChunk/endString tokens as well as stringValue).
 *   --packed: {packValues: true, streamValues: false} - packed tokens only (fewer tokens).
 */
import { createReadStream } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const makeParser = require('stream-json');

const file = process.argv[2];
if (!file) throw new Error('usage: count-stream-json.mjs FILE [--packed]');
const options = process.argv.includes('--packed') ? { packValues: true, streamValues: false } : {};
let depth = 0;
let objects = 0;
const parser = makeParser(options);
parser.on('data', (token) => {
  switch (token.name) {
    case 'startObject':
      if (depth === 1) objects++;
    // falls through
    case 'startArray':
      depth++;
      break;
    case 'endObject':
    case 'endArray':
      depth--;
      break;
  }
});
parser.on('error', (err) => {
  process.stderr.write(`${err.message}\n`);
  process.exitCode = 1;
});
parser.on('end', () => process.stdout.write(`${objects}\n`));
createReadStream(file, { highWaterMark: 1 << 16 }).pipe(parser);
