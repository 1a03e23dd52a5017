// Demo orders for the demo member, in several states, from the catalogue's seeded products.
// Does nothing when there is no product yet (the catalogue's seed must run first).
import { randomUUID } from 'node:crypto';
import type { Deps } from '../deps.ts';
import type { Member } from '../generated/prisma/client.ts';
import { exportHandOver, cancelOrder, markDelivered, markPaid, markShipped, placeOrder } from './service.ts';

export async function seedDemoOrders(deps: Deps, member: Member, staffId: string): Promise<number> {
  const products = await deps.db.product.findMany({ where: { published: true, stock: { gte: 5 } }, orderBy: { name: 'asc' }, take: 4 });
  if (products.length < 2) return 0;
  const address = {
    firstName: member.firstName ?? 'Léa', lastName: member.lastName ?? 'Moreau', addressLine1: member.addressLine1 ?? '8 rue de la République',
    addressLine2: null, postcode: member.postcode ?? '69002', city: member.city ?? 'Lyon', country: member.country ?? 'FR', phone: member.phone,
  };
  const place = async (picks: { i: number; q: number }[]) =>
    (await placeOrder(deps, member, { nonce: randomUUID(), address, notes: null, lines: picks.map(({ i, q }) => ({ productId: products[i % products.length].id, quantity: q, priceCents: products[i % products.length].priceCents })) })).order;
  const delivered = await place([{ i: 0, q: 1 }, { i: 1, q: 2 }]);
  if (delivered.status === 'AWAITING_PAYMENT') await markPaid(deps, staffId, delivered.reference);
  await exportHandOver(deps, staffId, 'carrier', [delivered.reference]);
  await markShipped(deps, staffId, delivered.reference, 'Colissimo', '6A00000000001');
  await markDelivered(deps, staffId, delivered.reference);
  const shipped = await place([{ i: 2, q: 1 }]);
  if (shipped.status === 'AWAITING_PAYMENT') await markPaid(deps, staffId, shipped.reference);
  await exportHandOver(deps, staffId, 'carrier', [shipped.reference]);
  await markShipped(deps, staffId, shipped.reference, 'Mondial Relay', 'MR12345678');
  const cancelled = await place([{ i: 3, q: 1 }]);
  await cancelOrder(deps, staffId, cancelled.reference, 'Commande passée en double');
  await place([{ i: 1, q: 1 }]); // awaiting the transfer
  return 4;
}
