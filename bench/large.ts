// The large-data scenario (issue 9): every member, staff, accountant and admin page measured on the
// seeded demo, then again after SQL has added a hundred times the data (100k members, 1M credit
// lines, 1M coupons, 1M audit events, 200k jobs, 200k kept e-mails; BENCH_LARGE_SCALE multiplies these sizes). A
// page's cost must not grow with the size of the tables: the report gives each page's median and
// p99 at both sizes and flags those that grew.
//
// The app runs in this process (sequential requests: latency per page, not throughput), in the
// production configuration (view cache on, log level info written to /dev/null). Database: a
// fresh PGlite directory, or a fresh database on BENCH_DATABASE_URL's PostgreSQL server.
//
// Pages come from the app's route table (every GET route of the guarded areas, and the public
// ones), so a new domain's pages are measured without editing this file; a route with a
// parameter needs a sample in SAMPLES below, and is listed as "no sample" until it has one.
import { randomBytes } from 'node:crypto';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import pino from 'pino';
import { createLogger } from '../src/logger.ts';
import { boot } from '../src/bootstrap.ts';
import { createApp } from '../src/app.ts';
import { routeTable } from '../src/http/route-table.ts';
import type { Area } from '../src/core/module.ts';
import type { Db } from '../src/db/connect.ts';
import { DEMO_PASSWORD, seedDemo } from '../prisma/seed.ts';
import { POLICY_VERSIONS } from '../src/privacy/policy.ts';
import { Client, benchConfig, login, round, summary } from './lib.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SCALE = Number(process.env.BENCH_LARGE_SCALE ?? 1);
const SAMPLES_PER_PAGE = Number(process.env.BENCH_LARGE_REQUESTS ?? 60);
const SIZES = {
  members: Math.round(100_000 * SCALE),
  creditLines: Math.round(1_000_000 * SCALE),
  coupons: Math.round(1_000_000 * SCALE),
  auditEvents: Math.round(1_000_000 * SCALE),
  jobs: Math.round(200_000 * SCALE),
  /** Kept e-mails (the staff's mailbox, without SMTP). */
  mailMessages: Math.round(200_000 * SCALE),
  /** The demo member's own history: deep enough that an OFFSET would show. */
  demoMemberLines: Math.round(20_000 * SCALE),
};

const LOGINS: Record<Exclude<Area, 'public'>, string> = {
  member: 'membre@demo.clubpetitesstars.example',
  staff: 'equipe@demo.clubpetitesstars.example',
  accountant: 'comptable@demo.clubpetitesstars.example',
  admin: 'admin@demo.clubpetitesstars.example',
};

/** Pages that are downloads or actions reached by GET, left out of the page list. */
const SKIP = [/\/telecharger/, /\/codes$/, /\.json$/, /\.csv$/, /\/exports\/fec$/, /\.txt$/, /\/deconnexion$/, /^\/healthz|^\/readyz/, /\/confirmer$/, /\/reinitialiser/];

type Sample = (db: Db) => Promise<string | null>;
const one = async (db: Db, sql: string): Promise<string | null> => {
  const rows = await db.$queryRawUnsafe<{ v: unknown }[]>(sql);
  return rows[0]?.v === undefined || rows[0]?.v === null ? null : String(rows[0].v);
};
/** A keyset cursor (src/core/keyset.ts) in SQL: `<epoch ms>_<id>` of the row. */
const cursorSql = (column: string) => `floor(extract(epoch FROM ${column}) * 1000)::bigint || '_' || id`;
/**
 * A concrete URL for a route with parameters (or an extra query worth measuring), resolved after
 * seeding: the largest objects, or the deepest page of a history.
 */
const SAMPLES: Record<string, Sample> = {
  '/admin/membres/:id': (db) => one(db, `SELECT '/admin/membres/' || id AS v FROM "Member" WHERE email = '${LOGINS.member}'`),
  '/gestion/coupons/:id': (db) => one(db, `SELECT '/gestion/coupons/' || id AS v FROM "CouponBatch" ORDER BY "issuedCount" DESC LIMIT 1`),
  '/gestion/courriels/:id': (db) => one(db, `SELECT '/gestion/courriels/' || id AS v FROM "MailMessage" ORDER BY "createdAt" DESC LIMIT 1`),
  // The member's coupon history, far back (keyset: ?avant=<line id>).
  '/compte/coupons?avant': (db) =>
    one(
      db,
      `SELECT '/compte/coupons?avant=' || l.id AS v FROM "CreditLine" l JOIN "Member" m ON m.id = l."memberId"
        WHERE m.email = '${LOGINS.member}' ORDER BY l.id ASC LIMIT 1 OFFSET 20`,
    ),
  '/gestion/coupons/:id/annuler': (db) => one(db, `SELECT '/gestion/coupons/' || id || '/annuler' AS v FROM "CouponBatch" ORDER BY "issuedCount" DESC LIMIT 1`),
  '/admin/membres/:id/role': (db) => one(db, `SELECT '/admin/membres/' || id || '/role' AS v FROM "Member" WHERE email = '${LOGINS.member}'`),
  '/admin/membres/:id/effacer': (db) => one(db, `SELECT '/admin/membres/' || id || '/effacer' AS v FROM "Member" WHERE email = '${LOGINS.member}'`),
  '/admin?q': async () => '/admin?q=dupont',
  // The oldest archived text of the privacy policy.
  '/confidentialite/versions/:version': async () => `/confidentialite/versions/${POLICY_VERSIONS[0].version}`,
  '/gestion/concours/:id/reglement.pdf': (db) =>
    one(db, `SELECT '/gestion/concours/' || id || '/reglement.pdf' AS v FROM "Contest" WHERE "rulesFile" IS NOT NULL ORDER BY slug LIMIT 1`),
  '/compte/concours/:slug/participer': (db) =>
    one(db, `SELECT '/compte/concours/' || slug || '/participer' AS v FROM "Contest" WHERE status = 'OPEN' ORDER BY slug LIMIT 1`),
  // The audit journal (keyset on (at, id)): a page from the middle of the table; the second page
  // filtered by action; the demo admin's events (as actor: most of the large set's views); one
  // Paris day of the middle of the table.
  '/admin/journal?avant': (db) =>
    one(
      db,
      `SELECT '/admin/journal?avant=' || ${cursorSql('at')} AS v FROM "AuditEvent"
        ORDER BY at DESC, id DESC LIMIT 1 OFFSET (SELECT count(*) / 2 FROM "AuditEvent")`,
    ),
  '/admin/journal?action&avant': (db) =>
    one(
      db,
      `SELECT '/admin/journal?action=member.registered&avant=' || ${cursorSql('at')} AS v FROM "AuditEvent" WHERE action = 'member.registered'
        ORDER BY at DESC, id DESC LIMIT 1 OFFSET (SELECT GREATEST(LEAST(49, count(*) - 1), 0) FROM "AuditEvent" WHERE action = 'member.registered')`,
    ),
  // The demo member's events, half-way back (large set only: the demo data has too few).
  '/admin/journal?membre&avant': (db) =>
    one(
      db,
      `SELECT '/admin/journal?membre=M' || lpad(m.number::text, 6, '0') || '&avant=' || floor(extract(epoch FROM e.at) * 1000)::bigint || '_' || e.id AS v
        FROM "AuditEvent" e JOIN "Member" m ON m.id = e."subjectMemberId" WHERE m.email = '${LOGINS.member}'
        ORDER BY e.at DESC, e.id DESC LIMIT 1 OFFSET ${Math.round(SIZES.demoMemberLines / 2)}`,
    ),
  '/admin/journal?membre': (db) => one(db, `SELECT '/admin/journal?membre=M' || lpad(number::text, 6, '0') AS v FROM "Member" WHERE email = '${LOGINS.admin}'`),
  '/admin/journal?du&au': (db) =>
    one(
      db,
      `SELECT '/admin/journal?du=' || d || '&au=' || d AS v FROM (
         SELECT to_char((at AT TIME ZONE 'UTC') AT TIME ZONE 'Europe/Paris', 'YYYY-MM-DD') AS d FROM "AuditEvent"
          ORDER BY at DESC, id DESC LIMIT 1 OFFSET (SELECT count(*) / 2 FROM "AuditEvent")) x`,
    ),
  // The staff's mailbox (keyset on (createdAt, id)): a page from the middle.
  '/gestion/courriels?avant': (db) =>
    one(
      db,
      `SELECT '/gestion/courriels?avant=' || ${cursorSql('"createdAt"')} AS v FROM "MailMessage"
        ORDER BY "createdAt" DESC, id DESC LIMIT 1 OFFSET (SELECT count(*) / 2 FROM "MailMessage")`,
    ),
  // The shop, orders and contests (issues 10, 11): the demo data's objects.
  '/boutique/:categorie': (db) => one(db, `SELECT '/boutique/' || slug AS v FROM "Category" ORDER BY position, slug LIMIT 1`),
  '/produit/:slug': (db) => one(db, `SELECT '/produit/' || slug AS v FROM "Product" WHERE published ORDER BY slug LIMIT 1`),
  '/gestion/produits/:id': (db) => one(db, `SELECT '/gestion/produits/' || id AS v FROM "Product" ORDER BY slug LIMIT 1`),
  '/gestion/produits/:id/stock': (db) => one(db, `SELECT '/gestion/produits/' || id || '/stock' AS v FROM "Product" ORDER BY slug LIMIT 1`),
  '/gestion/produits/:id/images': (db) => one(db, `SELECT '/gestion/produits/' || id || '/images' AS v FROM "Product" ORDER BY slug LIMIT 1`),
  '/gestion/produits/categories/:id': (db) => one(db, `SELECT '/gestion/produits/categories/' || id AS v FROM "Category" ORDER BY slug LIMIT 1`),
  ...Object.fromEntries(
    ['', '/facture', '/avoir'].map((tail) => [
      `/compte/commandes/:numero${tail}`,
      (db: Db) =>
        one(
          db,
          `SELECT '/compte/commandes/' || o.reference || '${tail}' AS v FROM "Order" o JOIN "Member" m ON m.id = o."memberId"
            WHERE m.email = '${LOGINS.member}' ${tail === '/avoir' ? 'AND o."creditNoteNumber" IS NOT NULL' : ''} ORDER BY o.reference DESC LIMIT 1`,
        ),
    ]),
  ),
  '/gestion/commandes/:numero': (db) => one(db, `SELECT '/gestion/commandes/' || reference AS v FROM "Order" ORDER BY reference DESC LIMIT 1`),
  '/gestion/commandes/:numero/avoir': (db) =>
    one(db, `SELECT '/gestion/commandes/' || reference || '/avoir' AS v FROM "Order" WHERE "creditNoteNumber" IS NOT NULL ORDER BY reference DESC LIMIT 1`),
  ...Object.fromEntries(
    ['', '/resultats', '/reglement.pdf'].map((tail) => [
      `/concours/:slug${tail}`,
      // The results page answers only for a drawn contest (404 before the draw).
      (db: Db) =>
        one(
          db,
          `SELECT '/concours/' || slug || '${tail}' AS v FROM "Contest"
            WHERE ${tail === '/resultats' ? `status IN ('DRAWN', 'ARCHIVED')` : `status <> 'DRAFT'`} ORDER BY slug LIMIT 1`,
        ),
    ]),
  ),
  ...Object.fromEntries(
    ['', '/lots', '/reglement', '/expedition'].map((tail) => [
      `/gestion/concours/:id${tail}`,
      (db: Db) => one(db, `SELECT '/gestion/concours/' || id || '${tail}' AS v FROM "Contest" ORDER BY slug LIMIT 1`),
    ]),
  ),
};

interface PageFigure {
  key: string;
  area: Area;
  path: string;
  status: number;
  p50: number;
  p99: number;
}

function progress(msg: string) {
  process.stderr.write(`[large ${(performance.now() / 1000).toFixed(1)}s] ${msg}\n`);
}

export async function seedLarge(db: Db) {
  const exec = (sql: string) => db.$executeRawUnsafe(sql);
  const t0 = performance.now();
  // One clock: the instants written here are derived from the demo's newest row, not now().
  const newest = await db.$queryRaw<{ b: Date }[]>`SELECT max("createdAt") AS b FROM "Member"`;
  const base = `(SELECT '${newest[0]!.b.toISOString()}'::timestamp AS b)`;
  await exec(`
    INSERT INTO "Member" (id, role, email, "passwordHash", "firstName", "lastName", "addressLine1", postcode, city, country,
                          "newsletterOptIn", "emailConfirmedAt", "createdAt", "lastActiveAt")
    SELECT gen_random_uuid(), 'MEMBER', 'large-' || g || '@bench.example', 'x', 'Prénom' || g, 'Nom' || g, g || ' rue de la Paix',
           '75001', 'Paris', 'FR', g % 3 = 0, t.b, t.b, t.b
      FROM generate_series(1, ${SIZES.members}) g, ${base} t`);
  progress(`members: ${SIZES.members}`);
  await exec(`
    CREATE TEMP TABLE bench_members AS
      SELECT id, row_number() OVER (ORDER BY number) AS rn FROM "Member" WHERE email LIKE 'large-%@bench.example'`);
  await exec(`CREATE INDEX ON bench_members (rn)`);

  // Coupons: ten batches; a fifth of the codes redeemed, by members of the large set.
  const perBatch = Math.ceil(SIZES.coupons / 10);
  await exec(`
    INSERT INTO "CouponBatch" (id, label, "valueCents", quantity, "validFrom", "validUntil", "createdById", "createdAt", "codesIssuedAt", "issuedCount", "redeemedCount")
    SELECT gen_random_uuid(), 'Lot volumineux ' || g, 500, ${perBatch}, t.b, t.b + interval '365 days',
           (SELECT id FROM "Member" WHERE role = 'STAFF' ORDER BY number LIMIT 1), t.b, t.b, ${perBatch}, ${Math.floor(perBatch / 5)}
      FROM generate_series(1, 10) g, ${base} t`);
  await exec(`
    INSERT INTO "Coupon" (id, "batchId", "codeHash", "redeemedAt", "redeemedById")
    SELECT gen_random_uuid(), bt.id, md5(bt.id::text || '-' || g),
           CASE WHEN g <= ${Math.floor(perBatch / 5)} THEN t.b END,
           CASE WHEN g <= ${Math.floor(perBatch / 5)} THEN (SELECT id FROM bench_members WHERE rn = 1 + (g % ${SIZES.members})) END
      FROM (SELECT id FROM "CouponBatch" WHERE label LIKE 'Lot volumineux %') bt, generate_series(1, ${perBatch}) g, ${base} t`);
  await exec(`
    INSERT INTO "CouponRedemptionDay" ("batchId", day, count)
    SELECT "batchId", to_char(("redeemedAt" AT TIME ZONE 'UTC') AT TIME ZONE 'Europe/Paris', 'YYYY-MM-DD'), count(*)::int
      FROM "Coupon" c JOIN "CouponBatch" bt ON bt.id = c."batchId"
     WHERE bt.label LIKE 'Lot volumineux %' AND c."redeemedAt" IS NOT NULL GROUP BY 1, 2`);
  progress(`coupons: ${perBatch * 10}`);

  // Credit lines: spread over the large set, plus a deep history for the demo member.
  await exec(`
    INSERT INTO "CreditLine" ("memberId", "amountCents", kind, label, "idempotencyKey", "createdAt")
    SELECT m.id, 500, 'COUPON', 'Coupon', 'large:' || g, t.b + (g || ' seconds')::interval
      FROM generate_series(1, ${SIZES.creditLines}) g JOIN bench_members m ON m.rn = 1 + (g % ${SIZES.members}), ${base} t`);
  await exec(`
    INSERT INTO "CreditLine" ("memberId", "amountCents", kind, label, "idempotencyKey", "createdAt")
    SELECT (SELECT id FROM "Member" WHERE email = '${LOGINS.member}'), 100, 'COUPON', 'Coupon', 'large-demo:' || g, t.b + (g || ' seconds')::interval
      FROM generate_series(1, ${SIZES.demoMemberLines}) g, ${base} t`);
  // The kept balances, equal to the sums (as the ledger keeps them).
  await exec(`
    INSERT INTO "CreditAccount" ("memberId", "balanceCents", "updatedAt")
    SELECT "memberId", sum("amountCents"), max("createdAt") FROM "CreditLine" GROUP BY "memberId"
    ON CONFLICT ("memberId") DO UPDATE SET "balanceCents" = EXCLUDED."balanceCents", "updatedAt" = EXCLUDED."updatedAt"`);
  progress(`credit lines: ${SIZES.creditLines + SIZES.demoMemberLines}`);

  // Audit events about the large set's members: a tenth registrations, a tenth logins, the rest
  // views of their data, a fifth of all the events by the demo admin (the journal's member filter).
  await exec(`
    INSERT INTO "AuditEvent" (at, action, "actorMemberId", "subjectMemberId", details)
    SELECT t.b + (g || ' seconds')::interval,
           CASE g % 10 WHEN 0 THEN 'member.registered' WHEN 1 THEN 'login.succeeded' ELSE 'personal-data.viewed' END,
           CASE WHEN g % 10 <= 1 THEN m.id WHEN g % 10 > 1 AND g % 4 = 2 THEN a.id END, m.id,
           CASE WHEN g % 10 > 1 THEN '{"what":"member"}'::jsonb END
      FROM generate_series(1, ${SIZES.auditEvents}) g JOIN bench_members m ON m.rn = 1 + (g % ${SIZES.members}), ${base} t,
           (SELECT id FROM "Member" WHERE email = '${LOGINS.admin}') a`);
  // The demo member's own logins, as many as their credit lines and packed in the first hours: a
  // member whose events are few among all and all together (the journal's member filter far back).
  await exec(`
    INSERT INTO "AuditEvent" (at, action, "actorMemberId", "subjectMemberId")
    SELECT t.b + (g || ' seconds')::interval, 'login.succeeded', m.id, m.id
      FROM generate_series(1, ${SIZES.demoMemberLines}) g, ${base} t, (SELECT id FROM "Member" WHERE email = '${LOGINS.member}') m`);
  progress(`audit events: ${SIZES.auditEvents + SIZES.demoMemberLines}`);

  // Kept e-mails, as the development mailer keeps them (links masked), one per second.
  await exec(`
    INSERT INTO "MailMessage" (id, "to", subject, text, "memberId", "createdAt")
    SELECT gen_random_uuid(), 'large-' || (1 + g % ${SIZES.members}) || '@bench.example', 'Confirmez votre adresse',
           'Bonjour, confirmez votre adresse : https://club.example/inscription/confirmer?jeton=…', m.id, t.b + (g || ' seconds')::interval
      FROM generate_series(1, ${SIZES.mailMessages}) g JOIN bench_members m ON m.rn = 1 + (g % ${SIZES.members}), ${base} t`);
  progress(`kept e-mails: ${SIZES.mailMessages}`);

  // Jobs: done ones, and one in a hundred dead (the admins' jobs page lists those).
  await exec(`
    INSERT INTO "Job" (kind, payload, status, attempts, "runAt", "createdAt", "finishedAt", "lastError")
    SELECT 'email', '{}'::jsonb, CASE WHEN g % 100 = 0 THEN 'DEAD'::"JobStatus" ELSE 'DONE'::"JobStatus" END, 1, t.b, t.b, t.b,
           CASE WHEN g % 100 = 0 THEN 'bench: failed' END
      FROM generate_series(1, ${SIZES.jobs}) g, ${base} t`);
  progress(`jobs: ${SIZES.jobs}`);
  await exec(`DROP TABLE bench_members`);
  // What autovacuum does to a table after a bulk load, before the pages are measured: statistics,
  // and the visibility map that lets counts by index (jobs by status) skip the table.
  await exec(`VACUUM (ANALYZE)`);
  return Math.round(performance.now() - t0);
}

type Page = { key: string; area: Area; path: string };

async function pagesOf(app: ReturnType<typeof createApp>, db: Db): Promise<Page[]> {
  const out: Page[] = [];
  const seen = new Set<string>();
  for (const r of routeTable(app)) {
    if (r.method !== 'GET' || SKIP.some((re) => re.test(r.path)) || seen.has(r.path)) continue;
    seen.add(r.path);
    if (r.path.includes(':') || r.path.includes('*')) {
      const sample = SAMPLES[r.path];
      const url = sample ? await sample(db) : null;
      if (url) out.push({ key: r.path, area: r.area, path: url });
      else out.push({ key: r.path, area: r.area, path: `${r.path} (no sample)` });
    } else out.push({ key: r.path, area: r.area, path: r.path });
  }
  for (const [key, sample] of Object.entries(SAMPLES)) {
    if (!key.includes('?')) continue;
    const url = await sample(db);
    const area: Area = key.startsWith('/compte') ? 'member' : key.startsWith('/admin') ? 'admin' : key.startsWith('/gestion') ? 'staff' : 'public';
    if (url) out.push({ key, area, path: url });
  }
  return out;
}

async function measure(port: number, pages: Page[], requests = SAMPLES_PER_PAGE): Promise<PageFigure[]> {
  const clients: Partial<Record<Area, Client>> = { public: new Client(port) };
  for (const [area, email] of Object.entries(LOGINS) as [Exclude<Area, 'public'>, string][]) {
    const c = new Client(port);
    const r = await login(c, email, DEMO_PASSWORD);
    if (r.status !== 303) throw new Error(`login as ${area} answered ${r.status}`);
    clients[area] = c;
  }
  const figures: PageFigure[] = [];
  for (const p of pages) {
    if (p.path.endsWith('(no sample)')) {
      figures.push({ ...p, status: 0, p50: NaN, p99: NaN });
      continue;
    }
    const client = clients[p.area]!;
    const times: number[] = [];
    let status = 0;
    for (let i = 0; i < 5; i++) await client.get(p.path); // warm-up
    for (let i = 0; i < requests; i++) {
      const r = await client.get(p.path);
      status = r.status;
      times.push(r.ms);
    }
    const s = summary(times);
    figures.push({ ...p, status, p50: s.p50, p99: s.p99 });
  }
  return figures;
}

async function main() {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'club-bench-large-'));
  let dbName: string | undefined;
  const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL;
  if (adminUrl) {
    dbName = `bench_large_${randomBytes(4).toString('hex')}`;
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    await c.query(`CREATE DATABASE ${dbName}`);
    await c.end();
    const u = new URL(adminUrl);
    u.pathname = `/${dbName}`;
    process.env.BENCH_DATABASE_URL = u.toString();
  } else delete process.env.BENCH_DATABASE_URL;
  const database = adminUrl ? 'postgresql' : 'pglite';
  try {
    const config = benchConfig(dataDir, { HOST: '127.0.0.1', PORT: '0', PUBLIC_URL: 'http://127.0.0.1', LOG_LEVEL: 'info' });
    const logger = createLogger('info', pino.destination({ dest: '/dev/null', sync: true }));
    const booted = await boot(config, logger);
    const { deps } = booted;
    await seedDemo(deps);
    const app = createApp(deps);
    app.enable('view cache');
    const server = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const port = (server.address() as AddressInfo).port;

    progress(`${database}: measuring the pages on the demo data`);
    const smallPages = await pagesOf(app, deps.db);
    await measure(port, smallPages, 10); // warm-up pass: JIT, view cache, connection pool
    const small = await measure(port, smallPages);
    progress(`seeding the large data set (scale ${SCALE})`);
    const seedMs = await seedLarge(deps.db);
    progress(`seeded in ${(seedMs / 1000).toFixed(1)} s; measuring again`);
    const large = await measure(port, await pagesOf(app, deps.db));

    // A sample with nothing to point at on the demo data (the mailbox's pages: the demo keeps no
    // e-mail) is measured on the large set only.
    const onDemo = new Set(small.map((s) => s.key));
    for (const l of large) if (!onDemo.has(l.key)) small.push({ ...l, status: 0, p50: NaN, p99: NaN });
    const rows = small.map((s) => {
      const l = large.find((x) => x.key === s.key);
      const ratio = l && s.p50 > 0 ? round(l.p50 / s.p50) : NaN;
      // Grew: the median at least doubled and by more than 5 ms. A page far into a list, measured
      // on the large set only, is held to its list's first page on the large set (a keyset page
      // must cost what the first one does, however far back).
      const first = Number.isNaN(s.p50) && s.key.includes('?') ? large.find((x) => x.key === s.key.split('?')[0]) : undefined;
      const base = first ? first.p50 : s.p50;
      const grew = !!l && l.p50 > 2 * base && l.p50 - base > 5;
      return { area: s.area, path: s.path, largePath: l?.path, status: l?.status ?? s.status, small: { p50: s.p50, p99: s.p99 }, large: l ? { p50: l.p50, p99: l.p99 } : null, ratio, grew };
    });
    const result = { when: new Date().toISOString(), database, scale: SCALE, sizes: SIZES, requestsPerPage: SAMPLES_PER_PAGE, seedMs, pages: rows };
    const outDir = path.join(ROOT, 'bench-results');
    await mkdir(outDir, { recursive: true });
    const file = path.join(outDir, `large-${database}-${result.when.replace(/[:.]/g, '-')}.json`);
    await writeFile(file, JSON.stringify(result, null, 2));

    const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
    const verdict = (r: (typeof rows)[number]): string => {
      if (r.path.endsWith('(no sample)')) return 'not measured';
      if (r.status >= 400) return 'NOT measured (error status: fix the sample)';
      const largeOnly = Number.isNaN(r.small.p50);
      if (r.grew) return largeOnly ? 'NOT met (slower than the first page)' : 'NOT met (grows)';
      return largeOnly ? 'large set only' : 'met';
    };
    const out = [
      `Large-data scenario on ${database} (scale ${SCALE}: ${Object.entries(SIZES).map(([k, v]) => `${k} ${v}`).join(', ')}); ${SAMPLES_PER_PAGE} sequential requests per page; production configuration (view cache on, log level info).`,
      `Target: no page's median grows with the tables (flagged when it doubles by more than 5 ms).`,
      '',
      line(['area', 'page', 'status', 'demo p50 ms', 'demo p99 ms', 'large p50 ms', 'large p99 ms', 'large/demo p50', 'target']),
      line(['---', '---', '---', '---:', '---:', '---:', '---:', '---:', '---']),
      ...rows.map((r) =>
        line([
          r.area,
          '`' + (r.largePath ?? r.path) + '`',
          r.status || '–',
          Number.isNaN(r.small.p50) ? '–' : r.small.p50,
          Number.isNaN(r.small.p99) ? '–' : r.small.p99,
          r.large && !Number.isNaN(r.large.p50) ? r.large.p50 : '–',
          r.large && !Number.isNaN(r.large.p99) ? r.large.p99 : '–',
          Number.isNaN(r.ratio) ? '–' : r.ratio,
          verdict(r),
        ]),
      ),
    ];
    process.stdout.write(out.join('\n') + `\n\nwritten to ${path.relative(ROOT, file)}\n`);
    server.close();
    await booted.database.close();
  } finally {
    if (dbName && adminUrl) {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await c.end();
    }
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
