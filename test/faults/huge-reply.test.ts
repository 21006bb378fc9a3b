// Issue 9 fault suite: a reply that announces 2 GB. Control replies (FinPro's answer, the FIP
// token, a fileX listing) are capped and fail as UnexpectedResponse (exit 3) long before 2 GB
// is read; a pre-signed download is streamed to disk in flat memory, and a cut stream leaves no
// file. The bound asserted on memory is generous (the point is "not 2 GB").
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { faultWorkspace, afterBody, filesUnder, filexEnv, finproEnv, record, runCli, secretsIn, streamHuge, tokenReply, SECRETS, presignedDownload, type Run } from './fault-kit.js';

const TWO_GB = 2 * 1024 ** 3;
const PEAK_MB = 400;
const ws = faultWorkspace('bp-faults-huge-');

const serve = ws.serve;

/** A control reply announced as 2 GB: refused as UnexpectedResponse (exit 3) long before 2 GB, in flat memory, no secret shown. */
function expectRefusedEarly(r: Run, s: { bytesWritten(): number }): void {
  expect(r.code, r.stderr).toBe(3);
  expect(r.stderr).toMatch(/UnexpectedResponse/);
  expect(s.bytesWritten()).toBeLessThan(256 * 1024 ** 2);
  expect(r.peakMb).toBeLessThan(PEAK_MB);
  expect(secretsIn(r)).toEqual([]);
}

describe('a 2 GB reply', () => {
  it('finpro submit: a success reply padded to 2 GB fails as UnexpectedResponse, not read to the end', async () => {
    const s = await serve((req, res) =>
      afterBody(req, () => streamHuge(res, 200, JSON.stringify({ ver: '1.0', txnid: 't', status: 'success', data: { reference_id: 'fault-ref-1', batch_id: 'b-1', storage_type: 's' } }), TWO_GB)),
    );
    const r = await runCli(['finpro', 'submit', join(ws.dir, 'good.csv'), '--reference-id', 'fault-ref-1'], finproEnv(s.url, ws.dir));
    record({ scenario: '2 GB reply: FinPro answer', command: 'finpro submit good.csv', left: `nothing local; ${s.requests.length} POST` }, r);
    expectRefusedEarly(r, s);
  });

  it('filex ls: a FIP token answer of 2 GB fails as UnexpectedResponse', async () => {
    const s = await serve((req, res) => afterBody(req, () => streamHuge(res, 200, `{"access_token":"${SECRETS.bearer}","expires_in":300}`, TWO_GB)));
    const r = await runCli(['filex', 'ls', '0001/app1/out'], filexEnv(s.url, ws.dir));
    record({ scenario: '2 GB reply: FIP token', command: 'filex ls 0001/app1/out', left: 'nothing' }, r);
    expect(s.requests).toHaveLength(1);
    expectRefusedEarly(r, s);
  });

  it('filex ls: a listing of 2 GB fails as UnexpectedResponse', async () => {
    const s = await serve((req, res) => afterBody(req, () => (req.url?.startsWith('/token') ? tokenReply(res) : streamHuge(res, 200, '{"name":"out","type":"DIR","children":[', TWO_GB))));
    const r = await runCli(['filex', 'ls', '0001/app1/out', '--json'], filexEnv(s.url, ws.dir));
    record({ scenario: '2 GB reply: fileX listing', command: 'filex ls 0001/app1/out --json', left: 'nothing' }, r);
    expectRefusedEarly(r, s);
  });

  it('filex download: a 2 GB object is streamed in flat memory; cut at 256 MB it leaves no file behind', async () => {
    const s = await serve(presignedDownload('big.csv', (_req, res) => streamHuge(res, 200, '', TWO_GB, 256 * 1024 ** 2), true));
    const out = join(ws.dir, 'dl');
    const r = await runCli(['filex', 'download', '0001/app1/out/big.csv', '-o', `${out}/`, '--retries', '0'], filexEnv(s.url, ws.dir));
    const left = existsSync(out) ? await filesUnder(out) : [];
    record({ scenario: '2 GB reply: pre-signed download (cut at 256 MB)', command: 'filex download 0001/app1/out/big.csv -o dl/ --retries 0', left: left.length ? left.join(' ') : 'nothing' }, r);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/NetworkError|UnexpectedResponse/);
    expect(s.bytesWritten(), r.stderr).toBeGreaterThanOrEqual(256 * 1024 ** 2); // it did stream, not refuse
    expect(r.peakMb).toBeLessThan(PEAK_MB);
    expect(left).toEqual([]);
    expect(secretsIn(r)).toEqual([]);
  });
  it('filex download: a 403 from the pre-signed URL with a 2 GB body fails without reading it all', async () => {
    const s = await serve(presignedDownload('big.csv', (_req, res) => streamHuge(res, 403, '<Error><Code>AccessDenied</Code>', TWO_GB), true));
    const out = join(ws.dir, 'dl403');
    const r = await runCli(['filex', 'download', '0001/app1/out/big.csv', '-o', `${out}/`], filexEnv(s.url, ws.dir));
    const left = existsSync(out) ? await filesUnder(out) : [];
    record({ scenario: '2 GB error body from the pre-signed URL (403)', command: 'filex download 0001/app1/out/big.csv -o dl403/', left: left.length ? left.join(' ') : 'nothing' }, r);
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toMatch(/Forbidden/);
    expect(s.bytesWritten()).toBeLessThan(256 * 1024 ** 2);
    expect(r.peakMb).toBeLessThan(PEAK_MB);
    expect(left).toEqual([]);
    expect(secretsIn(r)).toEqual([]);
  });
});
