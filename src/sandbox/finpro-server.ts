// A FinPro File Upload API test server on node:http, faithful to
// /work/shared/seeds/finpro-file-upload-api.txt: a POST with the four identity headers, a
// multipart body parsed with busboy, CSV/JSON only, a 10 MB cap, reference IDs unique and
// 5–60 `[A-Za-z0-9_-]` (`tracking_id` alias, `reference_id` preferred), `global_config` or
// `globalConfig` as JSON or a JSON string, the documented JSON replies and status codes.
// The document names no URL path, no header names and no file field: those are constructor
// options (`uploadPath`, `headerNames`, `fileField`) whose defaults are batchprep's defaults,
// so a test can run the server with other values and prove the client follows its settings.
// Faults are queued and each consumed by one upload request, so a test can script
// "503, then 429, then normal". `batchprep sandbox` mounts the same handler (createFinProApp)
// on its own port, so the tests and the sandbox cannot drift apart.
import { createHash, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import busboy from 'busboy';

/** Default upload path (an assumption: the document names none). */
export const UPLOAD_PATH = '/fi/requests/schedule/upload/v3';

/** The identity headers' names (the document describes them, does not name them). */
export interface FinProServerHeaderNames {
  clientId: string;
  clientSecret: string;
  appId: string;
  orgId: string;
}

/** Default header names (assumptions, the same as the client's defaults). */
export const DEFAULT_SERVER_HEADER_NAMES: FinProServerHeaderNames = {
  clientId: 'client_id',
  clientSecret: 'client_secret',
  appId: 'appIdentifier',
  orgId: 'organisationId',
};

/** Credentials the server accepts unless told otherwise. */
export const TEST_CREDENTIALS = {
  clientId: 'test-client-id',
  clientSecret: 'S3cr3t-finpro-client-secret-value',
  appId: 'test-app',
  orgId: 'org-0042',
};

export type FinProFault =
  /** Reply with this 5xx (500, 503) and a documented JSON error body; `retryAfter` sets Retry-After. */
  | { kind: 'status'; status: number; retryAfter?: string }
  /** 429 with Retry-After (seconds or an HTTP date). */
  | { kind: 'rateLimit'; retryAfter: string }
  /** 502 with an HTML body (a gateway, not FinPro). */
  | { kind: 'badGateway' }
  /** Process the upload normally (the batch lands), then wait `delayMs` before replying. */
  | { kind: 'slow'; delayMs: number }
  /** Destroy the connection after `afterBytes` bytes of the request body (nothing lands). */
  | { kind: 'reset'; afterBytes?: number }
  /** Process and accept the upload (the batch lands), then drop the connection without a reply. */
  | { kind: 'dropReply' }
  /** Reply 200 with a body that is not the documented shape. */
  | { kind: 'garbage'; body: string; status?: number };

export interface ReceivedUpload {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  /** Non-file form fields, as sent. */
  fields: Record<string, string>;
  file?: { field: string; name: string; mimeType: string; bytes: number; sha256: string };
  /** The status answered (0 when the connection was dropped). */
  status: number;
  errorCode?: string;
  fault?: FinProFault['kind'];
}

export interface StoredBatch {
  referenceId: string;
  batchId: string;
  fileName: string;
  bytes: number;
  sha256: string;
  rows: number;
  globalConfig?: Record<string, unknown>;
  single: Record<string, string>;
}

export interface FinProServerOptions {
  /** The credentials the four headers must carry. @default TEST_CREDENTIALS */
  credentials?: typeof TEST_CREDENTIALS;
  /** The size cap. @default 10485760 */
  maxBytes?: number;
  /** The path uploads are POSTed to; any other path is 404. @default UPLOAD_PATH */
  uploadPath?: string;
  /** Names of the four identity headers (case-insensitive, as in HTTP). @default DEFAULT_SERVER_HEADER_NAMES */
  headerNames?: Partial<FinProServerHeaderNames>;
  /** The multipart field that must carry the file. @default 'file' */
  fileField?: string;
}

/** The server's behaviour without its socket: the sandbox mounts it on its own port. */
export interface FinProApp {
  /** The path uploads are POSTed to. */
  uploadPath: string;
  /** Faults to apply, one per upload request, in order. Push to it; it is consumed. */
  faults: FinProFault[];
  /** Every upload request seen, in order. */
  received: ReceivedUpload[];
  /** Batches accepted, by reference ID. */
  batches: Map<string, StoredBatch>;
  /** Forget faults, requests and batches. */
  reset(): void;
  /** Answers one request (any path other than the upload path is 404). */
  handle(req: http.IncomingMessage, res: http.ServerResponse): void;
  /** Cancels replies still waiting on a `slow` fault. */
  close(): void;
}

export interface FinProServer extends Omit<FinProApp, 'close'> {
  /** Base URL, e.g. `http://127.0.0.1:43121` (no trailing slash). */
  url: string;
  close(): Promise<void>;
}

const REFERENCE_ID = /^[A-Za-z0-9_-]{5,60}$/;
const ACCEPTED_TYPES = ['application/json', 'text/csv'];

function envelope(): { ver: string; timestamp: string; txnid: string } {
  return { ver: '1.0', timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'), txnid: randomUUID() };
}

interface Reply {
  status: number;
  body: string;
  headers: Record<string, string>;
  errorCode?: string;
}

function jsonReply(status: number, body: Record<string, unknown>, headers: Record<string, string> = {}): Reply {
  return {
    status,
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...headers },
    errorCode: typeof body.errorCode === 'string' ? body.errorCode : undefined,
  };
}

function errorReply(status: number, errorCode: string, errorMsg: string, errorDetails?: unknown, headers?: Record<string, string>): Reply {
  return jsonReply(status, { ...envelope(), errorCode, errorMsg, ...(errorDetails === undefined ? {} : { errorDetails }) }, headers);
}

/** What the real service checks in the content: UTF-8, CSV header with consentId, JSON array shape. Returns rows or a reason. */
function checkContent(data: Buffer, isJson: boolean): { rows: number } | { reason: string } {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(data);
  } catch {
    return { reason: 'file is not valid UTF-8' };
  }
  if (isJson) {
    let doc: unknown;
    try {
      doc = JSON.parse(text.replace(/^\uFEFF/, ''));
    } catch (err) {
      return { reason: `malformed JSON: ${(err as Error).message}` };
    }
    const list = Array.isArray(doc) ? doc : (doc as { consents_list?: unknown })?.consents_list;
    if (!Array.isArray(list)) return { reason: 'expected an array or an object with a consents_list array' };
    if (list.length === 0) return { reason: 'no consents in the file' };
    for (const [i, row] of list.entries()) {
      const r = row as Record<string, unknown>;
      if (typeof r !== 'object' || r === null || (typeof r.consentId !== 'string' && typeof r.consent_id !== 'string')) {
        return { reason: `row ${i + 1} has no consentId` };
      }
    }
    return { rows: list.length };
  }
  if (text.startsWith('\uFEFF')) return { reason: 'CSV must not start with a BOM' };
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length === 0) return { reason: 'empty file' };
  const header = lines[0]!.split(',').map((h) => h.trim().replace(/^"|"$/g, ''));
  if (!header.includes('consentId')) return { reason: 'header row has no consentId column' };
  if (lines.length < 2) return { reason: 'no data rows' };
  return { rows: lines.length - 1 };
}

/** Parses a global_config value: a JSON object, or a JSON string holding one. */
function parseGlobalConfig(raw: string): Record<string, unknown> | undefined {
  try {
    let v: unknown = JSON.parse(raw);
    if (typeof v === 'string') v = JSON.parse(v);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The FinPro upload endpoint as a request handler. */
export function createFinProApp(options: FinProServerOptions = {}): FinProApp {
  const creds = options.credentials ?? TEST_CREDENTIALS;
  const maxBytes = options.maxBytes ?? 10_485_760;
  const uploadPath = options.uploadPath ?? UPLOAD_PATH;
  const headerNames = { ...DEFAULT_SERVER_HEADER_NAMES, ...options.headerNames };
  const fileField = options.fileField ?? 'file';
  const faults: FinProFault[] = [];
  const received: ReceivedUpload[] = [];
  const batches = new Map<string, StoredBatch>();
  const timers = new Set<NodeJS.Timeout>();

  const handle = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'POST' || path !== uploadPath) {
      req.resume();
      const r = errorReply(404, 'NotFound', `no route for ${req.method} ${path}`);
      res.writeHead(r.status, r.headers).end(r.body);
      return;
    }
    const fault = faults.shift();
    const record: ReceivedUpload = { method: req.method, path, headers: req.headers, fields: {}, status: 0, fault: fault?.kind };
    received.push(record);

    if (fault?.kind === 'reset') {
      let seen = 0;
      const limit = fault.afterBytes ?? 1024;
      req.on('data', (chunk: Buffer) => {
        seen += chunk.length;
        if (seen >= limit) req.socket.destroy();
      });
      req.on('end', () => req.socket.destroy());
      req.on('error', () => {});
      return;
    }

    const send = (r: Reply) => {
      record.status = r.status;
      record.errorCode = r.errorCode;
      if (fault?.kind === 'dropReply') {
        record.status = 0;
        req.socket.destroy();
        return;
      }
      const write = () => {
        if (!res.destroyed) res.writeHead(r.status, r.headers).end(r.body);
      };
      if (fault?.kind === 'slow') {
        const t = setTimeout(() => {
          timers.delete(t);
          write();
        }, fault.delayMs);
        timers.add(t);
      } else write();
    };

    // Faults that answer without judging the upload: read the body first (recording its fields)
    // so the client sees the reply rather than a broken pipe.
    const early = earlyFaultReply(fault);
    if (early) {
      parseUpload(req, record, maxBytes, fileField)
        .then(
          () => send(early),
          () => send(early),
        )
        .catch(() => res.destroy());
      return;
    }

    const auth = checkAuth(req.headers, creds, headerNames);
    if (auth) {
      req.resume();
      req.on('end', () => send(auth));
      return;
    }
    const type = req.headers['content-type'] ?? '';
    if (!/^multipart\/form-data\s*;/i.test(type)) {
      req.resume();
      req.on('end', () => send(errorReply(400, 'InvalidRequest', 'Content-Type must be multipart/form-data')));
      return;
    }
    parseUpload(req, record, maxBytes, fileField)
      .then(
        (upload) => send(decide(upload)),
        (err: Error) => {
          if (!req.socket.destroyed) send(errorReply(400, 'InvalidRequest', `malformed multipart body: ${err.message}`));
        },
      )
      // A server bug answers as a dropped connection, never as an unhandled rejection.
      .catch(() => res.destroy());
  };

  /** Decides the documented reply for a fully received upload, and stores the batch on success. */
  function decide(upload: ParsedUpload): Reply {
    const { fields, file } = upload;
    if (!file) return errorReply(400, 'InvalidRequest', `the file field '${fileField}' is required`);
    const ext = (file.name.match(/\.[^.]+$/)?.[0] ?? '').toLowerCase();
    const typeOk = ACCEPTED_TYPES.includes(file.mimeType) || ((file.mimeType === 'application/octet-stream' || file.mimeType === 'text/plain') && (ext === '.csv' || ext === '.json'));
    if (!typeOk || (ext !== '' && ext !== '.csv' && ext !== '.json')) {
      return errorReply(400, 'UnsupportedFileType', 'Only JSON or CSV files are accepted', { providedType: file.mimeType, acceptedTypes: ACCEPTED_TYPES });
    }
    if (file.bytes > maxBytes) {
      return errorReply(413, 'FileTooLarge', 'File size exceeds maximum allowed', {
        providedSize: file.bytes,
        maxSize: maxBytes,
        maxSizeMB: Math.round((maxBytes / 1_048_576) * 100) / 100,
      });
    }
    const givenRef = fields.reference_id ?? fields.tracking_id;
    if (givenRef !== undefined && !REFERENCE_ID.test(givenRef)) {
      return errorReply(400, 'InvalidReferenceId', 'reference_id must be 5-60 characters of letters, digits, hyphens and underscores');
    }
    const rawConfig = fields.global_config ?? fields.globalConfig;
    let globalConfig: Record<string, unknown> | undefined;
    if (rawConfig !== undefined) {
      globalConfig = parseGlobalConfig(rawConfig);
      if (!globalConfig) return errorReply(400, 'InvalidGlobalConfig', 'global_config must be a JSON object or a JSON string of one');
    }
    const isJson = file.mimeType === 'application/json' || ext === '.json';
    const content = checkContent(file.data, isJson);
    if ('reason' in content) {
      return errorReply(400, 'InvalidFileContent', 'The file content could not be parsed', { reason: content.reason });
    }
    const referenceId = givenRef ?? `srv-${randomUUID().slice(0, 18)}`;
    if (batches.has(referenceId)) {
      return errorReply(409, 'DuplicateReferenceId', `reference_id '${referenceId}' already exists`);
    }
    const single: Record<string, string> = {};
    for (const k of ['fiDataRangeFrom', 'fiDataRangeTo', 'configId']) if (fields[k] !== undefined) single[k] = fields[k]!;
    const batch: StoredBatch = {
      referenceId,
      batchId: randomUUID(),
      fileName: file.name,
      bytes: file.bytes,
      sha256: file.sha256,
      rows: content.rows,
      globalConfig,
      single,
    };
    batches.set(referenceId, batch);
    return jsonReply(200, {
      ...envelope(),
      status: 'success',
      message: 'File uploaded successfully',
      data: { reference_id: referenceId, batch_id: batch.batchId, storage_type: 'database', status: 'FILE_UPLOADED' },
    });
  }

  return {
    uploadPath,
    handle,
    faults,
    received,
    batches,
    reset() {
      faults.length = 0;
      received.length = 0;
      batches.clear();
    },
    close() {
      for (const t of timers) clearTimeout(t);
    },
  };
}

/** Starts the server on 127.0.0.1, port 0. */
export async function startFinProServer(options: FinProServerOptions = {}): Promise<FinProServer> {
  const app = createFinProApp(options);
  const sockets = new Set<Socket>();
  const server = http.createServer(app.handle);
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    ...app,
    url: `http://127.0.0.1:${port}`,
    async close() {
      app.close();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function earlyFaultReply(fault: FinProFault | undefined): Reply | undefined {
  switch (fault?.kind) {
    case 'status':
      return errorReply(fault.status, fault.status === 503 ? 'ServiceUnavailable' : 'InternalServerError', 'The service could not process the request', undefined, fault.retryAfter ? { 'retry-after': fault.retryAfter } : {});
    case 'rateLimit':
      return errorReply(429, 'TooManyRequests', 'Rate limit exceeded', undefined, { 'retry-after': fault.retryAfter });
    case 'badGateway':
      return { status: 502, body: '<html><body><h1>502 Bad Gateway</h1></body></html>', headers: { 'content-type': 'text/html' } };
    case 'garbage':
      return { status: fault.status ?? 200, body: fault.body, headers: { 'content-type': 'application/json' } };
    default:
      return undefined;
  }
}

/** The four identity headers, under the configured names: a missing or wrong one is 401, a wrong organisation 403. */
function checkAuth(h: http.IncomingHttpHeaders, creds: typeof TEST_CREDENTIALS, names: FinProServerHeaderNames): Reply | undefined {
  const value = (key: keyof FinProServerHeaderNames) => h[names[key].toLowerCase()];
  for (const key of ['clientId', 'clientSecret', 'appId', 'orgId'] as const) {
    const v = value(key);
    if (typeof v !== 'string' || v === '') {
      return errorReply(401, 'Unauthorized', `missing authentication header ${names[key]}`);
    }
  }
  if (value('clientId') !== creds.clientId || value('clientSecret') !== creds.clientSecret || value('appId') !== creds.appId) {
    return errorReply(401, 'Unauthorized', 'invalid client credentials');
  }
  if (value('orgId') !== creds.orgId) return errorReply(403, 'Forbidden', 'the client is not allowed for this organisation');
  return undefined;
}

interface ParsedUpload {
  fields: Record<string, string>;
  file?: { name: string; mimeType: string; bytes: number; sha256: string; data: Buffer };
}

/** Parses the multipart body with busboy; keeps at most `maxBytes + 1` bytes of the file but counts and hashes all. */
function parseUpload(req: http.IncomingMessage, record: ReceivedUpload, maxBytes: number, fileField: string): Promise<ParsedUpload> {
  return new Promise((resolve, reject) => {
    const out: ParsedUpload = { fields: {} };
    let bb: busboy.Busboy;
    try {
      // Parameters as browsers send them: raw UTF-8 file names.
      bb = busboy({ headers: req.headers, defParamCharset: 'utf8', limits: { fieldSize: 64 * 1024, files: 1 } });
    } catch (err) {
      req.resume();
      reject(err as Error);
      return;
    }
    let pending = 0;
    let finished = false;
    const maybeDone = () => {
      if (finished && pending === 0) resolve(out);
    };
    bb.on('field', (name, value) => {
      out.fields[name] = value;
      record.fields[name] = value;
    });
    bb.on('file', (field, stream, info) => {
      // busboy destroys a file stream whose body ends mid-part: that is a malformed body.
      stream.on('error', (err: Error) => reject(err));
      if (field !== fileField || out.file) {
        stream.resume();
        return;
      }
      pending++;
      const hash = createHash('sha256');
      const kept: Buffer[] = [];
      let bytes = 0;
      stream.on('data', (chunk: Buffer) => {
        if (bytes <= maxBytes) kept.push(chunk);
        bytes += chunk.length;
        hash.update(chunk);
      });
      stream.on('end', () => {
        const sha256 = hash.digest('hex');
        out.file = { name: info.filename ?? '', mimeType: info.mimeType, bytes, sha256, data: Buffer.concat(kept) };
        record.file = { field, name: out.file.name, mimeType: info.mimeType, bytes, sha256 };
        pending--;
        maybeDone();
      });
    });
    bb.on('close', () => {
      finished = true;
      maybeDone();
    });
    bb.on('error', (err: Error) => reject(err));
    req.on('aborted', () => reject(new Error('client aborted')));
    req.pipe(bb);
  });
}
