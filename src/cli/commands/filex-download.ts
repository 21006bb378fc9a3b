import { mkdir, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { BatchprepCommand } from '../command.js';
import { EXIT_CODES_HELP, FILEX_ENV_HELP } from '../help.js';
import { BatchprepError, ErrorCode, fromFsError } from '../../errors.js';
import { sftpOptionsFromEnv } from '../../submit/filex/config.js';
import { downloadFile, mirrorSpace, restSpace, safeJoin, type DownloadResult, type RemoteSpace } from '../../submit/filex/download.js';
import { parseFilexPath } from '../../submit/filex/names.js';
import { createProgress } from '../progress.js';
import { say, type CliContext } from '../context.js';
import { clientFor, commonOptions, humanBytes, printJson, type CommonArgs } from './filex-common.js';
import { sftpFlags, sftpOptions, type SftpArgs } from './filex-upload.js';

interface DownloadArgs extends CommonArgs, SftpArgs {
  path: string;
  output?: string;
  all?: boolean;
  via: 'rest' | 's3' | 'sftp';
  's3-endpoint'?: string;
}

type Space = { org: string; app: string; space: string };

// One sub-space through the chosen transport; SFTP needs no REST credentials.
async function withRemote<T>(args: DownloadArgs, ctx: CliContext, space: Space, fn: (remote: RemoteSpace) => Promise<T>): Promise<T> {
  // The AWS SDK and ssh2 load only when used.
  const { withS3Space, withSftpSpace } = await import('../../submit/filex/remote-spaces.js');
  if (args.via === 'sftp') return withSftpSpace({ ...sftpOptions(args, ctx), signal: ctx.signal }, space, fn);
  const client = clientFor(args, ctx);
  if (args.via === 's3') {
    return withS3Space(client, space, { endpoint: args['s3-endpoint'] ?? ctx.env.FILEX_S3_ENDPOINT, signal: ctx.signal }, (remote) => fn(remote));
  }
  return fn(restSpace(client, space, ctx.signal));
}

async function downloadAllCmd(args: DownloadArgs, ctx: CliContext): Promise<number> {
  const p = parseFilexPath(args.path, 3, 3, 'org/app/space with --all');
  const space = { org: p.org!, app: p.app!, space: p.space! };
  const dir = resolve(ctx.cwd, args.output ?? '.');
  await mkdir(dir, { recursive: true }).catch((err) => {
    throw fromFsError(err, dir, 'write');
  });
  let current: ReturnType<typeof createProgress> | undefined;
  const results = await withRemote(args, ctx, space, (remote) =>
    mirrorSpace(remote, dir, {
      signal: ctx.signal,
      onWarning: (m) => say(ctx, `batchprep: warning: ${m}`),
      onProgress: (name, done, total) => {
        current ??= createProgress(ctx, name, total);
        current.update(done, total);
      },
      onFile: (r) => {
        current?.done();
        current = undefined;
        if (r.skipped === 'present') say(ctx, `skipped ${r.name} (present, same size)`);
        else if (!r.skipped) say(ctx, `downloaded ${r.name} (${humanBytes(r.bytes)})`);
        if (!args.json && !r.skipped) ctx.stdout.write(`${r.file}\n`);
      },
    }),
  );
  const unsafe = results.filter((r) => r.skipped === 'unsafe-name');
  if (args.json) printJson(ctx, results);
  const got = results.filter((r) => !r.skipped).length;
  say(ctx, `${got} downloaded, ${results.filter((r) => r.skipped === 'present').length} already present, ${unsafe.length} refused`);
  if (unsafe.length) {
    throw new BatchprepError(
      ErrorCode.UnexpectedResponse,
      `the listing of ${args.path} holds ${unsafe.length} name(s) that are not plain fileX file names (${unsafe.map((r) => JSON.stringify(r.name)).join(', ')}); they were not written`,
    );
  }
  return 0;
}

export const filexDownloadCommand: BatchprepCommand<DownloadArgs> = {
  command: 'download <path>',
  describe: 'Download org/app/space/file, or every file of org/app/space with --all',
  builder: (y) =>
    sftpFlags(commonOptions(y))
      .positional('path', { type: 'string', describe: 'org/app/space/file (or org/app/space with --all)' })
      .option('output', { alias: 'o', type: 'string', describe: 'Target file or directory (default: the current directory)' })
      .option('all', { type: 'boolean', describe: 'Mirror the whole sub-space; files present with the same size are skipped' })
      .option('via', { choices: ['rest', 's3', 'sftp'] as const, default: 'rest' as const, describe: 'Transport' })
      .option('s3-endpoint', { type: 'string', describe: 'S3 endpoint override, path-style (env FILEX_S3_ENDPOINT)' })
      .example('$0 filex download 0001/app1/out/feedback.txt -o ./in-box/', 'one file')
      .example('$0 filex download 0001/app1/out --all -o ./mirror --via s3', 'the whole space over S3 Direct')
      .epilogue(`${FILEX_ENV_HELP}\n${EXIT_CODES_HELP}`),
  run: async (args, ctx) => {
    if (args.all) return downloadAllCmd(args, ctx);
    const p = parseFilexPath(args.path, 4, 4, 'org/app/space/file (or org/app/space with --all)');
    const path = { org: p.org!, app: p.app!, space: p.space!, name: p.name! };
    const target = resolve(ctx.cwd, args.output ?? '.');
    const st = await stat(target).catch(() => undefined);
    const wantsDir = (args.output ?? '.').endsWith('/');
    if (wantsDir && !st) {
      await mkdir(target, { recursive: true }).catch((err) => {
        throw fromFsError(err, target, 'write');
      });
    }
    const outFile = st?.isDirectory() || wantsDir ? safeJoin(target, path.name) : target;
    const progress = createProgress(ctx, `download ${path.name}`);
    let r: DownloadResult;
    try {
      const onProgress = (d: number, t?: number) => progress.update(d, t);
      r =
        args.via === 'rest'
          ? await downloadFile(clientFor(args, ctx), path, outFile, { signal: ctx.signal, onProgress })
          : await withRemote(args, ctx, { org: path.org, app: path.app, space: path.space }, (remote) => remote.fetch(path.name, outFile, undefined, onProgress));
    } finally {
      progress.done();
    }
    say(ctx, `downloaded ${args.path} (${humanBytes(r.bytes)}) to ${r.file}`);
    if (args.json) printJson(ctx, r);
    else ctx.stdout.write(`${r.file}\n`);
    return 0;
  },
};
