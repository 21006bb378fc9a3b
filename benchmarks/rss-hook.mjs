/**
 * Loaded with `node --import` (through NODE_OPTIONS) by lib.mjs's timeProcess when GNU time
 * is missing: on exit, writes this process's own CPU times and peak RSS in KiB (as GNU time's
 * '%U %S %M' does) to $BENCH_RSS_FILE, so the harness can read it after the child is gone.
 */
import { writeFileSync } from 'node:fs';

const target = process.env.BENCH_RSS_FILE;
if (target) {
  // Children of this process must not overwrite the file with their own numbers.
  delete process.env.BENCH_RSS_FILE;
  process.on('exit', () => {
    try {
      // The same line GNU time writes with -f '%U %S %M': user s, system s, peak RSS KiB.
      const u = process.resourceUsage();
      writeFileSync(target, `${u.userCPUTime / 1e6} ${u.systemCPUTime / 1e6} ${u.maxRSS}`);
    } catch {
      /* nothing to report to */
    }
  });
}
