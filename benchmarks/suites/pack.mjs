/**
 * Suite `pack`: `batchprep pack` against Info-ZIP `zip -6` on the same generated CSV, at
 * the same level (6). Target (pack issue): pack's speed >= 0.9x zip's. Both make one archive
 * (the cap is far above the file). Run alone: `node benchmarks/suites/pack.mjs [sizesMb...]`.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const SPEED = 0.9;

const suite = {
  name: 'pack',
  async run(ctx) {
    const { lib, log } = ctx;
    if (!existsSync('/usr/bin/zip')) return [{ title: 'pack: skipped, Info-ZIP zip is not installed (apt-get install -y zip)', rows: [] }];
    const tables = [];
    for (const sizeMb of ctx.sizes.filter((s) => s >= 200)) {
      const repeats = lib.repeatsFor(sizeMb, ctx.repeat);
      const csv = await lib.ensureConsentCsv(sizeMb);
      const out = mkdtempSync(join(tmpdir(), 'bench-pack-'));
      const zipPath = join(out, 'zip6.zip');
      const cases = [
        { name: 'zip -6 (Info-ZIP)', cmd: '/bin/sh', args: ['-c', `rm -f "${zipPath}" && /usr/bin/zip -6 -q -j "${zipPath}" "${csv.path}"`] },
        { name: 'batchprep pack --level 6', cmd: lib.cliPath, args: ['pack', csv.path, '--out-dir', join(out, 'pack'), '--force', '--level', '6', '--name', 'bench'] },
      ];
      log(`pack: ${sizeMb} MB CSV, ${repeats} run(s) per case`);
      const results = await lib.runCases(cases, repeats, log);
      const sizes = [statSync(zipPath).size, statSync(join(out, 'pack', 'bench.zip')).size];
      rmSync(out, { recursive: true, force: true });
      const base = results[0];
      tables.push({
        title: `pack, ${sizeMb} MB CSV (level 6; median of ${repeats})`,
        rows: results.map((r, k) => {
          const ok = r.failures.length === 0;
          const speed = base.seconds / r.seconds;
          return {
            case: r.name,
            'MB/s': ok ? lib.fmt(lib.mbps(csv.bytes, r.seconds), 1) : '–',
            s: ok ? lib.fmt(r.seconds, 2) : '–',
            'speed vs zip': ok ? `${lib.fmt(speed, 2)}x` : '–',
            'archive MB': lib.fmt(sizes[k] / 2 ** 20, 1),
            'peak RSS MB': lib.fmt(r.peakRssMb, 0),
            target: k === 0 ? 'baseline' : `≥ ${SPEED}x`,
            result: !ok ? `FAILED: ${r.failures[0]}` : k === 0 ? '–' : speed >= SPEED ? 'met' : 'missed',
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
  const tables = await suite.run({ sizes: sizes.length ? sizes : [200], repeat: 1, log: (...m) => console.error(...m), lib });
  for (const t of tables) console.log(`\n${t.title}\n${lib.formatTable(t.rows)}`);
}
