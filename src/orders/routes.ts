// Cart (/panier), checkout (/commande), the member's orders (/compte/commandes) and the staff's
// order pages (/gestion/commandes, /gestion/expeditions).
import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import type { Request, Response } from 'express';
import { formatPhone } from '../core/display.ts';
import type { Deps } from '../deps.ts';
import { formAction } from '../http/forms.ts';
import type { FormState } from '../http/forms.ts';
import { flash } from '../http/flash.ts';
import { AppError, NotFoundError, ValidationError } from '../core/errors.ts';
import { formatEuros } from '../core/money.ts';
import { COUNTRIES } from '../accounts/schema.ts';
import { shownBalance } from '../credit/ledger.ts';
import { addToCart, MAX_QUANTITY, removeLine, setQuantities, viewCart } from './cart.ts';
import type { Cart } from './cart.ts';
import { computeInvoice } from './bookings.ts';
import { paymentMethods } from './payment.ts';
import { AddToCartSchema, CheckoutSchema, ExportSchema, isReference, isUuid, ListQuery, ReasonSchema, RefundSchema, RemoveSchema, ShipSchema, STATUSES } from './schema.ts';
import {
  cancelOrder, exportHandOver, formatCreditNoteNumber, formatInvoiceNumber, markDelivered, markPaid, markPreparing, markShipped, memberCreditNote, memberOrder, memberOrders,
  placeOrder, refundOrder, RECIPIENTS, shippableOrders, staffCreditNote, staffOrder, staffOrders, STATUS_LABELS,
} from './service.ts';

const empty: FormState = { values: {}, errors: {} };
const cartOf = (req: Request): Cart => (req.session.cart ??= { lines: [] });
const helpers = { STATUS_LABELS, formatInvoiceNumber, formatCreditNoteNumber };

const reference = (req: Request) => {
  const r = String(req.params.numero);
  if (!isReference(r)) throw new NotFoundError('Commande introuvable.');
  return r;
};

export function orderPublicRoutes(deps: Deps): Router {
  const r = Router();

  const cartPage = async (req: Request, res: Response, form: FormState = empty) => {
    // A visitor without a session has an empty cart and no cookie: nothing is created to show it.
    const cart = req.session?.cart ?? { lines: [] };
    const view = await viewCart(deps, cart);
    res.page('orders/cart', { title: 'Mon panier', cart: view, ...form, maxQuantity: MAX_QUANTITY, shop: deps.config.shop });
  };
  r.get('/panier', (req, res) => cartPage(req, res));

  r.post(
    '/panier/ajouter',
    formAction({
      schema: AddToCartSchema,
      render: cartPage,
      run: (req, data) => addToCart(deps, cartOf(req), data.produit, data.quantite),
      done: (req, res, name) => {
        flash(req, 'success', `« ${name} » a été ajouté à votre panier.`);
        res.redirect(303, '/panier');
      },
    }),
  );

  r.post('/panier/modifier', async (req, res) => {
    const cart = cartOf(req);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const quantities = new Map<string, number>();
    const errors: Record<string, string> = {};
    for (const l of cart.lines) {
      const v = body[`q_${l.productId}`];
      if (v === undefined) continue;
      if (typeof v !== 'string' || !/^\d{1,2}$/.test(v.trim())) {
        errors[`q_${l.productId}`] = `Quantité : un nombre entier entre 0 et ${MAX_QUANTITY}.`;
        continue;
      }
      quantities.set(l.productId, Number(v.trim()));
    }
    if (Object.keys(errors).length) {
      const values = Object.fromEntries(Object.entries(body).filter(([k, v]) => k.startsWith('q_') && typeof v === 'string')) as Record<string, string>;
      return cartPage(req, res.status(422), { values, errors });
    }
    setQuantities(cart, quantities);
    flash(req, 'success', 'Panier mis à jour.');
    res.redirect(303, '/panier');
  });

  r.post(
    '/panier/retirer',
    formAction({
      schema: RemoveSchema,
      render: cartPage,
      run: async (req, data) => removeLine(cartOf(req), data.produit),
      done: (req, res) => {
        flash(req, 'success', 'Produit retiré du panier.');
        res.redirect(303, '/panier');
      },
    }),
  );
  r.get(['/panier/ajouter', '/panier/modifier', '/panier/retirer'], (_req, res) => res.redirect(303, '/panier'));

  // ---- Checkout: members only ----
  const checkoutPage = async (req: Request, res: Response, form: FormState = empty) => {
    const m = req.member!;
    const cart = await viewCart(deps, cartOf(req));
    const balance = await shownBalance(deps, req, m.id);
    const credit = Math.min(balance, cart.totalCents);
    const invoice = computeInvoice({ lines: cart.lines, shippingCents: cart.shippingCents, creditUsedCents: credit });
    const profile = {
      firstName: m.firstName ?? '', lastName: m.lastName ?? '', addressLine1: m.addressLine1 ?? '', addressLine2: m.addressLine2 ?? '',
      postcode: m.postcode ?? '', city: m.city ?? '', country: m.country ?? 'FR', phone: formatPhone(m.phone),
    };
    res.page('orders/checkout', {
      title: 'Commander',
      cart,
      invoice,
      balanceCents: balance,
      confirmed: !!m.emailConfirmedAt,
      payment: paymentMethods(deps.config).BANK_TRANSFER,
      countries: COUNTRIES,
      values: { ...profile, nonce: randomUUID(), ...form.values },
      errors: form.errors,
    });
  };
  const needMember = (req: Request, res: Response) => {
    if (req.member) return false;
    flash(req, 'info', 'Connectez-vous ou créez votre compte pour commander : votre panier est gardé.');
    res.redirect(303, '/connexion?retour=%2Fcommande');
    return true;
  };
  r.get('/commande', async (req, res) => {
    if (needMember(req, res)) return;
    if (!cartOf(req).lines.length) return res.redirect(303, '/panier');
    await checkoutPage(req, res);
  });
  r.post('/commande', async (req, res, next) => {
    if (needMember(req, res)) return;
    await formAction({
      schema: CheckoutSchema,
      render: checkoutPage,
      run: async (req2, data) => {
        // The cart as it is now: any change of price or stock since it was shown stops the order.
        const cart = cartOf(req2);
        const before = JSON.stringify(cart.lines);
        const view = await viewCart(deps, cart);
        if (view.changes.length || JSON.stringify(cart.lines) !== before) {
          throw new ValidationError(`Votre panier a changé : ${view.changes.join(' ')} Vérifiez le nouveau total puis confirmez.`);
        }
        const { nonce, notes, ...address } = data;
        return placeOrder(deps, req2.member!, { nonce, notes, address: { ...address, addressLine2: address.addressLine2 ?? null, phone: address.phone ?? null }, lines: cart.lines });
      },
      done: (req2, res2, { order, duplicate }) => {
        req2.session.cart = { lines: [] };
        flash(req2, duplicate ? 'info' : 'success', duplicate ? `Votre commande ${order.reference} était déjà enregistrée.` : `Merci ! Votre commande ${order.reference} est enregistrée.`);
        res2.redirect(303, `/compte/commandes/${order.reference}`);
      },
    })(req, res, next);
  });
  return r;
}

export function orderMemberRoutes(deps: Deps): Router {
  const r = Router();
  r.get('/commandes', async (req, res) => res.page('orders/member-list', { title: 'Mes commandes', orders: await memberOrders(deps, req.member!.id), ...helpers }));
  r.get('/commandes/:numero', async (req, res) => {
    const { order, invoice } = await memberOrder(deps, req.member!.id, reference(req));
    const pay = paymentMethods(deps.config)[order.paymentMethod];
    res.page('orders/member-order', {
      title: `Commande ${order.reference}`, order, invoice, ...helpers,
      instructions: order.status === 'AWAITING_PAYMENT' && pay ? pay.instructions(order.reference, order.dueCents) : null,
    });
  });
  r.get('/commandes/:numero/facture', async (req, res) => {
    const { order, invoice } = await memberOrder(deps, req.member!.id, reference(req));
    res.page('orders/invoice', { title: `Facture ${formatInvoiceNumber(order.invoiceNumber)}`, order, invoice, seller: deps.config.seller, clientNumber: req.member!.number, ...helpers });
  });
  r.get('/commandes/:numero/avoir', async (req, res) => {
    const { order, invoice } = await memberCreditNote(deps, req.member!.id, reference(req));
    res.page('orders/credit-note', {
      title: `Avoir ${formatCreditNoteNumber(order.creditNoteNumber!)}`, order, invoice, seller: deps.config.seller, clientNumber: req.member!.number,
      back: `/compte/commandes/${order.reference}`, ...helpers,
    });
  });
  return r;
}

export function orderStaffRoutes(deps: Deps): Router {
  const r = Router();
  r.get('/commandes', async (req, res) => {
    const q = ListQuery.parse({ statut: req.query.statut, q: req.query.q, avant: req.query.avant });
    const { orders, next } = await staffOrders(deps, { status: q.statut, q: q.q, before: q.avant });
    const link = (avant?: number) => `/gestion/commandes?${new URLSearchParams({ ...(q.statut ? { statut: q.statut } : {}), ...(avant ? { avant: String(avant) } : {}) }).toString()}`.replace(/\?$/, '');
    res.page('orders/staff-list', {
      title: 'Commandes', orders, filter: q, statuses: STATUSES, nextHref: next ? link(next) : null, firstHref: q.avant ? link() : null, ...helpers,
    });
  });
  r.get('/commandes/:numero/avoir', async (req, res) => {
    const { order, invoice, memberNumber } = await staffCreditNote(deps, reference(req));
    res.page('orders/credit-note', {
      title: `Avoir ${formatCreditNoteNumber(order.creditNoteNumber!)}`, order, invoice, seller: deps.config.seller, clientNumber: memberNumber,
      back: `/gestion/commandes/${order.reference}`, ...helpers,
    });
  });
  const orderPage = async (req: Request, res: Response, form: FormState = empty) => {
    const data = await staffOrder(deps, reference(req));
    res.page('orders/staff-order', { title: `Commande ${data.order.reference}`, order: data.order, invoice: data.invoice, memberNumber_: data.memberNumber, ...helpers, values: form.values, errors: form.errors });
  };
  r.get('/commandes/:numero', (req, res) => orderPage(req, res));
  const back = (req: Request, res: Response, text: string) => {
    flash(req, 'success', text);
    res.redirect(303, `/gestion/commandes/${reference(req)}`);
  };
  const simple = (path: string, run: (deps: Deps, staffId: string, ref: string) => Promise<unknown>, text: string) =>
    r.post(`/commandes/:numero/${path}`, async (req, res) => {
      try {
        await run(deps, req.member!.id, reference(req));
      } catch (err) {
        if (err instanceof AppError && err.status !== 404) return orderPage(req, res.status(err.status), { values: {}, errors: { _form: err.message } });
        throw err;
      }
      back(req, res, text);
    });
  simple('paiement', markPaid, 'Paiement enregistré (écriture de banque passée).');
  simple('preparation', markPreparing, 'Commande passée en préparation.');
  simple('livraison', markDelivered, 'Commande indiquée comme livrée.');
  r.post(
    '/commandes/:numero/expedition',
    formAction({
      schema: ShipSchema,
      render: orderPage,
      run: (req, d) => markShipped(deps, req.member!.id, reference(req), d.carrier, d.trackingNumber),
      done: (req, res) => back(req, res, 'Commande expédiée : le membre est prévenu.'),
    }),
  );
  r.post(
    '/commandes/:numero/annulation',
    formAction({
      schema: ReasonSchema,
      render: orderPage,
      run: (req, d) => cancelOrder(deps, req.member!.id, reference(req), d.reason),
      done: (req, res) => back(req, res, 'Commande annulée : stock et crédit rendus, avoir émis.'),
    }),
  );
  r.post(
    '/commandes/:numero/remboursement',
    formAction({
      schema: RefundSchema,
      render: orderPage,
      run: async (req, d) => {
        await refundOrder(deps, req.member!.id, reference(req), d.reason, d.retour);
        return d.retour;
      },
      done: (req, res, returned) => back(req, res, `Commande remboursée : avoir émis, crédit rendu${returned ? ', articles remis en stock' : ''}.`),
    }),
  );
  r.get('/commandes/:numero/:action', (req, res) => res.redirect(303, `/gestion/commandes/${reference(req)}`));

  const shipPage = async (_req: Request, res: Response, form: FormState = empty) =>
    res.page('orders/hand-over', { title: 'Expéditions', orders: await shippableOrders(deps), recipients: RECIPIENTS, ...form, ...helpers });
  r.get('/expeditions', (req, res) => shipPage(req, res));
  r.post(
    '/expeditions',
    formAction({
      schema: ExportSchema,
      render: shipPage,
      run: async (req, d) => ({ csv: await exportHandOver(deps, req.member!.id, d.destinataire, d.commandes), who: d.destinataire }),
      done: (_req, res, { csv, who }) => {
        const stamp = deps.clock.now().toISOString().slice(0, 10);
        res.setHeader('Content-Disposition', `attachment; filename="${who === 'carrier' ? 'transporteur' : 'fournisseur'}-${stamp}.csv"`);
        res.setHeader('Cache-Control', 'no-store');
        res.type('text/csv; charset=utf-8').send(csv);
      },
    }),
  );
  return r;
}

void isUuid;
void formatEuros;
