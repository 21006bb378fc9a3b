import type { BatchprepCommand } from '../command.js';
import { parseFilexPath } from '../../submit/filex/names.js';
import type { FilexEntry } from '../../submit/filex/client.js';
import { say } from '../context.js';
import { BatchprepError, ErrorCode } from '../../errors.js';
import { sftpFlags, sftpOptions, type SftpArgs } from './filex-upload.js';
import { clientFor, commonOptions, printable, printJson, table, type CommonArgs } from './filex-common.js';
import { EXIT_CODES_HELP, FILEX_ENV_HELP } from '../help.js';

interface LsArgs extends CommonArgs, SftpArgs {
  path?: string;
  via: 'rest' | 's3' | 'sftp';
  's3-endpoint'?: string;
}

/** One table row per child: name, type, writable, size, last modified. Names are shown JSON-quoted when odd. */
export function entryRows(doc: FilexEntry): string[][] {
  const rows = [['NAME', 'TYPE', 'WRITABLE', 'SIZE', 'LAST MODIFIED']];
  for (const c of doc.children ?? []) {
    const name = typeof c.name === 'string' && /^[\x21-\x7e]+$/.test(c.name) ? c.name : JSON.stringify(c.name);
    rows.push([
      name,
      String(c.type ?? ''),
      c.metadata?.writable === undefined ? '' : String(c.metadata.writable),
      c.metadata?.contentLength === undefined ? '' : String(c.metadata.contentLength),
      c.metadata?.lastModified ?? '',
    ]);
  }
  return rows;
}

export const filexLsCommand: BatchprepCommand<LsArgs> = {
  command: 'ls [path]',
  describe: 'List orgs, applications, sub-spaces or files: ls [org[/app[/space]]]',
  builder: (y) =>
    sftpFlags(commonOptions(y))
      .option('via', { choices: ['rest', 's3', 'sftp'] as const, default: 'rest' as const, describe: 'Transport (s3 lists a space\'s objects; sftp lists any level)' })
      .option('s3-endpoint', { type: 'string', describe: 'S3 endpoint override, path-style (env FILEX_S3_ENDPOINT)' })
      .positional('path', { type: 'string', describe: 'org, org/app or org/app/space (empty: every org you may use)' })
      .example('$0 filex ls 0001/app1/out', 'files in the out space')
      .example('$0 filex ls 0001/app1 --json', 'the sub-spaces document as JSON')
      .epilogue(`${FILEX_ENV_HELP}\n${EXIT_CODES_HELP}`),
  run: async (args, ctx) => {
    const path = args.path ? parseFilexPath(args.path, 1, 3, 'org[/app[/space]]') : {};
    let doc: FilexEntry;
    // The AWS SDK and ssh2 load only when used.
    const { sftpListing, withS3Space } = args.via === 'rest' ? ({} as never) : await import('../../submit/filex/remote-spaces.js');
    if (args.via === 'sftp') {
      doc = await sftpListing({ ...sftpOptions(args, ctx), signal: ctx.signal }, path);
    } else if (args.via === 's3') {
      if (!path.space) throw new BatchprepError(ErrorCode.UsageError, 'ls --via s3 lists one sub-space: give org/app/space');
      const space = { org: path.org!, app: path.app!, space: path.space };
      const children = await withS3Space(clientFor(args, ctx), space, { endpoint: args['s3-endpoint'] ?? ctx.env.FILEX_S3_ENDPOINT, signal: ctx.signal }, (r) => r.list());
      doc = { name: space.space, type: 'DIR', children };
    } else {
      doc = await clientFor(args, ctx).list(path, ctx.signal);
    }
    if (args.json) {
      printJson(ctx, doc);
      return 0;
    }
    const w = doc.metadata?.writable;
    const n = (doc.children ?? []).length;
    say(ctx, `${printable(String(doc.name))} (${printable(String(doc.type ?? 'DIR'))}${w === undefined ? '' : w ? ', writable' : ', read-only'}): ${n} ${n === 1 ? 'entry' : 'entries'}`);
    ctx.stdout.write(table(entryRows(doc)));
    return 0;
  },
};
