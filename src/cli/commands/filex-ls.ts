import type { BatchprepCommand } from '../main.js';
import { parseFilexPath } from '../../submit/filex/names.js';
import type { FilexEntry } from '../../submit/filex/client.js';
import { say } from '../context.js';
import { clientFor, commonOptions, printJson, table, type CommonArgs } from './filex-common.js';

interface LsArgs extends CommonArgs {
  path?: string;
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
    commonOptions(y)
      .positional('path', { type: 'string', describe: 'org, org/app or org/app/space (empty: every org you may use)' })
      .example('$0 filex ls 0001/app1/out', 'files in the out space')
      .example('$0 filex ls 0001/app1 --json', 'the sub-spaces document as JSON'),
  run: async (args, ctx) => {
    const path = args.path ? parseFilexPath(args.path, 1, 3, 'org[/app[/space]]') : {};
    const client = clientFor(args, ctx);
    const doc = await client.list(path, ctx.signal);
    if (args.json) {
      printJson(ctx, doc);
      return 0;
    }
    const w = doc.metadata?.writable;
    say(ctx, `${doc.name} (${doc.type ?? 'DIR'}${w === undefined ? '' : w ? ', writable' : ', read-only'}): ${(doc.children ?? []).length} entries`);
    ctx.stdout.write(table(entryRows(doc)));
    return 0;
  },
};
