// The FINRA fileX REST API and the FIP OAuth2 token endpoint, on node:http, following
// /work/shared/seeds/finra-filex-transfer-guide.txt: directory documents, pre-signed
// download/upload URLs (from the object store: the tests' S3 harness or one of the sandbox's
// stores), S3TransferTokens (when the store is S3), and the tracking
// lifecycle (Request Received → Received by FINRA/RECEIVED → ACCEPTED|REJECTED|...).
// Fault switches let tests expire tokens, shorten URL lifetimes, list hostile names and fail.
// Where the guide is silent (token shape and expiration format, feedback file names, OBO
// orgs), the behaviour is an option, so tests can run a non-default setting.
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ObjectStore } from './object-store.js';

export type DownstreamStatus = 'RECEIVED' | 'ACCEPTED' | 'REJECTED' | 'PARTIALLY_REJECTED';

/** One element of the `/tracking` array, exactly the guide's fields. */
export interface TrackingRecord {
  trackingId: string;
  submissionTime: string | null;
  userName: string;
  fileName: string;
  status: 'Request Received' | 'Received by FINRA';
  downstreamStatus: DownstreamStatus | null;
  statusUpdatedTime: string;
  fileSize: number;
  uploadLocation: string;
  applicationName: string;
  applicationSpaceName: string;
  arcvFileName: string | null;
  downloadable: boolean;
  _links: Array<{ rel: string; href: string }>;
}

export interface FilexServerOptions {
  /** Where the files live and who signs their URLs. */
  store: ObjectStore;
  /** @default 'filexuser1' */
  username?: string;
  /** @default 'filex-secret-pass' */
  password?: string;
  /** @default '0001' */
  orgId?: string;
  /** @default 'app1' */
  application?: string;
  /** FIP token lifetime (expires_in). @default 3600 */
  accessTokenTtlSeconds?: number;
  /** S3TransferTokens credential lifetime. @default 3600 */
  stsTtlSeconds?: number;
  /** Pre-signed URL lifetime. @default 60 */
  presignTtlSeconds?: number;
  /**
   * Profile orgs the user may act for On Behalf Of (guide, "Using On Behalf Of"), each with
   * the same application and spaces as `orgId`; listed beside it under `/files`. @default []
   */
  oboOrgs?: string[];
  /**
   * Where the S3TransferTokens keys go: `nested` under `credentials` (the guide's sample) or
   * `top-level` (the guide's attribute table). @default 'nested'
   */
  stsShape?: 'nested' | 'top-level';
  /** `expiration` of S3TransferTokens: a fileX time, absent, or unreadable text (the guide is silent on its format). @default 'present' */
  stsExpiration?: 'present' | 'missing' | 'unreadable';
  /**
   * Name of the feedback file FINRA leaves in `out` when a submission is decided (the guide
   * names a "File Feedback" download but no file name). @default `FEEDBACK_<yyyymmdd>.txt`
   */
  feedbackName?: (fileName: string, decidedAt: Date) => string;
  /**
   * The verdict FINRA reaches for a submitted file (the guide lists ACCEPTED, REJECTED, ...
   * but not why); `faults.autoAccept` overrides it. @default every file ACCEPTED
   */
  verdict?: (fileName: string) => 'ACCEPTED' | 'REJECTED' | 'PARTIALLY_REJECTED';
  /** Submissions to go on with (from `FilexApp.state()` of an earlier run); links are rebuilt for this base URL. */
  state?: FilexState;
}

/** The tracking state a restarted server needs (the objects live in the store). */
export interface FilexState {
  tracking: TrackingRecord[];
  uploads: Array<Upload & { trackingId: string }>;
  uploadMetadata: Array<[string, Record<string, string>]>;
  accounted: string[];
}

export interface FilexFaults {
  /** The next bearer presented gets 401 and that token is revoked (the client must refresh). */
  expireTokensNow?: boolean;
  /** Extra FILE children listed in 'out' (e.g. '../x', '/etc/passwd', 'a/b'). */
  hostileNames?: string[];
  /** Override the pre-signed URL lifetime (e.g. 1 to force expiry). */
  presignTtlSeconds?: number;
  /** Downstream status reached `pollsToFinal` polls after the upload landed. @default 'ACCEPTED' */
  autoAccept?: 'ACCEPTED' | 'REJECTED' | 'PARTIALLY_REJECTED';
  /** @default 2 */
  pollsToFinal?: number;
  /** The next fileX request (not the token endpoint) gets 503 once. */
  status5xxOnce?: boolean;
  /** The next fileX request gets 429 with `Retry-After: <value>` once. */
  status429Once?: number;
  /** The next fileX response (not the token endpoint) is cut mid-body: headers and half the JSON, then the socket is destroyed. */
  resetMidBodyOnce?: boolean;
  /** Every response (token endpoint included) is delayed this long. */
  delayMs?: number;
  /** Listing 'out' reports this contentLength for every file instead of the real size (size-check tests). */
  lieAboutContentLength?: number;
  /** Extra children of 'out' whose `name` is not a string (an object, a number...), as a hostile server might send. */
  nonStringNames?: unknown[];
  /**
   * The next `PUT /files/...` answers this status once. 429 and 503 refuse before acting; any
   * other status is sent after the tracking record was opened (the request did reach fileX).
   */
  putStatusOnce?: number;
  /** FIP answers its next token request with this status and RFC 6749 error body once. */
  fipErrorOnce?: { status: number; error: string; error_description?: string };
}

/** The server's behaviour without its socket: the sandbox mounts it on its own port. */
export interface FilexApp {
  username: string;
  password: string;
  orgId: string;
  application: string;
  /** Puts a file into a space of `org` (default: the user's own org). */
  seedFile(space: string, name: string, content: Buffer, lastModified?: Date, org?: string): Promise<void>;
  readUploaded(space: string, name: string, org?: string): Promise<Buffer | undefined>;
  setDownstream(trackingId: string, status: DownstreamStatus): void;
  tracking: Map<string, TrackingRecord>;
  /** `filex-*` headers received with each upload request, by trackingId (names without the prefix, lower-case). */
  uploadMetadata: Map<string, Record<string, string>>;
  faults: FilexFaults;
  stats: {
    tokenRequests: number;
    /** Token requests FIP refused because they deviate from the guide's samples. */
    tokenRequestsRefused: number;
    stsRequests: number;
    requests: Array<{ method: string; path: string; headers: Record<string, string> }>;
  };
  /** Answers one request (any path; unknown ones get the guide's 404 document). */
  handle(req: http.IncomingMessage, res: http.ServerResponse): void;
  /** A copy of the tracking state, JSON-safe, for `options.state` of a later run. */
  state(): FilexState;
}

export interface FilexTestServer extends FilexApp {
  baseUrl: string;
  tokenUrl: string;
  close(): Promise<void>;
}

const SPACES: ReadonlyArray<{ name: string; writable: boolean }> = [
  { name: 'out', writable: false },
  { name: 'in', writable: true },
  { name: 'in_arcv', writable: false },
];
/** FILE_NAME (and filex-* values) as the guide lists them. */
const FILE_NAME = /^[A-Za-z0-9!@,&\-='.]+$/;
const TRACKING_ID = /^[A-Za-z0-9-]+$/;
const NINETY_DAYS_MS = 90 * 24 * 3600 * 1000;

/** Times as fileX prints them: `2025-08-04T07:30:34.000-04:00` (US Eastern daylight offset). */
export function filexTime(d: Date): string {
  return new Date(d.getTime() - 4 * 3600 * 1000).toISOString().replace('Z', '-04:00');
}

// 20250804073034 — prefix of archived copies in in_arcv.
function stamp(d: Date): string {
  return d.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** What fileX knows of one submission beside its tracking record. */
export interface Upload {
  key: string;
  space: string;
  name: string;
  createdAt: number;
  pollsSinceReceived: number;
  manual: boolean;
}

/** The fileX + FIP endpoints as a request handler whose links start with `baseUrl`. */
export function createFilexApp(options: FilexServerOptions, baseUrl: string): FilexApp {
  const store = options.store;
  const username = options.username ?? 'filexuser1';
  const password = options.password ?? 'filex-secret-pass';
  const orgId = options.orgId ?? '0001';
  const application = options.application ?? 'app1';
  const tokenTtl = options.accessTokenTtlSeconds ?? 3600;
  const stsTtl = options.stsTtlSeconds ?? 3600;
  const presignTtl = options.presignTtlSeconds ?? 60;
  const orgs = [orgId, ...(options.oboOrgs ?? [])];
  const feedbackName = options.feedbackName ?? ((_f: string, d: Date) => `FEEDBACK_${stamp(d).slice(0, 8)}.txt`);
  // `key@lastModified` of objects in an `in` space that already have a tracking record.
  const accounted = new Set<string>();

  const tokens = new Map<string, number>(); // token → expiresAt (ms)
  const tracking = new Map<string, TrackingRecord>();
  const uploads = new Map<string, Upload>();
  const uploadMetadata = new Map<string, Record<string, string>>();
  const lastModifiedOverride = new Map<string, Date>();
  const faults: FilexFaults = {};
  for (const rec of options.state?.tracking ?? []) {
    tracking.set(rec.trackingId, {
      ...rec,
      _links: [
        { rel: 'self', href: `${baseUrl}/tracking?id=${rec.trackingId}` },
        { rel: 'parent', href: `${baseUrl}/tracking` },
      ],
    });
  }
  for (const { trackingId, ...up } of options.state?.uploads ?? []) if (tracking.has(trackingId)) uploads.set(trackingId, up);
  for (const [id, meta] of options.state?.uploadMetadata ?? []) uploadMetadata.set(id, meta);
  for (const mark of options.state?.accounted ?? []) accounted.add(mark);
  const stats: FilexApp['stats'] = { tokenRequests: 0, tokenRequestsRefused: 0, stsRequests: 0, requests: [] };

  const keyOf = (space: string, name: string, org = orgId) => `${org}/${application}/${space}/${name}`;
  // Objects for the hostile-name fault live under a key no listing shows.
  const hostileKey = (org: string, name: string) => `${org}/${application}/out/.hostile/${encodeURIComponent(name)}`;
  const href = (...segments: string[]) => [baseUrl, 'files', ...segments.map(encodeURIComponent)].join('/');

  const cutResponses = new WeakSet<http.ServerResponse>();
  // A new submission as the guide's tracking list first shows it: received, no verdict yet.
  function receivedRecord(trackingId: string, fileName: string, org: string, space: string, now: Date): TrackingRecord {
    return {
      trackingId,
      submissionTime: null,
      userName: username,
      fileName,
      status: 'Request Received',
      downstreamStatus: null,
      statusUpdatedTime: filexTime(now),
      fileSize: 0,
      uploadLocation: `${org}/${application}/${space}`,
      applicationName: application,
      applicationSpaceName: space,
      arcvFileName: null,
      downloadable: false,
      _links: [
        { rel: 'self', href: `${baseUrl}/tracking?id=${trackingId}` },
        { rel: 'parent', href: `${baseUrl}/tracking` },
      ],
    };
  }

  function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = Buffer.from(JSON.stringify(body, null, 2));
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': text.length, ...headers });
    if (cutResponses.has(res)) {
      // Half the promised bytes, then a reset: the client sees a truncated body.
      res.write(text.subarray(0, Math.floor(text.length / 2)), () => res.socket?.destroy());
      return;
    }
    res.end(text);
  }

  function sendError(res: http.ServerResponse, path: string, err: HttpError): void {
    send(
      res,
      err.status,
      { timestamp: filexTime(new Date()), status: err.status, error: err.error, message: err.message, path },
      err.headers,
    );
  }

  // -- FIP --------------------------------------------------------------------------------------

  // The guide's samples: POST ...access_token?grant_type=client_credentials with HTTP Basic and
  // no body. Anything else is refused as an RFC 6749 invalid_request (FIP's own wording unknown).
  function issueToken(req: http.IncomingMessage, url: URL, res: http.ServerResponse): void {
    stats.tokenRequests++;
    const refuse = (status: number, error: string, description: string) => {
      stats.tokenRequestsRefused++;
      send(res, status, { error, error_description: description });
    };
    if (faults.fipErrorOnce) {
      const f = faults.fipErrorOnce;
      faults.fipErrorOnce = undefined;
      return refuse(f.status, f.error, f.error_description ?? '');
    }
    if (req.method !== 'POST') return refuse(405, 'invalid_request', 'Use POST');
    const grants = url.searchParams.getAll('grant_type');
    if (grants.length !== 1 || grants[0] !== 'client_credentials') {
      return refuse(400, grants.length > 1 ? 'invalid_request' : 'unsupported_grant_type', 'grant_type=client_credentials must appear once, in the query string');
    }
    const bodyLength = Number(req.headers['content-length'] ?? 0);
    if (bodyLength > 0 || req.headers['transfer-encoding'] !== undefined || req.headers['content-type'] !== undefined) {
      return refuse(400, 'invalid_request', 'the token request has no body: grant_type goes in the query string only');
    }
    const m = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    const decoded = m ? Buffer.from(m[1]!, 'base64').toString('utf8') : '';
    const sep = decoded.indexOf(':');
    if (sep < 0 || decoded.slice(0, sep) !== username || decoded.slice(sep + 1) !== password) {
      send(res, 401, { error: 'invalid_client', error_description: 'Bad credentials' }, { 'www-authenticate': 'Basic realm="FIP"' });
      return;
    }
    const token = randomBytes(32).toString('base64url');
    tokens.set(token, Date.now() + tokenTtl * 1000);
    send(res, 200, { access_token: token, token_type: 'Bearer', expires_in: tokenTtl });
  }

  function requireBearer(req: http.IncomingMessage): void {
    const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    const challenge = { 'www-authenticate': 'Bearer error="invalid_token"' };
    if (!m) throw new HttpError(401, 'Unauthorized', 'Full authentication is required to access this resource', { 'www-authenticate': 'Bearer' });
    const token = m[1]!;
    const expiresAt = tokens.get(token);
    if (expiresAt !== undefined && faults.expireTokensNow) {
      faults.expireTokensNow = false;
      tokens.delete(token);
      throw new HttpError(401, 'invalid_token', 'Access token expired', challenge);
    }
    if (expiresAt === undefined) throw new HttpError(401, 'invalid_token', 'Invalid access token', challenge);
    if (Date.now() >= expiresAt) throw new HttpError(401, 'invalid_token', 'Access token expired', challenge);
  }

  // -- path checks ------------------------------------------------------------------------------

  function checkOrgApp(org: string, app?: string): void {
    if (!/^[0-9]+$/.test(org)) throw new HttpError(400, 'Bad Request', `ORG_ID must be digits: ${org}`);
    if (!orgs.includes(org)) throw new HttpError(403, 'Forbidden', `User is not entitled to org ${org}`);
    if (app === undefined) return;
    if (!/^[A-Za-z0-9]+$/.test(app)) throw new HttpError(400, 'Bad Request', `APPLICATION must be alphanumeric: ${app}`);
    if (app !== application) throw new HttpError(403, 'Forbidden', `User is not entitled to application ${app}`);
  }

  function spaceOf(space: string): { name: string; writable: boolean } {
    const s = SPACES.find((x) => x.name === space);
    if (!s) throw new HttpError(404, 'Not Found', `No such application space: ${space}`);
    return s;
  }

  function checkFileName(name: string): void {
    if (!FILE_NAME.test(name)) {
      throw new HttpError(400, 'Bad Request', `FILE_NAME may only contain letters, digits and !@,&-='. : ${name}`);
    }
  }

  // -- directory documents ----------------------------------------------------------------------

  function dirDoc(name: string, writable: boolean, children: unknown[], self: string, parent: string, childHrefs: string[]): unknown {
    return {
      name,
      type: 'DIR',
      metadata: { writable },
      children,
      _links: {
        self: [{ href: self }],
        parent: [{ href: parent }],
        children: childHrefs.map((h) => ({ href: h })),
      },
    };
  }

  async function listSpace(org: string, space: { name: string; writable: boolean }): Promise<unknown> {
    const prefix = `${org}/${application}/${space.name}/`;
    const objects = (await store.listObjects(prefix)).filter((o) => !o.key.slice(prefix.length).includes('/'));
    const files = objects.map((o) => ({
      name: o.key.slice(prefix.length),
      size: faults.lieAboutContentLength !== undefined && space.name === 'out' ? faults.lieAboutContentLength : o.size,
      lastModified: lastModifiedOverride.get(o.key) ?? o.lastModified,
    }));
    if (space.name === 'out') {
      for (const h of faults.hostileNames ?? []) files.push({ name: h, size: Buffer.byteLength(`hostile:${h}`), lastModified: new Date(0) });
    }
    const children: unknown[] = files.map((f) => ({
      name: f.name,
      type: 'FILE',
      metadata: { writable: space.writable, contentLength: f.size, lastModified: filexTime(f.lastModified) },
    }));
    if (space.name === 'out') for (const n of faults.nonStringNames ?? []) children.unshift({ name: n, type: 'FILE', metadata: { writable: false, contentLength: 1 } });
    return dirDoc(
      space.name,
      space.writable,
      children,
      href(org, application, space.name),
      href(org, application),
      files.map((f) => href(org, application, space.name, f.name)),
    );
  }

  // -- tracking ---------------------------------------------------------------------------------

  // Advance one record's lifecycle; called on each poll of /tracking that returns it.
  async function advance(id: string): Promise<void> {
    const rec = tracking.get(id)!;
    const up = uploads.get(id)!;
    if (up.manual) return;
    const now = new Date();
    if (rec.status === 'Request Received') {
      const head = await store.headObject(up.key);
      if (!head) return;
      const arcv = `${stamp(now)}-${up.name}`;
      accounted.add(`${up.key}@${head.lastModified.getTime()}`);
      await store.copyObject(up.key, up.key.replace(/\/in\/[^/]*$/, `/in_arcv/${arcv}`));
      rec.status = 'Received by FINRA';
      rec.downstreamStatus = 'RECEIVED';
      rec.submissionTime = filexTime(head.lastModified);
      rec.fileSize = head.size;
      rec.arcvFileName = arcv;
      rec.downloadable = true;
      rec.statusUpdatedTime = filexTime(now);
      up.pollsSinceReceived = 0;
    } else if (rec.downstreamStatus === 'RECEIVED') {
      up.pollsSinceReceived++;
    } else {
      return;
    }
    if (up.pollsSinceReceived >= (faults.pollsToFinal ?? 2)) {
      rec.downstreamStatus = faults.autoAccept ?? options.verdict?.(up.name) ?? 'ACCEPTED';
      rec.statusUpdatedTime = filexTime(now);
      // FINRA's feedback lands in out under a name fileX chooses (not one a user could send).
      const org = up.key.split('/')[0]!;
      await store.putObject(keyOf('out', feedbackName(up.name, now), org), Buffer.from(`${rec.trackingId} ${up.name}: ${rec.downstreamStatus}\n`));
    }
  }

  // Submissions that did not go through PUT /files (S3 Direct, SFTP into the bucket) get a record
  // when their object is seen in an `in` space, as the 90-day list covers every submission.
  async function recordDirectUploads(): Promise<void> {
    for (const org of orgs) {
      const prefix = `${org}/${application}/in/`;
      for (const o of await store.listObjects(prefix)) {
        const name = o.key.slice(prefix.length);
        const mark = `${o.key}@${o.lastModified.getTime()}`;
        if (name.includes('/') || accounted.has(mark)) continue;
        const pendingRest = [...uploads.entries()].some(([tid, u]) => u.key === o.key && tracking.get(tid)!.status === 'Request Received');
        if (pendingRest) continue;
        accounted.add(mark);
        const trackingId = randomUUID();
        const now = new Date();
        tracking.set(trackingId, receivedRecord(trackingId, name, org, 'in', now));
        uploads.set(trackingId, { key: o.key, space: 'in', name, createdAt: now.getTime(), pollsSinceReceived: 0, manual: false });
      }
    }
  }

  async function getTracking(url: URL, res: http.ServerResponse): Promise<void> {
    const id = url.searchParams.get('id');
    if (id !== null) {
      if (!TRACKING_ID.test(id)) throw new HttpError(400, 'Bad Request', `Invalid tracking id: ${id}`);
      // Unknown ids give an empty array: the endpoint always answers a list.
      if (!tracking.has(id)) return send(res, 200, []);
      await advance(id);
      return send(res, 200, [tracking.get(id)]);
    }
    const cutoff = Date.now() - NINETY_DAYS_MS;
    for (const tid of uploads.keys()) await advance(tid);
    await recordDirectUploads();
    const ids = [...uploads.entries()].filter(([, u]) => u.createdAt >= cutoff).map(([tid]) => tid);
    for (const tid of ids) await advance(tid);
    send(res, 200, ids.map((tid) => tracking.get(tid)));
  }

  // -- files ------------------------------------------------------------------------------------

  async function files(req: http.IncomingMessage, res: http.ServerResponse, segs: string[]): Promise<void> {
    const method = req.method ?? 'GET';
    if (segs.length === 0) {
      if (method !== 'GET') throw new HttpError(405, 'Method Not Allowed', `${method} not allowed here`);
      return send(res, 200, {
        name: 'files',
        type: 'DIR',
        metadata: { writable: false },
        children: orgs.map((o) => ({ name: o, type: 'DIR', metadata: { writable: false } })),
        _links: { self: [{ href: `${baseUrl}/files` }], children: orgs.map((o) => ({ href: href(o) })) },
      });
    }
    const [org, app, spaceName, name, ...rest] = segs as [string, string | undefined, string | undefined, string | undefined, ...string[]];
    checkOrgApp(org, app);
    if (rest.length > 0) throw new HttpError(404, 'Not Found', 'No such file');
    if (app === undefined || spaceName === undefined) {
      if (method !== 'GET') throw new HttpError(405, 'Method Not Allowed', `${method} not allowed here`);
      if (app === undefined) {
        return send(
          res,
          200,
          dirDoc(org, false, [{ name: application, type: 'DIR', metadata: { writable: false } }], href(org), `${baseUrl}/files`, [href(org, application)]),
        );
      }
      return send(
        res,
        200,
        dirDoc(
          app,
          false,
          SPACES.map((s) => ({ name: s.name, type: 'DIR', metadata: { writable: s.writable } })),
          href(org, app),
          href(org),
          SPACES.map((s) => href(org, app, s.name)),
        ),
      );
    }
    const space = spaceOf(spaceName);
    if (name === undefined) {
      if (method !== 'GET') throw new HttpError(405, 'Method Not Allowed', `${method} not allowed here`);
      return send(res, 200, await listSpace(org, space));
    }
    let key = keyOf(space.name, name, org);
    const ttl = faults.presignTtlSeconds ?? presignTtl;
    if (method === 'GET') {
      // Any name fileX listed is served (feedback and archive names are fileX's own, outside FILE_NAME).
      if (space.writable) throw new HttpError(403, 'Forbidden', `Space ${space.name} is not readable`);
      if (space.name === 'out' && faults.hostileNames?.includes(name)) {
        key = hostileKey(org, name);
        await store.putObject(key, Buffer.from(`hostile:${name}`));
      }
      if (!(await store.headObject(key))) throw new HttpError(404, 'Not Found', `File not found: ${space.name}/${name}`);
      return send(res, 200, { url: await store.presign('GET', key, ttl), expirationTime: filexTime(new Date(Date.now() + ttl * 1000)) });
    }
    if (method === 'PUT') {
      checkFileName(name);
      if (!space.writable) throw new HttpError(403, 'Forbidden', `Space ${space.name} is not writable`);
      const failWith = faults.putStatusOnce;
      faults.putStatusOnce = undefined;
      if (failWith === 429 || failWith === 503) throw new HttpError(failWith, 'Unavailable', 'Try again later', { 'retry-after': '0' });
      const metadata: Record<string, string> = {};
      for (const [h, v] of Object.entries(req.headers)) {
        if (!h.startsWith('filex-')) continue;
        const value = Array.isArray(v) ? v.join(',') : (v ?? '');
        if (!FILE_NAME.test(value)) throw new HttpError(400, 'Bad Request', `Invalid value for ${h}: only letters, digits and !@,&-='. are accepted`);
        metadata[h.slice('filex-'.length)] = value;
      }
      const trackingId = randomUUID();
      const now = new Date();
      tracking.set(trackingId, receivedRecord(trackingId, name, org, space.name, now));
      uploads.set(trackingId, { key, space: space.name, name, createdAt: now.getTime(), pollsSinceReceived: 0, manual: false });
      uploadMetadata.set(trackingId, metadata);
      if (failWith !== undefined) throw new HttpError(failWith, 'Internal Server Error', 'Upload request failed');
      return send(res, 200, { url: await store.presign('PUT', key, ttl), expirationTime: filexTime(new Date(now.getTime() + ttl * 1000)), trackingId });
    }
    throw new HttpError(405, 'Method Not Allowed', `${method} not allowed here`);
  }

  function transferTokens(req: http.IncomingMessage, res: http.ServerResponse, segs: string[]): void {
    stats.stsRequests++;
    if (req.method !== 'GET') throw new HttpError(405, 'Method Not Allowed', `${req.method} not allowed here`);
    if (segs.length !== 2) throw new HttpError(404, 'Not Found', 'Use /S3TransferTokens/{ORG_ID}/{APPLICATION}');
    checkOrgApp(segs[0]!, segs[1]!);
    if (!store.issueCredentials || store.bucket === undefined || store.region === undefined) {
      throw new HttpError(403, 'Forbidden', 'S3 Direct is not enabled: this server has no S3-compatible store');
    }
    const prefix = `${store.bucket}/${segs[0]}/${application}`;
    const readPaths = [`${prefix}/in_arcv/`, `${prefix}/out/`];
    const writePaths = [`${prefix}/in/`];
    const creds = store.issueCredentials(stsTtl, { readPaths, writePaths });
    const expiration = options.stsExpiration ?? 'present';
    const keys: Record<string, unknown> = { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey, sessionToken: creds.sessionToken };
    if (expiration === 'present') keys.expiration = filexTime(new Date(creds.expiration));
    if (expiration === 'unreadable') keys.expiration = 'in one hour';
    const head = { region: store.region, sessionName: `${username}@${randomUUID()}`, readPaths, writePaths };
    send(res, 200, options.stsShape === 'top-level' ? { ...head, ...keys } : { ...head, credentials: keys });
  }

  // -- dispatch ---------------------------------------------------------------------------------

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://filex');
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : (v ?? '');
    stats.requests.push({ method: req.method ?? 'GET', path: url.pathname + url.search, headers });
    req.resume(); // no endpoint takes a body
    if (faults.delayMs) await new Promise((r) => setTimeout(r, faults.delayMs));
    try {
      let segs: string[];
      try {
        segs = url.pathname.split('/').slice(1).map(decodeURIComponent);
      } catch {
        throw new HttpError(400, 'Bad Request', 'Malformed percent-encoding in path');
      }
      if (segs.length > 0 && segs[segs.length - 1] === '') segs.pop();
      if (url.pathname === '/fip/rest/ews/oauth2/access_token') return issueToken(req, url, res);
      if (faults.resetMidBodyOnce) {
        faults.resetMidBodyOnce = false;
        cutResponses.add(res);
      }
      if (faults.status5xxOnce) {
        faults.status5xxOnce = false;
        throw new HttpError(503, 'Service Unavailable', 'Service temporarily unavailable');
      }
      if (faults.status429Once !== undefined) {
        const after = faults.status429Once;
        faults.status429Once = undefined;
        throw new HttpError(429, 'Too Many Requests', 'Rate limit exceeded', { 'retry-after': String(after) });
      }
      const [root, ...rest] = segs;
      if (root !== 'files' && root !== 'tracking' && root !== 'S3TransferTokens') throw new HttpError(404, 'Not Found', 'No such endpoint');
      requireBearer(req);
      if (root === 'files') return await files(req, res, rest);
      if (root === 'S3TransferTokens') return transferTokens(req, res, rest);
      if (req.method !== 'GET' || rest.length > 0) throw new HttpError(405, 'Method Not Allowed', 'Use GET /tracking[?id=]');
      return await getTracking(url, res);
    } catch (err) {
      if (err instanceof HttpError) sendError(res, url.pathname, err);
      else sendError(res, url.pathname, new HttpError(500, 'Internal Server Error', String((err as Error)?.message ?? err)));
    }
  }

  return {
    state() {
      return structuredClone({
        tracking: [...tracking.values()],
        uploads: [...uploads.entries()].map(([trackingId, up]) => ({ trackingId, ...up })),
        uploadMetadata: [...uploadMetadata.entries()],
        accounted: [...accounted],
      });
    },
    handle(req, res) {
      handle(req, res).catch(() => res.destroy());
    },
    username,
    password,
    orgId,
    application,
    tracking,
    uploadMetadata,
    faults,
    stats,
    async seedFile(space, name, content, lastModified, org = orgId) {
      spaceOf(space);
      await store.putObject(keyOf(space, name, org), content);
      if (lastModified) lastModifiedOverride.set(keyOf(space, name, org), lastModified);
      else lastModifiedOverride.delete(keyOf(space, name, org));
    },
    readUploaded(space, name, org = orgId) {
      return store.getObject(keyOf(space, name, org));
    },
    setDownstream(trackingId, status) {
      const rec = tracking.get(trackingId);
      const up = uploads.get(trackingId);
      if (!rec || !up) throw new Error(`unknown trackingId ${trackingId}`);
      up.manual = true;
      rec.status = 'Received by FINRA';
      rec.downstreamStatus = status;
      rec.statusUpdatedTime = filexTime(new Date());
    },
  };
}

/** Start the fileX + FIP test server on 127.0.0.1 and a free port. */
export async function startFilexServer(options: FilexServerOptions): Promise<FilexTestServer> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const app = createFilexApp(options, baseUrl);
  server.on('request', app.handle);
  return {
    ...app,
    baseUrl,
    tokenUrl: `${baseUrl}/fip/rest/ews/oauth2/access_token`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
