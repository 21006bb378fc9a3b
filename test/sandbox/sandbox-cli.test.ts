// `batchprep sandbox` as users run it: a child process (dist/cli/bin.js) that prints its
// environment, serves FinPro, FIP and fileX on one port, injects the --faults it was given,
// refuses a wrong command line before listening, and exits 0 on SIGTERM.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { baseEnv, bin, root, useSandboxCli } from './cli-harness.js';

const sb = useSandboxCli();
const { startCli, cli } = sb;

describe('batchprep sandbox', () => {
  it('prints the environment (export lines by default), and exits 0 on SIGTERM removing its --write-env file', async () => {
    const child = sb.track(spawn(process.execPath, [bin, 'sandbox', '--dir', join(sb.work, 'state'), '--write-env', join(sb.work, 'sb.env')], { cwd: sb.work, env: baseEnv }));
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve) => child.stdout.on('data', () => out.includes('FILEX_PASSWORD') && resolve()));
    for (const name of ['FINPRO_BASE_URL', 'FINPRO_CLIENT_ID', 'FINPRO_CLIENT_SECRET', 'FINPRO_APP_ID', 'FINPRO_ORG_ID', 'FILEX_BASE_URL', 'FIP_TOKEN_URL', 'FILEX_USERNAME', 'FILEX_PASSWORD']) {
      expect(out).toMatch(new RegExp(`^export ${name}='[^']+'$`, 'm'));
    }
    expect(out).toMatch(/^export FIP_TOKEN_URL='http:\/\/127\.0\.0\.1:\d+\/fip\/rest\/ews\/oauth2\/access_token'$/m);
    expect(existsSync(join(sb.work, 'sb.env'))).toBe(true);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(existsSync(join(sb.work, 'sb.env'))).toBe(false);
    expect(existsSync(join(sb.work, 'state', 'objects'))).toBe(true);
  });

  it('serves FinPro and fileX on one port: a submit and a listing sb.work with the printed environment', async () => {
    const s = await startCli([]);
    const sub = await cli(['finpro', 'submit', join(root, 'examples', 'consents.csv'), '--reference-id', 'SANDBOX_1'], s.info.env);
    expect(sub.code, sub.stderr).toBe(0);
    expect(sub.stderr).toMatch(/SANDBOX_1/);
    const again = await cli(['finpro', 'submit', join(root, 'examples', 'consents.csv'), '--reference-id', 'SANDBOX_1'], s.info.env);
    expect(again.code).toBe(1); // the sandbox remembers the reference ID: 409 DuplicateReferenceId
    const ls = await cli(['filex', 'ls', '0001/app1', '--json'], s.info.env);
    expect(ls.code, ls.stderr).toBe(0);
    expect(JSON.parse(ls.stdout).children.map((c: { name: string }) => c.name)).toEqual(['out', 'in', 'in_arcv']);
    // S3 Direct is not emulated without an S3 server: the token call is refused, not faked.
    const s3 = await cli(['filex', 'upload', join(root, 'examples', 'consents.csv'), '0001/app1/in', '--via', 's3'], s.info.env);
    expect(s3.code).toBe(4);
    expect(s3.stderr).toMatch(/S3 Direct is not enabled/);
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  });

  it('--faults: 503s, cut replies and expired tokens are injected, logged, and survived by the client', async () => {
    // Counted per API: fileX n=2 503, n=3 cut, n=4 503, n=6 503, n=7 expired token...; FinPro n=2 503, n=3 cut, n=4 503.
    const s = await startCli(['--faults', '5xx-every=2,reset-every=3', '--faults', 'expire-token-every=7,slow=20ms']);
    expect(s.info.faults).toMatchObject({ every5xx: 2, resetEvery: 3, expireTokenEvery: 7, slowMs: 20 });
    for (let i = 0; i < 3; i++) {
      const ls = await cli(['filex', 'ls', '0001/app1/out', '--retries', '10'], s.info.env);
      expect(ls.code, ls.stderr).toBe(0);
    }
    const sub = await cli(['finpro', 'submit', join(root, 'examples', 'consents.csv'), '--reference-id', 'SANDBOX_2', '--retries', '10'], s.info.env);
    expect(sub.code, sub.stderr).toBe(0);
    const sub2 = await cli(['finpro', 'submit', join(root, 'examples', 'consents.json'), '--reference-id', 'SANDBOX_3', '--retries', '10'], s.info.env);
    expect(sub2.code, sub2.stderr).toBe(0);
    expect(sub2.stderr).toMatch(/attempt 1 failed: .*503/);
    expect(sub2.stderr).toMatch(/4 attempts/);
    const log = s.stderr();
    expect(log).toMatch(/fileX GET \/files\/0001\/app1\/out: injected 503/);
    expect(log).toMatch(/fileX GET \/files\/0001\/app1\/out: injected a cut mid-body/);
    expect(log).toMatch(/fileX GET \/files\/0001\/app1\/out: injected an expired token \(401\)/);
    expect(log).toMatch(/FinPro POST \/fi\/requests\/schedule\/upload\/v3: injected 503/);
    expect(log).toMatch(/FinPro POST \/fi\/requests\/schedule\/upload\/v3: injected a cut mid-body/);
  });

  it('keeps its state in --dir: a second run knows the first run\'s tracking records, files and reference IDs', async () => {
    const first = await startCli(['--faults', 'polls=1']);
    const sub = await cli(['finpro', 'submit', join(root, 'examples', 'consents.csv'), '--reference-id', 'KEPT_1'], first.info.env);
    expect(sub.code, sub.stderr).toBe(0);
    const up = await cli(['filex', 'upload', join(root, 'examples', 'consents.csv'), '0001/app1/in', '--wait', '--interval', '1', '--json'], first.info.env);
    expect(up.code, up.stderr).toBe(0);
    const trackingId = JSON.parse(up.stdout).trackingId as string;
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(existsSync(join(sb.work, 'state', 'state.json'))).toBe(true);

    const second = await startCli(['--faults', 'polls=1']);
    expect(second.info.baseUrl).not.toBe('');
    const track = await cli(['filex', 'track', trackingId, '--json'], second.info.env);
    expect(track.code, track.stderr).toBe(0);
    expect(track.stdout).toMatch(/"downstreamStatus":\s*"ACCEPTED"/);
    expect(track.stdout).toContain(`${second.info.baseUrl}/tracking?id=${trackingId}`);
    const again = await cli(['finpro', 'submit', join(root, 'examples', 'consents.csv'), '--reference-id', 'KEPT_1'], second.info.env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/DuplicateReferenceId|already exists/);
    const arcv = await cli(['filex', 'ls', '0001/app1/in_arcv', '--json'], second.info.env);
    expect(JSON.parse(arcv.stdout).children.map((c: { name: string }) => c.name)).toEqual([expect.stringMatching(/^\d{14}-consents\.csv$/)]);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });

  it('a wrong fault list or port starts nothing and exits 2', async () => {
    const bad = await cli(['sandbox', '--dir', join(sb.work, 'never'), '--faults', 'reject=*.bad,explode=1'], {});
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown fault 'explode'/);
    expect(bad.stdout).toBe('');
    expect(existsSync(join(sb.work, 'never'))).toBe(false);
    const dur = await cli(['sandbox', '--dir', join(sb.work, 'never'), '--faults', 'slow=fast'], {});
    expect(dur.code).toBe(2);
    expect(dur.stderr).toMatch(/slow=fast: expected a duration/);
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    const busy = await cli(['sandbox', '--dir', join(sb.work, 'state'), '--port', String(port)], {});
    taken.close();
    expect(busy.code).toBe(2);
    expect(busy.stderr).toMatch(new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port} \\(EADDRINUSE\\)`));
    const range = await cli(['sandbox', '--port', '70000'], {});
    expect(range.code).toBe(2);
    await writeFile(join(sb.work, 'a-file'), 'x');
    const notDir = await cli(['sandbox', '--dir', join(sb.work, 'a-file', 'state')], {});
    expect(notDir.code).toBe(2);
    expect(notDir.stdout).toBe('');
    // Failing after it listened (objects/ cannot be made): the port is closed again, the process ends.
    await mkdir(join(sb.work, 'blocked'));
    await writeFile(join(sb.work, 'blocked', 'objects'), 'x');
    const blocked = await cli(['sandbox', '--dir', join(sb.work, 'blocked')], {});
    expect(blocked.code).toBe(2);
    expect(blocked.stdout).toBe('');
  });

  it('--help says what is and is not emulated', async () => {
    const r = await cli(['sandbox', '--help'], {});
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Not emulated: S3 Direct/);
    expect(r.stdout).toMatch(/reject=GLOB/);
  });
});
