// Issue 9 fault suite: the connection is reset in the middle of each service's reply body
// (FinPro's answer, the FIP token, a fileX listing, a pre-signed download). Default flags,
// so retries run: each fails as NetworkError (exit 3), retried to the budget, with no local
// file left behind and no secret printed.
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type http from 'node:http';
import { faultWorkspace, afterBody, filesUnder, filexEnv, finproEnv, record, runCli, secretsIn, streamHuge, tokenReply, SECRETS, presignedDownload } from './fault-kit.js';

const ws = faultWorkspace('bp-faults-reset-');

/** Announces `head` plus 1000 more bytes, sends `head`, then resets the connection. */
function resetAfter(res: http.ServerResponse, head: string): void {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(head) + 1000) });
  res.write(head, () => setTimeout(() => res.socket?.resetAndDestroy(), 20));
}

const serve = ws.serve;

describe('a reset in the middle of the reply body', () => {
  it('finpro submit: FinPro answer cut after its first bytes', async () => {
    const s = await serve((req, res) => afterBody(req, () => resetAfter(res, `{"ver":"1.0","txnid":"${SECRETS.clientSecret}","status":"succ`)));
    const r = await runCli(['finpro', 'submit', join(ws.dir, 'good.csv')], finproEnv(s.url, ws.dir));
    record({ scenario: 'reset mid-body: FinPro answer', command: 'finpro submit good.csv', left: `nothing local; ${s.requests.length} POSTs (same reference ID)` }, r);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/NetworkError/);
    expect(s.requests.length).toBeGreaterThan(1); // retried
    expect(secretsIn(r)).toEqual([]);
  });

  it('filex ls: FIP token answer cut after its first bytes', async () => {
    const s = await serve((req, res) => afterBody(req, () => resetAfter(res, `{"access_token":"${SECRETS.bearer}`)));
    const r = await runCli(['filex', 'ls', '0001/app1/out'], filexEnv(s.url, ws.dir));
    record({ scenario: 'reset mid-body: FIP token', command: 'filex ls 0001/app1/out', left: 'nothing' }, r);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/NetworkError/);
    expect(secretsIn(r)).toEqual([]);
  });

  it('filex ls: listing cut after its first bytes', async () => {
    const s = await serve((req, res) => afterBody(req, () => (req.url?.startsWith('/token') ? tokenReply(res) : resetAfter(res, '{"name":"out","type":"DIR","children":[{"name":"a'))));
    const r = await runCli(['filex', 'ls', '0001/app1/out', '--json'], filexEnv(s.url, ws.dir));
    record({ scenario: 'reset mid-body: fileX listing', command: 'filex ls 0001/app1/out --json', left: 'nothing' }, r);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/NetworkError/);
    expect(r.stdout).not.toMatch(/"name"/); // no half listing printed as if complete
    expect(secretsIn(r)).toEqual([]);
  });

  it('filex download: pre-signed download cut at 8 MB of 64 MB leaves no file', async () => {
    const s = await serve(presignedDownload('f.csv', (_req, res) => streamHuge(res, 200, '', 64 * 1024 ** 2, 8 * 1024 ** 2)));
    const out = join(ws.dir, 'dl');
    const r = await runCli(['filex', 'download', '0001/app1/out/f.csv', '-o', `${out}/`], filexEnv(s.url, ws.dir));
    const left = existsSync(out) ? await filesUnder(out) : [];
    record({ scenario: 'reset mid-body: pre-signed download', command: 'filex download 0001/app1/out/f.csv -o dl/', left: left.length ? left.join(' ') : 'nothing' }, r);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/NetworkError|IntegrityError/);
    expect(s.requests.filter((q) => q.startsWith('GET /blob/')).length).toBeGreaterThan(1); // retried
    expect(left).toEqual([]);
    expect(secretsIn(r)).toEqual([]);
  });
});
