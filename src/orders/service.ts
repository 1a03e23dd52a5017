// Orders: placement (atomic, idempotent), lifecycle, hand-over exports, automatic cancellation.
import type { Deps } from '../deps.ts';
import type { Member, Order, OrderLine, OrderStatus, Prisma } from '../generated/prisma/client.ts';
import { ConflictError, isUniqueViolation, NotFoundError, ValidationError } from '../core/errors.ts';
import { formatEuros } from '../core/money.ts';
import { memberNumber } from '../core/member-number.ts';
import { formatDate } from '../core/dates.ts';
import { auditWith } from '../audit/service.ts';
import { balanceOf, lockMember, postCredit } from '../credit/ledger.ts';
import { nextNumber } from '../db/counter.ts';
import { queueMail, SIGNATURE } from '../mail/outbox.ts';
import { bankRefundLines, computeInvoice, creditNoteLines, invoiceLines, paymentLines, shippingFee } from './bookings.ts';
import type { Invoice } from './bookings.ts';
import { postOrderEntry } from './journal.ts';
import { paymentMethods } from './payment.ts';
import type { CartLine } from './cart.ts';
import { copies } from './cart.ts';

type Tx = Prisma.TransactionClient;

export const ORDERS_AUDIT = {
  'order.placed': 'Commande passée',
  'order.paid': 'Paiement d’une commande reçu',
  'order.preparing': 'Commande en préparation',
  'order.shipped': 'Commande expédiée',
  'order.delivered': 'Commande livrée',
  'order.cancelled': 'Commande annulée',
  'order.refunded': 'Commande remboursée',
  'order.exported': 'Commandes transmises au transporteur ou au fournisseur',
} as const;
const audit = auditWith(ORDERS_AUDIT);

export const STATUS_LABELS: Record<OrderStatus, string> = {
  AWAITING_PAYMENT: 'En attente de paiement',
  PAID: 'Payée',
  PREPARING: 'En préparation',
  SHIPPED: 'Expédiée',
  DELIVERED: 'Livrée',
  CANCELLED: 'Annulée',
  REFUNDED: 'Remboursée',
};

/** Checkouts wait for the product rows and the counters: a long queue is not an error. */
const TX = { maxWait: 60_000, timeout: 60_000 };

export const formatReference = (n: number) => `C${String(n).padStart(6, '0')}`;
export const formatInvoiceNumber = (n: number) => `F${String(n).padStart(7, '0')}`;
export const formatCreditNoteNumber = (n: number) => `AV${String(n).padStart(6, '0')}`;

export interface ShippingAddress {
  firstName: string;
  lastName: string;
  addressLine1: string;
  addressLine2: string | null;
  postcode: string;
  city: string;
  country: string;
  phone: string | null;
}

export interface PlaceOrderInput {
  nonce: string;
  address: ShippingAddress;
  notes: string | null;
  lines: CartLine[];
  paymentMethod?: string;
}

export type OrderWithLines = Order & { lines: OrderLine[] };

function invoiceOf(o: OrderWithLines): Invoice {
  return computeInvoice({ lines: o.lines, shippingCents: o.shippingCents, creditUsedCents: o.creditUsedCents });
}

const piece = (o: Order) => formatInvoiceNumber(o.invoiceNumber);

/**
 * Places the order in one transaction: stock decremented by conditional updates, credit debited,
 * invoice numbered, journal entry posted, confirmation e-mail queued, audited — or nothing.
 * The same nonce from the same member gives back the first order (double click, retried POST).
 */
export async function placeOrder(deps: Deps, member: Member, input: PlaceOrderInput): Promise<{ order: Order; duplicate: boolean }> {
  if (!member.emailConfirmedAt) throw new ConflictError('Confirmez d’abord votre adresse électronique (lien reçu par courriel) pour commander.');
  const idempotencyKey = `${member.id}:${input.nonce}`;
  const payment = paymentMethods(deps.config)[input.paymentMethod ?? 'BANK_TRANSFER'];
  if (!payment) throw new ValidationError('Moyen de paiement inconnu.', 'paiement');
  const lines = [...input.lines].sort((a, b) => (a.productId < b.productId ? -1 : 1));
  const now = deps.clock.now();
  try {
    return await deps.db.$transaction(async (tx) => {
      await lockMember(tx, member.id);
      const existing = await tx.order.findUnique({ where: { idempotencyKey } });
      if (existing) return { order: existing, duplicate: true };
      if (!lines.length) throw new ConflictError('Votre panier est vide.');

      const snapshot: { productId: string; name: string; unitPriceCents: number; vatRateBp: number; quantity: number; weightGrams: number }[] = [];
      for (const l of lines) {
        // One conditional update per product: the row lock orders concurrent checkouts, and the
        // WHERE clause refuses a sale the stock, the publication or the price no longer allow.
        const rows = await tx.$queryRaw<{ name: string; vatRateBp: number; weightGrams: number }[]>`
          UPDATE "Product" SET stock = stock - ${l.quantity}
          WHERE id = ${l.productId}::uuid AND published AND stock >= ${l.quantity} AND "priceCents" = ${l.priceCents}
          RETURNING name, "vatRateBp", "weightGrams"`;
        if (!rows.length) {
          const p = await tx.product.findUnique({ where: { id: l.productId } });
          if (!p || !p.published) throw new ConflictError('Un produit de votre panier n’est plus disponible. Vérifiez votre panier.');
          if (p.priceCents !== l.priceCents) {
            throw new ConflictError(`Le prix de « ${p.name} » a changé (${formatEuros(l.priceCents)} → ${formatEuros(p.priceCents)}). Vérifiez le nouveau total avant de confirmer.`);
          }
          throw new ConflictError(
            p.stock === 0 ? `« ${p.name} » vient d’être épuisé. Retirez-le du panier pour continuer.` : `Il ne reste que ${copies(p.stock)} de « ${p.name} ». Ajustez la quantité.`,
          );
        }
        snapshot.push({ productId: l.productId, name: rows[0].name, unitPriceCents: l.priceCents, vatRateBp: rows[0].vatRateBp, quantity: l.quantity, weightGrams: rows[0].weightGrams });
      }
      const goods = snapshot.reduce((s, l) => s + l.unitPriceCents * l.quantity, 0);
      const shipping = shippingFee(goods, deps.config.shop.shippingFlatCents, deps.config.shop.shippingFreeFromCents);
      const balance = await balanceOf(tx, member.id);
      const creditUsed = Math.min(balance, goods + shipping);
      const inv = computeInvoice({ lines: snapshot, shippingCents: shipping, creditUsedCents: creditUsed });
      const paid = inv.dueCents === 0;

      // The counters last: their row locks are held only for the end of the transaction.
      const reference = formatReference(await nextNumber(tx, 'order'));
      const invoiceNumber = await nextNumber(tx, 'invoice');
      const a = input.address;
      const order = await tx.order.create({
        data: {
          reference,
          memberId: member.id,
          status: paid ? 'PAID' : 'AWAITING_PAYMENT',
          idempotencyKey,
          goodsCents: inv.goodsCents,
          shippingCents: inv.shippingCents,
          totalCents: inv.totalCents,
          creditUsedCents: inv.creditUsedCents,
          dueCents: inv.dueCents,
          paymentMethod: paid ? 'CREDIT' : payment.key,
          invoiceNumber,
          recipientName: `${a.firstName} ${a.lastName}`,
          addressLine1: a.addressLine1,
          addressLine2: a.addressLine2,
          postcode: a.postcode,
          city: a.city,
          country: a.country,
          phone: a.phone,
          email: member.email,
          notes: input.notes,
          createdAt: now,
          paidAt: paid ? now : null,
          updatedAt: now,
          lines: { create: snapshot },
        },
      });
      if (creditUsed > 0) {
        await postCredit(tx, { memberId: member.id, amountCents: -creditUsed, kind: 'ORDER', label: `Commande ${reference}`, idempotencyKey: `order:${order.id}`, at: now, locked: true });
      }
      await postOrderEntry(tx, {
        journal: 'VE',
        at: now,
        piece: formatInvoiceNumber(invoiceNumber),
        label: `Facture ${formatInvoiceNumber(invoiceNumber)} commande ${reference} ${memberNumber(member.number)}`,
        idempotencyKey: `order-invoiced:${order.id}`,
        lines: invoiceLines(inv, member.number),
      });
      await audit(tx, 'order.placed', { at: now, actor: member.id, subject: member.id, details: { id: reference, amountCents: inv.totalCents } });
      const instructions = paid ? null : payment.instructions(reference, inv.dueCents);
      await queueMail(tx, now, member.id, member.email!, {
        subject: `Votre commande ${reference}`,
        text: [
          `Bonjour,`,
          ``,
          `Nous avons bien reçu votre commande ${reference} (facture ${formatInvoiceNumber(invoiceNumber)}).`,
          ...snapshot.map((l) => `- ${l.quantity} × ${l.name} : ${formatEuros(l.unitPriceCents * l.quantity)}`),
          `Frais de port : ${formatEuros(inv.shippingCents)}`,
          `Total TTC : ${formatEuros(inv.totalCents)}`,
          ...(creditUsed ? [`Payé avec votre crédit : ${formatEuros(creditUsed)}`] : []),
          ``,
          paid ? 'Votre commande est entièrement réglée par votre crédit : nous la préparons.' : `Reste à payer par virement bancaire :\n${instructions!.text}`,
          ``,
          `Suivre votre commande : ${deps.config.publicUrl}/compte/commandes/${reference}`,
        ].join('\n') + SIGNATURE,
      });
      return { order, duplicate: false };
    }, TX);
  } catch (err) {
    // Two submissions of the same form racing past the lock-free check: the loser finds the winner's order.
    if (isUniqueViolation(err)) {
      const order = await deps.db.order.findUnique({ where: { idempotencyKey } });
      if (order) return { order, duplicate: true };
    }
    throw err;
  }
}

// ---- Reading ----

export async function memberOrders(deps: Deps, memberId: string) {
  return deps.db.order.findMany({ where: { memberId }, orderBy: { createdAt: 'desc' }, take: 200 });
}

/** The member's own order: someone else's answers exactly like a missing one (404). */
export async function memberOrder(deps: Deps, memberId: string, reference: string) {
  const order = await deps.db.order.findFirst({ where: { reference, memberId }, include: { lines: { orderBy: { id: 'asc' } }, disclosures: { orderBy: { id: 'asc' } } } });
  if (!order) throw new NotFoundError('Commande introuvable.');
  return { order, invoice: invoiceOf(order) };
}

export interface StaffFilter {
  status?: OrderStatus;
  q?: string;
  /** Keyset: the orders invoiced before this invoice number (the next page). */
  before?: number;
}

/** Rows per page of the staff's order list. */
export const STAFF_PAGE_SIZE = 50;

/** "42", "c42", "C000042" → "C000042"; anything else is no reference. */
export function normalizeReference(q: string): string | null {
  const m = /^C?0*(\d{1,9})$/i.exec(q.trim());
  return m ? formatReference(Number(m[1])) : null;
}

/**
 * The staff's order list, newest first, one page at a time by keyset on the invoice number (unique,
 * given in the order's transaction): each page reads at most STAFF_PAGE_SIZE + 1 rows through an
 * index ((status, invoiceNumber) with a filter), whatever the size of the table. The search is by
 * exact reference (unique index), typed in full or as its number.
 */
export async function staffOrders(deps: Deps, f: StaffFilter) {
  const reference = f.q ? normalizeReference(f.q) : undefined;
  if (reference === null) return { orders: [], next: null };
  const rows = await deps.db.order.findMany({
    where: {
      ...(f.status ? { status: f.status } : {}),
      ...(reference ? { reference } : {}),
      ...(f.before ? { invoiceNumber: { lt: f.before } } : {}),
    },
    select: { reference: true, createdAt: true, status: true, totalCents: true, dueCents: true, invoiceNumber: true },
    orderBy: { invoiceNumber: 'desc' },
    take: STAFF_PAGE_SIZE + 1,
  });
  const orders = rows.slice(0, STAFF_PAGE_SIZE);
  return { orders, next: rows.length > STAFF_PAGE_SIZE ? orders[orders.length - 1].invoiceNumber : null };
}

/** The credit note of the member's own cancelled or refunded order; none (or someone else's) is a 404. */
export async function memberCreditNote(deps: Deps, memberId: string, reference: string) {
  const data = await memberOrder(deps, memberId, reference);
  if (!data.order.creditNoteNumber) throw new NotFoundError('Cette commande n’a pas d’avoir.');
  return data;
}

export async function staffCreditNote(deps: Deps, reference: string) {
  const data = await staffOrder(deps, reference);
  if (!data.order.creditNoteNumber) throw new NotFoundError('Cette commande n’a pas d’avoir.');
  return data;
}

export async function staffOrder(deps: Deps, reference: string) {
  const order = await deps.db.order.findUnique({ where: { reference }, include: { lines: { orderBy: { id: 'asc' } }, disclosures: { orderBy: { id: 'asc' } } } });
  if (!order) throw new NotFoundError('Commande introuvable.');
  const member = await deps.db.member.findUnique({ where: { id: order.memberId }, select: { number: true } });
  return { order, invoice: invoiceOf(order), memberNumber: member?.number ?? 0 };
}

// ---- Lifecycle ----

const NEXT: Record<string, OrderStatus[]> = {
  PAID: ['AWAITING_PAYMENT'],
  PREPARING: ['PAID'],
  SHIPPED: ['PAID', 'PREPARING'],
  DELIVERED: ['SHIPPED'],
  CANCELLED: ['AWAITING_PAYMENT', 'PAID', 'PREPARING'],
  REFUNDED: ['SHIPPED', 'DELIVERED'],
};

async function lockOrder(tx: Tx, reference: string): Promise<OrderWithLines & { memberNumber: number; memberEmail: string | null }> {
  const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "Order" WHERE reference = ${reference} FOR UPDATE`;
  if (!rows.length) throw new NotFoundError('Commande introuvable.');
  const order = await tx.order.findUniqueOrThrow({ where: { id: rows[0].id }, include: { lines: true } });
  const m = await tx.member.findUniqueOrThrow({ where: { id: order.memberId }, select: { number: true, email: true } });
  return { ...order, memberNumber: m.number, memberEmail: m.email };
}

function refuse(order: Order, to: OrderStatus): never {
  throw new ConflictError(`Impossible : la commande ${order.reference} est « ${STATUS_LABELS[order.status]} » (vers « ${STATUS_LABELS[to]} »).`);
}

async function tell(tx: Tx, deps: Deps, order: { memberId: string; reference: string }, email: string | null, subject: string, body: string) {
  if (!email) return;
  await queueMail(tx, deps.clock.now(), order.memberId, email, {
    subject: `Commande ${order.reference} : ${subject}`,
    text: `Bonjour,\n\n${body}\n\nVotre commande : ${deps.config.publicUrl}/compte/commandes/${order.reference}${SIGNATURE}`,
  });
}

export async function markPaid(deps: Deps, staffId: string, reference: string) {
  const now = deps.clock.now();
  return deps.db.$transaction(async (tx) => {
    const o = await lockOrder(tx, reference);
    if (!NEXT.PAID.includes(o.status)) refuse(o, 'PAID');
    await tx.order.update({ where: { id: o.id }, data: { status: 'PAID', paidAt: now, updatedAt: now } });
    await postOrderEntry(tx, {
      journal: 'BQ', at: now, piece: o.reference, label: `Virement commande ${o.reference} ${memberNumber(o.memberNumber)}`,
      idempotencyKey: `order-paid:${o.id}`, lines: paymentLines(o.dueCents, o.memberNumber),
    });
    await audit(tx, 'order.paid', { at: now, actor: staffId, subject: o.memberId, details: { id: o.reference, amountCents: o.dueCents } });
    await tell(tx, deps, o, o.memberEmail, 'paiement reçu', `Nous avons reçu votre virement de ${formatEuros(o.dueCents)} : votre commande ${o.reference} va être préparée.`);
  }, TX);
}

export async function markPreparing(deps: Deps, staffId: string, reference: string) {
  const now = deps.clock.now();
  return deps.db.$transaction(async (tx) => {
    const o = await lockOrder(tx, reference);
    if (!NEXT.PREPARING.includes(o.status)) refuse(o, 'PREPARING');
    await tx.order.update({ where: { id: o.id }, data: { status: 'PREPARING', preparingAt: now, updatedAt: now } });
    await audit(tx, 'order.preparing', { at: now, actor: staffId, subject: o.memberId, details: { id: o.reference } });
  }, TX);
}

export async function markShipped(deps: Deps, staffId: string, reference: string, carrier: string, trackingNumber: string) {
  const now = deps.clock.now();
  return deps.db.$transaction(async (tx) => {
    const o = await lockOrder(tx, reference);
    if (!NEXT.SHIPPED.includes(o.status)) refuse(o, 'SHIPPED');
    await tx.order.update({ where: { id: o.id }, data: { status: 'SHIPPED', shippedAt: now, carrier, trackingNumber, updatedAt: now } });
    // A parcel shipped without the carrier's file (a label written by hand, a counter drop-off)
    // still handed the address to the carrier: the disclosure log says so, once per order.
    const told = await tx.orderDisclosure.count({ where: { orderId: o.id, recipient: { startsWith: RECIPIENTS.carrier.name } } });
    if (!told) {
      const r = RECIPIENTS.carrier;
      await tx.orderDisclosure.create({ data: { orderId: o.id, recipient: `${r.name} (${carrier})`, data: r.data, purpose: r.purpose, staffId, at: now } });
    }
    await audit(tx, 'order.shipped', { at: now, actor: staffId, subject: o.memberId, details: { id: o.reference } });
    await tell(tx, deps, o, o.memberEmail, 'expédiée', `Votre commande ${o.reference} est partie le ${formatDate(now)}.\nTransporteur : ${carrier}\nNuméro de suivi : ${trackingNumber}`);
  }, TX);
}

export async function markDelivered(deps: Deps, staffId: string, reference: string) {
  const now = deps.clock.now();
  return deps.db.$transaction(async (tx) => {
    const o = await lockOrder(tx, reference);
    if (!NEXT.DELIVERED.includes(o.status)) refuse(o, 'DELIVERED');
    await tx.order.update({ where: { id: o.id }, data: { status: 'DELIVERED', deliveredAt: now, updatedAt: now } });
    await audit(tx, 'order.delivered', { at: now, actor: staffId, subject: o.memberId, details: { id: o.reference } });
    await tell(tx, deps, o, o.memberEmail, 'livrée', `Votre commande ${o.reference} est indiquée comme livrée. Vous disposez de 14 jours pour exercer votre droit de rétractation.`);
  }, TX);
}

/**
 * Cancellation (before shipping) or refund (after): a credit note reversing the invoice, the
 * credit used given back, the money received paid back (D 411 / C 512); a cancellation restocks.
 */
async function unwind(
  deps: Deps, tx: Tx, o: Awaited<ReturnType<typeof lockOrder>>, to: 'CANCELLED' | 'REFUNDED', reason: string, actor: string | null, goodsReturned = false,
) {
  const now = deps.clock.now();
  if (!NEXT[to].includes(o.status)) refuse(o, to);
  const moneyReceived = o.status !== 'AWAITING_PAYMENT' ? o.dueCents : 0;
  const creditNoteNumber = await nextNumber(tx, 'credit-note');
  await tx.order.update({
    where: { id: o.id },
    data: { status: to, cancelReason: reason, creditNoteNumber, creditNoteAt: now, updatedAt: now, ...(to === 'CANCELLED' ? { cancelledAt: now } : { refundedAt: now }) },
  });
  // A cancellation restocks (the goods never left); a refund only when staff say the goods came back (decision 0063).
  const restock = to === 'CANCELLED' || goodsReturned;
  if (restock) {
    for (const l of [...o.lines].sort((a, b) => (a.productId < b.productId ? -1 : 1))) {
      await tx.$executeRaw`UPDATE "Product" SET stock = stock + ${l.quantity} WHERE id = ${l.productId}::uuid`;
    }
  }
  if (o.creditUsedCents > 0) {
    await postCredit(tx, { memberId: o.memberId, amountCents: o.creditUsedCents, kind: 'REFUND', label: `${to === 'CANCELLED' ? 'Annulation' : 'Remboursement'} commande ${o.reference}`, idempotencyKey: `order-unwind:${o.id}`, at: now, locked: true });
  }
  const av = formatCreditNoteNumber(creditNoteNumber);
  await postOrderEntry(tx, {
    journal: 'VE', at: now, piece: av, label: `Avoir ${av} sur facture ${piece(o)} commande ${o.reference} ${memberNumber(o.memberNumber)}`,
    idempotencyKey: `order-credit-note:${o.id}`, lines: creditNoteLines(invoiceOf(o), o.memberNumber),
  });
  if (moneyReceived > 0) {
    await postOrderEntry(tx, {
      journal: 'BQ', at: now, piece: av, label: `Remboursement commande ${o.reference} ${memberNumber(o.memberNumber)}`,
      idempotencyKey: `order-bank-refund:${o.id}`, lines: bankRefundLines(moneyReceived, o.memberNumber),
    });
  }
  // The reason is free text about the member: it stays on the order (erasable), not in the kept journal.
  await audit(tx, to === 'CANCELLED' ? 'order.cancelled' : 'order.refunded', {
    at: now, actor, subject: o.memberId,
    details: {
      id: o.reference,
      ...(to === 'REFUNDED' ? { stock: restock ? `articles retournés, ${o.lines.reduce((n, l) => n + l.quantity, 0)} remis en stock` : 'articles non retournés, stock inchangé' } : {}),
    },
  });
  const parts = [
    `Votre commande ${o.reference} a été ${to === 'CANCELLED' ? 'annulée' : 'remboursée'} (avoir ${av}).`,
    `Motif : ${reason}`,
    ...(o.creditUsedCents ? [`Votre crédit de ${formatEuros(o.creditUsedCents)} vous a été rendu.`] : []),
    ...(moneyReceived ? [`Les ${formatEuros(moneyReceived)} payés par virement vous seront reversés sur votre compte bancaire.`] : []),
  ];
  await tell(tx, deps, o, o.memberEmail, to === 'CANCELLED' ? 'annulée' : 'remboursée', parts.join('\n'));
}

export async function cancelOrder(deps: Deps, staffId: string | null, reference: string, reason: string) {
  return deps.db.$transaction(async (tx) => {
    // The member's lock first, like every writer of a member's rows (checkout, erasure): no deadlock.
    const owner = await tx.order.findUnique({ where: { reference }, select: { memberId: true } });
    if (!owner) throw new NotFoundError('Commande introuvable.');
    await lockMember(tx, owner.memberId);
    const o = await lockOrder(tx, reference);
    await unwind(deps, tx, o, 'CANCELLED', reason, staffId);
  }, TX);
}

/** Refund after shipping; `goodsReturned`: the parcel came back, its units go back on sale. */
export async function refundOrder(deps: Deps, staffId: string, reference: string, reason: string, goodsReturned = false) {
  return deps.db.$transaction(async (tx) => {
    // The member's lock first, like every writer of a member's rows (checkout, erasure): no deadlock.
    const owner = await tx.order.findUnique({ where: { reference }, select: { memberId: true } });
    if (!owner) throw new NotFoundError('Commande introuvable.');
    await lockMember(tx, owner.memberId);
    const o = await lockOrder(tx, reference);
    await unwind(deps, tx, o, 'REFUNDED', reason, staffId, goodsReturned);
  }, TX);
}

// ---- Automatic cancellation of unpaid orders (daily job) ----

const DAY = 24 * 3600_000;

export async function autoCancelUnpaid(deps: Deps): Promise<{ warned: number; cancelled: number }> {
  const now = deps.clock.now();
  const { unpaidCancelDays, unpaidWarnDaysBefore } = deps.config.shop;
  const cancelBefore = new Date(now.getTime() - unpaidCancelDays * DAY);
  const warnBefore = new Date(now.getTime() - (unpaidCancelDays - unpaidWarnDaysBefore) * DAY);
  let cancelled = 0;
  let warned = 0;
  const due = await deps.db.order.findMany({ where: { status: 'AWAITING_PAYMENT', createdAt: { lte: cancelBefore } }, select: { reference: true } });
  for (const { reference } of due) {
    try {
      await cancelOrder(deps, null, reference, `Virement non reçu sous ${unpaidCancelDays} jours`);
      cancelled++;
    } catch (err) {
      // Paid or cancelled by staff in the meantime: nothing to do.
      if (!(err instanceof ConflictError)) throw err;
    }
  }
  const toWarn = await deps.db.order.findMany({
    where: { status: 'AWAITING_PAYMENT', reminderSentAt: null, createdAt: { lte: warnBefore, gt: cancelBefore } },
    select: { id: true, reference: true, memberId: true, dueCents: true, createdAt: true },
  });
  const pm = paymentMethods(deps.config).BANK_TRANSFER;
  for (const o of toWarn) {
    await deps.db.$transaction(async (tx) => {
      const n = await tx.order.updateMany({ where: { id: o.id, reminderSentAt: null, status: 'AWAITING_PAYMENT' }, data: { reminderSentAt: now } });
      if (!n.count) return;
      const m = await tx.member.findUnique({ where: { id: o.memberId }, select: { email: true } });
      const deadline = new Date(o.createdAt.getTime() + unpaidCancelDays * DAY);
      await tell(tx, deps, o, m?.email ?? null, 'en attente de votre virement',
        `Nous n’avons pas encore reçu le virement de votre commande ${o.reference}. Sans paiement d’ici le ${formatDate(deadline)}, elle sera annulée automatiquement.\n\n${pm.instructions(o.reference, o.dueCents).text}`);
      warned++;
    });
  }
  return { warned, cancelled };
}

// ---- Hand-over to the carrier and the supplier ----

export type Recipient = 'carrier' | 'supplier';
export const RECIPIENTS: Record<Recipient, { name: string; data: string; purpose: string }> = {
  carrier: { name: 'Transporteur', data: 'nom, adresse de livraison, téléphone, poids du colis, référence de commande', purpose: 'Livraison de la commande' },
  supplier: { name: 'Fournisseur', data: 'nom, adresse de livraison, produits commandés, référence de commande', purpose: 'Préparation et expédition de la commande' },
};

export async function shippableOrders(deps: Deps) {
  return deps.db.order.findMany({ where: { status: { in: ['PAID', 'PREPARING'] } }, orderBy: { createdAt: 'asc' }, include: { lines: true, disclosures: true }, take: 500 });
}

const csvCell = (v: string | number | null) => {
  const s = String(v ?? '').replace(/[\r\n\t]+/g, ' ');
  // No formula injection in a spreadsheet: a leading =, +, -, @ is quoted as text.
  const safe = /^[=+\-@]/.test(s) ? `'${s}` : s;
  return /[";]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};
const csvRow = (cells: (string | number | null)[]) => cells.map(csvCell).join(';');

/** The CSV for the carrier or supplier, recording each order's hand-over in the same transaction. */
export async function exportHandOver(deps: Deps, staffId: string, recipient: Recipient, references: string[]): Promise<string> {
  if (!references.length) throw new ValidationError('Cochez au moins une commande.', 'commandes');
  const now = deps.clock.now();
  const r = RECIPIENTS[recipient];
  return deps.db.$transaction(async (tx) => {
    const orders = await tx.order.findMany({ where: { reference: { in: references }, status: { in: ['PAID', 'PREPARING'] } }, include: { lines: true }, orderBy: { reference: 'asc' } });
    if (orders.length !== new Set(references).size) throw new ConflictError('Seules des commandes payées et pas encore expédiées peuvent être transmises.', 'commandes');
    const rows: string[] = [];
    if (recipient === 'carrier') {
      rows.push(csvRow(['reference', 'destinataire', 'adresse', 'complement', 'code_postal', 'ville', 'pays', 'telephone', 'poids_grammes']));
      for (const o of orders) {
        const weight = o.lines.reduce((s, l) => s + l.weightGrams * l.quantity, 0);
        rows.push(csvRow([o.reference, o.recipientName, o.addressLine1, o.addressLine2, o.postcode, o.city, o.country, o.phone, weight]));
      }
    } else {
      rows.push(csvRow(['reference', 'destinataire', 'adresse', 'complement', 'code_postal', 'ville', 'pays', 'produit', 'quantite']));
      for (const o of orders) for (const l of o.lines) rows.push(csvRow([o.reference, o.recipientName, o.addressLine1, o.addressLine2, o.postcode, o.city, o.country, l.name, l.quantity]));
    }
    await tx.orderDisclosure.createMany({ data: orders.map((o) => ({ orderId: o.id, recipient: r.name, data: r.data, purpose: r.purpose, staffId, at: now })) });
    await audit(tx, 'order.exported', { at: now, actor: staffId, details: { what: recipient, count: orders.length } });
    return `\ufeff${rows.join('\r\n')}\r\n`;
  }, TX);
}

// ---- Privacy ----

/** Why the member cannot be erased yet, told to them or to the admin who erases on request. */
export async function orderVeto(tx: Tx, memberId: string, to: 'member' | 'staff' = 'member'): Promise<string | null> {
  const open = await tx.order.findMany({ where: { memberId, status: { in: ['AWAITING_PAYMENT', 'PAID', 'PREPARING', 'SHIPPED'] } }, select: { reference: true }, take: 5 });
  if (!open.length) return null;
  if (to === 'staff') {
    return `Ce compte a des commandes en cours (${open.map((o) => o.reference).join(', ')}) : son adresse sert encore à les livrer. Annulez-les (ou attendez leur livraison), puis recommencez l’effacement.`;
  }
  return `Votre compte ne peut pas être supprimé tant qu’une commande attend son paiement ou sa livraison (${open.map((o) => o.reference).join(', ')}) : nous avons besoin de vos coordonnées pour la livrer, ou pour l’annuler et vous rembourser. Attendez la livraison, ou demandez l’annulation au club, puis recommencez.`;
}

export async function memberDisclosures(deps: Deps, memberId: string) {
  const rows = await deps.db.orderDisclosure.findMany({ where: { order: { memberId } }, include: { order: { select: { reference: true } } }, orderBy: { id: 'asc' } });
  return rows.map((d) => ({ destinataire: d.recipient, donnees: d.data, motif: `${d.purpose} (commande ${d.order.reference})`, date: d.at.toISOString() }));
}

export async function exportOrders(deps: Deps, memberId: string) {
  const orders = await deps.db.order.findMany({ where: { memberId }, include: { lines: true, disclosures: true }, orderBy: { createdAt: 'asc' } });
  return orders.map((o) => ({
    reference: o.reference,
    statut: STATUS_LABELS[o.status],
    date: o.createdAt.toISOString(),
    facture: formatInvoiceNumber(o.invoiceNumber),
    avoir: o.creditNoteNumber ? formatCreditNoteNumber(o.creditNoteNumber) : null,
    total_centimes: o.totalCents,
    credit_utilise_centimes: o.creditUsedCents,
    reste_a_payer_centimes: o.dueCents,
    livraison: { destinataire: o.recipientName, adresse: o.addressLine1, complement: o.addressLine2, code_postal: o.postcode, ville: o.city, pays: o.country, telephone: o.phone, courriel: o.email, notes: o.notes },
    transporteur: o.carrier,
    suivi: o.trackingNumber,
    // The reason staff gave for a cancellation or a refund: about the member's order, so theirs to read.
    motif_annulation: o.cancelReason,
    lignes: o.lines.map((l) => ({ produit: l.name, quantite: l.quantity, prix_unitaire_ttc_centimes: l.unitPriceCents, tva_points_de_base: l.vatRateBp })),
    transmissions: o.disclosures.map((d) => ({ destinataire: d.recipient, donnees: d.data, motif: d.purpose, date: d.at.toISOString() })),
  }));
}
