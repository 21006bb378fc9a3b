import type { CliContext } from './context.js';

export interface Progress {
  /** Reports the amount done so far (bytes unless `unit` says otherwise). */
  update(done: number, total?: number): void;
  /** Clears the line. */
  done(): void;
}

const NOOP: Progress = { update() {}, done() {} };

/** Human byte counts (binary units) for progress lines, tables and messages. */
export function humanBytes(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '';
  if (n < 1024) return `${Math.round(n)} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/** `1h02m`, `3m05s`, `42s`: time left, for people. */
export function humanDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

/** Whether progress is drawn: on a terminal, or anywhere with `--progress`; never with `--quiet`. */
export function progressEnabled(ctx: CliContext): boolean {
  return !ctx.quiet && (ctx.stderrIsTTY || Boolean(ctx.forceProgress));
}

/** The progress text: percentage, counts, rate and time left when the total is known. */
export function progressText(label: string, done: number, total: number | undefined, elapsedSeconds: number): string {
  const secs = Math.max(0.001, elapsedSeconds);
  const rate = done / secs;
  if (total && total > 0) {
    const pct = Math.min(100, (done / total) * 100);
    const width = 24;
    const fill = Math.round((pct / 100) * width);
    const eta = rate > 0 && done < total ? `, ${humanDuration((total - done) / rate)} left` : '';
    return `${label} [${'#'.repeat(fill)}${'-'.repeat(width - fill)}] ${pct.toFixed(0)}% ${humanBytes(done)}/${humanBytes(total)} ${humanBytes(rate)}/s${eta}`;
  }
  return `${label} ${humanBytes(done)} ${humanBytes(rate)}/s`;
}

/**
 * A progress display on stderr: one line redrawn at most 10 times a second on a terminal;
 * with `--progress` off a terminal, a plain line at most once a second (logs stay readable).
 * A no-op otherwise, so pipes and CI logs stay clean.
 */
export function createProgress(ctx: CliContext, label: string, total?: number): Progress {
  if (!progressEnabled(ctx)) return NOOP;
  const tty = ctx.stderrIsTTY;
  let last = 0;
  const started = Date.now();
  let drawn = false;
  return {
    update(done, newTotal) {
      if (newTotal !== undefined) total = newTotal;
      const now = Date.now();
      if (now - last < (tty ? 100 : 1000)) return;
      last = now;
      const text = progressText(label, done, total, (now - started) / 1000);
      ctx.stderr.write(tty ? `\r\x1b[2K${text}` : `${text}\n`);
      drawn = true;
    },
    done() {
      if (drawn && tty) ctx.stderr.write('\r\x1b[2K');
      drawn = false;
    },
  };
}
