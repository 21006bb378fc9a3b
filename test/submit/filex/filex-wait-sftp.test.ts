// upload --wait over SFTP: SFTP returns no tracking ID, so the CLI finds the submission in the
// 90-day tracking list by name, location and time (as for S3 Direct). Here the fileX server's
// bucket is the very directory OpenSSH's sshd writes into, as fileX's SFTP lands in the
// storage its API lists: what sshd received is what tracking reports.
import { mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createDirectoryStore } from '../../../src/sandbox/directory-store.js';
import { startFilexServer, type FilexTestServer } from '../../servers/filex-server.js';
import { startSshd, type SshdHarness } from '../../servers/sshd.js';
import { makeFile, runCli, sftpEnv } from './filex-helpers.js';

describe('filex upload --via sftp --wait', () => {
  let sshd: SshdHarness;
  let fx: FilexTestServer;
  let dir: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    sshd = await startSshd();
    dir = await mkdtemp(join(tmpdir(), 'filex-wait-sftp-'));
    // The directory store keeps objects under <dir>/objects: make that sshd's data directory.
    await symlink(sshd.dataDir, join(dir, 'objects'));
    const store = await createDirectoryStore({ dir, baseUrl: 'http://127.0.0.1:9' });
    fx = await startFilexServer({ store, orgId: '0001', application: 'app1' });
    env = {
      ...sftpEnv(sshd),
      FILEX_USERNAME: fx.username,
      FILEX_PASSWORD: fx.password,
      FILEX_BASE_URL: fx.baseUrl,
      FIP_TOKEN_URL: fx.tokenUrl,
    };
  });
  afterAll(async () => {
    await fx?.close();
    await sshd?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('ACCEPTED: exit 0 with the tracking record of the file sshd received', async () => {
    const f = await makeFile(dir, 'sftp-wait.csv', 2048);
    const r = await runCli(['filex', 'upload', f.path, '0001/app1/in', '--via', 'sftp', '--wait', '--interval', '0.05', '--timeout', '30', '--json'], env);
    expect(r.code, `${r.stderr}\n${sshd.logs()}`).toBe(0);
    const out = JSON.parse(r.stdout) as { via: string; trackingId: string | null; tracking: { trackingId: string; fileName: string; uploadLocation: string; downstreamStatus: string } };
    expect(out.via).toBe('sftp');
    expect(out.tracking).toMatchObject({ fileName: 'sftp-wait.csv', uploadLocation: '0001/app1/in', downstreamStatus: 'ACCEPTED' });
    // The record the CLI reports is the one the server made for this file, not another.
    expect(fx.tracking.get(out.tracking.trackingId)).toMatchObject({ fileName: 'sftp-wait.csv', downstreamStatus: 'ACCEPTED' });
  });

  test('REJECTED: exit 1, the verdict named; the file stays where sshd put it', async () => {
    const f = await makeFile(dir, 'sftp-wait-bad.csv', 512);
    fx.faults.autoAccept = 'REJECTED';
    try {
      const r = await runCli(['filex', 'upload', f.path, '0001/app1/in', '--via', 'sftp', '--wait', '--interval', '0.05', '--timeout', '30'], env);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/Rejected: sftp-wait-bad\.csv was REJECTED by FINRA/);
    } finally {
      fx.faults.autoAccept = undefined;
    }
    const records = [...fx.tracking.values()].filter((t) => t.fileName === 'sftp-wait-bad.csv');
    expect(records.map((t) => t.downstreamStatus)).toEqual(['REJECTED']);
    expect((await readFile(join(sshd.dataDir, '0001', 'app1', 'in', 'sftp-wait-bad.csv'))).equals(f.data)).toBe(true);
  });
});
