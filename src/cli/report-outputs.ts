import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { ValidationReport } from '../core/issues.js';
import { BatchprepError, ErrorCode, fromFsError } from '../errors.js';
import { formatReport, REPORT_KINDS, type ReportKind } from '../report/format.js';
import type { CliContext } from './context.js';

/** One `--report FORMAT[=PATH]`: a kind, and a file (absent: stdout). */
export interface ReportTarget {
  kind: ReportKind;
  path?: string;
}

export const REPORT_HELP =
  `Report FORMAT[=PATH], repeatable: ${REPORT_KINDS.join(', ')}. Without =PATH it goes to stdout (at most one may); ` +
  'with it, to that file (written whole or not at all, parent directories created)';

/**
 * Parses every `--report` value (yargs gives a string, or an array when repeated) while the
 * command line is parsed, so a bad one stops the command before it reads anything.
 */
export function parseReportTargets(raw: unknown): ReportTarget[] {
  const values = (Array.isArray(raw) ? raw : [raw]).map(String);
  const targets = values.map((v): ReportTarget => {
    const eq = v.indexOf('=');
    const kind = (eq < 0 ? v : v.slice(0, eq)).trim();
    const path = eq < 0 ? undefined : v.slice(eq + 1);
    if (!(REPORT_KINDS as readonly string[]).includes(kind)) {
      throw new BatchprepError(ErrorCode.UsageError, `--report ${JSON.stringify(v)}: unknown format ${JSON.stringify(kind)}; use one of ${REPORT_KINDS.join(', ')} (optionally =PATH). See --help.`);
    }
    if (path !== undefined && path.trim() === '') {
      throw new BatchprepError(ErrorCode.UsageError, `--report ${JSON.stringify(v)}: empty path after '='; give ${kind}=FILE, or ${kind} alone for stdout. See --help.`);
    }
    return { kind: kind as ReportKind, path };
  });
  const toStdout = targets.filter((t) => t.path === undefined);
  if (toStdout.length > 1) {
    throw new BatchprepError(ErrorCode.UsageError, `--report: ${toStdout.map((t) => t.kind).join(' and ')} would both go to stdout; give all but one a file (e.g. --report ${toStdout[1]!.kind}=report.out). See --help.`);
  }
  const paths = targets.filter((t) => t.path !== undefined).map((t) => t.path!);
  const twice = paths.find((p, i) => paths.indexOf(p) !== i);
  if (twice !== undefined) throw new BatchprepError(ErrorCode.UsageError, `--report: two reports name the same file ${twice}. See --help.`);
  return targets;
}

/** Writes `text` to `path` through a temporary file beside it and a rename: never half a report. */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(tmp, text);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw fromFsError(err, path, 'write');
  }
}

/**
 * Renders the report once per target: files first (each atomic), then the one for stdout.
 * `stdoutStream` lets a command send its console report elsewhere (prepare prints text on stderr).
 */
export async function writeReports(report: ValidationReport, targets: ReportTarget[], ctx: CliContext, options: { color: boolean; textTo?: 'stdout' | 'stderr' }): Promise<void> {
  for (const t of targets) {
    if (t.path !== undefined) await writeFileAtomic(resolve(ctx.cwd, t.path), formatReport(report, t.kind));
  }
  for (const t of targets) {
    if (t.path !== undefined) continue;
    const text = formatReport(report, t.kind, { color: options.color && t.kind === 'text' });
    (t.kind === 'text' && options.textTo === 'stderr' ? ctx.stderr : ctx.stdout).write(text);
  }
}
