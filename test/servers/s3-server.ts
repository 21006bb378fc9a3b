// A real S3-compatible server for the tests: s3rver on 127.0.0.1, behind a small node:http
// "gate" that does what s3rver does not: it checks the temporary credentials it issued
// (expiry, session token, allowed prefixes) and its own pre-signed URLs, then forwards the
// request streaming to s3rver with s3rver's own key. It also answers the multipart calls
// s3rver lacks (ListMultipartUploads, ListParts, AbortMultipartUpload) from s3rver's store
// directory, and can inject faults (503s / resets after N requests, refused connections).
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// s3rver ships no type declarations; the small surface used here is typed below.
// @ts-ignore
import S3rverModule from 's3rver';
import type { CredentialScope, IssuedCredentials } from '../../src/sandbox/object-store.js';

interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverCtor = new (options: Record<string, unknown>) => S3rverInstance;
const S3rver = S3rverModule as unknown as S3rverCtor;

export type { CredentialScope, IssuedCredentials };

export interface S3Faults {
  /** Let this many more requests through, then fail the upload-carrying ones (PUT/POST). */
  failAfterRequests?: number;
  /** How the failing requests fail. @default '503' */
  failMode?: '503' | 'reset';
  /** Stop failing after this many failures (e.g. 1 to test a retry). @default unlimited */
  failCount?: number;
  /** Whether GET/HEAD/DELETE fail too once `failAfterRequests` is reached. @default false */
  failAllMethods?: boolean;
  /** The gate stops listening and drops open connections (S3 gone mid-multipart). */
  down?: boolean;
  /** Resolves once the last `down` switch took effect (the listener closed or listens again). */
  settled(): Promise<void>;
}

export interface S3Harness {
  endpoint: string;
  bucket: string;
  region: string;
  /** s3rver's own URL (no gate), for tests that need to bypass it. */
  directEndpoint: string;
  issueCredentials(ttlSeconds: number, scope?: CredentialScope): IssuedCredentials;
  presign(method: 'GET' | 'PUT', key: string, ttlSeconds: number): string;
  getObject(key: string): Promise<Buffer | undefined>;
  putObject(key: string, body: Buffer): Promise<void>;
  headObject(key: string): Promise<{ size: number; lastModified: Date } | undefined>;
  /** Server-side copy inside the bucket (streams inside s3rver). */
  copyObject(fromKey: string, toKey: string): Promise<void>;
  listObjects(prefix: string): Promise<Array<{ key: string; size: number; lastModified: Date }>>;
  listMultipartUploads(): Promise<Array<{ key: string; uploadId: string }>>;
  stats: { requests: number; rejectedExpired: number; putBytes: number; failed: number };
  faults: S3Faults;
  close(): Promise<void>;
}

const REGION = 'us-east-1';
const S3RVER_KEY = 'S3RVER';
/** The identity the gate's own pre-signed URLs are "signed" with. */
const PRESIGN_KEY_ID = 'ASIAFILEXPRESIGNER01';

interface IssuedRecord {
  secretAccessKey: string;
  sessionToken: string;
  expiresAt: number;
  scope?: CredentialScope;
}

class GateError extends Error {
  constructor(
    readonly status: number,
    readonly s3Code: string,
    message: string,
    readonly extra: Record<string, string> = {},
  ) {
    super(message);
  }
}

// RFC 3986 encoding of one path segment, as S3 SDKs do.
function encodeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** `/bucket/a/b c` → `/bucket/a/b%20c` (path-style, each segment encoded). */
export function objectPath(bucket: string, key: string): string {
  return `/${encodeSegment(bucket)}/${key.split('/').map(encodeSegment).join('/')}`;
}

// 20251231T235959Z, the SigV4 timestamp form.
function amzDate(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

function parseAmzDate(s: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) return NaN;
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
}

function randomAlnum(n: number, alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'): string {
  const bytes = randomBytes(n);
  let out = '';
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}

function xmlEscape(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
}

function errorXml(code: string, message: string, extra: Record<string, string> = {}): string {
  const fields = Object.entries(extra)
    .map(([k, v]) => `<${k}>${xmlEscape(v)}</${k}>`)
    .join('');
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message>` +
    `${fields}<RequestId>${randomAlnum(16)}</RequestId><HostId>${randomAlnum(24)}</HostId></Error>`
  );
}

// The canonical string the gate's own pre-signed URLs are HMAC'd over.
function presignCanonical(method: string, decodedPath: string, q: URLSearchParams): string {
  const names = [...q.keys()].filter((k) => k !== 'X-Amz-Signature').sort();
  return [method, decodedPath, ...names.map((k) => `${k}=${q.get(k)}`)].join('\n');
}

/** Start s3rver and the credential gate in front of it, both on 127.0.0.1 and free ports. */
export async function startS3(options: { bucket?: string } = {}): Promise<S3Harness> {
  const bucket = options.bucket ?? 'filex-test';
  const dir = await mkdtemp(join(tmpdir(), 's3rver-'));
  const srv = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: dir,
    vhostBuckets: false,
    configureBuckets: [{ name: bucket }],
  });
  const s3rverAddr = await srv.run();
  const upstreamPort = s3rverAddr.port;
  const upstreamHost = `127.0.0.1:${upstreamPort}`;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  const gateSecret = randomBytes(32);
  const issued = new Map<string, IssuedRecord>();
  const stats = { requests: 0, rejectedExpired: 0, putBytes: 0, failed: 0 };
  const uploadsDir = join(dir, bucket, '._S3rver_uploads');

  // -- credential checks ---------------------------------------------------------------------

  function checkIssued(keyId: string, token: string | undefined): IssuedRecord {
    const rec = issued.get(keyId);
    if (!rec) {
      throw new GateError(403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.');
    }
    if (Date.now() >= rec.expiresAt) {
      stats.rejectedExpired++;
      throw new GateError(403, 'ExpiredToken', 'The provided token has expired.');
    }
    if (token !== rec.sessionToken) {
      throw new GateError(403, 'InvalidToken', 'The provided token is malformed or otherwise invalid.');
    }
    return rec;
  }

  function checkScope(rec: IssuedRecord, method: string, key: string | undefined, q: URLSearchParams): void {
    if (!rec.scope) return;
    const write = method === 'PUT' || method === 'POST' || method === 'DELETE';
    const read = rec.scope.readPaths ?? [];
    const writable = rec.scope.writePaths ?? [];
    // Bucket-level calls (listing, ListMultipartUploads) are judged by their prefix.
    const target = `${bucket}/${key ?? q.get('prefix') ?? ''}`;
    const allowed = write ? writable : [...read, ...writable];
    if (!allowed.some((p) => target.startsWith(p))) {
      throw new GateError(403, 'AccessDenied', 'Access Denied');
    }
  }

  // Expired once the current whole second is past date + expires (S3 works in seconds).
  function checkUrlExpiry(startMs: number, ttlSeconds: number): void {
    if (Math.floor(Date.now() / 1000) <= startMs / 1000 + ttlSeconds) return;
    stats.rejectedExpired++;
    const iso = (ms: number) => (Number.isFinite(ms) ? new Date(ms).toISOString().replace(/\.\d{3}/, '') : 'invalid');
    throw new GateError(403, 'AccessDenied', 'Request has expired', {
      'X-Amz-Expires': String(ttlSeconds),
      Expires: iso(startMs + ttlSeconds * 1000),
      ServerTime: iso(Date.now()),
    });
  }

  function checkPresigned(method: string, decodedPath: string, q: URLSearchParams): void {
    const sig = q.get('X-Amz-Signature') ?? '';
    const expected = createHmac('sha256', gateSecret).update(presignCanonical(method, decodedPath, q)).digest('hex');
    if (sig.length !== expected.length || sig !== expected) {
      throw new GateError(
        403,
        'SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
      );
    }
    const start = parseAmzDate(q.get('X-Amz-Date') ?? '');
    const ttl = Number(q.get('X-Amz-Expires'));
    checkUrlExpiry(start, ttl);
  }

  /**
   * Authorise one request and return the path+query to send upstream (or null when the gate
   * answers itself). Throws GateError with S3's code and status.
   */
  function authorise(req: http.IncomingMessage, url: URL, key: string | undefined): { upstreamPath: string; headers: http.OutgoingHttpHeaders } {
    const q = url.searchParams;
    const headers: http.OutgoingHttpHeaders = { ...req.headers, host: upstreamHost };
    delete headers['x-amz-security-token'];
    const auth = req.headers.authorization;
    const method = req.method ?? 'GET';
    if (auth) {
      const m = /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\//.exec(auth);
      if (!m) throw new GateError(400, 'AuthorizationHeaderMalformed', 'The authorization header is malformed.');
      const token = req.headers['x-amz-security-token'];
      const rec = checkIssued(m[1]!, Array.isArray(token) ? token[0] : token);
      checkScope(rec, method, key, q);
      headers.authorization = auth.replace(/Credential=[^/,\s]+\//, `Credential=${S3RVER_KEY}/`);
      return { upstreamPath: url.pathname + url.search, headers };
    }
    const cred = q.get('X-Amz-Credential');
    if (cred) {
      if (q.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256') {
        throw new GateError(400, 'AuthorizationQueryParametersError', 'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"');
      }
      const keyId = cred.split('/')[0]!;
      if (keyId === PRESIGN_KEY_ID) {
        checkPresigned(method, decodeURIComponent(url.pathname), q);
      } else {
        // A URL pre-signed by a client with issued STS credentials.
        const rec = checkIssued(keyId, q.get('X-Amz-Security-Token') ?? undefined);
        checkScope(rec, method, key, q);
        checkUrlExpiry(parseAmzDate(q.get('X-Amz-Date') ?? ''), Number(q.get('X-Amz-Expires')));
      }
      // Forward anonymously: s3rver needs no signature and must not see our query auth.
      const rest = new URLSearchParams();
      for (const [k, v] of q) if (!k.startsWith('X-Amz-') || k.toLowerCase().startsWith('x-amz-checksum')) rest.append(k, v);
      const qs = rest.toString();
      return { upstreamPath: url.pathname + (qs ? `?${qs}` : ''), headers };
    }
    throw new GateError(403, 'AccessDenied', 'Access Denied');
  }

  // -- the multipart calls s3rver lacks ------------------------------------------------------

  async function listUploads(): Promise<Array<{ key: string; uploadId: string }>> {
    let ids: string[];
    try {
      ids = await readdir(uploadsDir);
    } catch {
      return [];
    }
    const out: Array<{ key: string; uploadId: string }> = [];
    for (const uploadId of ids) {
      try {
        out.push({ key: (await readFile(join(uploadsDir, uploadId, 'key'))).toString(), uploadId });
      } catch {
        // completed or aborted while we looked
      }
    }
    return out;
  }

  async function abortUpload(res: http.ServerResponse, uploadId: string): Promise<void> {
    if (!/^[0-9a-f]+$/.test(uploadId) || !(await listUploads()).some((u) => u.uploadId === uploadId)) {
      sendError(res, 'DELETE', new GateError(404, 'NoSuchUpload', 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.'));
      return;
    }
    await rm(join(uploadsDir, uploadId), { recursive: true, force: true });
    res.writeHead(204).end();
  }

  // ListParts from the store: only parts whose upload finished (s3rver writes `N.md5` last).
  async function answerListParts(res: http.ServerResponse, key: string, q: URLSearchParams): Promise<void> {
    const uploadId = q.get('uploadId') ?? '';
    const upload = (await listUploads()).find((u) => u.uploadId === uploadId && /^[0-9a-f]+$/.test(uploadId));
    if (!upload || upload.key !== key) {
      sendError(res, 'GET', new GateError(404, 'NoSuchUpload', 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.'));
      return;
    }
    const marker = Number(q.get('part-number-marker') ?? 0) || 0;
    const maxParts = Math.min(1000, Number(q.get('max-parts') ?? 1000) || 1000);
    const names = await readdir(join(uploadsDir, uploadId)).catch(() => [] as string[]);
    const numbers = names
      .filter((n) => /^\d+\.md5$/.test(n))
      .map((n) => Number(n.slice(0, -4)))
      .filter((n) => n > marker)
      .sort((a, b) => a - b);
    const page = numbers.slice(0, maxParts);
    const parts: string[] = [];
    for (const n of page) {
      const md5 = (await readFile(join(uploadsDir, uploadId, `${n}.md5`))).toString().trim();
      const st = await stat(join(uploadsDir, uploadId, String(n)));
      parts.push(
        `<Part><PartNumber>${n}</PartNumber><LastModified>${st.mtime.toISOString()}</LastModified><ETag>"${md5}"</ETag><Size>${st.size}</Size></Part>`,
      );
    }
    const truncated = numbers.length > page.length;
    const body =
      `<?xml version="1.0" encoding="UTF-8"?>\n<ListPartsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
      `<Bucket>${xmlEscape(bucket)}</Bucket><Key>${xmlEscape(key)}</Key><UploadId>${uploadId}</UploadId>` +
      `<PartNumberMarker>${marker}</PartNumberMarker><NextPartNumberMarker>${page.at(-1) ?? marker}</NextPartNumberMarker>` +
      `<MaxParts>${maxParts}</MaxParts><IsTruncated>${truncated}</IsTruncated><StorageClass>STANDARD</StorageClass>${parts.join('')}</ListPartsResult>`;
    res.writeHead(200, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) }).end(body);
  }

  async function answerListUploads(res: http.ServerResponse): Promise<void> {
    const uploads = await listUploads();
    const body =
      `<?xml version="1.0" encoding="UTF-8"?>\n<ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
      `<Bucket>${xmlEscape(bucket)}</Bucket><KeyMarker></KeyMarker><UploadIdMarker></UploadIdMarker><MaxUploads>1000</MaxUploads><IsTruncated>false</IsTruncated>` +
      uploads.map((u) => `<Upload><Key>${xmlEscape(u.key)}</Key><UploadId>${u.uploadId}</UploadId></Upload>`).join('') +
      `</ListMultipartUploadsResult>`;
    res.writeHead(200, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) }).end(body);
  }

  // -- the gate ------------------------------------------------------------------------------

  function sendError(res: http.ServerResponse, method: string, err: GateError): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const body = errorXml(err.s3Code, err.message, err.extra);
    res.writeHead(err.status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
    res.end(method === 'HEAD' ? undefined : body);
  }

  // Fault counters; assigning `faults.failAfterRequests` (any value) restarts them.
  const failState = { after: undefined as number | undefined, passesLeft: 0, failuresDone: 0 };
  // Decide whether fault injection fails this request.
  function shouldFail(method: string): boolean {
    if (failState.after === undefined) return false;
    if (failState.passesLeft > 0) {
      failState.passesLeft--;
      return false;
    }
    if (!faults.failAllMethods && method !== 'PUT' && method !== 'POST') return false;
    if (faults.failCount !== undefined && failState.failuresDone >= faults.failCount) return false;
    failState.failuresDone++;
    return true;
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    stats.requests++;
    const method = req.method ?? 'GET';
    if (state.down) {
      req.socket.destroy();
      return;
    }
    if (shouldFail(method)) {
      stats.failed++;
      if (faults.failMode === 'reset') {
        req.socket.destroy();
      } else {
        req.resume();
        sendError(res, method, new GateError(503, 'SlowDown', 'Please reduce your request rate.'));
      }
      return;
    }
    const url = new URL(req.url ?? '/', 'http://gate');
    const segments = url.pathname.split('/').slice(1);
    const reqBucket = decodeURIComponent(segments[0] ?? '');
    // `/bucket` and `/bucket/` are both bucket-level calls.
    const key = segments.length > 1 && segments.slice(1).join('/') !== '' ? segments.slice(1).map(decodeURIComponent).join('/') : undefined;
    try {
      if (reqBucket !== bucket) throw new GateError(404, 'NoSuchBucket', 'The specified bucket does not exist');
      const { upstreamPath, headers } = authorise(req, url, key);
      const enc = String(req.headers['content-encoding'] ?? '');
      const sha = String(req.headers['x-amz-content-sha256'] ?? '');
      if (enc.includes('aws-chunked') || sha.startsWith('STREAMING-')) {
        // s3rver would store the chunk framing as data; refuse loudly instead.
        throw new GateError(
          501,
          'NotImplemented',
          "aws-chunked bodies are not supported by the test S3 gate: set requestChecksumCalculation: 'WHEN_REQUIRED'",
        );
      }
      if (method === 'PUT' && req.headers['content-length'] === undefined) {
        throw new GateError(411, 'MissingContentLength', 'You must provide the Content-Length HTTP header.');
      }
      if (method === 'DELETE' && key !== undefined && url.searchParams.has('uploadId')) {
        req.resume();
        await abortUpload(res, url.searchParams.get('uploadId')!);
        return;
      }
      if (method === 'GET' && key !== undefined && url.searchParams.has('uploadId')) {
        req.resume();
        await answerListParts(res, key, url.searchParams);
        return;
      }
      if (method === 'GET' && key === undefined && url.searchParams.has('uploads')) {
        req.resume();
        await answerListUploads(res);
        return;
      }
      forward(req, res, method, upstreamPath, headers);
    } catch (err) {
      req.resume();
      if (err instanceof GateError) sendError(res, method, err);
      else sendError(res, method, new GateError(500, 'InternalError', 'We encountered an internal error. Please try again.'));
    }
  }

  // Stream the request to s3rver and its answer back, without buffering either way.
  function forward(req: http.IncomingMessage, res: http.ServerResponse, method: string, path: string, headers: http.OutgoingHttpHeaders): void {
    const up = http.request({ host: '127.0.0.1', port: upstreamPort, method, path, headers, agent }, (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.statusMessage, upRes.headers);
      upRes.pipe(res);
      upRes.on('error', () => res.destroy());
    });
    up.on('error', () => {
      if (!res.headersSent) sendError(res, method, new GateError(502, 'InternalError', 'upstream S3 failed'));
      else res.destroy();
    });
    req.on('aborted', () => up.destroy());
    res.on('close', () => {
      if (!res.writableFinished) up.destroy();
    });
    if (method === 'PUT' || method === 'POST') req.on('data', (c: Buffer) => (stats.putBytes += c.length));
    req.pipe(up);
  }

  const sockets = new Set<Socket>();
  const gate = http.createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  gate.on('connection', (s) => {
    if (state.down) {
      s.destroy();
      return;
    }
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => gate.listen(0, '127.0.0.1', resolve));
  const gatePort = (gate.address() as AddressInfo).port;

  // `down` is a live switch: true closes the listener (connections are refused) and drops
  // open sockets; false listens again on the same port.
  const state = { down: false };
  let transition: Promise<void> = Promise.resolve();
  const faults: S3Faults = {
    get failAfterRequests() {
      return failState.after;
    },
    set failAfterRequests(v: number | undefined) {
      failState.after = v;
      failState.passesLeft = v ?? 0;
      failState.failuresDone = 0;
    },
    get down() {
      return state.down;
    },
    set down(v: boolean | undefined) {
      const want = Boolean(v);
      if (want === state.down) return;
      state.down = want;
      transition = transition.then(
        () =>
          new Promise<void>((resolve, reject) => {
            if (want) {
              gate.close(() => resolve());
              for (const s of sockets) s.destroy();
              agent.destroy();
            } else {
              // The freed port may have been taken meanwhile: a failed settled(), not a crash.
              const failed = (err: Error) => reject(new Error(`the S3 gate could not listen on port ${gatePort} again: ${err.message}`));
              gate.once('error', failed);
              gate.listen(gatePort, '127.0.0.1', () => {
                gate.off('error', failed);
                resolve();
              });
            }
          }),
      );
      // Handled here so a failure is reported by settled()/close(), never as unhandled.
      transition.catch(() => undefined);
    },
    settled: () => transition,
  } as S3Faults;

  function direct(method: string, key: string, body?: Buffer, extraHeaders: http.OutgoingHttpHeaders = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const r = http.request(
        {
          host: '127.0.0.1',
          port: upstreamPort,
          method,
          path: key === '' ? `/${bucket}` : objectPath(bucket, key),
          headers: body ? { 'content-length': body.length, ...extraHeaders } : extraHeaders,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
          res.on('error', reject);
        },
      );
      r.on('error', reject);
      r.end(body);
    });
  }

  function directList(prefix: string): Promise<Array<{ key: string; size: number; lastModified: Date }>> {
    return new Promise((resolve, reject) => {
      const path = `/${bucket}?list-type=2&prefix=${encodeURIComponent(prefix)}&max-keys=1000`;
      http
        .get({ host: '127.0.0.1', port: upstreamPort, path }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const xml = Buffer.concat(chunks).toString();
            const out: Array<{ key: string; size: number; lastModified: Date }> = [];
            for (const m of xml.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)) {
              const c = m[1]!;
              const k = /<Key>([\s\S]*?)<\/Key>/.exec(c)?.[1] ?? '';
              out.push({
                key: k.replace(/&lt;|&gt;|&amp;|&apos;|&quot;/g, (e) => ({ '&lt;': '<', '&gt;': '>', '&amp;': '&', '&apos;': "'", '&quot;': '"' })[e]!),
                size: Number(/<Size>(\d+)<\/Size>/.exec(c)?.[1] ?? 0),
                lastModified: new Date(/<LastModified>([^<]+)<\/LastModified>/.exec(c)?.[1] ?? 0),
              });
            }
            resolve(out);
          });
        })
        .on('error', reject);
    });
  }

  const endpoint = `http://127.0.0.1:${gatePort}`;
  return {
    endpoint,
    bucket,
    region: REGION,
    directEndpoint: `http://127.0.0.1:${upstreamPort}`,
    stats,
    faults,
    issueCredentials(ttlSeconds, scope) {
      const accessKeyId = `ASIA${randomAlnum(16)}`;
      const secretAccessKey = randomAlnum(40, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789');
      const sessionToken = `FwoGZXIvYXdz${randomBytes(96).toString('base64')}`;
      const expiresAt = Date.now() + ttlSeconds * 1000;
      issued.set(accessKeyId, { secretAccessKey, sessionToken, expiresAt, scope });
      return { accessKeyId, secretAccessKey, sessionToken, expiration: new Date(expiresAt).toISOString() };
    },
    presign(method, key, ttlSeconds) {
      const now = new Date();
      const date = amzDate(now);
      const path = objectPath(bucket, key);
      const q = new URLSearchParams();
      q.set('X-Amz-Algorithm', 'AWS4-HMAC-SHA256');
      q.set('X-Amz-Credential', `${PRESIGN_KEY_ID}/${date.slice(0, 8)}/${REGION}/s3/aws4_request`);
      q.set('X-Amz-Date', date);
      q.set('X-Amz-Expires', String(ttlSeconds));
      q.set('X-Amz-Security-Token', `FwoGZXIvYXdz${randomBytes(48).toString('base64')}`);
      q.set('X-Amz-SignedHeaders', 'host');
      q.set('X-Amz-Signature', createHmac('sha256', gateSecret).update(presignCanonical(method, decodeURIComponent(path), q)).digest('hex'));
      return `${endpoint}${path}?${q.toString()}`;
    },
    async getObject(key) {
      const r = await direct('GET', key);
      if (r.status === 404) return undefined;
      if (r.status !== 200) throw new Error(`s3rver GET ${key}: HTTP ${r.status}`);
      return r.body;
    },
    async putObject(key, body) {
      const r = await direct('PUT', key, body, { 'content-type': 'application/octet-stream' });
      if (r.status !== 200) throw new Error(`s3rver PUT ${key}: HTTP ${r.status} ${r.body.toString()}`);
    },
    async headObject(key) {
      const r = await direct('HEAD', key);
      if (r.status !== 200) return undefined;
      return { size: Number(r.headers['content-length']), lastModified: new Date(String(r.headers['last-modified'])) };
    },
    async copyObject(fromKey, toKey) {
      const r = await direct('PUT', toKey, undefined, { 'x-amz-copy-source': encodeURI(`/${bucket}/${fromKey}`) });
      if (r.status !== 200) throw new Error(`s3rver COPY ${fromKey} -> ${toKey}: HTTP ${r.status} ${r.body.toString()}`);
    },
    listObjects: directList,
    listMultipartUploads: listUploads,
    async close() {
      await transition.catch(() => undefined);
      gate.closeAllConnections();
      await new Promise<void>((resolve) => (gate.listening ? gate.close(() => resolve()) : resolve()));
      agent.destroy();
      await srv.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

