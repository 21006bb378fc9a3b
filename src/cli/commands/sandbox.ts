import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { BatchprepError, ErrorCode, ExitCode, fromFsError } from '../../errors.js';
import { FAULTS_SYNTAX, FaultSyntaxError, parseFaults, type SandboxFaults } from '../../sandbox/faults.js';
import { type Sandbox, startSandbox } from '../../sandbox/sandbox.js';
import type { BatchprepCommand } from '../command.js';
import { type CliContext, say } from '../context.js';

interface SandboxArgs {
  port: number;
  dir: string;
  faults?: string[];
  json?: boolean;
  writeEnv?: string;
}

const EMULATED =
  'Emulated on 127.0.0.1 (one port): FinPro File Upload API (POST upload, the four identity headers, CSV/JSON only, 10 MB cap, ' +
  'reference IDs, the documented JSON replies); FIP token endpoint (client_credentials, HTTP Basic, expires_in); fileX REST API ' +
  '(/files listings, pre-signed download and upload URLs that expire, /tracking: Request Received -> Received by FINRA/RECEIVED -> ' +
  'ACCEPTED or REJECTED after 2 polls, archived copy in in_arcv, a feedback file in out).\n' +
  'Not emulated: S3 Direct (S3TransferTokens answers 403), SFTP, On Behalf Of orgs, real FINRA checks of file content (the verdict ' +
  'comes from --faults reject=/partial=), TLS (http on loopback only), FinPro batch processing after the upload reply.';

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

async function start(args: SandboxArgs, dir: string, faults: SandboxFaults, ctx: CliContext): Promise<Sandbox> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw fromFsError(err, args.dir, 'write');
  }
  try {
    return await startSandbox({ dir, port: args.port, faults, log: (line) => say(ctx, `batchprep sandbox: ${line}`) });
  } catch (err) {
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
      .option('json', { type: 'boolean', describe: 'Print one JSON object ({baseUrl, dir, env, faults}) instead of export lines' })
      .option('write-env', { type: 'string', describe: 'Also write the export lines to FILE once listening (removed on exit): a readiness signal for scripts' })
      .check((a) => {
        const port = a.port as number;
        if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a whole number from 0 to 65535, not ${a.port}`);
        return true;
      })
      .example('$0 sandbox --dir /tmp/sb --write-env /tmp/sb.env &', 'Start it in the background; `. /tmp/sb.env` once the file exists')
      .example('$0 sandbox --faults reject=*.bad.zip,429-every=5,slow=200ms', 'Rehearse retries and a REJECTED verdict')
      .epilogue(
        `${EMULATED}\n` +
          'The sandbox credentials open nothing but the sandbox. Stopping it (Ctrl-C, SIGTERM) exits 0; its state stays in --dir ' +
          '(objects/: the fileX files; state.json: tracking records and FinPro reference IDs) and the next run goes on from it.',
      ),
  async run(args, ctx) {
    const faults = faultsFrom(args);
    const dir = resolve(ctx.cwd, args.dir);
    if (ctx.signal.aborted) return ExitCode.Ok;
    const sandbox = await start(args, dir, faults, ctx);
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
      if (args.json) ctx.stdout.write(`${JSON.stringify({ baseUrl: sandbox.baseUrl, dir, env: sandbox.env, faults })}\n`);
      else ctx.stdout.write(exportLines(sandbox.env));
      say(ctx, `batchprep sandbox: listening on ${sandbox.baseUrl}, state in ${dir}; Ctrl-C to stop`);
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
