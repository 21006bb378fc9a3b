// Issue 9 fault suite: every service answers with a redirect (301, 302, 307) to another
// origin. The client must not follow it: the second server counts requests and must see none,
// so neither the FinPro headers, the FIP password, the bearer token nor the file reach it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type http from 'node:http';
import { afterBody, BIN, filesUnder, filexEnv, finproEnv, record, runCli, secretsIn, startServer, tokenReply, SECRETS, type FaultServer, presignedDownload } from './fault-kit.js';
import { GOOD_CSV } from '../submit/finpro/finpro-helpers.js';

let dir: string;
let elsewhere: FaultServer;
const servers: FaultServer[] = [];

beforeAll(async () => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run 'npm run build' first`);
  dir = await mkdtemp(join(tmpdir(), 'bp-faults-redirect-'));
  await writeFile(join(dir, 'good.csv'), GOOD_CSV);
  elsewhere = await startServer((req, res) => afterBody(req, () => tokenReply(res)));
});
afterAll(async () => {
  for (const s of servers) await s.close();
  await elsewhere?.close();
  await rm(dir, { recursive: true, force: true });
});

function redirect(res: http.ServerResponse, status: number, path: string): void {
  res.writeHead(status, { location: `${elsewhere.url}${path}`, 'content-type': 'text/plain' });
  res.end('moved');
}

async function serve(handler: Parameters<typeof startServer>[0]): Promise<FaultServer> {
  const s = await startServer(handler);
  servers.push(s);
  return s;
}

describe('a redirect to another origin is never followed', () => {
  for (const status of [301, 302, 307]) {
    it(`finpro submit: ${status} from the upload endpoint`, async () => {
      const before = elsewhere.requests.length;
      const s = await serve((req, res) => afterBody(req, () => redirect(res, status, req.url ?? '/')));
      const r = await runCli(['finpro', 'submit', join(dir, 'good.csv'), '--retries', '0'], finproEnv(s.url, dir));
      record({ scenario: `redirect ${status} to another origin: FinPro upload`, command: 'finpro submit good.csv --retries 0', left: `nothing; other origin got ${elsewhere.requests.length - before} requests` }, r);
      expect(r.code, r.stderr).toBe(3);
      expect(s.requests).toHaveLength(1);
      expect(elsewhere.requests.length - before).toBe(0);
      expect(secretsIn(r)).toEqual([]);
    });
  }

  it('filex ls: 302 from the FIP token endpoint (the password must not be re-posted elsewhere)', async () => {
    const before = elsewhere.requests.length;
    const s = await serve((req, res) => afterBody(req, () => redirect(res, 302, req.url ?? '/')));
    const r = await runCli(['filex', 'ls', '0001/app1/out', '--retries', '0'], filexEnv(s.url, dir));
    record({ scenario: 'redirect 302 to another origin: FIP token', command: 'filex ls 0001/app1/out --retries 0', left: `nothing; other origin got ${elsewhere.requests.length - before} requests` }, r);
    expect(r.code, r.stderr).not.toBe(0);
    expect(elsewhere.requests.length - before).toBe(0);
    expect(secretsIn(r)).toEqual([]);
  });

  for (const status of [301, 307]) {
    it(`filex ls: ${status} from the listing (the bearer token must not travel)`, async () => {
      const before = elsewhere.requests.length;
      const s = await serve((req, res) => afterBody(req, () => (req.url?.startsWith('/token') ? tokenReply(res) : redirect(res, status, req.url ?? '/'))));
      const r = await runCli(['filex', 'ls', '0001/app1/out', '--retries', '0'], filexEnv(s.url, dir));
      record({ scenario: `redirect ${status} to another origin: fileX listing`, command: 'filex ls 0001/app1/out --retries 0', left: `nothing; other origin got ${elsewhere.requests.length - before} requests` }, r);
      expect(r.code, r.stderr).toBe(3);
      expect(s.headers.at(-1)?.authorization).toBe(`Bearer ${SECRETS.bearer}`); // it was sent, to the right origin
      expect(elsewhere.requests.length - before).toBe(0);
      expect(secretsIn(r)).toEqual([]);
    });
  }

  it('filex download: 302 from the pre-signed URL', async () => {
    const before = elsewhere.requests.length;
    const s = await serve(presignedDownload('f.csv', (req, res) => redirect(res, 302, req.url ?? '/')));
    const out = join(dir, 'dl');
    const r = await runCli(['filex', 'download', '0001/app1/out/f.csv', '-o', `${out}/`, '--retries', '0'], filexEnv(s.url, dir));
    const left = existsSync(out) ? await filesUnder(out) : [];
    record({ scenario: 'redirect 302 to another origin: pre-signed download', command: 'filex download 0001/app1/out/f.csv -o dl/ --retries 0', left: `${left.length ? left.join(' ') : 'nothing'}; other origin got ${elsewhere.requests.length - before} requests` }, r);
    expect(r.code, r.stderr).toBe(3);
    expect(elsewhere.requests.length - before).toBe(0);
    expect(left).toEqual([]);
    expect(secretsIn(r)).toEqual([]);
  });

  it('filex upload: 307 from the pre-signed PUT URL (the file must not be sent elsewhere)', async () => {
    const before = elsewhere.requests.length;
    const s = await serve((req, res, base) =>
      afterBody(req, () => {
        if (req.url?.startsWith('/token')) return tokenReply(res);
        if (req.method === 'GET' && req.url?.startsWith('/files/')) {
          res.writeHead(200, { 'content-type': 'application/json' });
          return res.end(JSON.stringify({ name: 'app1', type: 'DIR', children: [{ name: 'in', type: 'DIR', metadata: { writable: true } }] }));
        }
        if (req.method === 'PUT' && req.url?.startsWith('/files/')) {
          res.writeHead(200, { 'content-type': 'application/json' });
          return res.end(JSON.stringify({ url: `${base}/blob/good.csv?X-Amz-Signature=${SECRETS.signature}`, trackingId: 'trk-1' }));
        }
        redirect(res, 307, req.url ?? '/');
      }),
    );
    const r = await runCli(['filex', 'upload', join(dir, 'good.csv'), '0001/app1/in', '--retries', '0'], filexEnv(s.url, dir));
    record({ scenario: 'redirect 307 to another origin: pre-signed upload', command: 'filex upload good.csv 0001/app1/in --retries 0', left: `nothing; other origin got ${elsewhere.requests.length - before} requests` }, r);
    expect(r.code, r.stderr).toBe(3);
    expect(s.requests.some((q) => q.startsWith('PUT /blob/'))).toBe(true);
    expect(elsewhere.requests.length - before).toBe(0);
    expect(secretsIn(r)).toEqual([]);
  });
});
