import { isAbsolute, resolve } from 'node:path';
import type { BatchprepCommand } from '../command.js';
import { BatchprepError, ErrorCode, ExitCode } from '../../errors.js';
import { FILEX_MAX_BYTES, pack, type PackInput } from '../../pack/pack.js';
import { spoolToTempFile, type SpooledFile } from '../../fs/spool.js';
import { hintIfStdinIdle, say } from '../context.js';
import { createProgress } from '../progress.js';
import { parseSize, parseWhole } from '../size.js';
import { LOCAL_EPILOGUE, plural } from '../help.js';
import { removeIfNewAndEmpty, snapshotDir } from '../out-dir.js';

interface PackArgs {
  inputs: string[];
  outDir: string;
  name?: string;
  maxBytes: number;
  level: number;
  sanitizeNames: boolean;
  force: boolean;
  stdinName: string;
  json: boolean;
}

export const packCommand: BatchprepCommand<PackArgs> = {
  command: 'pack <inputs..>',
  describe: 'Zip files for FINRA fileX into archives under the upload cap, splitting big CSVs by rows',
  builder: (y) =>
    y
      .positional('inputs', { type: 'string', array: true, describe: 'Files to pack (`-` reads stdin, named by --stdin-name)' })
      .option('out-dir', { type: 'string', demandOption: true, describe: 'Directory for the archives and manifest.json' })
      .option('name', { type: 'string', describe: 'Archive base name: BASE.zip, or BASE-0001.zip... when several (default: the input name, or "archive")' })
      .option('max-bytes', { type: 'string', default: String(FILEX_MAX_BYTES), coerce: (v: string) => parseSize(v, '--max-bytes'), describe: 'Largest archive: bytes or with a unit (100MB = 100,000,000; 1GiB) (default: the fileX Gateway cap, 5,120 MB)' })
      .option('level', { type: 'string', default: '6', coerce: (v: string) => parseWhole(v, '--level', 0), describe: 'Compression level 0-9 (0 stores)' })
      .option('sanitize-names', { type: 'boolean', default: false, describe: "Fix names that break fileX's FILE_NAME rule instead of refusing them" })
      .option('force', { type: 'boolean', default: false, describe: 'Write into a non-empty --out-dir, replacing files of the same names' })
      .option('stdin-name', { type: 'string', default: 'stdin', describe: 'Entry name for `-` (end it in .csv to allow row splitting)' })
      .option('json', { type: 'boolean', default: false, describe: 'Print the manifest on stdout' })
      .example('$0 pack trades.csv --out-dir out --name TRADES', 'one or more archives out/TRADES*.zip of at most 5,120 MB each')
      .example('cat big.csv | $0 pack - --stdin-name big.csv --out-dir out --max-bytes 100MB', 'split a piped CSV into archives of at most 100,000,000 bytes')
      .epilogue(`0: archives and manifest written; 2: a flag was wrong, an input could not be read or the output not written.\n${LOCAL_EPILOGUE}`),
  async run(args, ctx) {
    const stdinCount = args.inputs.filter((i) => i === '-').length;
    if (stdinCount > 1) throw new BatchprepError(ErrorCode.UsageError, '`-` (stdin) can be named only once');
    let spool: SpooledFile | undefined;
    const progress = createProgress(ctx, 'pack');
    const outDir = resolve(ctx.cwd, args.outDir);
    const before = await snapshotDir(outDir);
    try {
      const inputs: PackInput[] = [];
      for (const input of args.inputs) {
        if (input === '-') {
          // Its size must be known, and a split archive may need to re-read it.
          const cancelHint = hintIfStdinIdle(ctx, 'the file to pack');
          try {
            spool = await spoolToTempFile(ctx.stdin, { signal: ctx.signal });
          } finally {
            cancelHint();
          }
          inputs.push({ path: spool.path, name: args.stdinName, source: '-' });
        } else {
          inputs.push({ path: isAbsolute(input) ? input : resolve(ctx.cwd, input), source: input });
        }
      }
      const manifest = await pack(
        inputs,
        {
          outDir,
          name: args.name,
          maxBytes: args.maxBytes,
          level: args.level,
          sanitizeNames: args.sanitizeNames,
          force: args.force,
          signal: ctx.signal,
          onProgress: (done, total) => progress.update(done, total),
        },
      );
      progress.done();
      const entries = manifest.archives.reduce((n, a) => n + a.entries.length, 0);
      say(ctx, `packed ${plural(args.inputs.length, 'input')} into ${plural(manifest.archives.length, 'archive')}, ${plural(entries, 'entry', 'entries')}, in ${args.outDir}`);
      if (args.json) ctx.stdout.write(`${JSON.stringify(manifest)}\n`);
      return ExitCode.Ok;
    } catch (err) {
      // A failed run leaves no new, empty --out-dir behind.
      await removeIfNewAndEmpty(outDir, before);
      throw err;
    } finally {
      progress.done();
      await spool?.cleanup();
    }
  },
};
