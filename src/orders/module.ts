// Orders: the cart, the checkout, the member's orders and invoices, the staff's order lifecycle,
// the hand-over to the carrier and the supplier (with its disclosure log), unpaid-order cancellation.
import { z } from 'zod';
import type { DomainModule } from '../core/module.ts';
import { defineJob } from '../core/module.ts';
import { orderMemberRoutes, orderPublicRoutes, orderStaffRoutes } from './routes.ts';
import { autoCancelUnpaid, exportOrders, memberDisclosures, ORDERS_AUDIT, orderVeto } from './service.ts';

const A = 'accounting' as const;
const O = 'operational' as const;
const P = 'personal' as const;

export const ordersModule: DomainModule = {
  name: 'orders',
  routes: { public: orderPublicRoutes, member: orderMemberRoutes, staff: orderStaffRoutes },
  jobs: {
    'orders.auto-cancel': defineJob('Annulation des commandes impayées (virement non reçu)', z.unknown(), async (deps) => {
      const r = await autoCancelUnpaid(deps);
      deps.logger.info(r, 'unpaid orders: reminders and cancellations');
    }),
  },
  daily: ['orders.auto-cancel'],
  classification: {
    Order: {
      owner: 'memberId',
      onErase: 'scrub',
      fields: {
        id: A, reference: A, memberId: 'pseudonymous-id', status: A,
        // The nonce is tied to the member id; kept (it names nobody) so a late retry still finds the order.
        idempotencyKey: { class: O, secret: true },
        goodsCents: A, shippingCents: A, totalCents: A, creditUsedCents: A, dueCents: A, paymentMethod: A,
        invoiceNumber: A, creditNoteNumber: A, creditNoteAt: A,
        recipientName: P, addressLine1: P, addressLine2: P, postcode: P, city: P, country: P, phone: P, email: P, notes: P,
        carrier: O, trackingNumber: P, cancelReason: P,
        createdAt: A, paidAt: A, preparingAt: O, shippedAt: O, deliveredAt: O, cancelledAt: A, refundedAt: A, reminderSentAt: O, updatedAt: O,
      },
    },
    OrderLine: {
      owner: { via: 'Order', key: 'orderId' },
      onErase: 'keep',
      fields: { id: A, orderId: A, productId: A, name: A, unitPriceCents: A, vatRateBp: A, quantity: A, weightGrams: A },
    },
    // The record that data was handed over stays (the hand-over happened); it names no one once the
    // order is scrubbed: recipient and data are categories, not values.
    OrderDisclosure: {
      owner: { via: 'Order', key: 'orderId' },
      onErase: 'keep',
      fields: { id: O, orderId: O, recipient: O, data: O, purpose: O, staffId: { class: 'pseudonymous-id', secret: true }, at: O },
    },
  },
  erasure: { veto: (tx, { memberId, reason }) => orderVeto(tx, memberId, reason === 'self' ? 'member' : 'staff') },
  exports: [
    {
      key: 'commandes',
      title: 'Vos commandes',
      description: 'Chaque commande avec son adresse de livraison, ses produits, ses montants et à qui vos coordonnées ont été transmises (transporteur, fournisseur). Les montants et produits sont gardés 10 ans pour la comptabilité.',
      build: (deps, memberId) => exportOrders(deps, memberId),
    },
  ],
  disclosures: (deps, memberId) => memberDisclosures(deps, memberId),
  audit: ORDERS_AUDIT,
  // The hand-over's recipient (order.exported's `what`).
  auditDetailValues: { carrier: 'transporteur', supplier: 'fournisseur' },
  nav: [
    { area: 'public', href: '/panier', label: 'Panier' },
    { area: 'member', href: '/compte/commandes', label: 'Mes commandes', hint: 'Suivre vos commandes, télécharger vos factures.' },
    { area: 'staff', href: '/gestion/commandes', label: 'Commandes', hint: 'Paiements reçus, préparation, expédition, annulation.' },
    { area: 'staff', href: '/gestion/expeditions', label: 'Expéditions', hint: 'Transmettre les commandes payées au transporteur et au fournisseur.' },
  ],
};
