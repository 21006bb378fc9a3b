/**
 * Suite `filex`: `batchprep filex upload --via s3` of a 1 GB file against Debian's
 * `aws s3 cp` (awscli, /usr/bin/aws) to the same loopback S3 server in the same run: both go
 * through the test S3 gate (s3rver behind the credential checker), both as whole processes.
 * Targets (fileX issue): MB/s ratio ours/aws >= 1.0, and our peak RSS <= part size x
 * (concurrency + 1) + 64 MB. Every stored object is hashed and compared with the source.
 * The test servers (TypeScript) are compiled into benchmarks/data/ and run in this process.
 * Run alone: `node benchmarks/suites/filex.mjs [--size-mb N] [--repeat N]` (build first).
 * Needs `apt-get install -y awscli`; without it only our side is measured.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import http from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const MB = 2 ** 20;
const AWS = '/usr/bin/aws';
const PART_MB = 8;
const CONCURRENCY = 4;

/** Compiles the fileX + S3 test servers into benchmarks/data/ and imports them. */
async function loadServers(lib) {
  const outDir = join(lib.dataDir, 'filex-servers');
  const tsc = join(lib.repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  execFileSync(
    lib.nodePath,
    [
      tsc,
      join(lib.repoRoot, 'test', 'servers', 's3-server.ts'),
      join(lib.repoRoot, 'test', 'servers', 'filex-server.ts'),
      '--outDir', outDir, '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022',
      '--esModuleInterop', '--skipLibCheck', '--types', 'node',
    ],
    { cwd: lib.repoRoot, stdio: 'inherit' },
  );
  const s3 = await import(pathToFileURL(join(outDir, 's3-server.js')).href);
  const fx = await import(pathToFileURL(join(outDir, 'filex-server.js')).href);
  return { startS3: s3.startS3, objectPath: s3.objectPath, startFilexServer: fx.startFilexServer };
}

async function sha256File(path) {
  const h = createHash('sha256');
  for await (const c of createReadStream(path, { highWaterMark: 4 * MB })) h.update(c);
  return h.digest('hex');
}

/** sha256 of a stored object, streamed from s3rver directly (never buffered whole). */
function sha256Object(directEndpoint, path) {
  return new Promise((resolve, reject) => {
    http
      .get(`${directEndpoint}${path}`, (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          return reject(new Error(`GET ${path}: HTTP ${res.statusCode}`));
        }
        const h = createHash('sha256');
        res.on('data', (c) => h.update(c));
        res.on('end', () => resolve(h.digest('hex')));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

const suite = {
  name: 'filex',
  async run(ctx) {
    const { lib, log } = ctx;
    const sizeMb = Math.max(...(ctx.sizes?.length ? ctx.sizes : [1024]));
    const repeats = ctx.repeat ?? (sizeMb > 200 ? 1 : 3);
    const { startS3, objectPath, startFilexServer } = await loadServers(lib);
    const input = await lib.ensureConsentCsv(sizeMb);
    const sourceSha = await sha256File(input.path);
    const s3 = await startS3();
    const fx = await startFilexServer({ s3 });
    const key = (name) => `${fx.orgId}/${fx.application}/in/${name}`;
    try {
      const env = {
        FILEX_USERNAME: fx.username,
        FILEX_PASSWORD: fx.password,
        FILEX_BASE_URL: fx.baseUrl,
        FIP_TOKEN_URL: fx.tokenUrl,
        FILEX_S3_ENDPOINT: s3.endpoint,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      };
      const cases = [
        {
          name: `batchprep filex upload --via s3 (${PART_MB} MiB parts x ${CONCURRENCY})`,
          cmd: lib.cliPath,
          args: ['filex', 'upload', input.path, '0001/app1/in', '--via', 's3', '--name', 'bench-ours.csv', '--part-size', `${PART_MB}MiB`, '--concurrency', String(CONCURRENCY), '--json'],
          env,
          object: 'bench-ours.csv',
        },
      ];
      // The process's fixed footprint (Node, CLI, AWS SDK), to read the big run's RSS against.
      const tiny = join(lib.dataDir, 'filex-tiny.csv');
      await writeFile(tiny, 'consentId\n');
      cases.push({
        name: 'batchprep filex upload --via s3 (10-byte file: fixed footprint)',
        cmd: lib.nodePath,
        args: [lib.cliPath, 'filex', 'upload', tiny, '0001/app1/in', '--via', 's3', '--name', 'bench-tiny.csv', '--json'],
        env,
        object: 'bench-tiny.csv',
        source: tiny,
      });
      const haveAws = existsSync(AWS);
      if (haveAws) {
        // awscli's defaults: 8 MiB parts, 10 concurrent requests; credentials issued by the gate like fileX's STS tokens.
        const creds = s3.issueCredentials(7200);
        const cfg = join(lib.dataDir, 'filex-aws-config');
        await writeFile(cfg, '[default]\nregion = us-east-1\ns3 =\n  addressing_style = path\n');
        cases.push({
          name: 'aws s3 cp (awscli, defaults)',
          cmd: AWS,
          args: ['--endpoint-url', s3.endpoint, 's3', 'cp', input.path, `s3://${s3.bucket}/${key('bench-aws.csv')}`, '--only-show-errors'],
          env: { AWS_CONFIG_FILE: cfg, AWS_ACCESS_KEY_ID: creds.accessKeyId, AWS_SECRET_ACCESS_KEY: creds.secretAccessKey, AWS_SESSION_TOKEN: creds.sessionToken, AWS_SHARED_CREDENTIALS_FILE: '/dev/null' },
          object: 'bench-aws.csv',
        });
      } else {
        log(`filex: ${AWS} not found (apt-get install -y awscli); measuring batchprep only`);
      }
      log(`filex: ${input.bytes} bytes, ${repeats} run(s) per case`);
      const results = await lib.runCases(cases, repeats, log);
      // Integrity: every stored object must hash like the source.
      const hashes = [];
      const tinySha = await sha256File(tiny);
      for (const c of cases) hashes.push(await sha256Object(s3.directEndpoint, objectPath(s3.bucket, key(c.object))).catch((e) => `error: ${e.message}`));
      const fixed = results[1];
      const aws = results[2];
      const budget = PART_MB * (CONCURRENCY + 1) + 64;
      const rows = results.map((r, k) => {
        const isTiny = k === 1;
        const want = isTiny ? tinySha : sourceSha;
        const ok = r.failures.length === 0 && hashes[k] === want;
        const rate = lib.mbps(input.bytes, r.seconds);
        let note = hashes[k] === want ? 'sha256 matches the source' : `sha256 MISMATCH (${hashes[k]})`;
        if (k === 0) {
          note += `; RSS budget ${budget} MB: ${r.peakRssMb <= budget ? 'met' : 'missed'}; ${lib.fmt(r.peakRssMb - fixed.peakRssMb, 0)} MB over the fixed footprint (parts in memory: ${PART_MB * (CONCURRENCY + 1)} MB)`;
        }
        return {
          case: r.name,
          'MB/s': ok && !isTiny ? lib.fmt(rate, 1) : '–',
          s: ok ? lib.fmt(r.seconds, 2) : '–',
          'ratio (MB/s / aws)': ok && !isTiny && aws && aws.failures.length === 0 ? `${lib.fmt(aws.seconds / r.seconds, 2)}x` : '–',
          'peak RSS MB': lib.fmt(r.peakRssMb, 0),
          note: r.failures.length ? `FAILED: ${r.failures[0]}` : note,
        };
      });
      return [
        {
          title: `filex upload --via s3 vs aws s3 cp, ${(input.bytes / MB).toFixed(0)} MB CSV to the loopback S3 gate + s3rver (median of ${repeats})`,
          rows,
          notes: [
            'Whole processes (start-up included on both sides). Both uploads pass the same credential gate in front of s3rver, which is the bottleneck (~100 MB/s).',
            `Targets: ratio >= 1.0x; batchprep peak RSS <= ${PART_MB} MiB x (${CONCURRENCY} + 1) + 64 MB = ${budget} MB.`,
            `Our STS refreshes and FIP token: ${fx.stats.stsRequests} S3TransferTokens call(s), ${fx.stats.tokenRequests} token request(s) in total.`,
          ].join('\n'),
        },
      ];
    } finally {
      await fx.close();
      await s3.close();
    }
  },
};

export default suite;

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const arg = (name) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? Number(process.argv[i + 1]) : undefined;
  };
  const lib = await import('../lib.mjs');
  const tables = await suite.run({ sizes: [arg('--size-mb') ?? 1024], repeat: arg('--repeat') ?? null, log: (...m) => console.error(...m), lib });
  for (const t of tables) console.log(`\n${t.title}\n${lib.formatTable(t.rows)}\n${t.notes ?? ''}`);
}
