/**
 * Suite `goals`: the speed and memory goals of issue 13, each reported as met or missed with
 * its figures, against peers run on the same file in the same run (round-robin, medians).
 *
 *   G1 CSV validate <= 2.0x bare uDSV row counting (index on), <= 1.5x (--no-duplicate-check),
 *      and ahead of `mlr count` and `csvclean -n`
 *   G2 JSON validate <= 1.0x the time of JSON.parse on the whole file, flat memory
 *   G3 prepare <= 1.3x validate on the same CSV
 *   G4 pack >= 0.9x the speed of `pigz -K` at the same level (6)
 *   G5 1,000 files of 10 KB: one validate process >= 5x one process per file; start-up of
 *      `validate` on a tiny file <= 1.3x `node -e 0`
 *   and inputs with bad rows: 1% bad rows; 1,000 spread errors (peak RSS against the budget);
 *   data row 2000 bad against row 2001 bad (the sampling cliff).
 *
 * Verdicts of single-threaded jobs (G1-G3, the row-2000 cliff) take the worse of the wall-time and
 * CPU-time ratios; pack (both cores) and G5 (process start-up) take wall time.
 *
 * Peers: uDSV and papaparse (devDependencies); Debian miller, csvkit, pigz, zip (see
 * benchmarks/README.md). A missing peer shows as "not installed".
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';

const MAX_BYTES = '1000000000000';
const BASE_RSS_MB = 100;
const BYTES_PER_ID = 40;

/** True when a command is on PATH. */
function have(cmd) {
  try {
    execFileSync('/bin/sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const validateArgs = (path, extra = []) => ['validate', path, '--report', 'json', '--max-bytes', MAX_BYTES, ...extra];

/** A validate case whose JSON report must say `rows` rows and `errors` errors. */
function validateCase(lib, name, path, rows, errors, extra = []) {
  return {
    name,
    cmd: lib.cliPath,
    args: validateArgs(path, extra),
    check: (r) => {
      let f;
      try {
        f = JSON.parse(r.stdout).files[0];
      } catch {
        return `exit ${r.exitCode}, stdout is not a JSON report`;
      }
      if (f.rows !== rows) return `report counts ${f.rows} rows, expected ${rows}`;
      if (f.errorCount !== errors) return `report counts ${f.errorCount} errors, expected ${errors}`;
      return r.exitCode === (errors ? 1 : 0) ? undefined : `exit ${r.exitCode}`;
    },
  };
}

/** A bare counting script from baselines/, whose printed count must match. */
function countCase(lib, name, script, path, expected, extra = []) {
  return {
    name,
    cmd: lib.nodePath,
    args: [lib.baselinePath(script), path, ...extra],
    check: (r) => (r.exitCode !== 0 ? `exit ${r.exitCode}` : Number(r.stdout.trim()) === expected ? undefined : `counted ${r.stdout.trim()}, expected ${expected}`),
  };
}

/** A copy of the clean CSV with the consentId of the given data rows (1-based) made invalid. */
async function ensureBadRows(lib, base, name, isBad) {
  return lib.ensureGenerated(name, 0, async (write) => {
    const lines = createInterface({ input: createReadStream(base.path), crlfDelay: Infinity });
    let row = 0;
    let out = '';
    let header = true;
    for await (const line of lines) {
      if (header) {
        header = false;
        out = `${line}\n`;
        continue;
      }
      row++;
      out += isBad(row) ? `not-a-uuid-${row}${line.slice(line.indexOf(','))}\n` : `${line}\n`;
      if (out.length > 1 << 20) {
        await write(out);
        out = '';
      }
    }
    await write(out);
    return row;
  });
}

const ratio = (a, b) => `${(a / b).toFixed(2)}x`;
/**
 * For single-threaded jobs, the larger of the wall-time and CPU-time ratios: on shared cores
 * either one alone can flatter a case (a baseline that waits on page faults, a burst of load).
 */
const worst = (r, base) => Math.max(r.seconds / base.seconds, r.cpuSeconds / base.cpuSeconds);
const verdict = (ok) => (ok ? 'met' : 'missed');

export default {
  name: 'goals',
  async run(ctx) {
    const { lib, log } = ctx;
    const tables = [];
    for (const sizeMb of ctx.sizes) {
      const repeats = lib.repeatsFor(sizeMb, ctx.repeat);
      const csv = await lib.ensureConsentCsv(sizeMb);
      const json = await lib.ensureConsentJson(sizeMb);
      const mb = (f) => (f.bytes / 2 ** 20).toFixed(1);
      const budget = (f) => BASE_RSS_MB + (BYTES_PER_ID * f.distinctIds) / 2 ** 20;

      // G1: CSV validate against bare parsers and CSV tools.
      log(`goals: G1 CSV ${sizeMb} MB`);
      const g1 = [
        { ...countCase(lib, 'uDSV row count', 'count-udsv', csv.path, csv.rows), base: true },
        countCase(lib, 'papaparse row count', 'count-papaparse', csv.path, csv.rows),
        countCase(lib, 'newlines (Node)', 'count-newlines', csv.path, csv.rows + 1),
        validateCase(lib, 'batchprep validate', csv.path, csv.rows, 0),
        validateCase(lib, 'batchprep validate --no-duplicate-check', csv.path, csv.rows, 0, ['--no-duplicate-check']),
      ];
      if (have('mlr')) g1.push({ name: 'mlr count (miller)', cmd: 'mlr', args: ['--icsv', '--ojson', 'count', csv.path], check: (r) => (r.stdout.includes(`"count": ${csv.rows}`) ? undefined : 'wrong count') });
      if (have('csvclean')) g1.push({ name: 'csvclean -n (csvkit)', cmd: 'csvclean', args: ['-n', csv.path] });
      const r1 = await lib.runCases(g1, repeats, log);
      const t = Object.fromEntries(r1.map((r) => [r.name, r]));
      const udsv = t['uDSV row count'];
      const rows1 = r1.map((r) => {
        const c = g1.find((x) => x.name === r.name);
        let target = '–';
        let result = '–';
        if (r.name === 'batchprep validate') {
          const peers = ['mlr count (miller)', 'csvclean -n (csvkit)'].filter((n) => t[n] && !t[n].failures.length);
          const ahead = peers.every((n) => r.seconds < t[n].seconds);
          target = `≤ 2.0x uDSV, ahead of ${peers.join(', ') || 'peers'}, RSS ≤ ${budget(csv).toFixed(0)} MB`;
          result = verdict(worst(r, udsv) <= 2.0 && ahead && r.peakRssMb <= budget(csv));
        } else if (r.name === 'batchprep validate --no-duplicate-check') {
          target = '≤ 1.5x uDSV, RSS ≤ 100 MB';
          result = verdict(worst(r, udsv) <= 1.5 && r.peakRssMb <= BASE_RSS_MB);
        } else if (c.base) target = 'baseline';
        return row(lib, csv, r, udsv, target, result);
      });
      tables.push({ title: `G1 CSV validate, ${mb(csv)} MB, ${csv.rows.toLocaleString('en-US')} rows (median of ${repeats})`, rows: rows1 });

      // G2: JSON validate against JSON.parse of the whole file.
      log(`goals: G2 JSON ${sizeMb} MB`);
      const g2 = [
        { ...countCase(lib, 'JSON.parse (whole file)', 'count-json-parse', json.path, json.rows), base: true },
        countCase(lib, 'stream-json (default)', 'count-stream-json', json.path, json.rows),
        validateCase(lib, 'batchprep validate', json.path, json.rows, 0),
        validateCase(lib, 'batchprep validate --no-duplicate-check', json.path, json.rows, 0, ['--no-duplicate-check']),
      ];
      const r2 = await lib.runCases(g2, repeats, log);
      const parse = r2[0];
      tables.push({
        title: `G2 JSON validate, ${mb(json)} MB, ${json.rows.toLocaleString('en-US')} rows (median of ${repeats})`,
        rows: r2.map((r, k) => {
          const dup = r.name === 'batchprep validate';
          const nodup = r.name === 'batchprep validate --no-duplicate-check';
          const limit = dup ? budget(json) : BASE_RSS_MB;
          return row(lib, json, r, parse, dup || nodup ? `≤ 1.0x JSON.parse, RSS ≤ ${limit.toFixed(0)} MB` : k === 0 ? 'baseline' : '–', dup || nodup ? verdict(worst(r, parse) <= 1.0 && r.peakRssMb <= limit) : '–');
        }),
      });

      // G3: prepare against validate.
      log(`goals: G3 prepare ${sizeMb} MB`);
      const out = join(lib.dataDir, 'goals-out');
      const g3 = [
        { ...validateCase(lib, 'batchprep validate', csv.path, csv.rows, 0), base: true },
        { name: 'batchprep prepare', cmd: lib.cliPath, args: ['prepare', csv.path, '--out-dir', join(out, 'prep'), '--force'] },
      ];
      const r3 = await lib.runCases(g3, repeats, log);
      tables.push({
        title: `G3 prepare vs validate, ${mb(csv)} MB CSV (median of ${repeats})`,
        rows: r3.map((r, k) => row(lib, csv, r, r3[0], k === 0 ? 'baseline' : '≤ 1.3x validate', k === 0 ? '–' : verdict(worst(r, r3[0]) <= 1.3))),
      });

      // G4: pack against pigz -K (both cores) and zip, level 6.
      log(`goals: G4 pack ${sizeMb} MB`);
      const zipPath = join(out, 'zip.zip');
      mkdirSync(out, { recursive: true });
      const g4 = [];
      if (have('pigz')) g4.push({ name: 'pigz -K -6 (both cores)', cmd: '/bin/sh', args: ['-c', `pigz -K -6 -c "${csv.path}" > "${zipPath}"`], base: true });
      if (have('zip')) g4.push({ name: 'zip -6 (Info-ZIP)', cmd: '/bin/sh', args: ['-c', `rm -f "${zipPath}" && zip -6 -q -j "${zipPath}" "${csv.path}"`] });
      g4.push({ name: 'batchprep pack --level 6', cmd: lib.cliPath, args: ['pack', csv.path, '--out-dir', join(out, 'pack'), '--force', '--level', '6', '--name', 'bench'] });
      const r4 = await lib.runCases(g4, repeats, log);
      const pigz = r4.find((r) => r.name.startsWith('pigz'));
      tables.push({
        title: `G4 pack, ${mb(csv)} MB CSV, level 6 (median of ${repeats}; speed = pigz time / this time)`,
        rows: r4.map((r) => ({
          ...row(lib, csv, r, pigz ?? r, r === pigz ? 'baseline' : r.name.startsWith('batchprep') ? '≥ 0.9x pigz speed' : '–', r.name.startsWith('batchprep') && pigz ? verdict(pigz.seconds / r.seconds >= 0.9) : '–'),
          'speed vs pigz': pigz ? ratio(pigz.seconds, r.seconds) : '–',
        })),
      });
      if (existsSync(join(out, 'pack', 'bench.zip'))) execFileSync('unzip', ['-tq', join(out, 'pack', 'bench.zip')]);

      // Inputs with bad rows.
      log(`goals: bad-row inputs ${sizeMb} MB`);
      const n = csv.rows;
      const step = Math.floor(n / 1000);
      const onePct = await ensureBadRows(lib, csv, `goals-${sizeMb}mb-1pct-bad.csv`, (r) => r % 100 === 0);
      const spread = await ensureBadRows(lib, csv, `goals-${sizeMb}mb-1000-spread.csv`, (r) => r % step === 0 && r / step <= 1000);
      const bad2000 = await ensureBadRows(lib, csv, `goals-${sizeMb}mb-row2000-bad.csv`, (r) => r === 2000);
      const bad2001 = await ensureBadRows(lib, csv, `goals-${sizeMb}mb-row2001-bad.csv`, (r) => r === 2001);
      const g6 = [
        { ...validateCase(lib, 'clean file', csv.path, n, 0), base: true },
        validateCase(lib, '1% bad rows', onePct.path, n, Math.floor(n / 100)),
        validateCase(lib, '1,000 spread errors', spread.path, n, 1000),
        validateCase(lib, '1,000 spread errors --no-duplicate-check', spread.path, n, 1000, ['--no-duplicate-check']),
        validateCase(lib, 'data row 2000 bad', bad2000.path, n, 1),
        validateCase(lib, 'data row 2001 bad', bad2001.path, n, 1),
      ];
      const r6 = await lib.runCases(g6, repeats, log);
      const by = Object.fromEntries(r6.map((r) => [r.name, r]));
      tables.push({
        title: `Bad rows, ${mb(csv)} MB CSV, batchprep validate (median of ${repeats})`,
        rows: r6.map((r) => {
          let target = '–';
          let result = '–';
          if (r.name === '1,000 spread errors') {
            target = `RSS ≤ ${budget(csv).toFixed(0)} MB`;
            result = verdict(r.peakRssMb <= budget(csv));
          } else if (r.name === '1,000 spread errors --no-duplicate-check') {
            target = 'RSS ≤ 100 MB';
            result = verdict(r.peakRssMb <= BASE_RSS_MB);
          } else if (r.name === 'data row 2000 bad') {
            target = '≤ 1.1x row 2001 bad';
            result = `${verdict(worst(r, by['data row 2001 bad']) <= 1.1)} (${worst(r, by['data row 2001 bad']).toFixed(2)}x)`;
          }
          return row(lib, csv, r, r6[0], target, result);
        }),
      });
    }

    // G5: many small files and start-up.
    tables.push(await smallFiles(ctx));
    return tables;
  },
};

/** 1,000 files of about 10 KB: one process for all against one process per file; start-up against node -e 0. */
async function smallFiles({ lib, log, repeat }) {
  const dir = join(lib.dataDir, 'goals-small');
  const files = [];
  if (!existsSync(join(dir, 'f-0999.csv'))) {
    mkdirSync(dir, { recursive: true });
    const base = readFileSync((await lib.ensureConsentCsv(10)).path, 'utf8').split('\n');
    for (let i = 0; i < 1000; i++) {
      const rows = base.slice(1 + i * 115, 1 + (i + 1) * 115);
      writeFileSync(join(dir, `f-${String(i).padStart(4, '0')}.csv`), `${base[0]}\n${rows.join('\n')}\n`);
    }
  }
  for (let i = 0; i < 1000; i++) files.push(join(dir, `f-${String(i).padStart(4, '0')}.csv`));
  const sample = 40;
  const listFile = join(dir, 'sample.txt');
  writeFileSync(listFile, files.slice(0, sample).join('\n'));
  const repeats = repeat ?? 3;
  log('goals: G5 small files');
  const cases = [
    { name: 'node -e 0', cmd: lib.nodePath, args: ['-e', '0'], base: true },
    { name: 'batchprep validate (1 file of 10 KB: start-up)', cmd: lib.cliPath, args: validateArgs(files[0]) },
    { name: 'batchprep validate, 1,000 files in one process', cmd: lib.cliPath, args: ['validate', ...files, '--report', 'json'] },
    {
      name: `one process per file, ${sample} files (x${1000 / sample} for 1,000)`,
      cmd: '/bin/sh',
      args: ['-c', `while read f; do "${lib.nodePath}" "${lib.cliPath}" validate "$f" --report json > /dev/null || exit 1; done < "${listFile}"`],
    },
  ];
  const r = await lib.runCases(cases, repeats, log);
  const node0 = r[0];
  const startup = r[1];
  const one = r[2];
  const perFile = r[3].seconds * (1000 / sample);
  return {
    title: `G5 1,000 CSV files of ~10 KB and start-up (median of ${repeats})`,
    rows: [
      { case: 'node -e 0', s: lib.fmt(node0.seconds, 3), 'peak RSS MB': lib.fmt(node0.peakRssMb, 0), target: 'baseline', result: '–' },
      { case: startup.name, s: lib.fmt(startup.seconds, 3), 'peak RSS MB': lib.fmt(startup.peakRssMb, 0), target: '≤ 1.3x node -e 0', result: `${verdict(startup.seconds / node0.seconds <= 1.3)} (${ratio(startup.seconds, node0.seconds)})` },
      { case: one.name, s: lib.fmt(one.seconds, 2), 'peak RSS MB': lib.fmt(one.peakRssMb, 0), target: '≥ 5x one process per file', result: `${verdict(perFile / one.seconds >= 5)} (${(perFile / one.seconds).toFixed(1)}x)${one.failures.length ? ` FAIL: ${one.failures[0]}` : ''}` },
      { case: r[3].name, s: `${lib.fmt(r[3].seconds, 2)} (1,000: ${lib.fmt(perFile, 1)})`, 'peak RSS MB': lib.fmt(r[3].peakRssMb, 0), target: '–', result: r[3].failures.length ? `FAIL: ${r[3].failures[0]}` : '–' },
    ],
    notes: '\n`finpro submit DIR` on the same files needs the FinPro test server and is not in this suite yet.',
  };
}

/** One table line: time, ratio to the base, CPU, peak RSS, target and verdict. */
function row(lib, file, r, base, target, result) {
  const ok = r.failures.length === 0;
  return {
    case: r.name,
    'MB/s': ok ? lib.fmt(lib.mbps(file.bytes, r.seconds), 1) : '–',
    s: ok ? lib.fmt(r.seconds, 2) : '–',
    'time ratio': ok ? ratio(r.seconds, base.seconds) : '–',
    'CPU s': ok ? lib.fmt(r.cpuSeconds, 2) : '–',
    'CPU ratio': ok ? ratio(r.cpuSeconds, base.cpuSeconds) : '–',
    'peak RSS MB': lib.fmt(r.peakRssMb, 0),
    target,
    result: ok ? result : `FAIL: ${r.failures[0]}`,
  };
}
