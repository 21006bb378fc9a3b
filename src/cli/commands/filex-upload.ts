import { basename, resolve } from 'node:path';
import type { Argv } from 'yargs';
import type { BatchprepCommand } from '../command.js';
import { EXIT_CODES_HELP, FILEX_ENV_HELP } from '../help.js';
import { BatchprepError, ErrorCode } from '../../errors.js';
import { sftpOptionsFromEnv } from '../../submit/filex/config.js';
import { checkFileName, parseFilexPath, FILE_NAME } from '../../submit/filex/names.js';
import { openSource } from '../../submit/filex/source.js';
import { spoolToTempFile } from '../../fs/spool.js';
import { uploadRest, type UploadResult } from '../../submit/filex/transports/rest.js';
import { DEFAULT_CONCURRENCY, DEFAULT_PART_SIZE, checkS3Options } from '../../submit/filex/transports/s3-options.js';
import { createProgress } from '../progress.js';
import { hintIfStdinIdle, say, type CliContext } from '../context.js';
import type { SftpOptions } from '../../submit/filex/transports/sftp-session.js';
import { clientFor, commonOptions, humanBytes, parseSize, printJson, type CommonArgs } from './filex-common.js';

/** The SFTP flags `upload`, `download` and `ls` share (secrets stay in the environment). */
export interface SftpArgs {
  'sftp-host'?: string;
  'sftp-port'?: number;
  'sftp-user'?: string;
  'sftp-key-file'?: string;
}

/** Adds the SFTP flags. */
export function sftpFlags<T>(y: Argv<T>): Argv<T & SftpArgs> {
  return y
    .option('sftp-host', { type: 'string', describe: 'SFTP host (env FILEX_SFTP_HOST)' })
    .option('sftp-port', { type: 'number', describe: 'SFTP port (env FILEX_SFTP_PORT, default 22)' })
    .option('sftp-user', { type: 'string', describe: 'SFTP user (env FILEX_SFTP_USER, default FILEX_USERNAME)' })
    .option('sftp-key-file', { type: 'string', describe: 'Private key file (env FILEX_SFTP_KEY_FILE); else FILEX_PASSWORD' }) as Argv<T & SftpArgs>;
}

/** SFTP settings from flags and environment. */
export function sftpOptions(args: SftpArgs, ctx: CliContext): SftpOptions {
  return sftpOptionsFromEnv(ctx.env, { host: args['sftp-host'], port: args['sftp-port'], user: args['sftp-user'], keyFile: args['sftp-key-file'] });
}

interface UploadArgs extends CommonArgs, SftpArgs {
  file: string;
  target: string;
  name?: string;
  meta?: string[];
  via: 'rest' | 's3' | 'sftp';
  'part-size': string;
  concurrency: number;
  resume?: boolean;
  's3-endpoint'?: string;
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
      .option('via', { choices: ['rest', 's3', 'sftp'] as const, default: 'rest' as const, describe: 'Transport' })
      .option('part-size', { type: 'string', default: String(DEFAULT_PART_SIZE), describe: 'S3 multipart part size (bytes or e.g. 16MiB; min 5MiB)' })
      .option('concurrency', { type: 'number', default: DEFAULT_CONCURRENCY, describe: 'S3 parts in flight' })
      .option('resume', { type: 'boolean', describe: 'S3: continue the multipart upload recorded beside the file (<file>.filex-upload.json)' })
      .option('s3-endpoint', { type: 'string', describe: 'S3 endpoint override, path-style (env FILEX_S3_ENDPOINT)' })
      .example('$0 filex upload report.zip 0001/app1/in', 'REST upload; prints the trackingId')
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
    const name = checkFileName(args.name ?? basename(args.file), args.name ? '--name' : 'local file name');
    const meta = parseMeta(args.meta);
    const partSize = parseSize(args['part-size'], '--part-size');
    if (args.via === 's3') checkS3Options(partSize, args.concurrency);
    const path = { org: space.org!, app: space.app!, space: space.space!, name };
    // Check credentials and options before spooling or reading anything.
    const sftp = args.via === 'sftp' ? sftpOptions(args, ctx) : undefined;
    const client = args.via === 'sftp' && !(ctx.env.FILEX_USERNAME && ctx.env.FILEX_PASSWORD) ? undefined : clientFor(args, ctx);
    if (fromStdin && args.resume) throw new BatchprepError(ErrorCode.UsageError, '--resume needs a file on disk, not stdin');
    // stdin has no size: spool it to a private temp file first so Content-Length is known.
    const cancelHint = fromStdin ? hintIfStdinIdle(ctx, 'the file to upload') : () => undefined;
    const spool = fromStdin ? await spoolToTempFile(ctx.stdin, { signal: ctx.signal }).finally(cancelHint) : undefined;
    try {
      const src = await openSource(spool ? spool.path : resolve(ctx.cwd, args.file));
      const progress = createProgress(ctx, `upload ${name}`, src.size);
      const onProgress = (done: number, total: number) => progress.update(done, total);
      const onNotice = (m: string) => say(ctx, `batchprep: ${m}`);
      let result: UploadResult;
      try {
        if (args.via === 'rest') {
          result = await uploadRest(client!, src, path, { meta, signal: ctx.signal, onProgress });
        } else if (args.via === 's3') {
          // The AWS SDK and ssh2 load only when used: every other command starts without them.
          const { uploadS3 } = await import('../../submit/filex/transports/s3.js');
          result = await uploadS3(client!, src, path, {
            partSize,
            concurrency: args.concurrency,
            endpoint: args['s3-endpoint'] ?? ctx.env.FILEX_S3_ENDPOINT,
            resume: args.resume,
            signal: ctx.signal,
            onProgress,
            onNotice,
          });
        } else {
          // The REST listing says whether the space is writable; without REST credentials the SFTP server decides.
          if (client) await client.assertWritable(path, ctx.signal);
          const { uploadSftp } = await import('../../submit/filex/transports/sftp.js');
          result = await uploadSftp(sftp!, src, path, { signal: ctx.signal, onProgress });
        }
      } finally {
        progress.done();
      }
      const where = `${path.org}/${path.app}/${path.space}/${name}`;
      say(ctx, `uploaded ${where} (${humanBytes(result.bytes)}) via ${result.via}${result.trackingId ? `; trackingId ${result.trackingId}` : ''}`);
      if (args.json) {
        printJson(ctx, { trackingId: result.trackingId ?? null, name: result.name, bytes: result.bytes, sha256: result.sha256, via: result.via, path: where });
      } else {
        ctx.stdout.write(`${result.trackingId ?? where}\n`);
      }
      return 0;
    } finally {
      await spool?.cleanup();
    }
  },
};
