// Property: whatever the field values, file name and file bytes, the multipart body the client
// builds parses back (busboy, as the test server uses it) to the same fields, the file name
// escaped the browser way, and the same bytes, and its declared length is its real length.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import busboy from 'busboy';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { buildMultipart } from '../../../src/submit/finpro/multipart.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'finpro-multipart-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function parse(body: Buffer, contentType: string): Promise<{ fields: Record<string, string>; name?: string; mime?: string; data?: Buffer }> {
  return new Promise((resolve, reject) => {
    const out: { fields: Record<string, string>; name?: string; mime?: string; data?: Buffer } = { fields: {} };
    const bb = busboy({ headers: { 'content-type': contentType }, defParamCharset: 'utf8', preservePath: true });
    bb.on('field', (name, value) => (out.fields[name] = value));
    bb.on('file', (_field, stream, info) => {
      const chunks: Buffer[] = [];
      out.name = info.filename;
      out.mime = info.mimeType;
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => (out.data = Buffer.concat(chunks)));
    });
    bb.on('close', () => resolve(out));
    bb.on('error', reject);
    bb.end(body);
  });
}

const noNewline = fc.string({ unit: 'grapheme', maxLength: 40 }).filter((s) => !/[\r\n]/.test(s));

test('multipart round trip through busboy', async () => {
  let n = 0;
  await fc.assert(
    fc.asyncProperty(noNewline, noNewline, fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }), fc.uint8Array({ maxLength: 3000 }), async (ref, config, fileName, bytes) => {
      const path = join(dir, `f${n++}`);
      await writeFile(path, bytes);
      const body = buildMultipart(
        [
          ['reference_id', ref],
          ['global_config', config],
        ],
        { field: 'file', path, fileName, contentType: 'text/csv', bytes: bytes.length },
      );
      const chunks: Buffer[] = [];
      for await (const c of body.stream()) chunks.push(c);
      const all = Buffer.concat(chunks);
      expect(all.length).toBe(body.contentLength);
      const got = await parse(all, body.contentType);
      expect(got.fields).toEqual({ reference_id: ref, global_config: config });
      expect(got.name).toBe(fileName.replace(/\r/g, '%0D').replace(/\n/g, '%0A').replace(/"/g, '%22'));
      expect(got.mime).toBe('text/csv');
      expect(got.data?.equals(Buffer.from(bytes))).toBe(true);
    }),
    { numRuns: 150 },
  );
});
