// CI runs the worked example of the README's "Rehearse locally": examples/sandbox-pipeline.sh,
// the whole pipeline against `batchprep sandbox` (dist/cli/bin.js, so `npm run build` first).
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');

describe('examples/sandbox-pipeline.sh', () => {
  it('validates, prepares, submits every part, packs, uploads, gets both verdicts and downloads the feedback, through injected 429s', async () => {
    const { stdout, stderr } = await run('bash', ['examples/sandbox-pipeline.sh', 'examples/consents.csv'], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', BATCHPREP: `${process.execPath} ${join(root, 'dist', 'cli', 'bin.js')}` },
      maxBuffer: 8 * 1024 * 1024,
    });
    const out = stdout + stderr;
    expect(out).toContain('examples/consents.csv: valid — 3 rows');
    expect(out).toMatch(/prepared 3 of 3 rows into 2 parts/);
    expect(out).toMatch(/finpro: all 2 parts landed/);
    // The second FinPro upload met the injected 429 and was retried.
    expect(out).toMatch(/submitted consents-0002\.csv as REHEARSAL-0002: .*2 attempts/);
    expect(out).toMatch(/CONSENTS\.zip: Received by FINRA \/ ACCEPTED/);
    expect(out).toMatch(/CONSENTS\.bad\.zip: Received by FINRA \/ REJECTED/);
    expect(out).toMatch(/FEEDBACK_\d{14}_CONSENTS\.zip\.txt: [0-9a-f-]{36} CONSENTS\.zip: ACCEPTED/);
    expect(out).toMatch(/FEEDBACK_\d{14}_CONSENTS\.bad\.zip\.txt: [0-9a-f-]{36} CONSENTS\.bad\.zip: REJECTED/);
    expect(out).toMatch(/FinPro POST \/fi\/requests\/schedule\/upload\/v3: injected 429 \(Retry-After: 1\)/);
    expect(out).toMatch(/fileX GET \/tracking: injected 429/);
    expect(out).toContain('batchprep sandbox: stopped');
    expect(out).toContain('== done: the rehearsal passed');
  }, 240_000);
});
