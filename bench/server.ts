// The app under test, in its own process: boots on a fresh database (BENCH_DATA_DIR for PGlite,
// or BENCH_DATABASE_URL for PostgreSQL), seeds the demo, prepares the coupon scenarios, listens
// on 127.0.0.1 (random port) and prints {"ready": {...}} on stdout. Then it answers commands on
// stdin (stats, verify) and stops when stdin closes.
import { writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Session } from 'node:inspector/promises';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { EventLoopUtilization } from 'node:perf_hooks';
import pino from 'pino';
import { createLogger } from '../src/logger.ts';
import { boot } from '../src/bootstrap.ts';
import { createApp } from '../src/app.ts';
import { createBatchWithCodes, createMember } from '../src/dev/factories.ts';
import { DEMO_PASSWORD, seedDemo } from '../prisma/seed.ts';
import { benchConfig, send, serveCommands } from './lib.ts';
import { shopCommands } from './shop.ts';

const dataDir: string = process.env.BENCH_DATA_DIR ?? '';
if (!dataDir) throw new Error('BENCH_DATA_DIR is required');
const codeCount = Number(process.env.BENCH_CODES ?? 20_000);
const memberCount = Number(process.env.BENCH_MEMBERS ?? 64);

async function main() {
  const timings: Record<string, number> = {};
  const step = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const r = await fn();
    timings[name] = Math.round(performance.now() - t0);
    return r;
  };

  const config = benchConfig(dataDir!, { HOST: '127.0.0.1', PORT: '0', PUBLIC_URL: 'http://127.0.0.1' });
  // Production logging: level info (BENCH_LOG_LEVEL to change), one line per request, written synchronously
  // (as to stdout) to /dev/null, since this process's stdout talks to the runner.
  const logLevel = process.env.BENCH_LOG_LEVEL ?? 'info';
  const { deps, database } = await step('boot', () => boot(config, createLogger(logLevel, pino.destination({ dest: '/dev/null', sync: true }))));
  // The demo year (a few hundred orders booked through the services) only feeds the accountant's
  // pages, which this benchmark does not request: BENCH_YEAR_ORDERS books some anyway.
  await step('seedDemo', () => seedDemo(deps, { yearOrders: Number(process.env.BENCH_YEAR_ORDERS ?? 0) }));
  const staff = await deps.db.member.findUniqueOrThrow({ where: { email: 'equipe@demo.clubpetitesstars.example' } });
  const bulk = await step('issue', () => createBatchWithCodes(deps, staff.id, { label: 'Bench coupons', quantity: codeCount, valueCents: 100 }));
  const race = await step('raceBatch', () => createBatchWithCodes(deps, staff.id, { label: 'Bench race', quantity: 1, valueCents: 100 }));
  const members: { email: string; password: string }[] = [];
  await step('members', async () => {
    // 4 at a time: registration hashes the password on libuv's pool (4 threads by default).
    let next = 0;
    const one = async () => {
      while (next < memberCount) {
        next++;
        const m = await createMember(deps);
        members.push({ email: m.email, password: m.password });
      }
    };
    await Promise.all([one(), one(), one(), one()]);
  });
  const codesFile = path.join(dataDir, 'bench-codes.json');
  await writeFile(codesFile, JSON.stringify(bulk.codes));

  const app = createApp(deps);
  if (process.env.BENCH_VIEW_CACHE === '1') app.enable('view cache');
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });

  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  let elu: EventLoopUtilization = performance.eventLoopUtilization();
  let cpu = process.cpuUsage();
  let since = performance.now();

  const ms = (ns: number) => Math.round(ns / 1e4) / 100;
  let inspector: Session | undefined;
  serveCommands(
    {
      ...shopCommands(deps),
      // CPU profile of one phase (BENCH_CPU_PROF): V8's sampling profiler through the inspector.
      'profile-start': async () => {
        inspector = new Session();
        inspector.connect();
        await inspector.post('Profiler.enable');
        await inspector.post('Profiler.setSamplingInterval', { interval: 500 });
        await inspector.post('Profiler.start');
        return {};
      },
      'profile-stop': async (args) => {
        if (!inspector) throw new Error('no profile running');
        const { profile } = await inspector.post('Profiler.stop');
        await writeFile(String(args.file), JSON.stringify(profile));
        inspector.disconnect();
        inspector = undefined;
        return { file: args.file };
      },
      // Event-loop delay, event-loop utilisation and CPU since the previous call; then resets them.
      stats: () => {
        const out = {
          seconds: Math.round(performance.now() - since) / 1000,
          eventLoopDelayMs: { p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max), mean: ms(delay.mean) },
          eventLoopUtilization: Math.round(performance.eventLoopUtilization(elu).utilization * 1000) / 1000,
          cpu: (({ user, system }) => ({ userMs: Math.round(user / 1000), systemMs: Math.round(system / 1000) }))(process.cpuUsage(cpu)),
          rssMB: Math.round(process.memoryUsage().rss / 1048576),
        };
        delay.reset();
        elu = performance.eventLoopUtilization();
        cpu = process.cpuUsage();
        since = performance.now();
        return out;
      },
      // Ledger consistency: one COUPON credit line per redeemed coupon, never two for one coupon.
      verify: async () => {
        const one = async (q: Promise<{ n: number }[]>) => (await q)[0].n;
        const db = deps.db;
        return {
          couponCreditLines: await one(db.$queryRaw`SELECT count(*)::int AS n FROM "CreditLine" WHERE kind = 'COUPON'`),
          redeemedCoupons: await one(db.$queryRaw`SELECT count(*)::int AS n FROM "Coupon" WHERE "redeemedAt" IS NOT NULL`),
          couponsCreditedTwice: await one(db.$queryRaw`SELECT count(*)::int AS n FROM (
            SELECT "couponId" FROM "CreditLine" WHERE kind = 'COUPON' GROUP BY "couponId" HAVING count(*) > 1) AS d`),
          creditLinesWithoutMatchingRedemption: await one(db.$queryRaw`SELECT count(*)::int AS n FROM "CreditLine" cl
            LEFT JOIN "Coupon" c ON c.id = cl."couponId"
            WHERE cl.kind = 'COUPON' AND (c.id IS NULL OR c."redeemedAt" IS NULL OR c."redeemedById" <> cl."memberId")`),
          redeemedWithoutCreditLine: await one(db.$queryRaw`SELECT count(*)::int AS n FROM "Coupon" c
            WHERE c."redeemedAt" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "CreditLine" cl WHERE cl."couponId" = c.id)`),
          bulkBatchRedeemed: await one(db.$queryRaw`SELECT count(*)::int AS n FROM "Coupon"
            WHERE "batchId" = ${bulk.batch.id}::uuid AND "redeemedAt" IS NOT NULL`),
          raceCouponCreditLines: await one(db.$queryRaw`SELECT count(*)::int AS n FROM "CreditLine" cl
            JOIN "Coupon" c ON c.id = cl."couponId" WHERE c."batchId" = ${race.batch.id}::uuid`),
          raceCouponRedeemed: await one(db.$queryRaw`SELECT count(*)::int AS n FROM "Coupon"
            WHERE "batchId" = ${race.batch.id}::uuid AND "redeemedAt" IS NOT NULL`),
          sessions: await db.session.count(),
          largestSessionBytes: await one(db.$queryRaw`SELECT coalesce(max(length(data)), 0)::int AS n FROM "Session"`),
        };
      },
    },
    async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await database.close();
    },
  );

  send({
    ready: {
      port: (server.address() as AddressInfo).port,
      database: database.kind,
      viewCache: app.enabled('view cache'),
      pageCacheSeconds: config.pageCacheSeconds,
      logLevel,
      expressEnv: app.get('env') as string,
      demo: { email: 'membre@demo.clubpetitesstars.example', password: DEMO_PASSWORD },
      codesFile,
      codeCount: bulk.codes.length,
      raceCode: race.codes[0],
      members,
      setupMs: timings,
      pid: process.pid,
    },
  });
}

main().catch((err: unknown) => {
  send({ fatal: err instanceof Error ? `${err.message}\n${err.stack ?? ''}` : String(err) });
  process.exit(1);
});
