/**
 * Suite `before-after`: the same commands run by an older build (BENCH_BASE_CLI = path of its
 * dist/cli/bin.js) and by this one, round-robin in one run, so a change is measured as a ratio
 * on the same machine at the same moment. Without BENCH_BASE_CLI it only says how to run it:
 *
 *   git archive <commit> | tar -x -C /tmp/base && ln -s "$PWD/node_modules" /tmp/base/
 *   (cd /tmp/base && npx tsc -p tsconfig.build.json)
 *   BENCH_BASE_CLI=/tmp/base/dist/cli/bin.js node benchmarks/run.mjs --only before-after --sizes 100
 */
import { join } from 'node:path';

const MAX_BYTES = '1000000000000';

export default {
  name: 'before-after',
  async run(ctx) {
    const { lib, log } = ctx;
    const base = process.env.BENCH_BASE_CLI;
    if (!base) return 'Skipped: set BENCH_BASE_CLI to the dist/cli/bin.js of the build to compare with (see the comment in suites/before-after.mjs).\n';
    const tables = [];
    for (const sizeMb of ctx.sizes) {
      const repeats = lib.repeatsFor(sizeMb, ctx.repeat);
      const csv = await lib.ensureConsentCsv(sizeMb);
      const json = await lib.ensureConsentJson(sizeMb);
      const out = join(lib.dataDir, 'before-after-out');
      const jobs = [
        ['validate CSV', csv, (cli) => ['validate', csv.path, '--report', 'json', '--max-bytes', MAX_BYTES]],
        ['validate CSV --no-duplicate-check', csv, (cli) => ['validate', csv.path, '--report', 'json', '--max-bytes', MAX_BYTES, '--no-duplicate-check']],
        ['validate JSON', json, (cli) => ['validate', json.path, '--report', 'json', '--max-bytes', MAX_BYTES]],
        ['validate JSON --no-duplicate-check', json, (cli) => ['validate', json.path, '--report', 'json', '--max-bytes', MAX_BYTES, '--no-duplicate-check']],
        ['prepare CSV', csv, (cli, tag) => ['prepare', csv.path, '--out-dir', join(out, `prep-${tag}`), '--force']],
        ['pack CSV --level 6', csv, (cli, tag) => ['pack', csv.path, '--out-dir', join(out, `pack-${tag}`), '--force', '--level', '6']],
      ];
      const cases = [];
      for (const [name, , args] of jobs) {
        cases.push({ name: `${name} (before)`, cmd: lib.nodePath, args: [base, ...args(base, 'before')] });
        cases.push({ name: `${name} (after)`, cmd: lib.nodePath, args: [lib.cliPath, ...args(lib.cliPath, 'after')] });
      }
      log(`before-after: ${sizeMb} MB, ${repeats} run(s) per case`);
      const r = await lib.runCases(cases, repeats, log);
      const rows = [];
      for (let k = 0; k < jobs.length; k++) {
        const [name, file] = jobs[k];
        const b = r[2 * k];
        const a = r[2 * k + 1];
        const bad = [...b.failures, ...a.failures];
        rows.push({
          job: name,
          'before s': lib.fmt(b.seconds, 2),
          'after s': lib.fmt(a.seconds, 2),
          'after / before time': bad.length ? `FAIL: ${bad[0]}` : `${(a.seconds / b.seconds).toFixed(2)}x`,
          'before CPU s': lib.fmt(b.cpuSeconds, 2),
          'after CPU s': lib.fmt(a.cpuSeconds, 2),
          'before RSS MB': lib.fmt(b.peakRssMb, 0),
          'after RSS MB': lib.fmt(a.peakRssMb, 0),
          'MB/s after': lib.fmt(lib.mbps(file.bytes, a.seconds), 1),
        });
      }
      tables.push({ title: `before (${base}) vs after, ${sizeMb} MB inputs (median of ${repeats})`, rows });
    }
    return tables;
  },
};
