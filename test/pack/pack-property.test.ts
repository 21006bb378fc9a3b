import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pack } from '../../src/pack/pack.js';

let root: string;
let n = 0;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'bp-pack-prop-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const unzipList = (zip: string) => execFileSync('unzip', ['-Z1', zip], { encoding: 'utf8' }).split('\n').filter(Boolean);
const unzipEntry = (zip: string, name: string) => execFileSync('unzip', ['-p', zip, name], { maxBuffer: 1 << 28 });

// Cells with quoted commas, quotes and newlines, multi-byte text, CRLF or LF line ends.
const cell = fc.oneof(
  fc.string({ unit: fc.constantFrom('a', 'b', '1', ' ', 'é', '€'), maxLength: 12 }),
  fc.string({ unit: fc.constantFrom('x', ',', '"', '\n', '\r\n', '😀'), maxLength: 8 }).map((s) => `"${s.replace(/"/g, '""')}"`),
);
const csvText = fc
  .tuple(fc.array(fc.array(cell, { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 120 }), fc.constantFrom('\n', '\r\n'), fc.boolean())
  .map(([rows, eol, lastEol]) => {
    const lines = ['a,b,c', ...rows.map((r) => r.join(','))];
    return lines.join(eol) + (lastEol ? eol : '');
  });

describe('pack keeps every archive under the cap and the content intact', () => {
  it('archives <= cap, unzip -t clean, manifest hashes right, entries concatenate back to the inputs', async () => {
    await fc.assert(
      fc.asyncProperty(csvText, fc.uint8Array({ minLength: 0, maxLength: 800 }), fc.integer({ min: 1500, max: 9000 }), fc.integer({ min: 0, max: 9 }), async (csv, blob, maxBytes, level) => {
        const dir = join(root, `in${n}`);
        const out = join(root, `out${n++}`);
        await rm(dir, { recursive: true, force: true });
        await execFileSync('mkdir', ['-p', dir]);
        await writeFile(join(dir, 'data.csv'), csv);
        await writeFile(join(dir, 'blob.bin'), blob);
        const m = await pack([join(dir, 'data.csv'), join(dir, 'blob.bin')], { outDir: out, maxBytes, level, name: 'P' });
        expect((await readdir(out)).sort()).toEqual([...m.archives.map((a) => a.file), 'manifest.json'].sort());
        const byName = new Map<string, Buffer>();
        for (const a of m.archives) {
          const path = join(out, a.file);
          const buf = await readFile(path);
          expect(buf.length).toBe(a.bytes);
          expect(buf.length).toBeLessThanOrEqual(maxBytes);
          expect(sha(buf)).toBe(a.sha256);
          execFileSync('unzip', ['-tq', path]);
          expect(unzipList(path)).toEqual(a.entries.map((e) => e.name));
          for (const e of a.entries) {
            const content = unzipEntry(path, e.name);
            expect(content.length).toBe(e.bytes);
            expect(sha(content)).toBe(e.sha256);
            byName.set(e.name, content);
          }
        }
        expect(byName.get('blob.bin')).toEqual(Buffer.from(blob));
        const csvEntries = m.archives.flatMap((a) => a.entries).filter((e) => e.source.endsWith('data.csv'));
        const header = 'a,b,c';
        const parts = csvEntries.map((e, i) => {
          const c = byName.get(e.name)!.toString('utf8');
          expect(c.startsWith(header)).toBe(true);
          return i === 0 ? c : c.slice(c.indexOf('\n') + 1);
        });
        // A last row without a line end gets none added only when it ends the file.
        const joined = parts.join('');
        expect(joined.replace(/\r?\n$/, '')).toBe(csv.replace(/\r?\n$/, ''));
        if (csvEntries.length > 1) csvEntries.forEach((e, i) => expect(e.name).toBe(`data-part${String(i + 1).padStart(3, '0')}.csv`));
        await rm(out, { recursive: true, force: true });
      }),
      { numRuns: 15 },
    );
  });
});
