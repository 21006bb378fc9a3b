// Shared by test/faults/*.test.ts: loopback servers that misbehave on purpose, a CLI runner
// that measures time to fail and the child's peak RSS, and the fault-table recorder that
// benchmarks/fault-table.mjs reads. (Not a test file itself.)
import { spawn } from 'node:child_process';
import http from 'node:http';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll } from 'vitest';
import { GOOD_CSV } from '../submit/finpro/finpro-helpers.js';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';

export const BIN = process.env.BATCHPREP_BIN ?? resolve(import.meta.dirname, '..', '..', 'dist', 'cli', 'bin.js');

/** Secrets every fault server is given; none may ever reach the output. */
export const SECRETS = {
  clientSecret: 'fault-client-secret-9q8w7e',
  fipPassword: 'fault-fip-password-5t4r3e',
  bearer: 'fault-bearer-token-1z2x3c',
  stsKeyId: 'ASIAFAULTKEYID1234567',
  stsSecret: 'fault-sts-secret-key-0p9o8i',
  stsSession: 'fault-sts-session-token-7u6y5t',
  sftpPassword: 'fault-sftp-password-3e2w1q',
  signature: 'fault-presign-signature-4r5t6y',
};
export const ALL_SECRETS = Object.values(SECRETS);

export interface FaultServer {
  url: string;
  /** Requests seen, as `METHOD path`. */
  requests: string[];
  /** Request headers, in order. */
  headers: http.IncomingHttpHeaders[];
  /** Body bytes this server wrote (replies cut short by the client stay small). */
  bytesWritten(): number;
  close(): Promise<void>;
}

/** A node:http server on 127.0.0.1 driven by `handler`; it counts requests and bytes written. */
export async function startServer(handler: (req: http.IncomingMessage, res: http.ServerResponse, base: string) => void): Promise<FaultServer> {
  const requests: string[] = [];
  const headers: http.IncomingHttpHeaders[] = [];
  let written = 0;
  let base = '';
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    headers.push(req.headers);
    const write = res.write.bind(res);
    res.write = ((chunk: Buffer | string, ...rest: unknown[]) => {
      written += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
      return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof res.write;
    handler(req, res, base);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    requests,
    headers,
    bytesWritten: () => written,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Drains a request body, then calls `then`. */
export function afterBody(req: http.IncomingMessage, then: () => void): void {
  req.on('data', () => {});
  req.on('end', then);
}

/**
 * Streams `total` bytes (declared in Content-Length) as `head` followed by spaces, with
 * backpressure, stopping when the client goes away; `cutAfter` destroys the socket after
 * that many bytes (a reset mid-body).
 */
export function streamHuge(res: http.ServerResponse, status: number, head: string, total: number, cutAfter?: number): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(total) });
  const chunk = Buffer.alloc(256 * 1024, 0x20);
  let sent = 0;
  const pump = () => {
    while (sent < total) {
      if (cutAfter !== undefined && sent >= cutAfter) {
        res.socket?.destroy();
        return;
      }
      const piece = sent === 0 ? Buffer.concat([Buffer.from(head), chunk]).subarray(0, Math.min(total, chunk.length)) : chunk.subarray(0, Math.min(chunk.length, total - sent));
      sent += piece.length;
      if (!res.write(piece)) {
        res.once('drain', pump);
        return;
      }
    }
    res.end();
  };
  res.on('close', () => (sent = Number.MAX_SAFE_INTEGER));
  pump();
}

/** A good FIP token answer that hands out `SECRETS.bearer`. */
/**
 * A fileX that answers the token and the download request soundly, pointing at a pre-signed
 * URL on the same server named `name` (with an expirationTime when `expires`), whose request
 * `blob` answers: the misbehaviour under test.
 */
export function presignedDownload(name: string, blob: (req: http.IncomingMessage, res: http.ServerResponse) => void, expires = false) {
  return (req: http.IncomingMessage, res: http.ServerResponse, base: string): void =>
    afterBody(req, () => {
      if (req.url?.startsWith('/token')) return tokenReply(res);
      if (req.url?.startsWith('/files/')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        const url = `${base}/blob/${name}?X-Amz-Signature=${SECRETS.signature}`;
        return res.end(JSON.stringify(expires ? { url, expirationTime: new Date(Date.now() + 600_000).toISOString() } : { url }));
      }
      blob(req, res);
    });
}

export function tokenReply(res: http.ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ access_token: SECRETS.bearer, token_type: 'Bearer', expires_in: 300 }));
}

/** What every fault run gets: its own HOME, no colour, and no config file of the machine. */
function isolatedEnv(home: string): Record<string, string> {
  return { PATH: process.env.PATH ?? '', HOME: home, NO_COLOR: '1', XDG_CONFIG_HOME: '/nonexistent/batchprep-faults' };
}

/** The environment for `filex` commands against a fake fileX at `base` (token at `${base}/token`). */
export function filexEnv(base: string, home: string): Record<string, string> {
  return {
    ...isolatedEnv(home),
    FILEX_USERNAME: 'fault-user',
    FILEX_PASSWORD: SECRETS.fipPassword,
    FILEX_BASE_URL: base,
    FIP_TOKEN_URL: `${base}/token`,
  };
}

/** The environment for `finpro submit` against `base`. */
export function finproEnv(base: string, home: string): Record<string, string> {
  return {
    ...isolatedEnv(home),
    FINPRO_BASE_URL: base,
    FINPRO_CLIENT_ID: 'fault-client-id',
    FINPRO_CLIENT_SECRET: SECRETS.clientSecret,
    FINPRO_APP_ID: 'fault-app',
    FINPRO_ORG_ID: 'fault-org',
  };
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** The child's peak resident set size in MB (from a preloaded probe). */
  peakMb: number;
}

const PROBE_DIR = mkdtempSync(join(tmpdir(), 'bp-faults-probe-'));
const PROBE = join(PROBE_DIR, 'rss-probe.mjs');
writeFileSync(PROBE, "import { writeFileSync } from 'node:fs';\nprocess.on('exit', () => { try { writeFileSync(process.env.BP_RSS_OUT, String(process.resourceUsage().maxRSS)); } catch {} });\n");
let probeRuns = 0;

/** Runs the built CLI with exactly `env`; measures wall time and peak RSS. */
export function runCli(args: string[], env: Record<string, string>, cwd?: string): Promise<Run> {
  const out = join(PROBE_DIR, `rss-${process.pid}-${probeRuns++}`);
  return new Promise((resolvePromise, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['--import', PROBE, BIN, ...args], { env: { ...env, BP_RSS_OUT: out }, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      let peakMb = NaN;
      try {
        peakMb = Number(readFileSync(out, 'utf8')) / 1024;
      } catch {
        /* the probe did not run */
      }
      resolvePromise({ code, stdout, stderr, ms: Date.now() - started, peakMb });
    });
  });
}

/** Secrets found in a run's stdout+stderr (must be none). */
export function secretsIn(r: { stdout: string; stderr: string }): string[] {
  const all = `${r.stdout}\n${r.stderr}`;
  return ALL_SECRETS.filter((s) => all.includes(s));
}

/** Every file under `dir`, relative, for "what was left behind". */
export async function filesUnder(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) found.push(join(e.parentPath, e.name).slice(dir.length + 1));
  return found.sort();
}

export interface TableRow {
  scenario: string;
  command: string;
  exit: string;
  seconds: number;
  left: string;
  secrets: string;
  peakMb?: number;
}

/** Appends one row to $FAULT_TABLE (a JSON-lines file) when set; benchmarks/fault-table.mjs prints the table. */
export function record(row: Omit<TableRow, 'seconds' | 'secrets' | 'exit' | 'peakMb'>, r: Run): void {
  const file = process.env.FAULT_TABLE;
  if (!file) return;
  const found = secretsIn(r);
  const code = /batchprep: ([A-Z]\w+):/.exec(r.stderr)?.[1] ?? '';
  const full: TableRow = { ...row, exit: r.code === null ? '-' : `${r.code} ${code}`.trim(), seconds: Math.round(r.ms / 100) / 10, secrets: found.length ? found.join(',') : 'none', peakMb: Math.round(r.peakMb) };
  appendFileSync(file, `${JSON.stringify(full)}\n`);
}

/**
 * The set-up every fault test file shares: a temp dir holding good.csv and the servers the file
 * starts, all removed after it. `dir` is read once the file's tests run.
 */
export function faultWorkspace(prefix: string): { readonly dir: string; serve: (...args: Parameters<typeof startServer>) => Promise<FaultServer> } {
  let dir = '';
  const servers: FaultServer[] = [];
  beforeAll(async () => {
    if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run 'npm run build' first`);
    dir = await mkdtemp(join(tmpdir(), prefix));
    await writeFile(join(dir, 'good.csv'), GOOD_CSV);
  });
  afterAll(async () => {
    for (const s of servers) await s.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  return {
    get dir() {
      return dir;
    },
    async serve(...args) {
      const s = await startServer(...args);
      servers.push(s);
      return s;
    },
  };
}
