/**
 * Loaded with `node --import` (through NODE_OPTIONS) by lib.mjs's timeProcess when GNU time
 * is missing: on exit, writes this process's own peak RSS in KiB (the unit GNU time's %M
 * uses) to $BENCH_RSS_FILE, so the harness can read it after the child is gone.
 */
import { writeFileSync } from 'node:fs';

const target = process.env.BENCH_RSS_FILE;
if (target) {
  // Children of this process must not overwrite the file with their own numbers.
  delete process.env.BENCH_RSS_FILE;
  process.on('exit', () => {
    try {
      writeFileSync(target, String(process.resourceUsage().maxRSS));
    } catch {
      /* nothing to report to */
    }
  });
}
