import type { Argv } from 'yargs';
import { BatchprepError, ErrorCode } from '../errors.js';

/** Edit distance (insertions, deletions, substitutions, adjacent swaps), for "did you mean". */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** The known name nearest to `word` (kebab or camel case), if it is close enough to be a typo. */
export function nearest(word: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const dist = editDistance(word, k);
    if (dist < bestD) {
      bestD = dist;
      best = k;
    }
  }
  return best !== undefined && bestD <= Math.max(1, Math.floor(best.length / 3)) ? best : undefined;
}

/** The long option names the yargs instance knows, kebab-case, without the camelCase aliases. */
function knownOptions(y: Argv | undefined): string[] {
  const opts = (y as unknown as { getOptions?: () => { key: Record<string, unknown> } } | undefined)?.getOptions?.();
  if (!opts) return [];
  return Object.keys(opts.key).filter((k) => k.length > 1 && !/[A-Z]/.test(k) && k !== '$0');
}

/**
 * yargs' failure message as one coded line: an unknown flag is named with a dash and the
 * nearest valid one; every message ends by pointing at `--help`.
 */
export function usageError(msg: string, y: Argv | undefined, usage?: string): BatchprepError {
  msg = msg.replace(/\s*\n\s*/g, ' ').trim();
  // `y` must be the instance of the command being parsed (main.ts keeps it from a middleware
  // that runs before validation): the failure callback's own third argument is not one.
  const unknown = /^Unknown arguments?: (.+)$/.exec(msg);
  let text = msg;
  if (unknown) {
    const known = knownOptions(y);
    // yargs names a typo twice (kebab and camelCase): keep the form the user typed.
    const names = unknown[1]!.split(', ').filter((n, _i, all) => !/[A-Z]/.test(n) || !all.includes(n.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)));
    text = names
      .map((n) => {
        const flag = n.length === 1 ? `-${n}` : `--${n}`;
        if (!/^[\w-]+$/.test(n)) return `unexpected argument ${JSON.stringify(n)}`;
        const near = nearest(n, known);
        return near ? `unknown option ${flag} (did you mean --${near}?)` : `unknown option ${flag}`;
      })
      .join('; ');
  }
  const missing = /^Not enough non-option arguments: got (\d+), need at least (\d+)/.exec(text);
  if (missing && usage) {
    // Name what is missing from the command's own usage line (`upload <file> <target>`).
    const required = usage.match(/<[^>]+>/g) ?? [];
    const absent = required.slice(Number(missing[1]));
    if (absent.length) text = `missing ${absent.join(' and ')} (usage: batchprep ${usage})`;
  }
  const choice = /^Invalid values: Argument: ([\w-]+), Given: (.+), Choices: (.+)$/.exec(text);
  if (choice) text = `--${choice[1]} ${choice[2]}: expected one of ${choice[3]!.replace(/"/g, '')}`;
  const conflict = /^Arguments ([\w-]+) and ([\w-]+) are mutually exclusive$/.exec(text);
  if (conflict) text = `--${conflict[1]} and --${conflict[2]} cannot be used together`;
  const required = /^Missing required arguments?: (.+)$/.exec(text);
  if (required) text = `missing required option ${required[1]!.split(', ').map((n) => `--${n}`).join(', ')}`;
  const didYouMean = /^Did you mean (.+)\?$/.exec(text);
  if (didYouMean) text = `unknown command (did you mean ${didYouMean[1]}?)`;
  text = text.replace(/\s*\n\s*/g, ' ').replace(/\s*See --help\.?$/, '').replace(/[.?]$/, (m) => (m === '?' ? m : ''));
  return new BatchprepError(ErrorCode.UsageError, /--help\)?$/.test(text) ? `${text}.` : `${text}. See --help.`);
}

/** What the user typed after `--flag` (or in `--flag=value`), for a usage message. */
function rawValue(argv: readonly string[], flag: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === `--${flag}`) return argv[i + 1];
    if (a.startsWith(`--${flag}=`)) return a.slice(flag.length + 3);
  }
  return undefined;
}

/**
 * yargs parses a `type: 'number'` flag given `abc` as NaN and lets the command run: every
 * such flag is a `UsageError` here, before any handler, naming the flag and the text typed.
 */
export function checkNumbers(args: Record<string, unknown>, y: Argv | undefined, argv: readonly string[]): void {
  const opts = (y as unknown as { getOptions?: () => { number?: string[] } } | undefined)?.getOptions?.();
  for (const key of opts?.number ?? []) {
    if (key.length < 2 || /[A-Z]/.test(key)) continue;
    const v = args[key];
    const values = Array.isArray(v) ? v : [v];
    if (values.some((x) => typeof x === 'number' && !Number.isFinite(x))) {
      const typed = rawValue(argv, key);
      throw new BatchprepError(ErrorCode.UsageError, `--${key} ${typed === undefined ? 'needs a value' : JSON.stringify(typed)}: expected a number. See --help.`);
    }
  }
}

/**
 * yargs gives a string flag typed without its value (`--out-dir` at the end, or followed by
 * another flag) the value '' and runs the command (`--out-dir ''` is the current directory):
 * a `UsageError` here instead.
 */
export function checkMissingValues(y: Argv | undefined, argv: readonly string[]): void {
  const opts = (y as unknown as { getOptions?: () => { string?: string[]; choices?: Record<string, unknown>; alias?: Record<string, string[]> } } | undefined)?.getOptions?.();
  if (!opts) return;
  for (const key of new Set([...(opts.string ?? []), ...Object.keys(opts.choices ?? {})])) {
    if (key.length < 2 || /[A-Z]/.test(key)) continue;
    const names = [key, ...(opts.alias?.[key] ?? [])].filter((n) => !/[A-Z]/.test(n));
    for (const n of names) {
      const flag = n.length === 1 ? `-${n}` : `--${n}`;
      const i = argv.indexOf(flag);
      if (i >= 0 && (i === argv.length - 1 || /^--?[A-Za-z]/.test(argv[i + 1]!))) {
        throw new BatchprepError(ErrorCode.UsageError, `${flag} needs a value. See --help.`);
      }
    }
  }
}
