/**
 * Suite `prepare`: `batchprep prepare` against `batchprep validate` on the same generated CSV
 * (whole CLI processes). Target (prepare issue): prepare <= 1.5x validate's time, and flat
 * memory (peak RSS within the validator's budget: 100 MB + 40 B per distinct consent ID).
 * Run alone: `node benchmarks/suites/prepare.mjs [sizesMb...]`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const RATIO = 1.5;

const suite = {
  name: 'prepare',
  async run(ctx) {
    const { lib, log } = ctx;
    const tables = [];
    for (const sizeMb of ctx.sizes) {
      const repeats = lib.repeatsFor(sizeMb, ctx.repeat);
      const csv = await lib.ensureConsentCsv(sizeMb);
      const out = mkdtempSync(join(tmpdir(), 'bench-prepare-'));
      const cases = [
        { name: 'batchprep validate', cmd: lib.cliPath, args: ['validate', csv.path, '--max-bytes', '1000000000000', '--report', 'json'], check: (r) => (r.exitCode === 0 ? undefined : `exit ${r.exitCode}`) },
        { name: 'batchprep prepare', cmd: lib.cliPath, args: ['prepare', csv.path, '--out-dir', out, '--force'], check: (r) => (r.exitCode === 0 ? undefined : `exit ${r.exitCode}`) },
        { name: 'batchprep prepare --to json --max-rows 10000', cmd: lib.cliPath, args: ['prepare', csv.path, '--out-dir', out, '--force', '--to', 'json', '--max-rows', '10000'], check: (r) => (r.exitCode === 0 ? undefined : `exit ${r.exitCode}`) },
      ];
      log(`prepare: ${sizeMb} MB CSV, ${csv.rows} rows, ${repeats} run(s) per case`);
      const results = await lib.runCases(cases, repeats, log);
      rmSync(out, { recursive: true, force: true });
      const base = results[0];
      const budget = 100 + (40 * csv.distinctIds) / 2 ** 20;
      tables.push({
        title: `prepare, ${sizeMb} MB CSV (${csv.rows.toLocaleString('en-US')} rows; median of ${repeats})`,
        rows: results.map((r, k) => {
          const ok = r.failures.length === 0;
          const ratio = r.seconds / base.seconds;
          return {
            case: r.name,
            'MB/s': ok ? lib.fmt(lib.mbps(csv.bytes, r.seconds), 1) : '–',
            s: ok ? lib.fmt(r.seconds, 2) : '–',
            'ratio to validate': ok ? `${lib.fmt(ratio, 2)}x` : '–',
            'peak RSS MB': lib.fmt(r.peakRssMb, 0),
            target: k === 0 ? 'baseline' : `≤ ${RATIO}x, RSS ≤ ${lib.fmt(budget, 0)} MB`,
            result: !ok ? `FAILED: ${r.failures[0]}` : k === 0 ? '–' : ratio <= RATIO && !(r.peakRssMb > budget) ? 'met' : 'missed',
          };
        }),
      });
    }
    return tables;
  },
};

export default suite;

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const lib = await import('../lib.mjs');
  const sizes = process.argv.slice(2).map(Number);
  const tables = await suite.run({ sizes: sizes.length ? sizes : [200], repeat: null, log: (...m) => console.error(...m), lib });
  for (const t of tables) console.log(`\n${t.title}\n${lib.formatTable(t.rows)}`);
}
