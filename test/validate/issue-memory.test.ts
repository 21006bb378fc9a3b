/**
 * Listed issues must not keep the input alive: a value cut from a decoded chunk is, in V8, a
 * slice that points into the whole chunk. 40 chunks of 1 MiB, each with a few bad rows whose
 * values (>= 13 characters, V8's shortest slice) land in the report: the report must retain
 * far less than the 40 MiB of text it was cut from. Measured as heap + external memory (large
 * ASCII chunks decode to external strings) after a full GC, with the report still reachable:
 * about 3 MB with copies, 44 MB without (measured when written).
 */
import { describe, expect, it } from 'vitest';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { HEADER, uuidFor } from '../helpers/validate.js';
import { validateStream } from '../../src/validate/faces.js';
import type { FileReport } from '../../src/core/issues.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** JS heap plus external memory: Node decodes large ASCII chunks into external strings. */
function retainedBytes(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

const CHUNKS = 40;
const CHUNK_CHARS = 1 << 20;

/** One chunk of good rows with three bad ones (an invalid ID, a bad date, a duplicate). */
function chunk(c: number): Buffer {
  const rows: string[] = c === 0 ? [HEADER] : [];
  let size = 0;
  let i = 0;
  rows.push(`not-a-consent-id-${c}-xxxxxxxxxxxx,,,`, `${uuidFor(c * 100_000 + 1)},2024-02-30T00:00:00Z-${c},,`, `${uuidFor(1)},,,`);
  while (size < CHUNK_CHARS) {
    const line = `${uuidFor(c * 100_000 + 10 + i++)},2024-01-01T00:00:00Z,,cfg`;
    rows.push(line);
    size += line.length + 1;
  }
  return Buffer.from(`${rows.join('\n')}\n`);
}

async function* source(): AsyncGenerator<Buffer> {
  for (let c = 0; c < CHUNKS; c++) yield chunk(c);
}

describe('listed issues own their strings', () => {
  it('a report of issues spread over 40 MiB retains well under 40 MiB of heap', async () => {
    gc();
    const before = retainedBytes();
    const report: FileReport = await validateStream(source(), { fileName: 'a.csv', duplicateCheck: true });
    gc();
    gc();
    const retained = retainedBytes() - before;
    // Every chunk contributed listed issues (so a slice would have pinned every chunk).
    expect(report.issues.length).toBeGreaterThanOrEqual(CHUNKS * 2);
    expect(new Set(report.issues.map((i) => i.value)).size).toBeGreaterThan(CHUNKS);
    // Copied strings: a few MB at most (the duplicate index included); sliced ones: >= 40 MiB.
    expect(retained).toBeLessThan(12 * 1024 * 1024);
    expect(report.valid).toBe(false);
  });
});
