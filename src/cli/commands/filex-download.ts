import { mkdir, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { BatchprepCommand } from '../main.js';
import { BatchprepError, ErrorCode, fromFsError } from '../../errors.js';
import { downloadAll, downloadFile, safeJoin, type DownloadResult } from '../../submit/filex/download.js';
import { parseFilexPath } from '../../submit/filex/names.js';
import { createProgress } from '../progress.js';
import { say } from '../context.js';
import { clientFor, commonOptions, humanBytes, printJson, type CommonArgs } from './filex-common.js';

interface DownloadArgs extends CommonArgs {
  path: string;
  output?: string;
  all?: boolean;
}

export const filexDownloadCommand: BatchprepCommand<DownloadArgs> = {
  command: 'download <path>',
  describe: 'Download org/app/space/file, or every file of org/app/space with --all',
  builder: (y) =>
    commonOptions(y)
      .positional('path', { type: 'string', describe: 'org/app/space/file (or org/app/space with --all)' })
      .option('output', { alias: 'o', type: 'string', describe: 'Target file or directory (default: the current directory)' })
      .option('all', { type: 'boolean', describe: 'Mirror the whole sub-space; files present with the same size are skipped' })
      .example('$0 filex download 0001/app1/out/feedback.txt -o ./in-box/', 'one file')
      .example('$0 filex download 0001/app1/out --all -o ./mirror', 'the whole space'),
  run: async (args, ctx) => {
    if (args.all) {
      const space = parseFilexPath(args.path, 3, 3, 'org/app/space with --all');
      const dir = resolve(ctx.cwd, args.output ?? '.');
      await mkdir(dir, { recursive: true }).catch((err) => {
        throw fromFsError(err, dir, 'write');
      });
      const client = clientFor(args, ctx);
      let current: ReturnType<typeof createProgress> | undefined;
      const results = await downloadAll(client, { org: space.org!, app: space.app!, space: space.space! }, dir, {
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
      });
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
    const p = parseFilexPath(args.path, 4, 4, 'org/app/space/file (or org/app/space with --all)');
    const path = { org: p.org!, app: p.app!, space: p.space!, name: p.name! };
    const target = resolve(ctx.cwd, args.output ?? '.');
    const st = await stat(target).catch(() => undefined);
    const outFile = st?.isDirectory() || (args.output ?? '.').endsWith('/') ? safeJoin(target, path.name) : target;
    if ((args.output ?? '.').endsWith('/') && !st) {
      await mkdir(target, { recursive: true }).catch((err) => {
        throw fromFsError(err, target, 'write');
      });
    }
    const client = clientFor(args, ctx);
    const progress = createProgress(ctx, `download ${path.name}`);
    let r: DownloadResult;
    try {
      r = await downloadFile(client, path, outFile, { signal: ctx.signal, onProgress: (d, t) => progress.update(d, t) });
    } finally {
      progress.done();
    }
    say(ctx, `downloaded ${args.path} (${humanBytes(r.bytes)}) to ${r.file}`);
    if (args.json) printJson(ctx, r);
    else ctx.stdout.write(`${r.file}\n`);
    return 0;
  },
};
