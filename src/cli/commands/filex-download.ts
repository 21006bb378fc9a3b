import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { BatchprepCommand } from '../command.js';
import { EXIT_CODES_HELP, FILEX_ENV_HELP } from '../help.js';
import { BatchprepError, ErrorCode, fromFsError } from '../../errors.js';
import { downloadArchived, downloadFromFilex } from '../../submit/filex/api.js';
import type { DownloadResult } from '../../submit/filex/download.js';
import { checkTrackingId } from '../../submit/filex/track.js';
import { TRANSPORTS } from '../../submit/filex/transports/registry.js';
import type { Via } from '../../submit/filex/transports/transport.js';
import { createProgress } from '../progress.js';
import { say, type CliContext } from '../context.js';
import { clientFor, commonOptions, humanBytes, printJson, type CommonArgs } from './filex-common.js';
import { sftpFlags, transportNeeds, type SftpArgs } from './filex-upload.js';

interface DownloadArgs extends CommonArgs, SftpArgs {
  path?: string;
  output?: string;
  all?: boolean;
  force?: boolean;
  tracking?: string;
  via: Via;
  's3-endpoint'?: string;
}

async function downloadAllCmd(args: DownloadArgs, ctx: CliContext): Promise<number> {
  const { client, options } = await transportNeeds(args, ctx);
  const dir = resolve(ctx.cwd, args.output ?? '.');
  let current: ReturnType<typeof createProgress> | undefined;
  const results = await downloadFromFilex(client, args.path!, dir, {
    ...options,
    all: true,
    force: args.force,
    onWarning: (m) => say(ctx, `batchprep: warning: ${m}`),
    onProgress: (name, done, total) => {
      current ??= createProgress(ctx, name, total);
      current.update(done, total);
    },
    onFile: (r) => {
      current?.done();
      current = undefined;
      if (r.skipped === 'present') say(ctx, `skipped ${r.name} (present, same size and time)`);
      else if (!r.failed) say(ctx, `downloaded ${r.name} (${humanBytes(r.bytes)})`);
      if (!args.json && !r.skipped && !r.failed) ctx.stdout.write(`${r.file}\n`);
    },
  });
  const failed = results.filter((r) => r.failed);
  if (args.json) printJson(ctx, results);
  const got = results.filter((r) => !r.skipped && !r.failed).length;
  say(ctx, `${got} downloaded, ${results.filter((r) => r.skipped === 'present').length} already present, ${failed.length} failed`);
  if (failed.length) {
    // The first failure's code sets the exit code; every failure is named.
    throw new BatchprepError(
      failed[0]!.failed!.code as ErrorCode,
      `${failed.length} of the ${results.length} files listed in ${args.path} failed (${failed.map((r) => `${JSON.stringify(r.name)}: ${r.failed!.code}`).join(', ')}); the others were downloaded`,
    );
  }
  return 0;
}

// `-o -`: download to a private temporary file first (retries and the length check stay whole), then copy it to stdout.
async function toStdout(ctx: CliContext, fetch: (file: string) => Promise<DownloadResult>): Promise<DownloadResult> {
  const dir = await mkdtemp(join(tmpdir(), 'batchprep-dl-'));
  try {
    const r = await fetch(join(dir, 'body'));
    await pipeline(createReadStream(r.file), ctx.stdout, { end: false }).catch((err) => {
      throw fromFsError(err, '-', 'write');
    });
    return { ...r, file: '-' };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export const filexDownloadCommand: BatchprepCommand<DownloadArgs> = {
  command: 'download [path]',
  describe: 'Download org/app/space/file, every file of org/app/space with --all, or an archived upload with --tracking',
  builder: (y) =>
    sftpFlags(commonOptions(y))
      .positional('path', { type: 'string', describe: 'org/app/space/file (or org/app/space with --all)' })
      .option('output', { alias: 'o', type: 'string', describe: "Target file, directory (existing, or ending in '/'), or '-' for stdout (default: the current directory)" })
      .option('all', { type: 'boolean', describe: 'Mirror the whole sub-space; files present with the listed size and time are skipped' })
      .option('force', { type: 'boolean', describe: 'With --all: fetch every file again' })
      .option('tracking', { type: 'string', describe: 'Download the archived copy (in_arcv) of this tracking ID, when tracking says it is downloadable' })
      .option('via', { choices: TRANSPORTS, default: 'rest' as Via, describe: 'Transport' })
      .option('s3-endpoint', { type: 'string', describe: 'S3 endpoint override, path-style (env FILEX_S3_ENDPOINT)' })
      .example('$0 filex download 0001/app1/out/feedback.txt -o ./in-box/', 'one file')
      .example('$0 filex download 0001/app1/out/feedback.txt -o -', 'one file to stdout')
      .example('$0 filex download 0001/app1/out --all -o ./mirror --via s3', 'the whole space over S3 Direct')
      .example('$0 filex download --tracking d3caf6d8-34a4-4b83-9b63-b20dc0552861 -o ./sent/', 'the archived copy of an upload')
      .epilogue(`${FILEX_ENV_HELP}\n${EXIT_CODES_HELP}`),
  run: async (args, ctx) => {
    if (args.tracking !== undefined && (args.path !== undefined || args.all)) throw new BatchprepError(ErrorCode.UsageError, '--tracking replaces the path: give one or the other (and no --all)');
    if (args.tracking === undefined && !args.path) throw new BatchprepError(ErrorCode.UsageError, 'give org/app/space/file, org/app/space with --all, or --tracking ID');
    if (args.force && !args.all) throw new BatchprepError(ErrorCode.UsageError, '--force applies with --all only');
    if (args.all && args.output === '-') throw new BatchprepError(ErrorCode.UsageError, "--all writes a directory; '-o -' takes one file");
    if (args.all) return downloadAllCmd(args, ctx);
    const progress = createProgress(ctx, `download ${args.tracking ?? args.path}`);
    const onProgress = (_n: string, d: number, t?: number) => progress.update(d, t);
    let r: DownloadResult;
    try {
      const fetch = async (out: string): Promise<DownloadResult> => {
        if (args.tracking !== undefined) {
          if (args.via !== 'rest') throw new BatchprepError(ErrorCode.UsageError, '--tracking downloads over REST');
          return downloadArchived(clientFor(args, ctx), checkTrackingId(args.tracking), out, { signal: ctx.signal, onProgress });
        }
        const { client, options } = await transportNeeds(args, ctx);
        return (await downloadFromFilex(client, args.path!, out, { ...options, onProgress }))[0]!;
      };
      const raw = args.output ?? '.';
      // Keep a trailing separator: it asks for a directory.
      r = raw === '-' ? await toStdout(ctx, fetch) : await fetch(resolve(ctx.cwd, raw) + (/[\\/]$/.test(raw) ? '/' : ''));
    } finally {
      progress.done();
    }
    say(ctx, `downloaded ${args.tracking ?? args.path} (${humanBytes(r.bytes)}) to ${r.file === '-' ? 'stdout' : r.file}`);
    if (r.file === '-') return 0;
    if (args.json) printJson(ctx, r);
    else ctx.stdout.write(`${r.file}\n`);
    return 0;
  },
};
