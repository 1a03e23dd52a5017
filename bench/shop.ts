// The shop's phases of `npm run bench` (issue 10), over HTTP through the real routes:
// - `checkout`: BENCH_SHOP_WORKERS members (with credit) loop "add to cart → GET /commande →
//   POST /commande" for BENCH_DURATION seconds; checkouts/s and the POST's p50/p99.
// - `shoprace`: a product with BENCH_SHOP_RACE_STOCK units (50) and BENCH_SHOP_RACE members (200),
//   each with it in the cart and the checkout form open, all POST /commande at once: exactly 50
//   orders, stock 0, no 5xx, the others refused with the French message, the journal balanced.
//
// Two halves: `shopCommands(deps)` runs in the app's process (bench/server.ts: members, credit and
// products written by SQL, and the checks in the database); `runShop` runs in the runner.
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Deps } from '../src/deps.ts';
import { createMember } from '../src/dev/factories.ts';
import { sortNameOf } from '../src/shop/search.ts';
import { Client, SESSION_COOKIE, csrfOf, round, summary } from './lib.ts';
import type { Child } from './lib.ts';

type Json = Record<string, unknown>;

export const SHOP_PHASES = ['checkout', 'shoprace'] as const;

const num = (name: string, fallback: number) => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
};
const WORKERS = num('BENCH_SHOP_WORKERS', 20);
const RACE_MEMBERS = num('BENCH_SHOP_RACE', 200);
const RACE_STOCK = num('BENCH_SHOP_RACE_STOCK', 50);
const CREDIT_CENTS = 5000;

const ADDRESS = {
  firstName: 'Camille', lastName: 'Martin', addressLine1: '12 rue des Lilas', addressLine2: '', postcode: '69003', city: 'Lyon',
  country: 'FR', phone: '0612345678', acceptCgv: 'on',
};

// ------------------------------------------------------------------------- in the app's process

/** Commands answered by bench/server.ts for the shop phases. */
export function shopCommands(deps: Deps): Record<string, (args: Json) => Promise<Json>> {
  const db = deps.db;
  return {
    /** N confirmed members sharing one password hash (one argon2 hash, not N), each with credit; two products. */
    'shop-setup': async (args) => {
      const n = Number(args.members);
      const now = deps.clock.now();
      const first = await createMember(deps, { email: `boutique-0-${randomUUID().slice(0, 8)}@bench.example` });
      const tag = first.member.id.slice(0, 8);
      const rows = Array.from({ length: n - 1 }, (_, i) => ({
        email: `boutique-${i + 1}-${tag}@bench.example`,
        passwordHash: first.member.passwordHash,
        firstName: 'Lou', lastName: 'Durand', addressLine1: '1 rue de la Course', postcode: '75011', city: 'Paris', country: 'FR',
        emailConfirmedAt: now, createdAt: now, lastActiveAt: now,
      }));
      await db.member.createMany({ data: rows });
      const emails = [first.email, ...rows.map((r) => r.email)];
      // Credit by SQL, as the ledger keeps it: one line per member and the balance equal to the sum.
      await db.$executeRaw`
        INSERT INTO "CreditLine" ("memberId", "amountCents", kind, label, "idempotencyKey", "createdAt")
        SELECT id, ${Number(args.creditCents)}, 'ADJUSTMENT', 'Dotation du banc d’essai', 'bench-shop:' || id, ${now}
          FROM "Member" WHERE email = ANY(${emails})`;
      await db.$executeRaw`
        INSERT INTO "CreditAccount" ("memberId", "balanceCents", "updatedAt")
        SELECT "memberId", sum("amountCents"), ${now} FROM "CreditLine" WHERE "idempotencyKey" LIKE 'bench-shop:%' AND "memberId" IN
          (SELECT id FROM "Member" WHERE email = ANY(${emails}))
        GROUP BY "memberId"
        ON CONFLICT ("memberId") DO UPDATE SET "balanceCents" = "CreditAccount"."balanceCents" + EXCLUDED."balanceCents", "updatedAt" = EXCLUDED."updatedAt"`;
      const category = await db.category.findFirstOrThrow({ orderBy: { slug: 'asc' } });
      const product = (slug: string, name: string, stock: number) =>
        db.product.create({
          data: { slug: `${slug}-${tag}`, name, sortName: sortNameOf(name), categoryId: category.id, priceCents: 1290, vatRateBp: 550, stock, weightGrams: 400, published: true, createdAt: now, updatedAt: now },
        });
      const steady = await product('banc-essai-commandes', 'Imagier du banc d’essai', 1_000_000);
      const race = await product('banc-essai-course', 'Album de la course', Number(args.raceStock));
      // Logged in by writing their sessions as the login does (the site's signed cookie, the
      // session row): 220 argon2 verifications would take a minute here, and the logins phase
      // already measures logins.
      const members = await db.member.findMany({ where: { email: { in: emails } }, select: { id: true } });
      const maxAge = 30 * 60_000;
      const sessions = members.map((m) => {
        const sid = randomBytes(24).toString('base64url');
        const csrfToken = randomBytes(32).toString('base64url');
        const data = {
          memberId: m.id, authAt: now.getTime(), csrfToken,
        };
        const signature = createHmac('sha256', deps.config.sessionSecret).update(sid).digest('base64').replace(/=+$/, '');
        return { row: { sid, data: JSON.stringify(data), memberId: m.id, expiresAt: new Date(now.getTime() + maxAge) }, cookie: `${SESSION_COOKIE}=${encodeURIComponent(`s:${sid}.${signature}`)}`, csrfToken };
      });
      await db.session.createMany({ data: sessions.map((x) => x.row) });
      return {
        sessions: sessions.map(({ cookie, csrfToken }) => ({ cookie, csrfToken })),
        checkoutProductId: steady.id, raceProductId: race.id,
      };
    },

    /** The database after the phases: orders and stock of the race product, the journal, the credit ledger. */
    'shop-verify': async (args) => {
      const one = async (q: Promise<{ n: number | bigint | null }[]>) => Number((await q)[0]?.n ?? 0);
      const raceId = String(args.raceProductId);
      const steadyId = String(args.checkoutProductId);
      const journal = await db.$queryRaw<{ d: bigint | null; c: bigint | null }[]>`
        SELECT sum("debitCents")::bigint AS d, sum("creditCents")::bigint AS c FROM "JournalLine"`;
      return {
        raceOrders: await one(db.$queryRaw`SELECT count(DISTINCT "orderId")::int AS n FROM "OrderLine" WHERE "productId" = ${raceId}::uuid`),
        raceUnitsSold: await one(db.$queryRaw`SELECT coalesce(sum(quantity), 0)::int AS n FROM "OrderLine" WHERE "productId" = ${raceId}::uuid`),
        raceStock: await one(db.$queryRaw`SELECT stock AS n FROM "Product" WHERE id = ${raceId}::uuid`),
        checkoutOrders: await one(db.$queryRaw`SELECT count(DISTINCT "orderId")::int AS n FROM "OrderLine" WHERE "productId" = ${steadyId}::uuid`),
        negativeStocks: await one(db.$queryRaw`SELECT count(*)::int AS n FROM "Product" WHERE stock < 0`),
        journalDebitCents: Number(journal[0]?.d ?? 0),
        journalCreditCents: Number(journal[0]?.c ?? 0),
        unbalancedEntries: await one(db.$queryRaw`SELECT count(*)::int AS n FROM (
          SELECT "entryId" FROM "JournalLine" GROUP BY "entryId" HAVING sum("debitCents") <> sum("creditCents")) AS u`),
        ordersWithoutSaleEntry: await one(db.$queryRaw`SELECT count(*)::int AS n FROM "Order" o
          WHERE NOT EXISTS (SELECT 1 FROM "JournalEntry" e WHERE e."idempotencyKey" = 'order-invoiced:' || o.id)`),
        creditBalancesNotEqualToLines: await one(db.$queryRaw`SELECT count(*)::int AS n FROM "CreditAccount" a
          WHERE a."balanceCents" <> (SELECT coalesce(sum("amountCents"), 0) FROM "CreditLine" l WHERE l."memberId" = a."memberId")`),
        negativeBalances: await one(db.$queryRaw`SELECT count(*)::int AS n FROM "CreditAccount" WHERE "balanceCents" < 0`),
      };
    },
  };
}

// ------------------------------------------------------------------------------- in the runner

interface Shopper {
  client: Client;
  token: string;
}

/** The alert block of a re-rendered form (the refusal's French message). */
function alertText(html: string): string {
  const block = /role="alert"[^>]*>([\s\S]*?)<\/div>/.exec(html)?.[1] ?? '';
  return block
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;|&rsquo;/g, '’')
    .replace(/&amp;/g, '&')
    .replace(/&quot;|&#34;/g, '"')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^Le formulaire contient une erreur\s*:\s*/u, '')
    .slice(0, 200);
}

/** Drops the keep-alive sockets: the next request opens a fresh connection (an idle one may be closing). */
function freshConnections(shoppers: Shopper[]) {
  for (const s of shoppers) s.client.agent.destroy();
}

/** Puts the product in the cart and opens the checkout form: the body of the POST /commande. */
async function prepare(s: Shopper, productId: string): Promise<Record<string, string>> {
  const add = await s.client.post('/panier/ajouter', { _csrf: s.token, produit: productId, quantite: '1' });
  if (add.status !== 303) throw new Error(`add to cart answered ${add.status}: ${alertText(add.body)}`);
  const page = await s.client.get('/commande');
  if (page.status !== 200) throw new Error(`GET /commande answered ${page.status}`);
  const nonce = /name="nonce" value="([^"]+)"/.exec(page.body)?.[1];
  if (!nonce) throw new Error('no nonce in the checkout form');
  return { ...ADDRESS, _csrf: csrfOf(page.body), nonce };
}

export interface ShopOptions {
  port: number;
  app: Child;
  phases: Set<string>;
  durationS: number;
  progress: (msg: string) => void;
  /** run.ts's CPU meter: call at the start, call its result with the app's `stats` at the end. */
  cpuMeter: () => (stats?: Json) => Json;
}

export async function runShop(o: ShopOptions) {
  const wantCheckout = o.phases.has('checkout');
  const wantRace = o.phases.has('shoprace');
  if (!wantCheckout && !wantRace) return undefined;
  const workers = wantCheckout ? WORKERS : 0;
  const raceMembers = wantRace ? RACE_MEMBERS : 0;
  o.progress(`shop: ${workers + raceMembers} members with credit and a session, two products`);
  const t0 = performance.now();
  const setup = await o.app.call('shop-setup', { members: workers + raceMembers, creditCents: CREDIT_CENTS, raceStock: RACE_STOCK });
  const shoppers = (setup.sessions as { cookie: string; csrfToken: string }[]).map(({ cookie, csrfToken }) => {
    const client = new Client(o.port, 120_000);
    client.cookie = cookie;
    return { client, token: csrfToken };
  });
  const setupSeconds = round((performance.now() - t0) / 1000, 1);
  const check = await shoppers[0].client.get('/compte');
  if (check.status !== 200) throw new Error(`the shop members' sessions are refused: GET /compte answered ${check.status}`);

  let checkout: Json | undefined;
  if (wantCheckout) {
    o.progress(`shop: checkouts by ${workers} members for ${o.durationS} s (add to cart → GET /commande → POST /commande)`);
    const productId = setup.checkoutProductId as string;
    const postMs: number[] = [];
    const cycleMs: number[] = [];
    const statuses: Record<string, number> = {};
    const refusals: Record<string, number> = {};
    let errors = 0;
    await o.app.call('stats');
    freshConnections(shoppers);
    const meter = o.cpuMeter();
    const start = performance.now();
    const deadline = start + o.durationS * 1000;
    await Promise.all(
      shoppers.slice(0, workers).map(async (s) => {
        while (performance.now() < deadline) {
          const c0 = performance.now();
          try {
            const body = await prepare(s, productId);
            const r = await s.client.post('/commande', body);
            statuses[r.status] = (statuses[r.status] ?? 0) + 1;
            if (r.status === 303) {
              postMs.push(r.ms);
              cycleMs.push(performance.now() - c0);
            } else {
              const m = alertText(r.body) || `status ${r.status}`;
              refusals[m] = (refusals[m] ?? 0) + 1;
              // Leave the cart empty for the next cycle.
              await s.client.post('/panier/retirer', { _csrf: s.token, produit: productId });
            }
          } catch {
            errors++;
          }
        }
      }),
    );
    const seconds = (performance.now() - start) / 1000;
    const server = await o.app.call('stats');
    checkout = {
      workers,
      seconds: round(seconds),
      orders: postMs.length,
      perSec: round(postMs.length / seconds, 1),
      postLatencyMs: summary(postMs),
      cycleLatencyMs: summary(cycleMs),
      statuses,
      serverErrors: Object.entries(statuses).filter(([k]) => Number(k) >= 500).reduce((a, [, v]) => a + v, 0),
      refusals,
      errors,
      server,
      cpuCores: meter(server),
    };
  }

  let race: Json | undefined;
  if (wantRace) {
    const contenders = shoppers.slice(workers);
    o.progress(`shop race: ${contenders.length} members fill their cart with the product of ${RACE_STOCK} units`);
    const bodies: Record<string, string>[] = [];
    for (let i = 0; i < contenders.length; i += 10) {
      bodies.push(...(await Promise.all(contenders.slice(i, i + 10).map((s) => prepare(s, setup.raceProductId as string)))));
    }
    o.progress(`shop race: ${contenders.length} concurrent POST /commande`);
    freshConnections(contenders);
    const start = performance.now();
    const answers = await Promise.all(
      contenders.map((s, i) =>
        s.client.post('/commande', bodies[i]).then(
          (r) => ({ status: r.status, ms: r.ms, message: r.status === 303 ? '' : alertText(r.body) }),
          (e: unknown) => ({ status: 0, ms: NaN, message: String(e) }),
        ),
      ),
    );
    const elapsedS = round((performance.now() - start) / 1000, 2);
    const statuses: Record<string, number> = {};
    const messages: Record<string, number> = {};
    for (const a of answers) {
      statuses[a.status] = (statuses[a.status] ?? 0) + 1;
      if (a.status !== 303) messages[a.message.replace(/« [^»]+ »/, '« … »')] = (messages[a.message.replace(/« [^»]+ »/, '« … »')] ?? 0) + 1;
    }
    race = {
      contenders: answers.length,
      stock: RACE_STOCK,
      accepted: answers.filter((a) => a.status === 303).length,
      refused: answers.filter((a) => a.status === 409 || a.status === 422).length,
      serverErrors: answers.filter((a) => a.status >= 500).length,
      failedRequests: answers.filter((a) => a.status === 0).length,
      statuses,
      refusalMessages: messages,
      elapsedS,
      latencyMs: summary(answers.map((a) => a.ms).filter(Number.isFinite)),
    };
  }
  for (const s of shoppers) s.client.close();
  const verify = await o.app.call('shop-verify', { raceProductId: setup.raceProductId, checkoutProductId: setup.checkoutProductId });
  return { members: shoppers.length, setupSeconds, checkout, race, verify };
}

export type ShopResults = NonNullable<Awaited<ReturnType<typeof runShop>>>;

/** The invariants: broken ones are listed (the bench then exits with code 2). */
export function shopViolations(r: ShopResults | undefined): string[] {
  if (!r) return [];
  const v = r.verify as Record<string, number>;
  const out: string[] = [];
  if (v.negativeStocks) out.push(`${v.negativeStocks} product(s) with a negative stock`);
  if (v.journalDebitCents !== v.journalCreditCents) out.push(`journal: debit ${v.journalDebitCents} ≠ credit ${v.journalCreditCents}`);
  if (v.unbalancedEntries) out.push(`${v.unbalancedEntries} unbalanced journal entries`);
  if (v.ordersWithoutSaleEntry) out.push(`${v.ordersWithoutSaleEntry} orders without their sale entry`);
  if (v.creditBalancesNotEqualToLines || v.negativeBalances) out.push('credit ledger: balances differ from the lines, or negative');
  const c = r.checkout as Record<string, number> | undefined;
  if (c && c.serverErrors) out.push(`checkout: ${c.serverErrors} × 5xx`);
  const race = r.race as Record<string, number> | undefined;
  if (race) {
    if (v.raceOrders !== race.stock || race.accepted !== race.stock) out.push(`race: ${v.raceOrders} orders (${race.accepted} accepted), must be ${race.stock}`);
    if (v.raceStock !== 0) out.push(`race: final stock ${v.raceStock}, must be 0`);
    if (race.serverErrors || race.failedRequests) out.push(`race: ${race.serverErrors} × 5xx, ${race.failedRequests} failed requests`);
    if (race.refused !== race.contenders - race.stock) out.push(`race: ${race.refused} refused, must be ${race.contenders - race.stock}`);
  }
  return out;
}

/** Rows for run.ts's table (same columns) and the lines below it. */
export function shopReport(
  r: ShopResults | undefined,
  fmt: { f: (n: number | undefined, d?: number) => string; loopP99: (s: Json | undefined) => string; cores: (c: never) => string },
): { rows: string[][]; lines: string[] } {
  if (!r) return { rows: [], lines: [] };
  const rows: string[][] = [];
  const lines: string[] = [];
  const c = r.checkout as
    | { workers: number; perSec: number; orders: number; seconds: number; postLatencyMs: { p50: number; p99: number }; cycleLatencyMs: { p50: number; p99: number }; statuses: Json; serverErrors: number; refusals: Json; errors: number; server: Json; cpuCores: never }
    | undefined;
  if (c) {
    rows.push([`checkouts, POST /commande (${c.workers} members)`, fmt.f(c.perSec), fmt.f(c.postLatencyMs.p50), fmt.f(c.postLatencyMs.p99), '', '', fmt.loopP99(c.server), fmt.cores(c.cpuCores)]);
    rows.push(['  whole cycle (add, form, POST)', '', fmt.f(c.cycleLatencyMs.p50), fmt.f(c.cycleLatencyMs.p99), '', '', '', '']);
    lines.push(
      `shop checkouts: ${c.orders} orders in ${c.seconds} s = ${c.perSec}/s by ${c.workers} members (statuses ${JSON.stringify(c.statuses)}, ${c.serverErrors} × 5xx, ${c.errors} errors` +
        `${Object.keys(c.refusals).length ? `, refusals ${JSON.stringify(c.refusals)}` : ''}); ${r.members} members with credit and a session set up in ${r.setupSeconds} s`,
    );
  }
  const race = r.race as
    | { contenders: number; stock: number; accepted: number; refused: number; serverErrors: number; refusalMessages: Json; elapsedS: number; latencyMs: { p50: number; p99: number }; statuses: Json }
    | undefined;
  const v = r.verify as Record<string, number>;
  if (race) {
    rows.push([`shop race (${race.contenders} on ${race.stock} units)`, '', fmt.f(race.latencyMs.p50), fmt.f(race.latencyMs.p99), '', '', '', '']);
    lines.push(
      `shop race: ${race.contenders} concurrent checkouts on ${race.stock} units in ${race.elapsedS} s: ${v.raceOrders} orders (must be ${race.stock}), ` +
        `final stock ${v.raceStock} (must be 0), ${race.refused} refused, ${race.serverErrors} × 5xx (statuses ${JSON.stringify(race.statuses)}); refusal messages ${JSON.stringify(race.refusalMessages)}`,
    );
  }
  lines.push(
    `shop ledger: journal debit ${v.journalDebitCents} = credit ${v.journalCreditCents} cents: ${v.journalDebitCents === v.journalCreditCents ? 'balanced' : 'NOT BALANCED'}; ` +
      `${v.unbalancedEntries} unbalanced entries, ${v.ordersWithoutSaleEntry} orders without sale entry, ${v.negativeStocks} negative stocks, ` +
      `${v.creditBalancesNotEqualToLines} credit balances ≠ lines`,
  );
  return { rows, lines };
}
