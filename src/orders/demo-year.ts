// A realistic current year for the demo (called from prisma/seed.ts on a new embedded database):
// members registered since January 1st (Europe/Paris), gift coupons redeemed, a few hundred orders
// paid by transfer or by credit, prepared, shipped, delivered, cancelled or refunded, and a contest
// prize shipped — all through the app's own services, each step at its own instant, so the
// accountant's pages and exports (journal, FEC, trial balance, chart) show real figures at once.
//
// Every instant derives from deps.clock.now(): the steps run with a copy of deps whose clock is
// fixed at the step's instant. The steps are sorted by instant and run in that order, so the
// journal's numbers, the invoice and credit-note numbers follow the dates (chronological numbering).
// Variety comes from a small deterministic generator seeded by a constant (no Math.random): the
// same day gives the same demo.
import type { Deps } from '../deps.ts';
import type { Member, Product } from '../generated/prisma/client.ts';
import { fixedClock } from '../core/clock.ts';
import { parisDay, parisDayStart } from '../core/dates.ts';
import { createMember } from '../dev/factories.ts';
import { createBatch, issueCodes, redeemCoupon } from '../coupons/service.ts';
import { setStock } from '../shop/service.ts';
import { confirmAddress, markShipped as markPrizeShipped } from '../contests/service.ts';
import { cancelOrder, exportHandOver, markDelivered, markPaid, markPreparing, markShipped, placeOrder, refundOrder } from './service.ts';

const HOUR = 3600_000;
/** Orders booked by default over the year ("a few hundred", issue 13; first-start time in docs/decisions/0075). */
export const DEMO_YEAR_ORDERS = 250;
const DAY = 24 * HOUR;

export interface DemoYearOptions {
  /** Orders to book over the year (the test uses fewer). */
  orders?: number;
  /** Extra demo members who place them. */
  members?: number;
  /** Their password (the demo password, so they can be used to log in). */
  password: string;
  /** When given, receives the count and wall time (ms) of the steps by kind (profiling). */
  timings?: Map<string, { count: number; ms: number }>;
}

export interface DemoYearSummary {
  members: number;
  orders: number;
  paid: number;
  byCredit: number;
  shipped: number;
  delivered: number;
  cancelled: number;
  refunded: number;
  prizesShipped: number;
}

/** Mulberry32: a tiny deterministic generator (not for secrets). */
function generator(seed: number) {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)), pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]! };
}

const FIRST = ['Camille', 'Théo', 'Zoé', 'Nathan', 'Léna', 'Raphaël', 'Rose', 'Adam', 'Lina', 'Jules', 'Mila', 'Maël', 'Anna', 'Tom', 'Eva', 'Sacha', 'Julia', 'Paul', 'Ambre', 'Victor', 'Nina', 'Hugo', 'Lou', 'Martin', 'Clara', 'Éthan', 'Agathe', 'Nolan', 'Margaux', 'Simon'];
const LAST = ['Durand', 'Lambert', 'Fontaine', 'Rousseau', 'Vincent', 'Muller', 'Lefebvre', 'Faure', 'André', 'Gauthier', 'Perrin', 'Morin', 'Mathieu', 'Clément', 'Gaillard', 'Lopez', 'Dumont', 'Colin', 'Arnaud', 'Brun', 'Roche', 'Meyer', 'Barbier', 'Renaud', 'Giraud', 'Picard', 'Schmitt', 'Roger', 'Leroy', 'Masson'];
const TOWNS = [
  ['14 rue Victor Hugo', '33000', 'Bordeaux'], ['5 allée des Tilleuls', '67000', 'Strasbourg'], ['27 rue Nationale', '59000', 'Lille'],
  ['9 cours Mirabeau', '13100', 'Aix-en-Provence'], ['2 place Stanislas', '54000', 'Nancy'], ['41 rue de Siam', '29200', 'Brest'],
  ['18 quai de la Fosse', '44000', 'Nantes'], ['6 rue des Carmes', '45000', 'Orléans'], ['33 avenue Foch', '51100', 'Reims'],
  ['11 rue Sainte-Catherine', '87000', 'Limoges'],
] as const;
const CARRIERS = ['Colissimo', 'Mondial Relay'] as const;
const CANCEL_REASONS = ['Virement non reçu', 'Commande passée en double', 'Demande du membre avant expédition'];
const REFUND_REASONS = ['Rétractation dans les 14 jours', 'Article arrivé abîmé', 'Taille ou âge ne convenant pas'];

interface Step {
  at: number;
  seq: number;
  kind: string;
  run: (d: Deps) => Promise<void>;
}

/**
 * Books the current calendar year up to a few hours before now. Does nothing when the catalogue
 * has no product or when the year is less than a day old. Returns what was booked.
 */
export async function seedDemoYear(deps: Deps, staffId: string, opts: DemoYearOptions): Promise<DemoYearSummary> {
  const summary: DemoYearSummary = { members: 0, orders: 0, paid: 0, byCredit: 0, shipped: 0, delivered: 0, cancelled: 0, refunded: 0, prizesShipped: 0 };
  const nowMs = deps.clock.now().getTime();
  const start = parisDayStart(`${parisDay(new Date(nowMs)).slice(0, 4)}-01-01`).getTime() + 8 * HOUR;
  const end = nowMs - 3 * HOUR; // the demo member's own orders come after, at now
  const span = end - start;
  if (span < DAY) return summary;
  const products = await deps.db.product.findMany({ where: { published: true, stock: { gte: 5 } }, orderBy: { name: 'asc' } });
  if (products.length < 3) return summary;
  const initialStock = new Map(products.map((p) => [p.id, p.stock]));
  const cheapest = products.reduce((a, b) => (b.priceCents < a.priceCents ? b : a));

  const rng = generator(20_260_101);
  const clock = fixedClock(new Date(start));
  const at = (ms: number): Deps => {
    clock.set(new Date(ms));
    return { ...deps, clock };
  };
  const steps: Step[] = [];
  let seq = 0;
  const step = (t: number, run: (d: Deps) => Promise<void>, kind = 'other') => {
    if (t <= end) steps.push({ at: t, seq: seq++, kind, run });
    return t <= end;
  };

  // Members, registered over the first third of the year (one argon2 hash each: see the seed time
  // in docs/decisions/0075-demo-year.md).
  const memberCount = opts.members ?? 30;
  const batch = await createBatch(at(start - HOUR), staffId, {
    label: 'Bons cadeaux Petites Stars — année en cours', valueCents: 1500, quantity: Math.max(10, memberCount * 2),
    validFrom: new Date(start - DAY), validUntil: new Date(nowMs + 180 * DAY), perMemberLimit: 3,
  });
  const codes = await issueCodes(at(start - HOUR), staffId, batch.id);
  const members: { member: Member; since: number; ip: string }[] = [];
  const membersBegan = performance.now();
  for (let i = 0; i < memberCount; i++) {
    const since = start + Math.floor((i / memberCount) * (span / 3));
    const [line1, postcode, city] = TOWNS[i % TOWNS.length]!;
    const { member } = await createMember(at(since), {
      firstName: FIRST[i % FIRST.length], lastName: LAST[(i * 7) % LAST.length], email: `famille${i + 1}@demo.clubpetitesstars.example`,
      password: opts.password, addressLine1: line1, postcode, city, newsletter: false,
    });
    members.push({ member, since, ip: `192.0.2.${(i % 250) + 1}` }); // documentation addresses (RFC 5737)
  }
  summary.members = members.length;
  opts.timings?.set('members', { count: members.length, ms: performance.now() - membersBegan });

  // Gift vouchers of the magazine, redeemed by a third of the members soon after they join.
  let c = 0;
  for (const [i, m] of members.entries()) {
    if (i % 3 !== 1) continue;
    for (let k = 0; k < 1 + (i % 2) * 2 && c < codes.length; k++) {
      const code = codes[c++]!;
      step(m.since + HOUR + k * 10 * 60_000, (d) => redeemCoupon(d, m.member, code, m.ip).then(() => undefined), 'coupon');
    }
  }

  // The orders: placement instants spread over the year, each followed by its later steps.
  const count = opts.orders ?? DEMO_YEAR_ORDERS;
  const address = (m: Member) => ({
    firstName: m.firstName ?? 'Camille', lastName: m.lastName ?? 'Martin', addressLine1: m.addressLine1 ?? '12 rue des Lilas', addressLine2: null,
    postcode: m.postcode ?? '69003', city: m.city ?? 'Lyon', country: m.country ?? 'FR', phone: m.phone,
  });
  // Shipping rounds: one hand-over of the addresses to the carrier, then each parcel shipped.
  const rounds = new Map<number, { ref: { reference: string }; carrier: (typeof CARRIERS)[number] }[]>();
  const freshCredit = new Set<number>(); // members with gift credit not spent yet: a small first basket
  for (const [i] of members.entries()) if (i % 3 === 1) freshCredit.add(i);
  for (let i = 0; i < count; i++) {
    const placedAt = start + Math.floor(((i + 0.1 + rng.next() * 0.8) / count) * span);
    const eligible = members.filter((m) => m.since + 2 * HOUR < placedAt);
    const who = eligible.length ? rng.pick(eligible) : members[0]!;
    const picks = new Map<Product, number>();
    const whoIndex = members.indexOf(who);
    if (freshCredit.delete(whoIndex)) picks.set(cheapest, 1); // paid with the gift credit alone
    else for (let k = rng.int(1, 3); k > 0; k--) picks.set(rng.pick(products), rng.int(1, 2));
    const fate = rng.next();
    const ref = { reference: '', paidByCredit: false };
    const t = { now: placedAt };
    const later = (minH: number, maxH: number) => (t.now += rng.int(minH, maxH) * HOUR + rng.int(0, 59) * 60_000);
    const carrier = rng.pick(CARRIERS);
    const reason = (xs: string[]) => rng.pick(xs);
    const nonce = `demo-year-${i}`;

    step(placedAt, async (d) => {
      const stock = new Map((await d.db.product.findMany({ where: { id: { in: [...picks.keys()].map((p) => p.id) } }, select: { id: true, stock: true } })).map((p) => [p.id, p.stock]));
      for (const [p, q] of picks) {
        const left = stock.get(p.id) ?? 0;
        // Restocking, as the staff would: an inventory count after a delivery from the supplier.
        if (left < q) await setStock(d, staffId, p.id, left + 20);
      }
      const { order } = await placeOrder(d, who.member, {
        nonce, address: address(who.member), notes: null,
        lines: [...picks].map(([p, q]) => ({ productId: p.id, quantity: q, priceCents: p.priceCents })),
      });
      ref.reference = order.reference;
      ref.paidByCredit = order.status === 'PAID';
      summary.orders++;
      if (ref.paidByCredit) summary.byCredit++;
    }, 'place');
    const pay = () =>
      step(later(6, 72), async (d) => {
        if (ref.paidByCredit) return;
        await markPaid(d, staffId, ref.reference);
        summary.paid++;
      }, 'pay');
    const ship = () => {
      if (rng.next() < 0.3 && !step(later(1, 3), (d) => markPreparing(d, staffId, ref.reference), 'prepare')) return false;
      // The next daily shipping round at least two hours later (start is 08:00 Paris, rounds at 15:00).
      const round = start + Math.ceil((t.now + 2 * HOUR - start - 7 * HOUR) / DAY) * DAY + 7 * HOUR;
      if (round > end) return false;
      t.now = round;
      if (!rounds.has(round)) rounds.set(round, []);
      rounds.get(round)!.push({ ref, carrier });
      return true;
    };
    const deliver = () =>
      step(later(30, 96), async (d) => {
        await markDelivered(d, staffId, ref.reference);
        summary.delivered++;
      }, 'deliver');
    const why = fate < 0.06 ? reason(CANCEL_REASONS) : reason(REFUND_REASONS);
    if (fate < 0.06) {
      // Never paid: cancelled (a credit-paid one is cancelled at the member's request, credit given back).
      step(later(72, 200), async (d) => {
        await cancelOrder(d, staffId, ref.reference, ref.paidByCredit ? 'Demande du membre avant expédition' : why);
        summary.cancelled++;
      }, 'cancel');
    } else if (fate < 0.09) {
      // Paid, then cancelled before shipping: credit note and bank refund.
      if (pay()) {
        step(later(4, 48), async (d) => {
          await cancelOrder(d, staffId, ref.reference, 'Demande du membre avant expédition');
          summary.cancelled++;
        }, 'cancel');
      }
    } else if (fate < 0.15) {
      // Delivered, then returned within the withdrawal period: refunded.
      if (pay() && ship() && deliver()) {
        step(later(48, 260), async (d) => {
          await refundOrder(d, staffId, ref.reference, why);
          summary.refunded++;
        }, 'refund');
      }
    } else if (pay() && ship() && rng.next() < 0.95) deliver();
  }

  // A prize of the drawn demo contest (src/contests/demo.ts, run before): the winner of rank 1
  // confirms the address the day after the draw, the staff ship it two days later (D 6234 / C 607).
  const rank = await deps.db.contestRank.findFirst({
    where: { status: 'NOTIFIED', rank: 1, contest: { drawnAt: { not: null } }, entry: { memberId: { not: null } } },
    include: { entry: { select: { memberId: true } } },
    orderBy: { id: 'asc' },
  });
  const drawnAt = rank ? (await deps.db.contest.findUniqueOrThrow({ where: { id: rank.contestId } })).drawnAt!.getTime() : 0;
  if (rank && drawnAt >= start && drawnAt + 3 * DAY <= end) {
    const m = await deps.db.member.findUniqueOrThrow({ where: { id: rank.entry.memberId! } });
    step(drawnAt + DAY, (d) =>
      confirmAddress(d, m.id, rank.id, {
        shipName: `${m.firstName ?? ''} ${m.lastName ?? ''}`.trim() || 'Gagnant', shipLine1: m.addressLine1 ?? '1 rue du Concours', shipLine2: null,
        shipPostcode: m.postcode ?? '75001', shipCity: m.city ?? 'Paris', shipCountry: m.country ?? 'FR',
      }).then(() => undefined),
    );
    step(drawnAt + 3 * DAY, async (d) => {
      await markPrizeShipped(d, staffId, rank.contestId, rank.id);
      summary.prizesShipped++;
    });
  }

  let tracking = 0;
  for (const [round, parcels] of rounds) {
    step(round, async (d) => {
      const refs = parcels.map((p) => p.ref.reference);
      await exportHandOver(d, staffId, 'carrier', refs);
      for (const { ref, carrier } of parcels) {
        const no = ++tracking;
        await markShipped(d, staffId, ref.reference, carrier, carrier === 'Colissimo' ? `6A${String(no).padStart(11, '0')}` : `MR${String(no).padStart(8, '0')}`);
        summary.shipped++;
      }
    }, 'ship round');
  }

  steps.sort((a, b) => a.at - b.at || a.seq - b.seq);
  for (const s of steps) {
    const began = performance.now();
    await s.run(at(s.at));
    if (opts.timings) {
      const t = opts.timings.get(s.kind) ?? { count: 0, ms: 0 };
      opts.timings.set(s.kind, { count: t.count + 1, ms: t.ms + performance.now() - began });
    }
  }

  // The catalogue's own stock figures back (some products are meant to be nearly out of stock).
  const last = at(end);
  for (const p of products) {
    const current = (await deps.db.product.findUniqueOrThrow({ where: { id: p.id }, select: { stock: true } })).stock;
    if (current !== initialStock.get(p.id)) await setStock(last, staffId, p.id, initialStock.get(p.id)!);
  }
  return summary;
}
