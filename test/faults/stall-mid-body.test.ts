// Issue 9 fault suite: a server that sends its headers and the first bytes of the body, then
// goes silent with the connection open (the hang tests in test/submit/http/timeouts.test.ts
// cover a server silent from the start). With --timeout 2 each command fails as Timeout
// (exit 3), after a retry or two under the default budget, and a download leaves no file.
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type http from 'node:http';
import { faultWorkspace, afterBody, filesUnder, filexEnv, finproEnv, record, runCli, secretsIn, tokenReply, SECRETS, presignedDownload } from './fault-kit.js';

const ws = faultWorkspace('bp-faults-stall-');

/** Announces `head` plus 1 MB, sends `head`, then says nothing more. */
function stallAfter(res: http.ServerResponse, head: string): void {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(head) + 1_000_000) });
  res.write(head);
}

const serve = ws.serve;

describe('a reply that stops mid-body and keeps the connection open (--timeout 2)', () => {
  it('finpro submit', async () => {
    const s = await serve((req, res) => afterBody(req, () => stallAfter(res, '{"ver":"1.0","status":"succ')));
    const r = await runCli(['finpro', 'submit', join(ws.dir, 'good.csv'), '--timeout', '2', '--retries', '1'], finproEnv(s.url, ws.dir));
    record({ scenario: 'stall mid-body: FinPro answer', command: 'finpro submit good.csv --timeout 2 --retries 1', left: `nothing local; ${s.requests.length} POSTs (same reference ID)` }, r);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr, r.stderr).toMatch(/Timeout/);
    expect(secretsIn(r)).toEqual([]);
  });

  it('filex ls: FIP token and listing', async () => {
    for (const where of ['token', 'listing'] as const) {
      const s = await serve((req, res) =>
        afterBody(req, () => (where === 'listing' && req.url?.startsWith('/token') ? tokenReply(res) : stallAfter(res, where === 'token' ? `{"access_token":"${SECRETS.bearer}` : '{"name":"out","children":['))),
      );
      const r = await runCli(['filex', 'ls', '0001/app1/out', '--timeout', '2', '--retries', '1'], filexEnv(s.url, ws.dir));
      record({ scenario: `stall mid-body: ${where === 'token' ? 'FIP token' : 'fileX listing'}`, command: 'filex ls 0001/app1/out --timeout 2 --retries 1', left: 'nothing' }, r);
      expect(r.code, r.stderr).toBe(3);
      expect(r.stderr, r.stderr).toMatch(/Timeout/);
      expect(secretsIn(r)).toEqual([]);
    }
  });

  it('filex download: the pre-signed download stalls after 1 MB; no file is left', async () => {
    const s = await serve(presignedDownload('f.csv', (_req, res) => stallAfter(res, 'x'.repeat(1024 * 1024))));
    const out = join(ws.dir, 'dl');
    const r = await runCli(['filex', 'download', '0001/app1/out/f.csv', '-o', `${out}/`, '--timeout', '2', '--retries', '1'], filexEnv(s.url, ws.dir));
    const left = existsSync(out) ? await filesUnder(out) : [];
    record({ scenario: 'stall mid-body: pre-signed download', command: 'filex download 0001/app1/out/f.csv -o dl/ --timeout 2 --retries 1', left: left.length ? left.join(' ') : 'nothing' }, r);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr, r.stderr).toMatch(/Timeout/);
    expect(left).toEqual([]);
    expect(secretsIn(r)).toEqual([]);
  });
});
