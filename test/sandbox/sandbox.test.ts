// startSandbox in-process, spoken to over HTTP as the guide's samples do: the fault settings
// that change documented values (token lifetime, URL lifetime, polls to the verdict, verdicts by
// name) reach the servers, and the pre-signed URLs are the sandbox's own.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseFaults } from '../../src/sandbox/faults.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/sandbox.js';

let dir: string;
let sb: Sandbox;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sandbox-'));
  sb = await startSandbox({ dir, faults: parseFaults(['token-ttl=2m,url-ttl=7s,polls=1,reject=*.bad.zip,partial=half-*']) });
});
afterEach(async () => {
  await sb.close();
  await rm(dir, { recursive: true, force: true });
});

async function token(): Promise<{ access_token: string; expires_in: number }> {
  const basic = Buffer.from(`${sb.env.FILEX_USERNAME}:${sb.env.FILEX_PASSWORD}`).toString('base64');
  const r = await fetch(`${sb.env.FIP_TOKEN_URL}?grant_type=client_credentials`, { method: 'POST', headers: { authorization: `Basic ${basic}` } });
  expect(r.status).toBe(200);
  return (await r.json()) as { access_token: string; expires_in: number };
}

/** Upload through the REST flow and return the tracking record after `polls` polls. */
async function submit(name: string, bearer: string): Promise<{ url: string; trackingId: string; records: Array<{ status: string; downstreamStatus: string | null }> }> {
  const auth = { authorization: `Bearer ${bearer}` };
  const put = (await (await fetch(`${sb.baseUrl}/files/0001/app1/in/${name}`, { method: 'PUT', headers: auth })).json()) as { url: string; trackingId: string };
  expect((await fetch(put.url, { method: 'PUT', body: 'PK-bytes' })).status).toBe(200);
  const records = [];
  for (let i = 0; i < 2; i++) {
    const [rec] = (await (await fetch(`${sb.baseUrl}/tracking?id=${put.trackingId}`, { headers: auth })).json()) as Array<{ status: string; downstreamStatus: string | null }>;
    records.push(rec!);
  }
  return { ...put, records };
}

describe('startSandbox', () => {
  it('token-ttl, url-ttl and polls reach the servers; the upload URL is the sandbox\'s own', async () => {
    const t = await token();
    expect(t.expires_in).toBe(120);
    const r = await submit('ok.zip', t.access_token);
    expect(r.url.startsWith(`${sb.baseUrl}/_objects/0001/app1/in/ok.zip?`)).toBe(true);
    expect(new URL(r.url).searchParams.get('X-Amz-Expires')).toBe('7');
    // polls=1: RECEIVED on the first poll, the verdict on the next.
    expect(r.records.map((x) => `${x.status}/${x.downstreamStatus}`)).toEqual(['Received by FINRA/RECEIVED', 'Received by FINRA/ACCEPTED']);
  });

  it('reject= and partial= globs decide the verdict by file name, and the feedback lands in out', async () => {
    const t = await token();
    expect((await submit('x.bad.zip', t.access_token)).records[1]!.downstreamStatus).toBe('REJECTED');
    expect((await submit('half-1.zip', t.access_token)).records[1]!.downstreamStatus).toBe('PARTIALLY_REJECTED');
    const out = (await (await fetch(`${sb.baseUrl}/files/0001/app1/out`, { headers: { authorization: `Bearer ${t.access_token}` } })).json()) as { children: Array<{ name: string }> };
    expect(out.children.map((c) => c.name).sort()).toEqual([expect.stringMatching(/^FEEDBACK_\d{14}_half-1\.zip\.txt$/), expect.stringMatching(/^FEEDBACK_\d{14}_x\.bad\.zip\.txt$/)]);
  });
});
