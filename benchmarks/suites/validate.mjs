/**
 * Suite `validate`: `batchprep validate` (the whole CLI process) against bare parsers on the
 * same generated file, in one run, so the ratios compare like with like.
 *
 * CSV: newline counting, csv-parse, papaparse (the baseline), validate, validate
 * --no-duplicate-check. JSON: stream-json default (the baseline), stream-json packed values,
 * validate, validate --no-duplicate-check. Targets (foundation issue): CSV validate <= 2.0x
 * papaparse; JSON validate <= 1.5x stream-json default; peak RSS <= 100 MB + 40 B per
 * distinct consent ID, and <= 100 MB with --no-duplicate-check.
 */

const CSV_RATIO = 2.0;
const JSON_RATIO = 1.5;
const BASE_RSS_MB = 100;
const BYTES_PER_ID = 40;
/** Far above any generated file, so the size cap (FileTooLarge) plays no part. */
const MAX_BYTES = '1000000000000';

export default {
  name: 'validate',
  async run(ctx) {
    const { lib, log } = ctx;
    const tables = [];
    for (const sizeMb of ctx.sizes) {
      const repeats = lib.repeatsFor(sizeMb, ctx.repeat);
      log(`validate: generating/reusing ${sizeMb} MB files`);
      const csv = await lib.ensureConsentCsv(sizeMb);
      const json = await lib.ensureConsentJson(sizeMb);
      const rows = [];
      for (const [format, file] of [['CSV', csv], ['JSON', json]]) {
        log(`validate: ${sizeMb} MB ${format}, ${file.rows} rows, ${repeats} run(s) per case`);
        const cases = format === 'CSV' ? csvCases(lib, file) : jsonCases(lib, file);
        const results = await lib.runCases(cases, repeats, log);
        const baseline = results.find((r) => r.name === cases.find((c) => c.baseline).name);
        const budgetMb = BASE_RSS_MB + (BYTES_PER_ID * file.distinctIds) / (1024 * 1024);
        for (const [k, r] of results.entries()) {
          const c = cases[k];
          rows.push(row(lib, format, file, c, r, baseline, budgetMb));
        }
      }
      tables.push({
        title: `validate, ${sizeMb} MB (CSV ${(csv.bytes / 2 ** 20).toFixed(1)} MB, ${csv.rows.toLocaleString('en-US')} rows; JSON ${(json.bytes / 2 ** 20).toFixed(1)} MB, ${json.rows.toLocaleString('en-US')} rows; median of ${repeats})`,
        rows,
      });
    }
    return tables;
  },
};

/** The CSV cases; papaparse is the baseline the target ratio refers to. */
function csvCases(lib, file) {
  return [
    baselineCase(lib, 'newlines (Node)', 'count-newlines', [file.path], file.rows + 1),
    baselineCase(lib, 'csv-parse', 'count-csv-parse', [file.path], file.rows),
    { ...baselineCase(lib, 'papaparse', 'count-papaparse', [file.path], file.rows), baseline: true },
    validateCase(lib, 'batchprep validate', file, [], { ratio: CSV_RATIO, rss: 'budget' }),
    validateCase(lib, 'batchprep validate --no-duplicate-check', file, ['--no-duplicate-check'], { ratio: CSV_RATIO, rss: 'flat' }),
    startupCase(lib),
  ];
}

/** The JSON cases; stream-json with its default options is the baseline. */
function jsonCases(lib, file) {
  return [
    { ...baselineCase(lib, 'stream-json (default: packed + streamed values)', 'count-stream-json', [file.path], file.rows), baseline: true },
    baselineCase(lib, 'stream-json (packed values only)', 'count-stream-json', [file.path, '--packed'], file.rows),
    validateCase(lib, 'batchprep validate', file, [], { ratio: JSON_RATIO, rss: 'budget' }),
    validateCase(lib, 'batchprep validate --no-duplicate-check', file, ['--no-duplicate-check'], { ratio: JSON_RATIO, rss: 'flat' }),
  ];
}

/** A baseline script run as its own Node process; its printed count must match. */
function baselineCase(lib, name, script, args, expected) {
  return {
    name,
    cmd: lib.nodePath,
    args: [lib.baselinePath(script), ...args],
    check: (r) => {
      if (r.exitCode !== 0) return `exit ${r.exitCode}`;
      const n = Number(r.stdout.trim());
      return n === expected ? undefined : `counted ${r.stdout.trim()}, expected ${expected}`;
    },
  };
}

/** `batchprep --version`: what loading the CLI costs before any byte is read (reference). */
function startupCase(lib) {
  return { name: 'batchprep --version (start-up only)', startupOnly: true, cmd: lib.cliPath, args: ['--version'] };
}

/** `dist/cli/bin.js validate FILE --report json`, run as installed (its shebang flags apply); the report must say valid, all rows. */
function validateCase(lib, name, file, extra, target) {
  return {
    name,
    target,
    cmd: lib.cliPath,
    args: ['validate', file.path, '--report', 'json', '--max-bytes', MAX_BYTES, ...extra],
    check: (r) => {
      if (r.exitCode !== 0) return `exit ${r.exitCode}`;
      let report;
      try {
        report = JSON.parse(r.stdout);
      } catch {
        return 'stdout is not one JSON report';
      }
      const f = report.files?.[0];
      if (!report.valid || !f) return `report says invalid (${f?.errorCount ?? '?'} errors)`;
      return f.rows === file.rows ? undefined : `report counts ${f.rows} rows, expected ${file.rows}`;
    },
  };
}

/** One table line: throughput, ratio to the baseline, RSS against its budget, verdict. */
function row(lib, format, file, c, r, baseline, budgetMb) {
  const ratio = r.seconds / baseline.seconds;
  const t = c.target;
  const rssLimit = t ? (t.rss === 'budget' ? budgetMb : BASE_RSS_MB) : undefined;
  const ok = r.failures.length === 0;
  let verdict = '–';
  if (!ok) verdict = `FAIL: ${r.failures[0]}`;
  else if (t && baseline.failures.length) verdict = 'no baseline (it failed)';
  else if (t) {
    const misses = [];
    if (ratio > t.ratio) misses.push(`time ${ratio.toFixed(3)}x > ${t.ratio}x`);
    if (!(r.peakRssMb <= rssLimit)) misses.push(`RSS ${lib.fmt(r.peakRssMb, 0)} > ${rssLimit.toFixed(0)} MB`);
    verdict = misses.length ? `fail (${misses.join('; ')})` : 'pass';
  }
  return {
    format,
    case: c.name,
    'MB/s': ok && !c.startupOnly ? lib.fmt(lib.mbps(file.bytes, r.seconds), 1) : '–',
    's': ok ? lib.fmt(r.seconds, 2) : '–',
    'time ratio': !ok ? '–' : c.baseline ? '1.00x' : `${lib.fmt(ratio, 2)}x`,
    'CPU s': ok ? lib.fmt(r.cpuSeconds, 2) : '–',
    'CPU ratio': !ok ? '–' : c.baseline ? '1.00x' : `${lib.fmt(r.cpuSeconds / baseline.cpuSeconds, 2)}x`,
    'peak RSS MB': lib.fmt(r.peakRssMb, 0),
    'RSS limit MB': rssLimit === undefined ? '–' : lib.fmt(rssLimit, 0),
    target: t ? `≤ ${t.ratio.toFixed(1)}x, RSS ≤ ${t.rss === 'budget' ? '100 MB + 40 B/ID' : '100 MB'}` : c.baseline ? 'baseline' : '–',
    result: verdict,
  };
}
