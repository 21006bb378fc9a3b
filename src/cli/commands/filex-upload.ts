import { basename, resolve } from 'node:path';
import type { Argv } from 'yargs';
import type { BatchprepCommand } from '../command.js';
import { EXIT_CODES_HELP, FILEX_ENV_HELP } from '../help.js';
import { BatchprepError, ErrorCode } from '../../errors.js';
import { sftpOptionsFromEnv } from '../../submit/filex/config.js';
import { checkFileName, parseFilexPath, FILE_NAME } from '../../submit/filex/names.js';
import { openSource } from '../../submit/filex/source.js';
import { spoolToTempFile } from '../../fs/spool.js';
import { uploadToFilex, type FilexTransportOptions, type UploadResult } from '../../submit/filex/api.js';
import { waitForUpload } from '../../submit/filex/track.js';
import { loadTransport, TRANSPORTS } from '../../submit/filex/transports/registry.js';
import type { Via } from '../../submit/filex/transports/transport.js';
import { DEFAULT_CONCURRENCY, DEFAULT_PART_SIZE } from '../../submit/filex/transports/s3-options.js';
import { createProgress } from '../progress.js';
import { hintIfStdinIdle, say, type CliContext } from '../context.js';
import type { SftpOptions } from '../../submit/filex/transports/sftp-options.js';
import type { FilexClient } from '../../submit/filex/client.js';
import { clientFor, networkFor, commonOptions, humanBytes, parseSize, printJson, type CommonArgs } from './filex-common.js';

/** The SFTP flags `upload`, `download` and `ls` share (secrets stay in the environment). */
export interface SftpArgs {
  'sftp-host'?: string;
  'sftp-port'?: number;
  'sftp-user'?: string;
  'sftp-key-file'?: string;
  'accept-new-host-key'?: boolean;
}

/** Adds the SFTP flags. */
export function sftpFlags<T>(y: Argv<T>): Argv<T & SftpArgs> {
  return y
    .option('sftp-host', { type: 'string', describe: 'SFTP host (env FILEX_SFTP_HOST)' })
    .option('sftp-port', { type: 'number', describe: 'SFTP port (env FILEX_SFTP_PORT, default 22)' })
    .option('sftp-user', { type: 'string', describe: 'SFTP user (env FILEX_SFTP_USER, default FILEX_USERNAME)' })
    .option('sftp-key-file', { type: 'string', describe: 'Private key file (env FILEX_SFTP_KEY_FILE); else FILEX_PASSWORD' })
    .option('accept-new-host-key', { type: 'boolean', describe: "SFTP: trust and record a host key seen for the first time (OpenSSH's accept-new); a changed key is still refused" }) as Argv<T & SftpArgs>;
}

/** SFTP settings from flags and environment. */
export function sftpOptions(args: SftpArgs & CommonArgs, ctx: CliContext): SftpOptions {
  networkFor(args, ctx);
  return sftpOptionsFromEnv(ctx.env, { host: args['sftp-host'], port: args['sftp-port'], user: args['sftp-user'], keyFile: args['sftp-key-file'], acceptNewHostKey: args['accept-new-host-key'] });
}

/**
 * The REST client the chosen transport needs and its transport options, from flags and
 * environment (SFTP needs no REST credentials); `wantClient` asks for the REST client even
 * where the transport can do without it.
 */
export async function transportNeeds(
  args: CommonArgs & SftpArgs & { via: Via; 's3-endpoint'?: string },
  ctx: CliContext,
  wantClient = false,
): Promise<{ client?: FilexClient; options: FilexTransportOptions }> {
  const transport = await loadTransport(args.via);
  const sftp = transport.needsSftp ? sftpOptions(args, ctx) : undefined;
  const client = transport.needsClient || wantClient ? clientFor(args, ctx) : undefined;
  return { client, options: { via: args.via, sftp, endpoint: args['s3-endpoint'] ?? ctx.env.FILEX_S3_ENDPOINT, signal: ctx.signal } };
}

interface UploadArgs extends CommonArgs, SftpArgs {
  file: string;
  target: string;
  name?: string;
  meta?: string[];
  via: Via;
  'part-size': string;
  concurrency: number;
  resume?: boolean;
  's3-endpoint'?: string;
  wait?: boolean;
  interval?: number;
  timeout?: number;
}

/** `--meta key=value` → `{key: value}`; keys are header-safe, values follow the FILE_NAME rule as fileX requires. */
export function parseMeta(items: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items ?? []) {
    const eq = item.indexOf('=');
    const key = eq > 0 ? item.slice(0, eq) : '';
    const value = eq > 0 ? item.slice(eq + 1) : '';
    if (!/^[A-Za-z0-9-]+$/.test(key)) {
      throw new BatchprepError(ErrorCode.InvalidOption, `--meta '${item}': expected key=value with a key of letters, digits and '-'`);
    }
    if (!FILE_NAME.test(value)) {
      throw new BatchprepError(ErrorCode.InvalidOption, `--meta ${key}: value '${value}' may only hold letters, digits and ! @ , & - = ' .`);
    }
    out[key] = value;
  }
  return out;
}

export const filexUploadCommand: BatchprepCommand<UploadArgs> = {
  command: 'upload <file> <target>',
  describe: 'Upload a file to org/app/space over REST (default), S3 Direct or SFTP',
  builder: (y) =>
    sftpFlags(commonOptions(y))
      .positional('file', { type: 'string', describe: "Local file, or '-' for stdin (then --name is required)" })
      .positional('target', { type: 'string', describe: 'org/app/space (e.g. 0001/app1/in)' })
      .option('name', { type: 'string', describe: 'Remote file name (default: the local file name); FILE_NAME rule' })
      .option('meta', { type: 'string', array: true, describe: 'key=value sent as a filex-<key> header (REST; deprecated by FINRA)' })
      .option('via', { choices: TRANSPORTS, default: 'rest' as Via, describe: 'Transport' })
      .option('part-size', { type: 'string', default: String(DEFAULT_PART_SIZE), describe: 'S3 multipart part size (bytes or e.g. 16MiB; min 5MiB)' })
      .option('concurrency', { type: 'number', default: DEFAULT_CONCURRENCY, describe: 'S3 parts in flight' })
      .option('resume', { type: 'boolean', describe: 'S3: continue the multipart upload recorded beside the file (<file>.filex-upload.json)' })
      .option('s3-endpoint', { type: 'string', describe: 'S3 endpoint override, path-style (env FILEX_S3_ENDPOINT)' })
      .option('wait', { type: 'boolean', describe: 'Then wait for FINRA\'s verdict, exiting like `filex track --wait` (S3/SFTP: found by name, location and time in the 90-day list)' })
      .option('interval', { type: 'number', describe: 'Seconds between polls with --wait (default 10)' })
      .option('timeout', { type: 'number', describe: 'Seconds to wait at most with --wait (default 3600)' })
      .option('request-timeout', { type: 'number', default: 30, describe: 'Seconds one request may go without a byte moving (what --timeout is in the other commands)' })
      .example('$0 filex upload report.zip 0001/app1/in', 'REST upload; prints the trackingId')
      .example('$0 filex upload report.zip 0001/app1/in --via s3 --wait --interval 30', 'upload, then wait for ACCEPTED (0) or REJECTED (1)')
      .example('$0 filex upload big.zip 0001/app1/in --via s3 --part-size 16MiB --concurrency 8 --resume', 'S3 multipart, resumable')
      .example('$0 filex upload report.zip 0001/app1/in --via sftp --sftp-host sftp.example', 'SFTP')
      .epilogue(`${FILEX_ENV_HELP}\n${EXIT_CODES_HELP}`),
  run: async (args, ctx) => {
    const space = parseFilexPath(args.target, 3, 3, 'org/app/space (e.g. 0001/app1/in)');
    // yargs hands a lone '-' positional over as ''.
    const fromStdin = args.file === '-' || args.file === '';
    if (fromStdin && !args.name) throw new BatchprepError(ErrorCode.UsageError, "reading stdin ('-') needs --name for the remote file");
    if (args.resume && args.via !== 's3') throw new BatchprepError(ErrorCode.UsageError, '--resume applies to --via s3 only');
    if (args.meta?.length && args.via !== 'rest') throw new BatchprepError(ErrorCode.UsageError, '--meta applies to --via rest only (fileX takes filex-<key> headers on the REST upload request)');
    if (!args.wait && (args.interval !== undefined || args.timeout !== undefined)) throw new BatchprepError(ErrorCode.UsageError, '--interval and --timeout apply with --wait only');
    if (args.interval !== undefined && !(args.interval > 0)) throw new BatchprepError(ErrorCode.InvalidOption, `--interval ${args.interval}: must be a positive number of seconds`);
    if (args.timeout !== undefined && !(args.timeout > 0)) throw new BatchprepError(ErrorCode.InvalidOption, `--timeout ${args.timeout}: must be a positive number of seconds`);
    const name = checkFileName(args.name ?? basename(args.file), args.name ? '--name' : 'local file name');
    const meta = parseMeta(args.meta);
    const partSize = parseSize(args['part-size'], '--part-size');
    const path = { org: space.org!, app: space.app!, space: space.space!, name };
    // Check credentials and options before spooling or reading anything.
    // REST credentials serve SFTP too when present (the writable check) and --wait needs them.
    const { client, options } = await transportNeeds(args, ctx, Boolean(args.wait || (ctx.env.FILEX_USERNAME && ctx.env.FILEX_PASSWORD)));
    if (fromStdin && args.resume) throw new BatchprepError(ErrorCode.UsageError, '--resume needs a file on disk, not stdin');
    // stdin has no size: spool it to a private temp file first so Content-Length is known.
    const cancelHint = fromStdin ? hintIfStdinIdle(ctx, 'the file to upload') : () => undefined;
    const spool = fromStdin ? await spoolToTempFile(ctx.stdin, { signal: ctx.signal }).finally(cancelHint) : undefined;
    try {
      // Readable, a regular file, within the transport's limits: all before fileX is asked for anything.
      const src = await openSource(spool ? spool.path : resolve(ctx.cwd, args.file));
      const progress = createProgress(ctx, `upload ${name}`, src.size);
      const startedAt = Date.now();
      let result: UploadResult;
      try {
        result = await uploadToFilex(client, src.path, args.target, {
          ...options,
          name,
          meta,
          partSize,
          concurrency: args.concurrency,
          resume: args.resume,
          source: src,
          onProgress: (done, total) => progress.update(done, total),
          onNotice: (m) => say(ctx, `batchprep: ${m}`),
        });
      } finally {
        progress.done();
      }
      const where = `${path.org}/${path.app}/${path.space}/${name}`;
      say(ctx, `uploaded ${where} (${humanBytes(result.bytes)}) via ${result.via}${result.trackingId ? `; trackingId ${result.trackingId}` : ''}`);
      const summary = { trackingId: result.trackingId ?? null, name: result.name, bytes: result.bytes, sha256: result.sha256, via: result.via, path: where };
      if (!args.wait) {
        if (args.json) printJson(ctx, summary);
        else ctx.stdout.write(`${result.trackingId ?? where}\n`);
        return 0;
      }
      let last = '';
      const rec = await waitForUpload(client!, { ...path, trackingId: result.trackingId }, {
        startedAt,
        intervalMs: (args.interval ?? 10) * 1000,
        timeoutMs: (args.timeout ?? 3600) * 1000,
        signal: ctx.signal,
        onPoll: (r) => {
          const s = `${r.trackingId} ${r.fileName ?? ''}: ${r.status ?? 'unknown'}${r.downstreamStatus ? ` / ${r.downstreamStatus}` : ''}`;
          if (s !== last) say(ctx, s);
          last = s;
        },
      });
      if (args.json) printJson(ctx, { ...summary, trackingId: rec.trackingId, tracking: rec });
      else ctx.stdout.write(`${rec.trackingId} ${rec.downstreamStatus ?? ''}\n`);
      if (rec.downstreamStatus !== 'ACCEPTED') {
        throw new BatchprepError(ErrorCode.Rejected, `${name} was ${rec.downstreamStatus} by FINRA (tracking ${rec.trackingId}); download the feedback from the out space`);
      }
      return 0;
    } finally {
      await spool?.cleanup();
    }
  },
};
