import type { BatchprepCommand } from '../command.js';
import { BatchprepError, ErrorCode } from '../../errors.js';
import type { TrackingRecord } from '../../submit/filex/client.js';
import { checkTrackingId, listSubmissions, trackOne, waitForTracking } from '../../submit/filex/track.js';
import { say } from '../context.js';
import { clientFor, commonOptions, printable, printJson, table, type CommonArgs } from './filex-common.js';
import { EXIT_CODES_HELP, FILEX_ENV_HELP } from '../help.js';

interface TrackArgs extends CommonArgs {
  id?: string;
  wait?: boolean;
  interval: number;
  timeout: number;
  status?: string;
  since?: string;
  name?: string;
  app?: string;
}

function rows(list: TrackingRecord[]): string[][] {
  const out = [['TRACKING ID', 'FILE', 'STATUS', 'DOWNSTREAM', 'UPDATED']];
  for (const r of list) out.push([r.trackingId, r.fileName ?? '', r.status ?? '', r.downstreamStatus ?? '', r.statusUpdatedTime ?? '']);
  return out;
}

function summary(r: TrackingRecord): string {
  return printable(`${r.trackingId} ${r.fileName ?? ''}: ${r.status ?? 'unknown'}${r.downstreamStatus ? ` / ${r.downstreamStatus}` : ''}`);
}

export const filexTrackCommand: BatchprepCommand<TrackArgs> = {
  command: 'track [id]',
  describe: 'Status of an upload (or of every upload of the last 90 days); --wait polls until FINRA decides',
  builder: (y) =>
    commonOptions(y)
      .positional('id', { type: 'string', describe: 'trackingId printed by `filex upload`' })
      .option('wait', { type: 'boolean', describe: 'Poll until ACCEPTED (exit 0), REJECTED/PARTIALLY_REJECTED (exit 1) or --timeout (exit 3)' })
      .option('interval', { type: 'number', default: 10, describe: 'Seconds between polls with --wait' })
      .option('timeout', { type: 'number', default: 3600, describe: 'Seconds to wait at most with --wait' })
      .option('status', { type: 'string', describe: 'Without an ID: only records whose status or downstreamStatus is this (e.g. REJECTED)' })
      .option('since', { type: 'string', describe: 'Without an ID: only records submitted at or after this date/time (e.g. 2025-08-01)' })
      .option('name', { type: 'string', describe: 'Without an ID: only this file name (* matches any characters)' })
      .option('app', { type: 'string', describe: 'Without an ID: only this application' })
      .example('$0 filex track --status REJECTED --since 2025-08-01', 'rejected submissions since August')
      .option('request-timeout', { type: 'number', default: 30, describe: 'Seconds one request may go without a byte moving (what --timeout is in the other commands)' })
      .example('$0 filex track d3caf6d8-34a4-4b83-9b63-b20dc0552861 --wait --interval 30', 'wait for the verdict')
      .example('$0 filex track', 'every upload of the last 90 days')
      .epilogue(`REJECTED or PARTIALLY_REJECTED exits 1, with or without --wait.\n${FILEX_ENV_HELP}\n${EXIT_CODES_HELP}`),
  run: async (args, ctx) => {
    if (!(args.interval > 0)) throw new BatchprepError(ErrorCode.InvalidOption, `--interval ${args.interval}: must be a positive number of seconds`);
    if (!(args.timeout > 0)) throw new BatchprepError(ErrorCode.InvalidOption, `--timeout ${args.timeout}: must be a positive number of seconds`);
    if (args.wait && !args.id) throw new BatchprepError(ErrorCode.UsageError, '--wait needs a tracking ID');
    if (args.id) checkTrackingId(args.id);
    const filtered = args.status !== undefined || args.since !== undefined || args.name !== undefined || args.app !== undefined;
    if (args.id && filtered) throw new BatchprepError(ErrorCode.UsageError, '--status, --since, --name and --app filter the list: give them without a tracking ID');
    const since = args.since === undefined ? undefined : new Date(args.since);
    if (since && Number.isNaN(since.getTime())) throw new BatchprepError(ErrorCode.InvalidOption, `--since '${args.since}': expected a date or date-time such as 2025-08-01 or 2025-08-01T12:00:00Z`);
    const client = clientFor(args, ctx);
    if (!args.id) {
      const list = await listSubmissions(client, { status: args.status, since, name: args.name, app: args.app }, ctx.signal);
      if (args.json) printJson(ctx, list);
      else ctx.stdout.write(table(rows(list)));
      say(ctx, `${list.length} ${list.length === 1 ? 'submission' : 'submissions'} in the last 90 days`);
      return 0;
    }
    let rec: TrackingRecord;
    if (args.wait) {
      let last = '';
      rec = await waitForTracking(client, args.id, {
        intervalMs: args.interval * 1000,
        timeoutMs: args.timeout * 1000,
        signal: ctx.signal,
        onPoll: (r) => {
          const s = summary(r);
          if (s !== last) say(ctx, s);
          last = s;
        },
      });
    } else {
      rec = await trackOne(client, args.id, ctx.signal);
      say(ctx, summary(rec));
    }
    if (args.json) printJson(ctx, rec);
    else ctx.stdout.write(`${printable(String(rec.downstreamStatus ?? rec.status ?? ''))}\n`);
    // A rejection exits 1 in every mode; with --wait anything but ACCEPTED is one.
    if ((args.wait && rec.downstreamStatus !== 'ACCEPTED') || rec.downstreamStatus === 'REJECTED' || rec.downstreamStatus === 'PARTIALLY_REJECTED') {
      throw new BatchprepError(ErrorCode.Rejected, `${printable(String(rec.fileName ?? args.id))} was ${printable(String(rec.downstreamStatus))} by FINRA (tracking ${args.id}); download the feedback from the out space`);
    }
    return 0;
  },
};
