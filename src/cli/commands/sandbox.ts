import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { BatchprepError, ErrorCode, ExitCode, fromFsError } from '../../errors.js';
import { registerSecret } from '../../redact.js';
import { FAULTS_SYNTAX, FaultSyntaxError, parseFaults, type SandboxFaults } from '../../sandbox/faults.js';
import { type Sandbox, startSandbox } from '../../sandbox/sandbox.js';
import type { S3StoreOptions } from '../../sandbox/s3-store.js';
import { checkEndpoint } from '../../submit/http/endpoint.js';
import type { BatchprepCommand } from '../command.js';
import { type CliContext, say } from '../context.js';

interface SandboxArgs {
  port: number;
  dir: string;
  faults?: string[];
  json?: boolean;
  writeEnv?: string;
  s3Endpoint?: string;
  s3Bucket?: string;
  s3Region?: string;
}

const EMULATED =
  'Emulated on 127.0.0.1 (one port): FinPro File Upload API (POST upload, the four identity headers, CSV/JSON only, 10 MB cap, ' +
  'reference IDs, the documented JSON replies); FIP token endpoint (client_credentials, HTTP Basic, expires_in); fileX REST API ' +
  '(/files listings, pre-signed download and upload URLs that expire, /tracking: Request Received -> Received by FINRA/RECEIVED -> ' +
  'ACCEPTED or REJECTED after 2 polls, archived copy in in_arcv, a feedback file in out).\n' +
  'With --s3-endpoint and --s3-bucket (an S3-compatible server you run, e.g. MinIO; keys from AWS_ACCESS_KEY_ID, ' +
  'AWS_SECRET_ACCESS_KEY and optionally AWS_SESSION_TOKEN): the fileX files live in that bucket under org/app/space/, ' +
  'pre-signed URLs point at that server, and S3 Direct is served: S3TransferTokens returns the bucket, region, readPaths/writePaths ' +
  'and those very keys with an expiration one hour ahead; objects S3 Direct puts in in/ get tracking records. The keys are not ' +
  'temporary and not scoped: readPaths/writePaths are not enforced (the keys open whatever they open on that server), and ' +
  'without AWS_SESSION_TOKEN the sessionToken is empty (batchprep accepts that; real fileX always sends one).\n' +
  'Not emulated: S3 Direct without an S3 server (S3TransferTokens answers 403), STS (real expiry and scope of S3 keys), SFTP, ' +
  'On Behalf Of orgs, real FINRA checks of file content (the verdict comes from --faults reject=/partial=), TLS (http on loopback ' +
  'only), FinPro batch processing after the upload reply.';

/** Shell lines (`export NAME=value`) for the sandbox's environment, values single-quoted. */
function exportLines(env: Record<string, string>): string {
  return Object.entries(env)
    .map(([k, v]) => `export ${k}='${v.replace(/'/g, `'\\''`)}'\n`)
    .join('');
}

// Parse the list before anything starts: a wrong fault list starts nothing (exit 2).
function faultsFrom(args: SandboxArgs): SandboxFaults {
  try {
    return parseFaults(args.faults ?? []);
  } catch (err) {
    if (err instanceof FaultSyntaxError) throw new BatchprepError(ErrorCode.InvalidOption, err.message);
    throw err;
  }
}

// The S3 settings, checked before anything starts: both flags or neither, the keys present.
function s3From(args: SandboxArgs, env: Record<string, string | undefined>): S3StoreOptions | undefined {
  const endpoint = args.s3Endpoint;
  const bucket = args.s3Bucket;
  if (endpoint === undefined && bucket === undefined) {
    if (args.s3Region !== undefined) throw new BatchprepError(ErrorCode.UsageError, '--s3-region applies with --s3-endpoint and --s3-bucket only. See --help.');
    return undefined;
  }
  if (endpoint === undefined || bucket === undefined) {
    throw new BatchprepError(ErrorCode.UsageError, `${endpoint === undefined ? '--s3-bucket needs --s3-endpoint' : '--s3-endpoint needs --s3-bucket'} (S3 is configured by both or neither). See --help.`);
  }
  checkEndpoint(endpoint, '--s3-endpoint');
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  const sessionToken = env.AWS_SESSION_TOKEN || undefined;
  if (!accessKeyId || !secretAccessKey) {
    throw new BatchprepError(ErrorCode.MissingCredential, 'the S3 store needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN if the keys have one) in the environment');
  }
  // The secret's name does not end in SECRET, so the environment scan does not mask it.
  registerSecret(secretAccessKey);
  registerSecret(sessionToken);
  return { endpoint, bucket, region: args.s3Region ?? 'us-east-1', keys: { accessKeyId, secretAccessKey, sessionToken } };
}

async function start(args: SandboxArgs, dir: string, faults: SandboxFaults, s3: S3StoreOptions | undefined, ctx: CliContext): Promise<Sandbox> {
  let created: string | undefined;
  try {
    created = await mkdir(dir, { recursive: true });
  } catch (err) {
    throw fromFsError(err, args.dir, 'write');
  }
  try {
    return await startSandbox({ dir, port: args.port, faults, s3, log: (line) => say(ctx, `batchprep sandbox: ${line}`) });
  } catch (err) {
    // A sandbox that never started leaves no state directory it made itself.
    if (created) await rm(created, { recursive: true, force: true }).catch(() => undefined);
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      throw new BatchprepError(ErrorCode.InvalidOption, `cannot listen on 127.0.0.1:${args.port} (${code}): pick another --port, or 0 for a free one`);
    }
    throw fromFsError(err, args.dir, 'write');
  }
}

export const sandboxCommand: BatchprepCommand<SandboxArgs> = {
  command: 'sandbox',
  describe: 'Run FinPro, FIP and fileX on 127.0.0.1 for rehearsals (state in --dir); prints the environment to use; stops on Ctrl-C',
  builder: (y) =>
    y
      .option('port', { type: 'number', default: 0, describe: 'Port on 127.0.0.1 for all three APIs (0: a free port)' })
      .option('dir', { type: 'string', default: 'batchprep-sandbox', describe: 'Directory for the sandbox state (fileX files in objects/, tracking and FinPro reference IDs in state.json); reused by the next run' })
      .option('faults', { type: 'string', array: true, describe: `Faults to inject, comma-separated: ${FAULTS_SYNTAX}` })
      .option('json', { type: 'boolean', describe: 'Print one JSON object ({baseUrl, dir, env, faults, s3?}) instead of export lines' })
      .option('write-env', { type: 'string', describe: 'Also write the export lines to FILE once listening (removed on exit): a readiness signal for scripts' })
      .option('s3-endpoint', { type: 'string', describe: 'URL of an S3-compatible server (path-style; https, or http on loopback) whose bucket holds the fileX files; serves S3 Direct. Keys: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN' })
      .option('s3-bucket', { type: 'string', describe: 'The bucket on --s3-endpoint (it must exist); needed with --s3-endpoint' })
      .option('s3-region', { type: 'string', describe: 'Region S3TransferTokens names and URLs are signed for (default us-east-1)' })
      .check((a) => {
        const port = a.port as number;
        if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a whole number from 0 to 65535, not ${a.port}`);
        return true;
      })
      .example('$0 sandbox --dir /tmp/sb --write-env /tmp/sb.env &', 'Start it in the background; `. /tmp/sb.env` once the file exists')
      .example('$0 sandbox --faults reject=*.bad.zip,429-every=5,slow=200ms', 'Rehearse retries and a REJECTED verdict')
      .example('AWS_ACCESS_KEY_ID=minio AWS_SECRET_ACCESS_KEY=minio-secret $0 sandbox --s3-endpoint http://127.0.0.1:9000 --s3-bucket filex', 'Objects in a MinIO bucket; `filex upload --via s3` works too')
      .epilogue(
        `${EMULATED}\n` +
          'The sandbox credentials open nothing but the sandbox. Stopping it (Ctrl-C, SIGTERM) exits 0; its state stays in --dir ' +
          '(objects/: the fileX files, unless they are in the S3 bucket; state.json: tracking records and FinPro reference IDs) and the ' +
          'next run goes on from it. The AWS keys are never printed.',
      ),
  async run(args, ctx) {
    const faults = faultsFrom(args);
    const s3 = s3From(args, ctx.env);
    const dir = resolve(ctx.cwd, args.dir);
    if (ctx.signal.aborted) return ExitCode.Ok;
    const sandbox = await start(args, dir, faults, s3, ctx);
    const envFile = args.writeEnv === undefined ? undefined : resolve(ctx.cwd, args.writeEnv);
    try {
      if (envFile) {
        // Written whole then renamed: a script that sees the file sees all of it.
        const tmp = `${envFile}.${process.pid}.tmp`;
        try {
          await writeFile(tmp, exportLines(sandbox.env));
          await rename(tmp, envFile);
        } catch (err) {
          await rm(tmp, { force: true });
          throw fromFsError(err, args.writeEnv!, 'write');
        }
      }
      // After the file, so whoever reads stdout can rely on the file too.
      // Where the objects are, never the keys.
      const s3Info = s3 && { endpoint: s3.endpoint, bucket: s3.bucket, region: s3.region };
      if (args.json) ctx.stdout.write(`${JSON.stringify({ baseUrl: sandbox.baseUrl, dir, env: sandbox.env, faults, ...(s3Info ? { s3: s3Info } : {}) })}\n`);
      else ctx.stdout.write(exportLines(sandbox.env));
      const objects = s3Info ? `; objects in bucket ${s3Info.bucket} at ${s3Info.endpoint}` : '';
      say(ctx, `batchprep sandbox: listening on ${sandbox.baseUrl}, state in ${dir}${objects}; Ctrl-C to stop`);
      await new Promise<void>((done) => {
        if (ctx.signal.aborted) return done();
        ctx.signal.addEventListener('abort', () => done(), { once: true });
      });
      say(ctx, 'batchprep sandbox: stopped');
      return ExitCode.Ok;
    } finally {
      await sandbox.close();
      if (envFile) await rm(envFile, { force: true });
    }
  },
};
