/**
 * Suite `import`: what importing the package costs, per entry point, as peak RSS and time
 * above a bare `node -e 0` (issue 11 item 8: validate-only use must not pay for the AWS SDK,
 * undici or archiver). Imports the built dist/ through the package's own name, so the
 * `exports` map is what is measured. Run alone: `node benchmarks/suites/import.mjs`.
 */
import { pathToFileURL } from 'node:url';

const ENTRIES = ['batchprep/validate', 'batchprep', 'batchprep/prepare', 'batchprep/filex', 'batchprep/finpro', 'batchprep/pack'];

const suite = {
  name: 'import',
  async run(ctx) {
    const { lib, log } = ctx;
    const repeats = ctx.repeat ?? 5;
    const cases = [
      { name: 'node -e 0 (baseline)', cmd: lib.nodePath, args: ['-e', '0'] },
      ...ENTRIES.map((e) => ({ name: `import '${e}'`, cmd: lib.nodePath, args: ['--input-type=module', '-e', `await import(${JSON.stringify(e)})`] })),
      // What the root import cost before it was lazy: every network client loaded eagerly.
      { name: 'all network clients (for scale)', cmd: lib.nodePath, args: ['--input-type=module', '-e', "await import('batchprep/finpro'); await import('batchprep/pack'); await import('@aws-sdk/client-s3'); await import('ssh2-sftp-client')"] },
    ];
    log(`import: ${cases.length} cases, ${repeats} run(s) each`);
    const results = await lib.runCases(cases, repeats, log);
    const base = results[0];
    return [
      {
        title: `import cost per entry point (median of ${repeats}; above bare node)`,
        rows: results.map((r, k) => ({
          case: r.name,
          'peak RSS MB': lib.fmt(r.peakRssMb, 0),
          '+RSS MB': k === 0 ? '–' : lib.fmt(r.peakRssMb - base.peakRssMb, 1),
          s: lib.fmt(r.seconds, 2),
          '+s': k === 0 ? '–' : lib.fmt(r.seconds - base.seconds, 2),
          result: r.failures.length ? `FAILED: ${r.failures[0]}` : '–',
        })),
      },
    ];
  },
};

export default suite;

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const lib = await import('../lib.mjs');
  const tables = await suite.run({ repeat: 3, log: (...m) => console.error(...m), lib });
  for (const t of tables) console.log(`\n${t.title}\n${lib.formatTable(t.rows)}`);
}
