// Demo data for the embedded database: one account per role, coupon batches, some history.
// Runs automatically on the first start of a new embedded database (never in production).
import type { Deps } from '../src/deps.ts';
import { createBatchWithCodes, createMember } from '../src/dev/factories.ts';
import { redeemCoupon } from '../src/coupons/service.ts';
import { seedDemoOrders } from '../src/orders/seed.ts';
import { seedCatalogue } from '../src/shop/seed.ts';
import { seedContests } from '../src/contests/demo.ts';
import { seedDemoYear } from '../src/orders/demo-year.ts';

export const DEMO_PASSWORD = 'etoile-filante-2026';

export async function seedDemo(deps: Deps, opts: { yearOrders?: number } = {}) {
  const list = [
    { role: 'MEMBER', email: 'membre@demo.clubpetitesstars.example' },
    { role: 'STAFF', email: 'equipe@demo.clubpetitesstars.example' },
    { role: 'ACCOUNTANT', email: 'comptable@demo.clubpetitesstars.example' },
    { role: 'ADMIN', email: 'admin@demo.clubpetitesstars.example' },
  ] as const;
  if (await deps.db.member.findUnique({ where: { email: list[3].email } })) {
    return { password: DEMO_PASSWORD, list, codes: [] as string[], alreadyThere: true };
  }
  const people = [
    { firstName: 'Léa', lastName: 'Moreau', addressLine1: '8 rue de la République', postcode: '69002', city: 'Lyon' },
    { firstName: 'Hugo', lastName: 'Lefèvre', addressLine1: '21 avenue Jean Jaurès', postcode: '31000', city: 'Toulouse' },
    { firstName: 'Chloé', lastName: 'Bernard', addressLine1: '3 place du Marché', postcode: '44000', city: 'Nantes' },
    { firstName: 'Sophie', lastName: 'Garnier', addressLine1: '15 boulevard Voltaire', postcode: '75011', city: 'Paris' },
  ];
  const made = [];
  for (const [i, a] of list.entries()) {
    made.push(
      await createMember(
        deps,
        { ...people[i], email: a.email, password: DEMO_PASSWORD, phone: i === 0 ? '0612345678' : null, newsletter: i === 0 },
        { role: a.role },
      ),
    );
  }
  const staff = made[1].member;
  const { codes } = await createBatchWithCodes(deps, staff.id, { label: 'Magazine Petites Stars — décembre', valueCents: 500, quantity: 50 });
  await createBatchWithCodes(deps, staff.id, { label: 'Pack goûter Petites Stars', valueCents: 200, quantity: 20, perMemberLimit: 3 });
  // A little history for the demo member.
  for (const code of codes.slice(0, 3)) await redeemCoupon(deps, made[0].member, code, '127.0.0.1');
  await seedCatalogue(deps);
  await seedContests(deps, staff.id, DEMO_PASSWORD);
  // The current year booked day by day (orders, payments, refunds, a prize), before the demo
  // member's orders placed now: the journal and invoice numbers follow the dates.
  await seedDemoYear(deps, staff.id, { password: DEMO_PASSWORD, orders: opts.yearOrders });
  // Orders in several states (after the catalogue's products exist; none without them).
  await seedDemoOrders(deps, made[0].member, staff.id);
  return { password: DEMO_PASSWORD, list, codes: codes.slice(3, 6), alreadyThere: false };
}
