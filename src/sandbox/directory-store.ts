// The sandbox's bucket: objects are files under `<dir>/objects`, and the pre-signed URLs the
// fileX API hands out point back at the sandbox's own port (`/_objects/<key>?X-Amz-...`),
// HMAC-signed with a per-run secret and refused once expired with S3's own 403 "Request has
// expired" document, so clients take the path they take against S3 (guide: "pre-signed URL
// ... valid for a limited time"). No s3rver, no AWS SDK: plain files, streamed both ways.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { ServingStore, StoredObject } from './object-store.js';

export const OBJECTS_PATH = '/_objects/';

// One key segment as one file name: '.', '..' and '' can never name a parent directory.
function segmentToName(segment: string): string {
  if (segment === '' || segment === '.' || segment === '..') return segment.replace(/\./g, '%2E') || '%';
  return encodeURIComponent(segment);
}

function nameToSegment(name: string): string {
  return name === '%' ? '' : decodeURIComponent(name);
}

function xmlError(res: ServerResponse, status: number, code: string, message: string, head = false): void {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
  res.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
  res.end(head ? undefined : body);
}

// 20251231T235959Z, the SigV4 timestamp form S3's pre-signed URLs carry.
function amzDate(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

function parseAmzDate(s: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : NaN;
}

export interface DirectoryStoreOptions {
  /** Where objects and temporary files live (`objects/`, `tmp/`). */
  dir: string;
  /** The sandbox's base URL, e.g. `http://127.0.0.1:8480`. */
  baseUrl: string;
  /** Signing secret; a fresh one per run makes earlier runs' URLs invalid. @default random */
  secret?: Buffer;
}

/** Files in a directory, with signed expiring URLs served by `handle` on the API's port. */
export async function createDirectoryStore(options: DirectoryStoreOptions): Promise<ServingStore> {
  const root = join(options.dir, 'objects');
  const tmp = join(options.dir, 'tmp');
  const secret = options.secret ?? randomBytes(32);
  await mkdir(root, { recursive: true });
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  let tmpSeq = 0;

  const pathOf = (key: string) => join(root, ...key.split('/').map(segmentToName));
  const sign = (method: string, key: string, date: string, expires: string) =>
    createHmac('sha256', secret).update(`${method}\n${key}\n${date}\n${expires}`).digest('hex');

  // Write into tmp/ then rename, so a listing never shows half an object.
  async function commit(key: string, write: (tmpFile: string) => Promise<void>): Promise<void> {
    const file = join(tmp, `${process.pid}-${++tmpSeq}`);
    try {
      await write(file);
      await mkdir(dirname(pathOf(key)), { recursive: true });
      await rename(file, pathOf(key));
    } finally {
      await rm(file, { force: true });
    }
  }

  async function walk(dir: string, prefixSegs: string[], out: StoredObject[]): Promise<void> {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return;
    }
    for (const name of names) {
      const full = join(dir, name);
      const st = await stat(full).catch(() => undefined);
      if (!st) continue;
      const segs = [...prefixSegs, nameToSegment(name)];
      if (st.isDirectory()) await walk(full, segs, out);
      else out.push({ key: segs.join('/'), size: st.size, lastModified: st.mtime });
    }
  }

  // Check an `/_objects/...` request's signature and expiry; returns the key or answers itself.
  function authorise(req: IncomingMessage, res: ServerResponse, url: URL): string | undefined {
    const method = req.method === 'HEAD' ? 'GET' : (req.method ?? 'GET');
    let key: string;
    try {
      key = url.pathname.slice(OBJECTS_PATH.length).split('/').map(decodeURIComponent).join('/');
    } catch {
      xmlError(res, 400, 'InvalidURI', 'Could not parse the specified URI.');
      return undefined;
    }
    const q = url.searchParams;
    const date = q.get('X-Amz-Date') ?? '';
    const expires = q.get('X-Amz-Expires') ?? '';
    const given = Buffer.from(q.get('X-Amz-Signature') ?? '');
    const expected = Buffer.from(sign(method, key, date, expires));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      xmlError(res, 403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.', req.method === 'HEAD');
      return undefined;
    }
    // S3 works in whole seconds: expired once the current second is past date + expires.
    if (Math.floor(Date.now() / 1000) > parseAmzDate(date) / 1000 + Number(expires)) {
      xmlError(res, 403, 'AccessDenied', 'Request has expired', req.method === 'HEAD');
      return undefined;
    }
    return key;
  }

  async function serve(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const key = authorise(req, res, url);
    if (key === undefined) {
      req.resume();
      return;
    }
    if (req.method === 'GET' || req.method === 'HEAD') {
      req.resume();
      const st = await stat(pathOf(key)).catch(() => undefined);
      if (!st?.isFile()) return xmlError(res, 404, 'NoSuchKey', 'The specified key does not exist.', req.method === 'HEAD');
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': st.size, 'last-modified': st.mtime.toUTCString() });
      if (req.method === 'HEAD') return void res.end();
      await pipeline(createReadStream(pathOf(key)), res).catch(() => res.destroy());
      return;
    }
    if (req.method === 'PUT') {
      const length = Number(req.headers['content-length']);
      if (req.headers['content-length'] === undefined || !Number.isSafeInteger(length)) {
        req.resume();
        return xmlError(res, 411, 'MissingContentLength', 'You must provide the Content-Length HTTP header.');
      }
      let received = 0;
      req.on('data', (c: Buffer) => (received += c.length));
      try {
        await commit(key, async (file) => {
          await pipeline(req, createWriteStream(file));
          if (received !== length) throw new Error('body shorter than Content-Length');
        });
      } catch {
        // A cut upload leaves nothing behind (the object keeps its previous content).
        res.destroy();
        return;
      }
      res.writeHead(200, { etag: `"${received}"`, 'content-length': 0 }).end();
      return;
    }
    req.resume();
    xmlError(res, 405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.');
  }

  return {
    handle(req, res) {
      const url = new URL(req.url ?? '/', 'http://sandbox');
      if (!url.pathname.startsWith(OBJECTS_PATH)) return false;
      serve(req, res, url).catch(() => res.destroy());
      return true;
    },
    presign(method, key, ttlSeconds) {
      const date = amzDate(new Date());
      const expires = String(ttlSeconds);
      const q = new URLSearchParams({ 'X-Amz-Date': date, 'X-Amz-Expires': expires, 'X-Amz-Signature': sign(method, key, date, expires) });
      return `${options.baseUrl}${OBJECTS_PATH}${key.split('/').map(encodeURIComponent).join('/')}?${q}`;
    },
    async putObject(key, body) {
      await commit(key, (file) => writeFile(file, body));
    },
    async getObject(key) {
      return readFile(pathOf(key)).catch(() => undefined);
    },
    async headObject(key) {
      const st = await stat(pathOf(key)).catch(() => undefined);
      return st?.isFile() ? { size: st.size, lastModified: st.mtime } : undefined;
    },
    async copyObject(fromKey, toKey) {
      await commit(toKey, (file) => copyFile(pathOf(fromKey), file));
    },
    async listObjects(prefix) {
      // Walk only the deepest directory the prefix names.
      const segs = prefix.split('/').slice(0, -1);
      const out: StoredObject[] = [];
      await walk(join(root, ...segs.map(segmentToName)), segs, out);
      return out.filter((o) => o.key.startsWith(prefix)).sort((a, b) => (a.key < b.key ? -1 : 1));
    },
  };
}
