#!/usr/bin/env node
/**
 * The fault table of issue 9: scenario -> command -> exit code -> time to fail -> what was
 * left behind -> secrets found. Two sources:
 *   1. a server that accepts and never answers (the whole request, or only the pre-signed
 *      transfer), run here with default flags and with --timeout 2 (default flags take about
 *      a minute: that is the number the table needs, too slow for the test suite);
 *   2. every test in test/faults/, which appends a row per scenario to $FAULT_TABLE.
 * Writes benchmarks/results/faults.md and prints it. Needs `npm run build`.
 * Usage: node benchmarks/fault-table.mjs
 */
import { spawn, spawnSync } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const bin = join(root, 'dist', 'cli', 'bin.js');
if (!existsSync(bin)) throw new Error('run npm run build first');
const SECRETS = ['hang-client-secret-1a2b', 'hang-fip-password-3c4d', 'hang-bearer-5e6f', 'hang-signature-7g8h'];
const dir = mkdtempSync(join(tmpdir(), 'bp-fault-table-'));
writeFileSync(join(dir, 'good.csv'), 'consentId,fiDataRangeFrom,fiDataRangeTo,configId\n54450ac0-8bcb-4b9c-ad74-29b4fabe18f7,,,c\n');

/** Accepts connections and never answers a byte. */
function hungServer() {
  const sockets = new Set();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('data', () => {}).on('error', () => {});
  });
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r({ url: `http://127.0.0.1:${server.address().port}`, close: () => { for (const s of sockets) s.destroy(); server.close(); } })));
}

/** A fileX that answers the token, listing and pre-signed URL requests, but whose pre-signed URLs point at `hung`. */
function filexWithHungTransfer(hung) {
  const server = http.createServer((req, res) => {
    req.on('data', () => {});
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      if (req.url.startsWith('/token')) return res.end(JSON.stringify({ access_token: SECRETS[2], expires_in: 300 }));
      if (req.method === 'PUT') return res.end(JSON.stringify({ url: `${hung}/blob/good.csv?X-Amz-Signature=${SECRETS[3]}`, trackingId: 'trk-1' }));
      if (req.url.split('/').length > 5) return res.end(JSON.stringify({ url: `${hung}/blob/f.csv?X-Amz-Signature=${SECRETS[3]}` }));
      res.end(JSON.stringify({ name: 'app1', type: 'DIR', children: [{ name: 'in', type: 'DIR', metadata: { writable: true } }] }));
    });
  });
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r({ url: `http://127.0.0.1:${server.address().port}`, close: () => { server.closeAllConnections(); server.close(); } })));
}

function run(args, env, cwd) {
  return new Promise((r) => {
    const started = Date.now();
    const child = spawn(process.execPath, [bin, ...args], { cwd, env: { PATH: process.env.PATH, HOME: dir, NO_COLOR: '1', XDG_CONFIG_HOME: '/nonexistent', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => r({ code, seconds: Math.round((Date.now() - started) / 100) / 10, out }));
  });
}

const hung = await hungServer();
const fx = await filexWithHungTransfer(hung.url);
const finproEnv = { FINPRO_BASE_URL: hung.url, FINPRO_CLIENT_ID: 'id', FINPRO_CLIENT_SECRET: SECRETS[0], FINPRO_APP_ID: 'a', FINPRO_ORG_ID: 'o' };
const filexEnv = (base) => ({ FILEX_USERNAME: 'u', FILEX_PASSWORD: SECRETS[1], FILEX_BASE_URL: base, FIP_TOKEN_URL: `${base}/token` });
const hangCases = [
  ['hung server: FinPro upload', ['finpro', 'submit', 'good.csv'], finproEnv, '--timeout'],
  ['hung server: FIP token (filex ls)', ['filex', 'ls', '0001/app1/out'], filexEnv(hung.url), '--timeout'],
  ['hung server: pre-signed upload (filex upload)', ['filex', 'upload', 'good.csv', '0001/app1/in'], filexEnv(fx.url), '--request-timeout'],
  ['hung server: pre-signed download', ['filex', 'download', '0001/app1/out/f.csv', '-o', 'dl/'], filexEnv(fx.url), '--timeout'],
];
const rows = [];
const jobs = [];
for (const [scenario, args, env, flag] of hangCases) {
  for (const extra of [[], [flag, '2']]) {
    const cwd = mkdtempSync(join(dir, 'case-'));
    writeFileSync(join(cwd, 'good.csv'), readFileSync(join(dir, 'good.csv')));
    jobs.push(
      run([...args, ...extra], env, cwd).then((r) => {
        const left = readdirSync(cwd, { recursive: true }).filter((f) => f !== 'good.csv' && !f.endsWith('dl'));
        const found = SECRETS.filter((s) => r.out.includes(s));
        const code = (/batchprep: ([A-Z]\w+):/.exec(r.out) ?? [])[1] ?? '';
        rows.push({ scenario, command: [...args, ...extra].join(' '), exit: `${r.code} ${code}`.trim(), seconds: r.seconds, left: left.length ? left.join(' ') : 'nothing', secrets: found.length ? found.join(',') : 'none' });
      }),
    );
  }
}
process.stderr.write('hung-server cases (default flags take about a minute)...\n');
await Promise.all(jobs);
hung.close();
fx.close();

process.stderr.write('test/faults...\n');
const tableFile = join(dir, 'rows.jsonl');
const vt = spawnSync('npx', ['vitest', 'run', 'test/faults'], { cwd: root, env: { ...process.env, FAULT_TABLE: tableFile }, stdio: ['ignore', 'inherit', 'inherit'] });
if (existsSync(tableFile)) for (const line of readFileSync(tableFile, 'utf8').trim().split('\n')) {
  const r = JSON.parse(line);
  rows.push({ scenario: r.scenario, command: r.command, exit: r.exit ?? '-', seconds: r.exit === '-' ? '-' : r.seconds, left: r.left, secrets: r.secrets });
}
rmSync(dir, { recursive: true, force: true });

const esc = (v) => String(v).replace(/\|/g, '\\|');
const md = [
  `# Fault table (issue 9)`,
  '',
  `Generated by \`node benchmarks/fault-table.mjs\` on ${new Date().toISOString().slice(0, 10)} (loopback servers; times are wall-clock on a shared 2-core machine). test/faults exit: ${vt.status}.`,
  '',
  '| scenario | command | exit | time to fail (s) | left behind | secrets found |',
  '|---|---|---|---|---|---|',
  ...rows.map((r) => `| ${esc(r.scenario)} | \`${esc(r.command)}\` | ${esc(r.exit)} | ${r.seconds} | ${esc(r.left)} | ${r.secrets} |`),
  '',
].join('\n');
writeFileSync(join(root, 'benchmarks', 'results', 'faults.md'), md);
process.stdout.write(md);
process.exit(vt.status ?? 1);
