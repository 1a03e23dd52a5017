// `npm run bench`: load-tests the site on a fresh seeded database (PGlite by default, or a fresh
// PostgreSQL database created on the DATABASE_URL server and dropped afterwards). Everything runs
// on 127.0.0.1; the app and a bare Express+EJS reference each run in their own child process, and
// code generation runs in a third one. Prints a table and writes bench-results/bench-<timestamp>.json.
//
// Knobs (environment): BENCH_DURATION (s, 10), BENCH_WARMUP (s, 2), BENCH_CONNECTIONS (50),
// BENCH_LOGINS (20), BENCH_COUPON_WORKERS (32), BENCH_RACE (50), BENCH_CODES (20000),
// BENCH_CODEGEN_QUANTITY (100000), BENCH_COUPON_FOLLOW (0: skip the browser-like POST+GET coupon
// run), BENCH_VIEW_CACHE (1: force Express's view cache on in both servers, as NODE_ENV=production
// would), BENCH_PHASES (subset of pages,logins,coupons,race,checkout,shoprace,codegen,memory),
// BENCH_PAIR_ROUNDS (3) and BENCH_PAIR_SECONDS (5): the rounds of bare page then page that each
// page's ratios come from, BENCH_CPU_PROF (a directory: one .cpuprofile of the app per phase).
//
// All requests come from 127.0.0.1, so attempts in flight and failed ones (the race's "already
// used" answers) count against the app's per-IP limits (LIMITS in src/core/rate-limit.ts); the
// runner refuses settings that would exceed them.
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import type { Result } from 'autocannon';
import pg from 'pg';
import { LIMITS } from '../src/core/rate-limit.ts';
import { Child, Client, HOST, csrfOf, login, round, sleep, startCommand, summary } from './lib.ts';
import { measureMemory } from './memory.ts';
import type { MemoryFigures } from './memory.ts';
import { runShop, shopReport, shopViolations } from './shop.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// tsx's loader in the child node itself: one process per server, so its pid, memory and CPU are its own.
const TSX = ['--import', pathToFileURL(path.join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href];
const CPU_PROF = process.env.BENCH_CPU_PROF ? path.resolve(process.env.BENCH_CPU_PROF) : undefined;
const PHASES = new Set(
  (process.env.BENCH_PHASES ?? 'pages,logins,coupons,race,checkout,shoprace,codegen,memory').split(',').map((s) => s.trim()),
);
const num = (name: string, fallback: number) => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
};
const DURATION = num('BENCH_DURATION', 10);
// The shop's pages measured beside the others (the demo catalogue is seeded with the demo).
const SHOP_LIST = '/boutique';
const SHOP_PRODUCT = '/produit/poussette-legere-pliable';
const WARMUP = num('BENCH_WARMUP', 2);
// Each page is compared with the bare page in rounds, bare then page, each PAIR_SECONDS long; the
// round whose req/s ratio is the median stands for the page (see `paired` below).
const PAIR_ROUNDS = Math.max(1, Math.round(num('BENCH_PAIR_ROUNDS', 3)));
const PAIR_SECONDS = num('BENCH_PAIR_SECONDS', 5);
const CONNECTIONS = num('BENCH_CONNECTIONS', 50);
const LOGINS = num('BENCH_LOGINS', 20);
const COUPON_WORKERS = num('BENCH_COUPON_WORKERS', 32);
const RACE = num('BENCH_RACE', 50);
const CODES = num('BENCH_CODES', 20_000);
const CODEGEN = num('BENCH_CODEGEN_QUANTITY', 100_000);
const FOLLOW = process.env.BENCH_COUPON_FOLLOW !== '0';
const MEMBERS = Math.max(COUPON_WORKERS, RACE, LOGINS);

type Json = Record<string, unknown>;

const children: Child[] = [];
const tempDirs: string[] = [];
const databases: string[] = [];
let adminUrl: string | undefined;

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** A fresh place to put a database: a temp directory, plus a new PostgreSQL database if asked. */
async function freshDatabase(tag: string): Promise<{ dataDir: string; url?: string }> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), `club-bench-${tag}-`));
  tempDirs.push(dataDir);
  if (!adminUrl) return { dataDir };
  const name = `bench_${randomBytes(5).toString('hex')}_${tag}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  databases.push(name);
  return { dataDir, url: withDatabase(adminUrl, name) };
}

/** `npm start`'s environment and node flags, as the servers ran with them. */
function startSettings(): string {
  const { env, nodeArgs } = startCommand();
  return [...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...nodeArgs].join(' ') || 'none';
}

function childEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.DATABASE_URL; // the children get their database explicitly
  return env;
}

async function cleanup(): Promise<void> {
  await Promise.allSettled(children.map((c) => c.stop()));
  if (adminUrl) {
    for (const name of databases.splice(0)) {
      await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).catch((e: unknown) =>
        console.error(`could not drop database ${name}: ${String(e)}`),
      );
    }
  }
  for (const dir of tempDirs.splice(0)) await rm(dir, { recursive: true, force: true });
}

function progress(msg: string) {
  process.stderr.write(`[bench ${(performance.now() / 1000).toFixed(1)}s] ${msg}\n`);
}

function machineTimes() {
  return os.cpus().reduce(
    (a, c) => {
      const t = c.times;
      return { idle: a.idle + t.idle, all: a.all + t.idle + t.user + t.nice + t.sys + t.irq };
    },
    { idle: 0, all: 0 },
  );
}

/** Fraction of all CPUs busy over `ms` (to notice another load on the machine). */
async function cpuBusy(ms: number): Promise<number> {
  const a = machineTimes();
  await sleep(ms);
  const b = machineTimes();
  return b.all > a.all ? round(1 - (b.idle - a.idle) / (b.all - a.all), 3) : 0;
}

/** The PostgreSQL server's processes (postmaster and its children), found from one backend's pid (Linux /proc). */
let postmasterPid: number | undefined;

function statOf(pid: string): { ppid: number; ticks: number } | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = raw.slice(raw.lastIndexOf(')') + 2).split(' '); // fields from the 3rd on
    return { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) };
  } catch {
    return undefined;
  }
}

/** CPU milliseconds used so far by the database server's processes (clock ticks of 10 ms). */
function databaseCpuMs(): number | undefined {
  if (!postmasterPid) return undefined;
  let ticks = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    const st = statOf(pid);
    if (st && (Number(pid) === postmasterPid || st.ppid === postmasterPid)) ticks += st.ticks;
  }
  return ticks * 10;
}

/**
 * CPU used during a phase, in cores: the server under test (from its `stats` answer), this runner
 * (the load generator), the PostgreSQL server if any, and the rest of the machine ("other": other
 * programs; should stay near 0 for figures to be trusted).
 */
function cpuMeter() {
  const m0 = machineTimes();
  const r0 = process.cpuUsage();
  const d0 = databaseCpuMs();
  const t0 = performance.now();
  return (appStats?: Json) => {
    const m1 = machineTimes();
    const r = process.cpuUsage(r0);
    const d1 = databaseCpuMs();
    const wall = performance.now() - t0;
    const ncpu = os.cpus().length;
    const machine = ((m1.all - m0.all - (m1.idle - m0.idle)) / Math.max(1, m1.all - m0.all)) * ncpu;
    const appCpu = appStats?.cpu as { userMs: number; systemMs: number } | undefined;
    const app = appCpu ? (appCpu.userMs + appCpu.systemMs) / wall : undefined;
    const runner = (r.user + r.system) / 1000 / wall;
    const database = d0 !== undefined && d1 !== undefined ? (d1 - d0) / wall : undefined;
    return {
      machineCores: round(machine),
      appCores: app === undefined ? undefined : round(app),
      runnerCores: round(runner),
      databaseCores: database === undefined ? undefined : round(database),
      otherCores: round(machine - runner - (app ?? 0) - (database ?? 0)),
    };
  };
}

// ---------------------------------------------------------------------------------- page load

function cannon(
  url: string,
  duration: number,
  headers?: Record<string, string>,
  load: { connections: number; overallRate?: number } = { connections: CONNECTIONS },
): Promise<Result> {
  return Promise.resolve(autocannon({ url, duration, timeout: 30, ...load, ...(headers ? { headers } : {}) }));
}

/** Visitors' pace on the home page while coupons are redeemed: a steady stream, not a flood. */
const HOME_RATE = Number(process.env.BENCH_HOME_RATE ?? 200);

function pageFigures(r: Result) {
  return {
    reqPerSec: round(r.requests.average, 1),
    latencyMs: {
      mean: round(r.latency.mean),
      p50: r.latency.p50,
      p90: r.latency.p90,
      p99: r.latency.p99,
      max: r.latency.max,
    },
    requests2xx: r['2xx'],
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    statusCodes: Object.fromEntries(Object.entries(r.statusCodeStats).map(([k, v]) => [k, v.count])),
    bytesPerSec: Math.round(r.throughput.average),
  };
}
type PageFigures = ReturnType<typeof pageFigures>;

/** Starts a CPU profile of the app for one phase when BENCH_CPU_PROF names a directory. */
async function profile(app: Child, phase: string): Promise<() => Promise<void>> {
  if (!CPU_PROF) return async () => {};
  await app.call('profile-start');
  return async () => {
    await app.call('profile-stop', { file: path.join(CPU_PROF, `${phase}.cpuprofile`) });
  };
}

/** One page: warm-up, then the measurement; `server` answers `stats` (and `profile-*` if `phase`). */
async function measurePage(
  url: string,
  app: Child,
  phase?: string,
  headers?: Record<string, string>,
  { seconds = DURATION, warmUp = true }: { seconds?: number; warmUp?: boolean } = {},
): Promise<PageFigures & { server?: Json; cpuCores: ReturnType<ReturnType<typeof cpuMeter>> }> {
  if (warmUp) await cannon(url, WARMUP, headers);
  await app.call('stats');
  const done = phase ? await profile(app, phase) : async () => {};
  const meter = cpuMeter();
  const r = await cannon(url, seconds, headers);
  await done();
  const server = await app.call('stats');
  return { ...pageFigures(r), server, cpuCores: meter(server) };
}

// --------------------------------------------------------------------------------- logins

/** The error shown by a page (form error block or error page), for failure reports. */
function pageMessage(html: string): string {
  const block =
    /role="alert"[^>]*>([\s\S]*?)<\/div>/.exec(html)?.[1] ?? /<main[^>]*>([\s\S]*?)<\/main>/.exec(html)?.[1] ?? html;
  return block
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 200);
}

/**
 * GET / under load while LOGINS loops log in. Each loop uses its own account (the demo member for
 * the first): the app counts every login attempt against the account before checking it (at most
 * LIMITS.loginPerAccountAndSource.max in flight per account from one address) and keeps the refused ones against the IP, so
 * 20 parallel loops on one account would mostly measure 429s and then lock 127.0.0.1 out.
 */
async function loginLoad(port: number, accounts: Member[], home: string, app: Child) {
  let stop = false;
  let windowEnd = Infinity;
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const failures: string[] = [];
  let errors = 0;
  const loop = async (account: Member) => {
    const c = new Client(port);
    try {
      while (!stop) {
        try {
          const r = await login(c, account.email, account.password);
          if (performance.now() > windowEnd) break;
          statuses[r.status] = (statuses[r.status] ?? 0) + 1;
          if (r.status === 303) latencies.push(r.ms);
          else if (failures.length < 5) failures.push(`${r.status}: ${pageMessage(r.body)}`);
        } catch (err) {
          errors++;
          if (failures.length < 5) failures.push(String(err));
        }
      }
    } finally {
      c.close();
    }
  };
  await app.call('stats');
  const done = await profile(app, 'logins');
  const meter = cpuMeter();
  const t0 = performance.now();
  const loops = accounts.slice(0, LOGINS).map(loop);
  await sleep(250); // let the logins reach the server before measuring the home page
  const r = await cannon(home, DURATION);
  windowEnd = performance.now();
  stop = true;
  await done();
  const server = await app.call('stats');
  const cpuCores = meter(server);
  await Promise.all(loops);
  const seconds = (windowEnd - t0) / 1000;
  return {
    home: pageFigures(r),
    logins: {
      concurrency: LOGINS,
      accounts: `${Math.min(LOGINS, accounts.length)} (demo member + bench members), one per loop`,
      seconds: round(seconds),
      succeeded: latencies.length,
      perSec: round(latencies.length / seconds, 1),
      postLatencyMs: summary(latencies),
      statuses,
      errors,
      failures,
    },
    server,
    cpuCores,
  };
}

// -------------------------------------------------------------------------------- coupons

interface Member {
  email: string;
  password: string;
}

/** A logged-in member with the CSRF token of the coupon page. */
async function memberSession(port: number, m: Member) {
  const client = new Client(port);
  const r = await login(client, m.email, m.password);
  if (r.status !== 303) throw new Error(`login of ${m.email} answered ${r.status}: ${pageMessage(r.body)}`);
  const page = await client.get('/compte/coupons');
  if (page.status !== 200) throw new Error(`GET /compte/coupons answered ${page.status}`);
  return { client, token: csrfOf(page.body) };
}

const ALREADY_USED = 'Ce code a déjà été utilisé';

type MemberSession = Awaited<ReturnType<typeof memberSession>>;

/**
 * Each session POSTs the next unused code until the time is up. With `follow`, each 303 is
 * followed by the GET a browser would make, which also shows (and so clears) the flash message;
 * without it the flash messages pile up in the session (see ledger.largestSessionBytes).
 */
async function couponLoad(
  sessions: MemberSession[],
  codes: { list: string[]; next: number },
  app: Child,
  follow: boolean,
  homeUrl?: string,
) {
  const postMs: number[] = [];
  const followMs: number[] = [];
  const statuses: Record<string, number> = {};
  let succeeded = 0;
  let alreadyUsed = 0;
  let errors = 0;
  let followFailures = 0;
  await app.call('stats');
  const done = await profile(app, follow ? 'coupons-follow' : 'coupons');
  const meter = cpuMeter();
  const t0 = performance.now();
  const deadline = t0 + DURATION * 1000;
  const worker = async ({ client, token }: MemberSession) => {
    while (performance.now() < deadline && codes.next < codes.list.length) {
      const code = codes.list[codes.next++];
      try {
        const r = await client.post('/compte/coupons', { _csrf: token, code });
        statuses[r.status] = (statuses[r.status] ?? 0) + 1;
        if (r.status === 303) {
          succeeded++;
          postMs.push(r.ms);
          if (follow) {
            const g = await client.get(String(r.headers.location ?? '/compte/coupons'));
            if (g.status === 200) followMs.push(g.ms);
            else followFailures++;
          }
        } else if (r.body.includes(ALREADY_USED)) alreadyUsed++;
      } catch {
        errors++;
      }
    }
  };
  // With homeUrl, visitors load the home page meanwhile at HOME_RATE requests/s (the target: its
  // p99 stays < 100 ms while the redemptions run flat out).
  const home = homeUrl ? cannon(homeUrl, DURATION, undefined, { connections: 10, overallRate: HOME_RATE }).then(pageFigures) : undefined;
  await Promise.all(sessions.map(worker));
  const seconds = (performance.now() - t0) / 1000;
  await done();
  const server = await app.call('stats');
  const cpuCores = meter(server);
  const attempted = Object.values(statuses).reduce((a, b) => a + b, 0) + errors;
  return {
    home: await home,
    connections: sessions.length,
    followRedirect: follow,
    seconds: round(seconds),
    attempted,
    succeeded,
    failed: attempted - succeeded,
    alreadyUsed,
    errors,
    statuses,
    perSec: round(succeeded / seconds, 1),
    postLatencyMs: summary(postMs),
    followLatencyMs: follow ? summary(followMs) : undefined,
    followFailures,
    codesExhausted: codes.next >= codes.list.length,
    server,
    cpuCores,
  };
}

async function race(port: number, members: Member[], code: string, already: MemberSession[]) {
  const sessions = [...already];
  const more = await Promise.all(members.slice(sessions.length, RACE).map((m) => memberSession(port, m)));
  sessions.push(...more);
  const answers = await Promise.all(
    sessions.slice(0, RACE).map(({ client, token }) =>
      client.post('/compte/coupons', { _csrf: token, code }).then(
        (r) => ({ status: r.status, used: r.body.includes(ALREADY_USED), ms: r.ms }),
        () => ({ status: 0, used: false, ms: NaN }),
      ),
    ),
  );
  for (const s of more) s.client.close();
  const statuses: Record<string, number> = {};
  for (const a of answers) statuses[a.status] = (statuses[a.status] ?? 0) + 1;
  return {
    contenders: answers.length,
    successes: answers.filter((a) => a.status === 303).length,
    alreadyUsed: answers.filter((a) => a.status === 422 && a.used).length,
    serverErrors: answers.filter((a) => a.status >= 500).length,
    other: answers.filter((a) => a.status !== 303 && !(a.status === 422 && a.used) && a.status < 500).length,
    statuses,
    latencyMs: summary(answers.map((a) => a.ms).filter(Number.isFinite)),
  };
}

// ----------------------------------------------------------------------------------- output

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r, n) => {
      const line = r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
      return n === 0 ? `${line}\n${'-'.repeat(line.length)}` : line;
    })
    .join('\n');
}

const f = (n: number | undefined, d = 1) => (n === undefined || !Number.isFinite(n) ? '—' : n.toFixed(d));
const x = (n: number) => (Number.isFinite(n) ? `${n.toFixed(2)}x` : '—');

// ------------------------------------------------------------------------------------- main

async function main() {
  const started = performance.now();
  if (process.env.DATABASE_URL) {
    const u = new URL(process.env.DATABASE_URL);
    if (!['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname)) {
      throw new Error(`the benchmark only talks to 127.0.0.1; DATABASE_URL points at ${u.hostname}`);
    }
    u.hostname = '127.0.0.1';
    adminUrl = u.toString();
  }
  const databaseKind = adminUrl ? 'postgres' : 'pglite';
  const serverVersion = adminUrl
    ? await admin(async (c) => (await c.query<{ v: string }>('SELECT version() AS v')).rows[0].v)
    : undefined;
  if (adminUrl) {
    // Read while the connection (so the backend) is alive; undefined when the server is not in this machine's /proc.
    postmasterPid = await admin(
      async (c) => statOf(String((await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid))?.ppid,
    );
  }
  const pgliteVersion = (
    JSON.parse(await readFile(path.join(ROOT, 'node_modules/@electric-sql/pglite/package.json'), 'utf8')) as {
      version: string;
    }
  ).version;
  const cpus = os.cpus();
  const machine = {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model,
    memoryGB: round(os.totalmem() / 1024 ** 3, 1),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    uvThreadpoolSize: process.env.UV_THREADPOOL_SIZE ?? '4 (default)',
    loadAverageAtStart: os.loadavg().map((l) => round(l)),
    database: databaseKind,
    databaseVersion: databaseKind === 'postgres' ? serverVersion : `PGlite ${pgliteVersion}`,
  };
  const settings = {
    durationS: DURATION,
    warmupS: WARMUP,
    pairRounds: PAIR_ROUNDS,
    pairSeconds: PAIR_SECONDS,
    connections: CONNECTIONS,
    logins: LOGINS,
    couponWorkers: COUPON_WORKERS,
    race: RACE,
    codes: CODES,
    codegen: CODEGEN,
    followRedirect: FOLLOW,
    phases: [...PHASES],
  };
  // Every request comes from 127.0.0.1: attempts in flight (and refused or failed ones) count per IP.
  if (LOGINS > LIMITS.loginPerIp.max)
    throw new Error(`BENCH_LOGINS must stay under the per-IP login limit (${LIMITS.loginPerIp.max})`);
  if (COUPON_WORKERS + RACE > LIMITS.couponPerIp.max) {
    throw new Error(
      `BENCH_COUPON_WORKERS + BENCH_RACE must stay under the per-IP coupon limit (${LIMITS.couponPerIp.max})`,
    );
  }
  const busy = await cpuBusy(1000);
  Object.assign(machine, { cpuBusyBeforeStart: busy });
  progress(
    `${databaseKind}, ${cpus.length} CPUs, ${process.version}, CPU ${Math.round(busy * 100)}% busy before start; starting servers`,
  );
  if (busy > 0.2) progress('warning: something else is using the CPUs, figures will be pessimistic');

  const db = await freshDatabase('app');
  // Production serves cached templates: the bench measures that unless BENCH_VIEW_CACHE=0.
  const viewCache = process.env.BENCH_VIEW_CACHE === '0' ? undefined : '1';
  if (CPU_PROF) await mkdir(CPU_PROF, { recursive: true });
  // Both servers run with `npm start`'s runtime settings (node flags, allocator environment).
  const start = startCommand();
  const app = new Child(
    'app server',
    [...start.nodeArgs, ...TSX],
    path.join(ROOT, 'bench/server.ts'),
    childEnv({
      ...start.env,
      BENCH_DATA_DIR: db.dataDir,
      BENCH_DATABASE_URL: db.url,
      BENCH_CODES: String(CODES),
      BENCH_MEMBERS: String(MEMBERS),
      BENCH_VIEW_CACHE: viewCache,
    }),
  );
  children.push(app);
  const bare = new Child(
    'bare server',
    [...start.nodeArgs, ...TSX],
    path.join(ROOT, 'bench/bare-server.ts'),
    childEnv({ ...start.env, BENCH_VIEW_CACHE: viewCache }),
  );
  children.push(bare);
  const [ready, bareReady] = await Promise.all([app.ready, bare.ready]);
  const port = ready.port as number;
  const base = `http://${HOST}:${port}`;
  const bareUrl = `http://${HOST}:${bareReady.port as number}/`;
  progress(
    `app ready on ${port} (setup ms ${JSON.stringify(ready.setupMs)}), bare ready on ${bareReady.port as number}`,
  );

  // Sanity: each page answers 200; keep their sizes.
  const probe = new Client(port);
  const sizes: Record<string, number> = {};
  for (const p of ['/', '/confidentialite', SHOP_LIST, SHOP_PRODUCT]) {
    const r = await probe.get(p);
    if (r.status !== 200) throw new Error(`GET ${p} answered ${r.status}`);
    sizes[p] = Buffer.byteLength(r.body);
  }
  probe.close();
  sizes.bare = Buffer.byteLength(await (await fetch(bareUrl)).text());

  // Every phase measures the bare page's figures as its reference, so they are needed first.
  progress('page load: bare');
  const barePage = await measurePage(bareUrl, bare);
  // Each page is measured right after the bare page again, and compared with that measurement:
  // the bare page's rate drifts by up to ±15 % over a run on this machine (a shared VM), which
  // one reference taken minutes earlier would put into every ratio. It drifts within seconds
  // too, so the pair is measured PAIR_ROUNDS times (bare, page, bare, page…, warmed up once), and
  // the round whose req/s ratio is the median is the page's figures (of two middle rounds, the
  // lower); every round's ratios are printed and kept in the results. A CPU profile
  // (BENCH_CPU_PROF) is taken in one more round of the page, which is not ranked: the profiler
  // slows the page it measures.
  type Measured = Awaited<ReturnType<typeof measurePage>>;
  type Round = { bareReqPerSec: number; reqPerSec: number; vsBare: number; p99VsBare: number; otherCores: number };
  const paired = async (
    url: string,
    phase: string,
    headers?: Record<string, string>,
  ): Promise<Measured & { bare: Measured; rounds: Round[] }> => {
    const measured: (Measured & { bare: Measured })[] = [];
    for (let i = 0; i < PAIR_ROUNDS; i++) {
      const opts = { seconds: PAIR_SECONDS, warmUp: i === 0 };
      const reference = await measurePage(bareUrl, bare, undefined, undefined, opts);
      const page = await measurePage(url, app, undefined, headers, opts);
      measured.push({ ...page, bare: reference });
    }
    if (CPU_PROF) await measurePage(url, app, phase, headers, { seconds: PAIR_SECONDS, warmUp: false });
    const ratio = (m: Measured & { bare: Measured }) => m.reqPerSec / m.bare.reqPerSec;
    const median = [...measured].sort((a, b) => ratio(a) - ratio(b))[Math.floor((measured.length - 1) / 2)];
    const rounds = measured.map((m) => ({
      bareReqPerSec: m.bare.reqPerSec,
      reqPerSec: m.reqPerSec,
      vsBare: round(ratio(m), 3),
      p99VsBare: round(m.latencyMs.p99 / m.bare.latencyMs.p99, 3),
      // What other programs used during the round (bare page and page): the check below sees every round.
      otherCores: Math.max(m.cpuCores.otherCores, m.bare.cpuCores.otherCores),
    }));
    return { ...median, rounds };
  };
  type Paired = Measured & { bare?: Measured; rounds?: Round[] };
  let homePage: Paired | undefined;
  let privacyPage: Paired | undefined;
  if (PHASES.has('pages') || PHASES.has('logins')) {
    progress('page load: /');
    homePage = await paired(`${base}/`, 'home');
  }
  let shopList: Paired | undefined;
  let shopProduct: Paired | undefined;
  let accountPage: Paired | undefined;
  if (PHASES.has('pages')) {
    progress('page load: /confidentialite');
    privacyPage = await paired(`${base}/confidentialite`, 'confidentialite');
    progress(`page load: ${SHOP_LIST}`);
    shopList = await paired(`${base}${SHOP_LIST}`, 'boutique');
    progress(`page load: ${SHOP_PRODUCT}`);
    shopProduct = await paired(`${base}${SHOP_PRODUCT}`, 'produit');
    // The member's account page, with the demo member's session cookie on every request.
    progress('page load: /compte (logged in)');
    const member = new Client(port);
    const signedIn = await login(member, (ready.demo as Member).email, (ready.demo as Member).password);
    if (signedIn.status !== 303 || !member.cookie) throw new Error(`demo login answered ${signedIn.status}`);
    if ((await member.get('/compte')).status !== 200) throw new Error('GET /compte with the demo session did not answer 200');
    accountPage = await paired(`${base}/compte`, 'compte', { cookie: member.cookie });
    member.close();
  }
  await bare.stop();

  let underLogins: Awaited<ReturnType<typeof loginLoad>> | undefined;
  if (PHASES.has('logins')) {
    progress(`home page under ${LOGINS} concurrent logins`);
    underLogins = await loginLoad(port, [ready.demo as Member, ...(ready.members as Member[])], `${base}/`, app);
  }

  const members = ready.members as Member[];
  let couponSessions: MemberSession[] = [];
  let coupons: Awaited<ReturnType<typeof couponLoad>> | undefined;
  let couponsFollow: Awaited<ReturnType<typeof couponLoad>> | undefined;
  let couponsHome: Awaited<ReturnType<typeof couponLoad>> | undefined;
  if (PHASES.has('coupons')) {
    progress(`coupon redemptions, ${COUPON_WORKERS} members logging in`);
    const codes = { list: JSON.parse(await readFile(ready.codesFile as string, 'utf8')) as string[], next: 0 };
    couponSessions = await Promise.all(members.slice(0, COUPON_WORKERS).map((m) => memberSession(port, m)));
    progress(`coupon redemptions: ${COUPON_WORKERS} connections, POST only`);
    coupons = await couponLoad(couponSessions, codes, app, false);
    if (FOLLOW) {
      progress(`coupon redemptions: ${COUPON_WORKERS} connections, POST then GET like a browser`);
      couponsFollow = await couponLoad(couponSessions, codes, app, true);
    }
    progress(`home page while ${COUPON_WORKERS} connections redeem coupons (POST only)`);
    couponsHome = await couponLoad(couponSessions, codes, app, false, `${base}/`);
  }

  let raceResult: Awaited<ReturnType<typeof race>> | undefined;
  if (PHASES.has('race')) {
    progress(`race: ${RACE} members, one code`);
    raceResult = await race(port, members, ready.raceCode as string, couponSessions);
  }
  for (const s of couponSessions) s.client.close();
  const shop = await runShop({ port, app, phases: PHASES, durationS: DURATION, progress, cpuMeter });
  const verify = await app.call('verify');
  await app.stop();

  let codegen: Json | undefined;
  if (PHASES.has('codegen')) {
    progress(`code generation: ${CODEGEN} codes in a separate process`);
    const genDb = await freshDatabase('gen');
    const gen = new Child(
      'codegen',
      TSX,
      path.join(ROOT, 'bench/codegen.ts'),
      childEnv({
        BENCH_DATA_DIR: genDb.dataDir,
        BENCH_DATABASE_URL: genDb.url,
        BENCH_CODEGEN_QUANTITY: String(CODEGEN),
      }),
    );
    children.push(gen);
    codegen = await gen.ready;
    await gen.done;
  }

  let memory: MemoryFigures | undefined;
  if (PHASES.has('memory') && !adminUrl) {
    progress('memory: npm start on a new embedded database, then again on it');
    memory = await measureMemory();
  }

  // ------------------------------------------------------------------------- report
  // Against the bare page measured just before the page when there is one (paired above).
  const vsBare = (p: PageFigures & { bare?: PageFigures }) => ({
    reqPerSec: round(p.reqPerSec / (p.bare ?? barePage).reqPerSec, 3),
    p99: round(p.latencyMs.p99 / (p.bare ?? barePage).latencyMs.p99, 3),
  });
  const n = (k: string) => verify[k] as number;
  const doubleCredits = n('couponsCreditedTwice') + Math.max(0, n('couponCreditLines') - n('redeemedCoupons'));
  const raceDouble = Math.max(0, n('raceCouponCreditLines') - 1);
  const results = {
    timestamp: new Date().toISOString(),
    machine,
    settings,
    appServer: { viewCache: ready.viewCache, expressEnv: ready.expressEnv, setupMs: ready.setupMs, pageBytes: sizes },
    bareServer: { viewCache: bareReady.viewCache, expressEnv: bareReady.expressEnv },
    pages: {
      bare: barePage,
      home: homePage && { ...homePage, vsBare: vsBare(homePage) },
      confidentialite: privacyPage && { ...privacyPage, vsBare: vsBare(privacyPage) },
      boutique: shopList && { ...shopList, vsBare: vsBare(shopList) },
      produit: shopProduct && { ...shopProduct, vsBare: vsBare(shopProduct) },
      compte: accountPage && { ...accountPage, vsBare: vsBare(accountPage) },
    },
    argon2: underLogins && {
      homeP99WithoutLoginsMs: homePage?.latencyMs.p99,
      homeP99WithLoginsMs: underLogins.home.latencyMs.p99,
      homeReqPerSecWithout: homePage?.reqPerSec,
      homeReqPerSecWith: underLogins.home.reqPerSec,
      ...underLogins,
    },
    coupons: coupons && { postOnly: coupons, browserLike: couponsFollow, withHomePage: couponsHome, doubleCredits },
    race: raceResult && { ...raceResult, doubleCredits: raceDouble },
    ledger: verify,
    shop,
    codegen,
    memory,
    totalSeconds: 0,
  };
  results.totalSeconds = round((performance.now() - started) / 1000, 1);
  const others = [barePage, homePage, privacyPage, shopList, shopProduct, accountPage, underLogins, coupons, couponsFollow, couponsHome].flatMap(
    (p) => (p?.cpuCores ? [p.cpuCores.otherCores] : []),
  );
  for (const p of [homePage, privacyPage, shopList, shopProduct, accountPage]) for (const r of p?.rounds ?? []) others.push(r.otherCores);
  const maxOtherCores = round(Math.max(0, ...others));
  Object.assign(results, { maxOtherCores });

  const cores = (
    c: { appCores?: number; runnerCores: number; databaseCores?: number; otherCores: number } | undefined,
  ) =>
    c
      ? [c.appCores, c.runnerCores, ...(adminUrl ? [c.databaseCores] : []), c.otherCores]
          .map((v) => f(v, 2))
          .join(' / ')
      : '';
  const loopP99 = (s: Json | undefined) =>
    f(((s?.eventLoopDelayMs as Json | undefined)?.p99 as number | undefined) ?? NaN);
  type Phase = PageFigures & { server?: Json; cpuCores?: Parameters<typeof cores>[0]; bare?: PageFigures };
  const pageRow = (label: string, p: Phase, loop = true, ratios = true) => {
    const v = vsBare(p);
    return [
      label,
      f(p.reqPerSec),
      f(p.latencyMs.p50, 0),
      f(p.latencyMs.p99, 0),
      ratios ? x(v.reqPerSec) : '—',
      ratios ? x(v.p99) : '—',
      loop ? loopP99(p.server) : '—',
      cores(p.cpuCores),
    ];
  };
  const rows: string[][] = [
    [
      'scenario',
      'per s',
      'p50 ms',
      'p99 ms',
      'req/s vs bare',
      'p99 vs bare',
      'loop p99 ms',
      adminUrl ? 'cores app/gen/db/other' : 'cores app/gen/other',
    ],
    pageRow('bare Express+EJS page', barePage, false),
  ];
  if (homePage) rows.push(pageRow('GET /', homePage));
  if (privacyPage) rows.push(pageRow('GET /confidentialite', privacyPage));
  if (shopList) rows.push(pageRow(`GET ${SHOP_LIST}`, shopList));
  if (shopProduct) rows.push(pageRow(`GET ${SHOP_PRODUCT}`, shopProduct));
  if (accountPage) rows.push(pageRow('GET /compte (logged in)', accountPage));
  if (underLogins) {
    rows.push(
      pageRow(`GET / + ${LOGINS} login loops`, {
        ...underLogins.home,
        server: underLogins.server,
        cpuCores: underLogins.cpuCores,
      }),
    );
    const l = underLogins.logins;
    rows.push([
      '  logins (POST /connexion)',
      f(l.perSec),
      f(l.postLatencyMs.p50),
      f(l.postLatencyMs.p99),
      '',
      '',
      '',
      '',
    ]);
  }
  for (const c of [coupons, couponsFollow, couponsHome]) {
    if (!c) continue;
    if (c.home) rows.push(pageRow(`GET / at ${HOME_RATE}/s + coupons (${c.connections} conns)`, { ...c.home, server: c.server, cpuCores: c.cpuCores }, true, false));
    const label = c.home
      ? `  its coupons, POST only`
      : c.followRedirect
        ? `coupons, POST+GET (${c.connections} conns)`
        : `coupons, POST only (${c.connections} conns)`;
    rows.push([
      label,
      f(c.perSec),
      f(c.postLatencyMs.p50),
      f(c.postLatencyMs.p99),
      '',
      '',
      loopP99(c.server),
      cores(c.cpuCores),
    ]);
    if (c.followLatencyMs)
      rows.push(['  its GET /compte/coupons', '', f(c.followLatencyMs.p50), f(c.followLatencyMs.p99), '', '', '', '']);
  }
  if (raceResult)
    rows.push([
      `race (${raceResult.contenders} members, 1 code)`,
      '',
      f(raceResult.latencyMs.p50),
      f(raceResult.latencyMs.p99),
      '',
      '',
      '',
      '',
    ]);
  const shopOut = shopReport(shop, { f, loopP99, cores });
  rows.push(...shopOut.rows);

  const lines = [
    '',
    `Club Petites Stars bench — ${machine.database} (${machine.databaseVersion?.split(' on ')[0]}), ${machine.cpus}× ${machine.cpuModel}, node ${machine.node}`,
    `${CONNECTIONS} connections, ${DURATION} s per measurement after ${WARMUP} s warm-up (pages against the bare page: ${PAIR_ROUNDS} rounds of ${PAIR_SECONDS} s); production configuration: Express view cache ${ready.viewCache ? 'on' : 'off'}, public page cache ${String(ready.pageCacheSeconds ?? 0)} s, log level ${String(ready.logLevel ?? '?')} (env ${String(ready.expressEnv)}), npm start's runtime settings ${startSettings()}; loop p99 = app event-loop delay p99; ` +
      `cores: CPU used by the server under test / this load generator${adminUrl ? ' / PostgreSQL' : ''} / other programs (should be ~0), out of ${machine.cpus}`,
    '',
    table(rows),
    '',
  ];
  const pairs = (
    [
      ['/', homePage],
      ['/confidentialite', privacyPage],
      [SHOP_LIST, shopList],
      [SHOP_PRODUCT, shopProduct],
      ['/compte', accountPage],
    ] as const
  ).filter(([, p]) => p?.bare);
  if (pairs.length)
    lines.push(
      `ratios: each page against the bare page measured just before it, in ${PAIR_ROUNDS} rounds of ${PAIR_SECONDS} s each (bare, page), the median round shown; req/s ratio per round:`,
      ...pairs.map(
        ([name, p]) =>
          `  ${name}: ${(p!.rounds ?? []).map((r) => `${x(r.vsBare)} (bare ${f(r.bareReqPerSec)}, page ${f(r.reqPerSec)})`).join(', ')}`,
      ),
    );
  if (underLogins) {
    const l = underLogins.logins;
    lines.push(
      `logins: home p99 ${homePage?.latencyMs.p99} ms without, ${underLogins.home.latencyMs.p99} ms with ${LOGINS} concurrent login loops ` +
        `(home ${underLogins.home.requests2xx} × 2xx, ${underLogins.home.errors} errors); ${l.perSec} logins/s (${l.succeeded} ok, statuses ${JSON.stringify(l.statuses)}, ${l.errors} errors)`,
    );
  }
  if (coupons) {
    const all = [coupons, couponsFollow, couponsHome].filter((c) => !!c);
    const sum = (k: 'succeeded' | 'failed' | 'errors') => all.reduce((a, c) => a + c[k], 0);
    const statuses = all.map((c) => JSON.stringify(c.statuses)).join(' + ');
    lines.push(
      `coupons: ${sum('succeeded')} redeemed, ${sum('failed')} failed (statuses ${statuses}, ${sum('errors')} errors), double credits ${doubleCredits}; ` +
        `ledger: ${n('couponCreditLines')} COUPON lines for ${n('redeemedCoupons')} redeemed coupons (${n('bulkBatchRedeemed')} from the bench batch), ${n('couponsCreditedTwice')} credited twice`,
    );
  }
  if (raceResult) {
    lines.push(
      `race: ${raceResult.successes} success (must be 1), ${raceResult.alreadyUsed} "already used", ${raceResult.serverErrors} 5xx, ` +
        `${raceResult.other} other ${JSON.stringify(raceResult.statuses)}, double credits ${raceDouble} (must be 0)`,
    );
  }
  lines.push(...shopOut.lines);
  if (codegen) {
    const g = (k: string) => codegen[k] as number;
    lines.push(
      `codegen: ${g('quantity')} codes in ${g('seconds')} s (${g('codesPerSecond')}/s; generate+HMAC alone ${g('generateAndHmacSeconds')} s), ` +
        `RSS ${g('rssBeforeMB')} → ${g('rssAfterMB')} MB (sampled peak during issueCodes ${g('rssPeakSampledMB')} MB; process peak RSS ${g('maxRssMB')} MB, boot included)`,
    );
  }
  // The targets of issue 9, each beside its figure (met / NOT met), also kept in the JSON.
  const targets: { what: string; value: number; target: string; met: boolean }[] = [];
  const aim = (what: string, value: number | undefined, target: string, met: (v: number) => boolean) => {
    if (value === undefined || Number.isNaN(value)) return;
    targets.push({ what, value: round(value, 2), target, met: met(value) });
  };
  for (const [name, p] of [
    ['GET /', homePage],
    ['GET /confidentialite', privacyPage],
    [`GET ${SHOP_LIST}`, shopList],
    [`GET ${SHOP_PRODUCT}`, shopProduct],
  ] as const) {
    if (!p) continue;
    const v = vsBare(p);
    aim(`${name} req/s vs bare`, v.reqPerSec, '≥ 0.75×', (x) => x >= 0.75);
    aim(`${name} p99 vs bare`, v.p99, '≤ 2×', (x) => x <= 2);
  }
  if (accountPage) aim('GET /compte (logged in) req/s vs bare', vsBare(accountPage).reqPerSec, '≥ 0.4×', (x) => x >= 0.4);
  if (underLogins && !adminUrl) {
    aim('GET / p99 while 20 logins run (ms, embedded)', underLogins.home.latencyMs.p99, '< 100', (x) => x < 100);
    aim('logins/s (embedded)', underLogins.logins.perSec, '≥ 15', (x) => x >= 15);
  }
  if (couponsHome?.home && !adminUrl)
    aim(`GET / p99 (${HOME_RATE} req/s) while ${couponsHome.connections} connections redeem coupons (ms, embedded)`, couponsHome.home.latencyMs.p99, '< 100', (x) => x < 100);
  if (memory) {
    lines.push(
      `memory (npm start, embedded): first start ${memory.firstStart.seconds} s, peak RSS ${memory.firstStart.peakRssMB} MB; ` +
        `started again on that data directory: RSS ${memory.restart.rssMB} MB, ${memory.restart.rssAfterRequestsMB} MB after ${memory.restart.requests} requests; ` +
        `the empty database prepared at install: ${memory.template.seconds} s, peak RSS ${memory.template.peakRssMB} MB; ` +
        `a first start without it: ${memory.firstStartWithoutTemplate.seconds} s, peak RSS ${memory.firstStartWithoutTemplate.peakRssMB} MB`,
    );
    aim('peak RSS MB of a first start (npm start, new embedded database)', memory.firstStart.peakRssMB, '≤ 600', (x) => x <= 600);
    aim('RSS MB after start on an existing data directory', memory.restart.rssMB, '≤ 300', (x) => x <= 300);
  }
  Object.assign(results, { targets });
  if (targets.length) {
    lines.push('', 'targets (issue 9):');
    for (const t of targets)
      lines.push(`  ${t.met ? 'met    ' : 'NOT met'}  ${t.what}: ${t.value} (target ${t.target})`);
  }
  lines.push(`total ${results.totalSeconds} s`);
  if (maxOtherCores > 0.25)
    lines.push(
      `WARNING: other programs used up to ${maxOtherCores} CPU cores during a measurement: figures are pessimistic, run again on a quiet machine`,
    );
  console.info(lines.join('\n'));

  const dir = path.join(ROOT, 'bench-results');
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `bench-${results.timestamp.replace(/[:.]/g, '-')}.json`);
  await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
  console.info(`results: ${path.relative(process.cwd(), file)}`);
  if (process.env.BENCH_WRITE_DOCS !== '0') {
    await writeDocs(String(machine.database), lines.join('\n'), results.timestamp as string);
    console.info('docs/benchmarks.md: section updated');
  }

  const shopBroken = shopViolations(shop);
  for (const v of shopBroken) console.error(`SHOP INVARIANT VIOLATED: ${v}`);
  const broken =
    (raceResult && (raceResult.successes !== 1 || raceResult.serverErrors > 0)) || raceDouble > 0 || doubleCredits > 0 || shopBroken.length > 0;
  if (broken) {
    console.error('INVARIANT VIOLATED: see the race / coupon lines above.');
    process.exitCode = 2;
  }
}

/**
 * The printed figures, targets included, replace this database's section of docs/benchmarks.md
 * (between its two markers, added at the end the first time).
 */
async function writeDocs(database: string, text: string, timestamp: string) {
  const file = path.join(ROOT, 'docs/benchmarks.md');
  const start = `<!-- npm run bench: ${database} -->`;
  const end = `<!-- end of npm run bench: ${database} -->`;
  const section = [start, '', `### \`npm run bench\` on ${database}, ${timestamp.slice(0, 16).replace('T', ' ')} UTC`, '', '```', text.trim(), '```', '', end].join('\n');
  const doc = await readFile(file, 'utf8');
  const i = doc.indexOf(start);
  const j = doc.indexOf(end);
  const next = i >= 0 && j > i ? doc.slice(0, i) + section + doc.slice(j + end.length) : `${doc.trimEnd()}\n\n${section}\n`;
  await writeFile(file, next);
}

let interrupted = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    interrupted = true;
    progress(`${sig}: stopping children`);
    void cleanup().finally(() => process.exit(130));
  });
}

main()
  .catch((err: unknown) => {
    if (!interrupted) {
      console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
      process.exitCode = 1;
    }
  })
  .finally(() => cleanup());
