/**
 * The AWS SDK prints a multi-line Node-version notice when an S3 client is built; a library
 * must not write it into its users' logs (issue 11 item 8). Runs the built S3 client factory
 * in a fresh node process without the switch the CLI sets. Needs a build (`npm run build`).
 */
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const S3_COMMON = pathToFileURL(join(ROOT, 'dist/submit/filex/transports/s3-common.js')).href;
const KEY = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';

/** Builds an S3 client (and, as a control, one straight from the SDK) and reports warnings and the env switch. */
async function probe(direct: boolean): Promise<{ warnings: string[]; env: string | null }> {
  const script = `
    const warnings = [];
    process.on('warning', (w) => warnings.push(String(w.message)));
    const { createS3Client } = await import(${JSON.stringify(S3_COMMON)});
    const { S3Client } = await import('@aws-sdk/client-s3');
    const creds = async () => ({ accessKeyId: 'a', secretAccessKey: 'b', sessionToken: 'c', expiration: new Date(Date.now() + 3600e3) });
    ${direct ? "new S3Client({ region: 'us-east-1', credentials: creds });" : "createS3Client('us-east-1', creds);"}
    await new Promise((r) => setImmediate(r));
    console.log(JSON.stringify({ warnings, env: process.env.${KEY} ?? null }));`;
  const env = { ...process.env };
  delete env[KEY];
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, env });
  return JSON.parse(stdout) as { warnings: string[]; env: string | null };
}

describe('AWS SDK Node-version notice', () => {
  it('building the fileX S3 client prints no warning and leaves the environment as it was', async () => {
    expect(await probe(false)).toEqual({ warnings: [], env: null });
  });

  it('the SDK itself does warn on this Node (the check above can fail)', async () => {
    const major = Number(process.versions.node.split('.')[0]);
    const { warnings } = await probe(true);
    if (major < 22) expect(warnings.join('\n')).toMatch(/NodeVersionSupportWarning/);
    else expect(warnings).toEqual([]);
  });
});
