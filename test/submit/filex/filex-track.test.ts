import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { makeFile, runCli, startStack, type Stack } from './filex-helpers.js';

describe('filex track', () => {
  let st: Stack;
  beforeAll(async () => {
    st = await startStack();
  });
  afterAll(async () => {
    await st?.close();
  });

  async function upload(name: string): Promise<string> {
    const f = await makeFile(st.dir, name, 1000);
    const r = await runCli(['filex', 'upload', f.path, '0001/app1/in'], st.env);
    expect(r.code, r.stderr).toBe(0);
    return r.stdout.trim();
  }

  test('--wait polls until ACCEPTED: exit 0, statuses printed as they change', async () => {
    st.fx.faults.autoAccept = 'ACCEPTED';
    st.fx.faults.pollsToFinal = 2;
    const id = await upload('ok.csv');
    const r = await runCli(['filex', 'track', id, '--wait', '--interval', '0.05', '--json'], st.env);
    expect(r.code, r.stderr).toBe(0);
    const rec = JSON.parse(r.stdout);
    expect(rec).toMatchObject({ trackingId: id, fileName: 'ok.csv', status: 'Received by FINRA', downstreamStatus: 'ACCEPTED' });
    expect(r.stderr).toContain(`${id} ok.csv: Received by FINRA / RECEIVED`);
    expect(r.stderr).toContain(`${id} ok.csv: Received by FINRA / ACCEPTED`);
  });

  test.each(['REJECTED', 'PARTIALLY_REJECTED'] as const)('--wait ending %s: exit 1 (Rejected)', async (verdict) => {
    st.fx.faults.autoAccept = verdict;
    const name = `bad-${verdict.replace('_', '-')}.csv`;
    const id = await upload(name);
    const r = await runCli(['filex', 'track', id, '--wait', '--interval', '0.05'], st.env);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(`${verdict}\n`);
    expect(r.stderr).toContain(`Rejected: ${name} was ${verdict} by FINRA`);
    st.fx.faults.autoAccept = undefined;
  });

  test('--wait gives up after --timeout: exit 3 (Timeout)', async () => {
    const id = await upload('slow.csv');
    st.fx.setDownstream(id, 'RECEIVED');
    const r = await runCli(['filex', 'track', id, '--wait', '--interval', '0.1', '--timeout', '0.5'], st.env);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/Timeout: tracking .*: still 'RECEIVED' when the wait timed out/);
  });

  test('without --wait: the current status, exit 0; without an id: every submission', async () => {
    const id = await upload('now.csv');
    const r = await runCli(['filex', 'track', id], st.env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^(Request Received|RECEIVED)\n$/);
    const all = await runCli(['filex', 'track', '--json'], st.env);
    expect(all.code).toBe(0);
    const list = JSON.parse(all.stdout);
    expect(list.map((x: { trackingId: string }) => x.trackingId)).toContain(id);
    const table = await runCli(['filex', 'track'], st.env);
    expect(table.stdout.split('\n')[0]).toMatch(/^TRACKING ID\s+FILE\s+STATUS\s+DOWNSTREAM\s+UPDATED$/);
  });

  test('an unknown id is RemoteNotFound (exit 2); a malformed id or --wait without id is a usage error', async () => {
    const r = await runCli(['filex', 'track', '00000000-0000-0000-0000-000000000000'], st.env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/RemoteNotFound: fileX has no submission with tracking ID/);
    expect((await runCli(['filex', 'track', 'x;rm -rf'], st.env)).code).toBe(2);
    expect((await runCli(['filex', 'track', '--wait'], st.env)).stderr).toMatch(/--wait needs a tracking ID/);
  });
});
