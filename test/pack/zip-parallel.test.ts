/**
 * The parallel zip writer (src/pack/zip-parallel.ts) against archiver's ZipWriter, the plain
 * path: for the same entries (empty, small, several 1 MiB blocks, block-sized), at levels 0, 1, 6
 * and 9, with and without ZIP64 records, both archives pass `unzip -t`, list the same names,
 * sizes, methods and CRCs, extract to the same bytes, and the size bound held.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ZipWriter } from '../../src/pack/zip-writer.js';
import { ParallelZipWriter } from '../../src/pack/zip-parallel.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zip-parallel-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Deterministic, partly compressible bytes. */
function content(size: number, seed: number): Buffer {
  const b = Buffer.alloc(size);
  let x = seed | 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = (x & 7) === 0 ? x & 255 : 97 + ((i >> 3) % 26);
  }
  return b;
}

/** `unzip -Zv`-free listing: name, size, method, CRC per entry from `unzip -lv`. */
function listing(path: string): string[] {
  const out = execFileSync('unzip', ['-lv', path], { encoding: 'utf8' }).split('\n');
  return out
    .filter((l) => /^\s*\d+\s+(Stored|Defl:\S)/.test(l))
    .map((l) => {
      const f = l.trim().split(/\s+/);
      return `${f[7]} ${f[0]} ${f[1] === 'Stored' ? 'stored' : 'deflated'} ${f[6]}`;
    });
}

async function write(kind: 'plain' | 'parallel', path: string, level: number, zip64: boolean, entries: Array<[string, Buffer, number]>) {
  const zip = kind === 'plain' ? new ZipWriter(path, { level, forceZip64: zip64 }) : new ParallelZipWriter(path, { level, forceZip64: zip64 });
  let maxEstimate = 0;
  for (const [name, data, piece] of entries) {
    zip.startEntry(name);
    for (let p = 0; p < data.length; p += piece) {
      await zip.write(data.subarray(p, p + piece));
      maxEstimate = Math.max(maxEstimate, zip.estimate());
    }
    await zip.endEntry();
    maxEstimate = Math.max(maxEstimate, zip.estimate());
  }
  const res = await zip.finish();
  return { ...res, maxEstimate };
}

describe('ParallelZipWriter', () => {
  it('writes archives unzip accepts with the same entries, sizes, CRCs and bytes as archiver', async () => {
    const sizes = fc.constantFrom(0, 1, 1000, 1024 * 1024, 1024 * 1024 + 1, 3 * 1024 * 1024 + 12345);
    const entry = fc.tuple(sizes, fc.integer({ min: 1, max: 1 << 30 }), fc.constantFrom(4096, 65536, 300_000));
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(entry, { minLength: 1, maxLength: 3 }), fc.constantFrom(0, 1, 6, 9), fc.boolean(), async (specs, level, zip64) => {
        run++;
        const entries = specs.map(([size, seed, piece], i) => [`e${i}-ü.csv`, content(size, seed), piece] as [string, Buffer, number]);
        const a = join(dir, `plain-${run}.zip`);
        const b = join(dir, `parallel-${run}.zip`);
        await write('plain', a, level, zip64, entries);
        const res = await write('parallel', b, level, zip64, entries);
        expect(execFileSync('unzip', ['-tq', b], { encoding: 'utf8' })).toContain('No errors detected');
        expect(listing(b)).toEqual(listing(a));
        for (const [name, data] of entries) expect(execFileSync('unzip', ['-p', b, name], { maxBuffer: 1 << 26 }).equals(data)).toBe(true);
        expect(res.bytes).toBe((await stat(b)).size);
        expect(res.bytes).toBeLessThanOrEqual(res.maxEstimate + 100_000); // the estimate bounds what came out (central dir is small)
        // ZIP64 end record (PK\x06\x06) exactly when asked for, as archiver writes it.
        const z64 = Buffer.from([0x50, 0x4b, 6, 6]);
        expect((await readFile(b)).includes(z64)).toBe(zip64);
        expect((await readFile(a)).includes(z64)).toBe(zip64);
        await rm(a);
        await rm(b);
      }),
      { numRuns: 12 },
    );
  }, 120_000);
});
