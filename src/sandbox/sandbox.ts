// `batchprep sandbox`: the FinPro File Upload API, the FIP token endpoint, the fileX REST API
// and the objects behind fileX's pre-signed URLs, all on one 127.0.0.1 port, built from the
// very servers the project's tests run against (src/sandbox/*-server.ts), with state in a
// directory and the `--faults` list applied per request in front of them. Given an
// S3-compatible server, the objects live in its bucket instead and S3 Direct is served too.
import { readFile, rename, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { createDirectoryStore } from './directory-store.js';
import { faultForRequest, type SandboxFaults, verdictFor } from './faults.js';
import { createFilexApp, type FilexApp, type FilexState } from './filex-server.js';
import { createFinProApp, type FinProApp, type StoredBatch, TEST_CREDENTIALS } from './finpro-server.js';
import type { ObjectStore } from './object-store.js';
import type { S3StoreOptions } from './s3-store.js';

export interface SandboxOptions {
  /** Where objects (`objects/`) and what the APIs remember (`state.json`: tracking records, FinPro reference IDs) are kept. */
  dir: string;
  /** @default 0 (a free port) */
  port?: number;
  faults?: SandboxFaults;
  /** Told one line per injected fault (the CLI prints them on stderr). */
  log?: (line: string) => void;
  /**
   * A bucket on an S3-compatible server to hold the objects (then `dir` keeps only
   * `state.json`); S3TransferTokens hands out its keys. @default the directory store
   */
  s3?: S3StoreOptions;
}

export interface Sandbox {
  baseUrl: string;
  /** The environment lines a client needs, by variable name. */
  env: Record<string, string>;
  filex: FilexApp;
  finpro: FinProApp;
  close(): Promise<void>;
}

/** Sandbox-only credentials (they open nothing but this sandbox). */
export const SANDBOX_FILEX_USER = { username: 'sandbox-user', password: 'sandbox-filex-password' };

/** `<dir>/state.json`: what the APIs remember between runs (the objects are files beside it). */
interface SavedState {
  version: 1;
  filex: FilexState;
  finproBatches: StoredBatch[];
}

// Read the previous run's state; a missing file is a first run, an unreadable one is said and set aside.
async function loadState(file: string, log: (line: string) => void): Promise<SavedState | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const saved = JSON.parse(text) as SavedState;
    if (saved.version === 1 && Array.isArray(saved.filex?.tracking) && Array.isArray(saved.finproBatches)) return saved;
  } catch {
    // fall through
  }
  await rename(file, `${file}.unreadable`);
  log(`${file} could not be read; kept as ${file}.unreadable, starting with no tracking records or batches`);
  return undefined;
}

/** Starts the sandbox; resolves once it listens. */
export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const server = http.createServer();
  try {
    return await mount(server, options);
  } catch (err) {
    // A failure after listening (state or objects directory unusable) must not leave the port open.
    server.closeAllConnections();
    if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    throw err;
  }
}

// Listen, then build the store and the two apps behind one request router.
async function mount(server: http.Server, options: SandboxOptions): Promise<Sandbox> {
  const faults = options.faults ?? { reject: [], partial: [], retryAfter: 1 };
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const log = options.log ?? (() => undefined);
  const stateFile = join(options.dir, 'state.json');
  const saved = await loadState(stateFile, log);
  // The AWS SDK is loaded only when asked for.
  const s3 = options.s3 ? await (await import('./s3-store.js')).createS3Store(options.s3) : undefined;
  const serving = s3 ? undefined : await createDirectoryStore({ dir: options.dir, baseUrl });
  const store: ObjectStore = s3 ?? serving!;
  const filex = createFilexApp(
    {
      store,
      ...SANDBOX_FILEX_USER,
      verdict: verdictFor(faults),
      accessTokenTtlSeconds: faults.tokenTtlSeconds,
      presignTtlSeconds: faults.urlTtlSeconds,
      // One feedback file per decision (the guide names none), so none overwrites another.
      feedbackName: (fileName, at) => `FEEDBACK_${at.toISOString().replace(/[-:T]/g, '').slice(0, 14)}_${fileName}.txt`,
      state: saved?.filex,
    },
    baseUrl,
  );
  if (faults.pollsToVerdict !== undefined) filex.faults.pollsToFinal = faults.pollsToVerdict;
  const finpro = createFinProApp({});
  for (const b of saved?.finproBatches ?? []) finpro.batches.set(b.referenceId, b);

  // Save after every answered API request, one write at a time, whole (temp file + rename).
  let saving: Promise<void> = Promise.resolve();
  let pending = false;
  const save = () => {
    if (pending) return;
    pending = true;
    saving = saving.then(async () => {
      pending = false;
      const state: SavedState = { version: 1, filex: filex.state(), finproBatches: [...finpro.batches.values()] };
      try {
        await writeFile(`${stateFile}.tmp`, JSON.stringify(state));
        await rename(`${stateFile}.tmp`, stateFile);
      } catch (err) {
        log(`could not save ${stateFile}: ${(err as Error).message}`);
      }
    });
  };
  const seen = { finpro: 0, filex: 0 };

  // Route one request, applying the fault list first.
  async function route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (faults.slowMs) await new Promise((r) => setTimeout(r, faults.slowMs));
    const path = (req.url ?? '/').split('?')[0];
    if (serving?.handle(req, res)) return;
    res.on('close', save);
    const note = (api: string, fault: string | undefined) => {
      if (fault) log(`${api} ${req.method} ${path}: injected ${fault === '429' ? `429 (Retry-After: ${faults.retryAfter})` : fault === '5xx' ? '503' : 'a cut mid-body'}`);
    };
    if (path === finpro.uploadPath) {
      const fault = faultForRequest(faults, ++seen.finpro);
      note('FinPro', fault);
      if (fault === '429') finpro.faults.unshift({ kind: 'rateLimit', retryAfter: String(faults.retryAfter) });
      if (fault === '5xx') finpro.faults.unshift({ kind: 'status', status: 503 });
      if (fault === 'reset') finpro.faults.unshift({ kind: 'reset' });
      finpro.handle(req, res);
      return;
    }
    if (path !== '/fip/rest/ews/oauth2/access_token') {
      const n = ++seen.filex;
      const fault = faultForRequest(faults, n);
      if (fault === '429') filex.faults.status429Once = faults.retryAfter;
      if (fault === '5xx') filex.faults.status5xxOnce = true;
      if (fault === 'reset') filex.faults.resetMidBodyOnce = true;
      note('fileX', fault);
      if (faults.expireTokenEvery && n % faults.expireTokenEvery === 0) {
        filex.faults.expireTokensNow = true;
        log(`fileX ${req.method} ${path}: injected an expired token (401)`);
      }
    }
    filex.handle(req, res);
  }
  server.on('request', (req, res) => {
    route(req, res).catch(() => res.destroy());
  });

  const env: Record<string, string> = {
    FINPRO_BASE_URL: baseUrl,
    FINPRO_CLIENT_ID: TEST_CREDENTIALS.clientId,
    FINPRO_CLIENT_SECRET: TEST_CREDENTIALS.clientSecret,
    FINPRO_APP_ID: TEST_CREDENTIALS.appId,
    FINPRO_ORG_ID: TEST_CREDENTIALS.orgId,
    FILEX_BASE_URL: baseUrl,
    FIP_TOKEN_URL: `${baseUrl}/fip/rest/ews/oauth2/access_token`,
    FILEX_USERNAME: SANDBOX_FILEX_USER.username,
    FILEX_PASSWORD: SANDBOX_FILEX_USER.password,
    // What `filex upload/download/ls --via s3` needs beside the tokens fileX hands out.
    ...(options.s3 ? { FILEX_S3_ENDPOINT: options.s3.endpoint } : {}),
  };
  return {
    baseUrl,
    env,
    filex,
    finpro,
    async close() {
      finpro.close();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      save();
      await saving;
      s3?.close();
    },
  };
}
