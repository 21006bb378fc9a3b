/**
 * Suite `finpro`: `batchprep finpro submit` of a file at the FinPro cap (10,485,760 bytes) to
 * the local FinPro test server, against `curl -F file=@...` to the same server in the same
 * run (whole processes). Target (submission issue): peak RSS grows by less than the file size
 * over a 3-row upload (the body is streamed from disk, never held whole). Because garbage
 * chunks wait for V8's next collection, growth at 10 MB is close to 10 MB whatever the
 * design; so `submitToFinPro` is also run with the cap lifted on a ~100 MB file, where a
 * buffering client would grow by 100 MB or more.
 * The FinPro cap fixes the size, so `--sizes` does not apply. The test server (TypeScript) is
 * compiled into benchmarks/data/ and runs inside this process.
 * Run alone: `node benchmarks/suites/finpro.mjs` (build first: `npm run build`).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const CAP = 10_485_760;
const MB = 2 ** 20;

/** Compiles test/servers/finpro-server.ts into benchmarks/data/ and imports it. */
async function loadServer(lib) {
  const outDir = join(lib.dataDir, 'finpro-server');
  const tsc = join(lib.repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  execFileSync(
    lib.nodePath,
    [tsc, join(lib.repoRoot, 'test', 'servers', 'finpro-server.ts'), '--outDir', outDir, '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--esModuleInterop', '--skipLibCheck', '--types', 'node'],
    { cwd: lib.repoRoot, stdio: 'inherit' },
  );
  return import(pathToFileURL(join(outDir, 'finpro-server.js')).href);
}

/** A valid consent CSV just under the cap: the generator's 10 MB file cut at the last whole row. */
async function capFile(lib) {
  const path = join(lib.dataDir, 'finpro-cap.csv');
  if (!existsSync(path)) {
    const src = await lib.ensureConsentCsv(10);
    const text = await readFile(src.path);
    const cut = text.lastIndexOf(0x0a, CAP - 1) + 1;
    await writeFile(path, text.subarray(0, cut));
  }
  const bytes = (await readFile(path)).length;
  return { path, bytes };
}

const suite = {
  name: 'finpro',
  async run(ctx) {
    const { lib, log } = ctx;
    const repeats = ctx.repeat ?? 3;
    const { startFinProServer, TEST_CREDENTIALS: C } = await loadServer(lib);
    const big = await capFile(lib);
    const tiny = { path: join(lib.dataDir, 'finpro-tiny.csv') };
    await writeFile(tiny.path, 'consentId,fiDataRangeFrom,fiDataRangeTo,configId\n54450ac0-8bcb-4b9c-ad74-29b4fabe18f7,,,cfg\n');
    tiny.bytes = (await readFile(tiny.path)).length;
    const huge = await lib.ensureConsentCsv(100);
    const server = await startFinProServer({ maxBytes: 256 * MB });
    try {
      const url = `${server.url}/fi/requests/schedule/upload/v3`;
      const env = { FINPRO_BASE_URL: server.url, FINPRO_CLIENT_ID: C.clientId, FINPRO_CLIENT_SECRET: C.clientSecret, FINPRO_APP_ID: C.appId, FINPRO_ORG_ID: C.orgId };
      const okJson = (r) => (r.exitCode === 0 && /"status":"FILE_UPLOADED"/.test(r.stdout) ? undefined : `exit ${r.exitCode}`);
      const curl = (file) => ({
        cmd: 'curl',
        args: ['-sS', '-o', '/dev/null', '-w', '%{http_code}', '-F', `file=@${file.path};type=text/csv`, '-H', `client_id: ${C.clientId}`, '-H', `client_secret: ${C.clientSecret}`, '-H', `appIdentifier: ${C.appId}`, '-H', `organisationId: ${C.orgId}`, url],
        check: (r) => (r.stdout === '200' ? undefined : `HTTP ${r.stdout || r.exitCode}`),
      });
      const submit = (file, extra) => ({ cmd: lib.cliPath, args: ['finpro', 'submit', file.path, '--json', ...extra], env, check: okJson });
      // The library with the cap lifted, in a bare process: `node -e <script> <file>`.
      const libScript = [
        `const { submitToFinPro } = await import(${JSON.stringify(pathToFileURL(join(lib.repoRoot, 'dist', 'index.js')).href)});`,
        `const r = await submitToFinPro(process.argv[1], { baseUrl: process.env.FINPRO_BASE_URL, validate: false, maxBytes: 2 ** 30,`,
        `  credentials: { clientId: process.env.FINPRO_CLIENT_ID, clientSecret: process.env.FINPRO_CLIENT_SECRET, appId: process.env.FINPRO_APP_ID, orgId: process.env.FINPRO_ORG_ID } });`,
        `console.log(JSON.stringify(r));`,
      ].join('\n');
      const viaLib = (file) => ({ cmd: lib.nodePath, args: ['--input-type=module', '-e', libScript, file.path], env, check: okJson });
      const cases = [
        { name: 'curl -F file=@ (3 rows)', file: tiny, ...curl(tiny) },
        { name: 'curl -F file=@ (10 MB)', file: big, ...curl(big), baseline: true },
        { name: 'batchprep finpro submit --no-validate (3 rows)', file: tiny, ...submit(tiny, ['--no-validate']) },
        { name: 'batchprep finpro submit --no-validate (10 MB)', file: big, ...submit(big, ['--no-validate']) },
        { name: 'batchprep finpro submit (validates, 10 MB)', file: big, ...submit(big, []) },
        { name: 'submitToFinPro, cap lifted (3 rows)', file: tiny, ...viaLib(tiny) },
        { name: `submitToFinPro, cap lifted (${(huge.bytes / MB).toFixed(0)} MB)`, file: huge, ...viaLib(huge) },
        { name: `curl -F file=@ (${(huge.bytes / MB).toFixed(0)} MB)`, file: huge, ...curl(huge) },
      ];
      log(`finpro: ${big.bytes} bytes, ${repeats} run(s) per case`);
      const results = await lib.runCases(cases, repeats, log);
      const base = results[1];
      const curlTiny = results[0];
      const ourTiny = results[2];
      const growth = results[3].peakRssMb - ourTiny.peakRssMb;
      const libGrowth = results[6].peakRssMb - results[5].peakRssMb;
      const rows = results.map((r, k) => {
        const c = cases[k];
        const ok = r.failures.length === 0;
        const tinyRun = c.file === tiny ? null : c.cmd === 'curl' ? curlTiny : k === 6 ? results[5] : ourTiny;
        // Throughput net of process start-up: the big run minus the 3-row run of the same tool.
        const dt = tinyRun ? r.seconds - tinyRun.seconds : 0;
        const net = dt > 0.05 ? c.file.bytes / MB / dt : NaN;
        let note = '';
        if (k === 3) note = `RSS growth over 3 rows: ${lib.fmt(growth, 1)} MB (target < ${lib.fmt(big.bytes / MB, 1)} MB): ${growth < big.bytes / MB ? 'met' : 'missed'}`;
        else if (k === 6) note = `RSS growth over 3 rows: ${lib.fmt(libGrowth, 1)} MB for ${lib.fmt(huge.bytes / MB, 0)} MB sent: ${libGrowth < huge.bytes / MB ? 'met' : 'missed'}`;
        else if (k === 4) note = 'includes the local validation pass (duplicate-ID index)';
        else if (c.file === tiny) note = 'start-up + one request';
        else note = 'baseline';
        return {
          case: r.name,
          'MB/s': ok && c.file !== tiny ? lib.fmt(lib.mbps(c.file.bytes, r.seconds), 1) : '–',
          'net MB/s': ok && Number.isFinite(net) ? lib.fmt(net, 1) : '–',
          s: ok ? lib.fmt(r.seconds, 2) : '–',
          'ratio to curl': ok && c.file === big ? `${lib.fmt(r.seconds / base.seconds, 2)}x` : ok && k === 6 ? `${lib.fmt(r.seconds / results[7].seconds, 2)}x` : '–',
          'peak RSS MB': lib.fmt(r.peakRssMb, 0),
          note: ok ? note : `FAILED: ${r.failures[0]}`,
        };
      });
      return [
        {
          title: `finpro submit, ${big.bytes.toLocaleString('en-US')}-byte CSV (and ${huge.bytes.toLocaleString('en-US')} bytes through the library) to the local FinPro test server (median of ${repeats})`,
          rows,
          notes: [
            'net MB/s = file size / (time of the big run - time of the 3-row run of the same tool), i.e. without process start-up; – when start-up noise swamps it.',
            'RSS growth = peak RSS of the big run - peak RSS of the 3-row run of the same tool.',
          ].join('\n\n'),
        },
      ];
    } finally {
      await server.close();
    }
  },
};

export default suite;

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const lib = await import('../lib.mjs');
  const tables = await suite.run({ sizes: [10], repeat: null, log: (...m) => console.error(...m), lib });
  for (const t of tables) console.log(`\n${t.title}\n${lib.formatTable(t.rows)}\n${t.notes ?? ''}`);
}
