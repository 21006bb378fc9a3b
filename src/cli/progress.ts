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
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/**
 * A one-line progress display on stderr, redrawn at most 10 times a second; a no-op when
 * stderr is not a terminal, so pipes and CI logs stay clean.
 */
export function createProgress(ctx: CliContext, label: string, total?: number): Progress {
  if (!ctx.stderrIsTTY) return NOOP;
  let last = 0;
  const started = Date.now();
  let drawn = false;
  return {
    update(done, newTotal) {
      if (newTotal !== undefined) total = newTotal;
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      const secs = Math.max(0.001, (now - started) / 1000);
      const rate = `${humanBytes(done / secs)}/s`;
      let text: string;
      if (total && total > 0) {
        const pct = Math.min(100, (done / total) * 100);
        const width = 24;
        const fill = Math.round((pct / 100) * width);
        text = `${label} [${'#'.repeat(fill)}${'-'.repeat(width - fill)}] ${pct.toFixed(0)}% ${humanBytes(done)}/${humanBytes(total)} ${rate}`;
      } else {
        text = `${label} ${humanBytes(done)} ${rate}`;
      }
      ctx.stderr.write(`\r\x1b[2K${text}`);
      drawn = true;
    },
    done() {
      if (drawn) ctx.stderr.write('\r\x1b[2K');
    },
  };
}
