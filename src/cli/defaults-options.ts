import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import { resolveDefaults, type GlobalDefaults } from '../core/defaults.js';
import type { DateFormat } from '../core/datetime.js';
import { BatchprepError, ErrorCode, fromFsError } from '../errors.js';
import type { CliContext } from './context.js';

/** The global-defaults flags of SPEC section 3, shared by validate, prepare and finpro submit. */
export function addDefaultsOptions<T>(y: Argv<T>) {
  return y
    .option('global-config', {
      type: 'string',
      describe: "Defaults for every row as JSON ('{\"fiDataRangeFrom\":\"2024-01-01T00:00:00Z\"}') or @file.json",
      group: 'Defaults (fill empty cells, never override a row):',
    })
    .option('from', { type: 'string', describe: 'Default fiDataRangeFrom (RFC 3339); overrides --global-config', group: 'Defaults (fill empty cells, never override a row):' })
    .option('to', { type: 'string', describe: 'Default fiDataRangeTo (RFC 3339); overrides --global-config', group: 'Defaults (fill empty cells, never override a row):' })
    .option('config-id', { type: 'string', describe: 'Default configId; overrides --global-config', group: 'Defaults (fill empty cells, never override a row):' })
    .option('date-format', DATE_FORMAT_OPTION);
}

/** `--date-format`, one definition for validate, prepare and finpro submit. */
export const DATE_FORMAT_OPTION = {
  choices: ['rfc3339', 'iso8601'] as const,
  default: 'rfc3339' as const,
  describe: 'Date-times accepted: rfc3339 (default; the form of every example in the FinPro document) or iso8601 (also 2024-01-01, no offset, 20240101T000000Z; calendar-checked)',
};

export interface DefaultsArgs {
  /** --date-format (validate, prepare, finpro submit). */
  dateFormat?: DateFormat;
  globalConfig?: string;
  from?: string;
  to?: string;
  configId?: string;
}

/** The raw `global_config` text given by the user (inline or from @file), for sending as-is. */
export async function readGlobalConfigText(args: DefaultsArgs, ctx: CliContext): Promise<string | undefined> {
  const raw = args.globalConfig;
  if (raw === undefined) return undefined;
  if (!raw.startsWith('@')) return raw;
  const path = resolve(ctx.cwd, raw.slice(1));
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw fromFsError(err, raw.slice(1), 'read');
  }
}

/** Reads and checks the defaults flags; a bad default is `InvalidDefaults` (exit 2). */
export async function readDefaults(args: DefaultsArgs, ctx: CliContext): Promise<GlobalDefaults | undefined> {
  const text = await readGlobalConfigText(args, ctx);
  if (text !== undefined && text.trim() === '') {
    throw new BatchprepError(ErrorCode.InvalidDefaults, '--global-config is empty; give a JSON object or @file.json');
  }
  return resolveDefaults(text, { fiDataRangeFrom: args.from, fiDataRangeTo: args.to, configId: args.configId }, args.dateFormat);
}
