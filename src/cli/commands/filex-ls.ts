import type { BatchprepCommand } from '../command.js';
import { listFilex } from '../../submit/filex/api.js';
import type { FilexEntry } from '../../submit/filex/client.js';
import { TRANSPORTS } from '../../submit/filex/transports/registry.js';
import type { Via } from '../../submit/filex/transports/transport.js';
import { say } from '../context.js';
import { sftpFlags, transportNeeds, type SftpArgs } from './filex-upload.js';
import { commonOptions, printable, printJson, table, type CommonArgs } from './filex-common.js';
import { EXIT_CODES_HELP, FILEX_ENV_HELP } from '../help.js';

interface LsArgs extends CommonArgs, SftpArgs {
  path?: string;
  via: Via;
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
      .option('via', { choices: TRANSPORTS, default: 'rest' as Via, describe: 'Transport (s3 lists a space\'s objects; sftp lists any level)' })
      .option('s3-endpoint', { type: 'string', describe: 'S3 endpoint override, path-style (env FILEX_S3_ENDPOINT)' })
      .positional('path', { type: 'string', describe: 'org, org/app or org/app/space (empty: every org you may act for, your own and OBO profile orgs)' })
      .example('$0 filex ls 0001/app1/out', 'files in the out space')
      .example('$0 filex ls 0001/app1 --json', 'the sub-spaces document as JSON')
      .epilogue(`${FILEX_ENV_HELP}\n${EXIT_CODES_HELP}`),
  run: async (args, ctx) => {
    const { client, options } = await transportNeeds(args, ctx);
    const doc: FilexEntry = await listFilex(client, args.path ?? '', options);
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
