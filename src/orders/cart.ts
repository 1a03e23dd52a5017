// The cart lives in the session (no table): product ids, quantities and the price the visitor saw,
// so a change of price before checkout can be told to them.
import type { Deps } from '../deps.ts';
import { ValidationError } from '../core/errors.ts';
import { formatEuros } from '../core/money.ts';
import { shippingFee } from './bookings.ts';

export interface CartLine {
  productId: string;
  quantity: number;
  /** Price incl. VAT when the line was added or last confirmed. */
  priceCents: number;
}
export interface Cart {
  lines: CartLine[];
}

declare module '../http/session-middleware.ts' {
  interface SessionData {
    cart?: Cart;
  }
}

export const MAX_LINES = 50;
export const MAX_QUANTITY = 99;

export interface CartView {
  lines: {
    productId: string;
    slug: string;
    name: string;
    quantity: number;
    unitPriceCents: number;
    vatRateBp: number;
    lineCents: number;
    stock: number;
    weightGrams: number;
  }[];
  goodsCents: number;
  shippingCents: number;
  totalCents: number;
  weightGrams: number;
  /** What changed since the visitor added the products (French, one per line). */
  changes: string[];
}

/** « 1 exemplaire », « 3 exemplaires ». */
export const copies = (n: number): string => `${n} exemplaire${n > 1 ? 's' : ''}`;

/** Adds a product (published, in stock) to the cart; returns the product's name. */
export async function addToCart(deps: Deps, cart: Cart, productId: string, quantity: number): Promise<string> {
  const p = await deps.db.product.findFirst({ where: { id: productId, published: true } });
  if (!p) throw new ValidationError('Ce produit n’est plus disponible.', 'produit');
  const line = cart.lines.find((l) => l.productId === productId);
  const wanted = (line?.quantity ?? 0) + quantity;
  if (wanted > MAX_QUANTITY) throw new ValidationError(`Quantité : ${MAX_QUANTITY} au maximum par produit.`, 'quantite');
  if (wanted > p.stock) {
    const left = `Il ne reste que ${copies(p.stock)} de « ${p.name} »`;
    const already = line ? ` et votre panier en contient déjà ${line.quantity}` : '';
    throw new ValidationError(p.stock === 0 ? `« ${p.name} » est en rupture de stock.` : `${left}${already}.`, 'quantite');
  }
  if (line) {
    line.quantity = wanted;
    line.priceCents = p.priceCents;
  } else {
    if (cart.lines.length >= MAX_LINES) throw new ValidationError(`Le panier est limité à ${MAX_LINES} produits différents.`, 'produit');
    cart.lines.push({ productId, quantity, priceCents: p.priceCents });
  }
  return p.name;
}

/**
 * The cart as it is now in the catalogue: lines of products no longer sold are dropped, quantities
 * cut to the stock, prices updated, and each change said in French. The session cart is updated.
 */
export async function viewCart(deps: Deps, cart: Cart): Promise<CartView> {
  const ids = cart.lines.map((l) => l.productId);
  const products = ids.length ? await deps.db.product.findMany({ where: { id: { in: ids } } }) : [];
  const byId = new Map(products.map((p) => [p.id, p]));
  const changes: string[] = [];
  const kept: CartLine[] = [];
  const lines: CartView['lines'] = [];
  for (const l of cart.lines) {
    const p = byId.get(l.productId);
    if (!p || !p.published || p.stock === 0) {
      changes.push(p ? `« ${p.name} » n’est plus disponible : retiré du panier.` : 'Un produit n’est plus disponible : retiré du panier.');
      continue;
    }
    let quantity = l.quantity;
    if (quantity > p.stock) {
      changes.push(`« ${p.name} » : il n’en reste que ${p.stock}, quantité ramenée de ${quantity} à ${p.stock}.`);
      quantity = p.stock;
    }
    if (p.priceCents !== l.priceCents) {
      changes.push(`« ${p.name} » : le prix est passé de ${formatEuros(l.priceCents)} à ${formatEuros(p.priceCents)}.`);
    }
    kept.push({ productId: p.id, quantity, priceCents: p.priceCents });
    lines.push({
      productId: p.id,
      slug: p.slug,
      name: p.name,
      quantity,
      unitPriceCents: p.priceCents,
      vatRateBp: p.vatRateBp,
      lineCents: p.priceCents * quantity,
      stock: p.stock,
      weightGrams: p.weightGrams * quantity,
    });
  }
  cart.lines = kept;
  const goodsCents = lines.reduce((s, l) => s + l.lineCents, 0);
  const shippingCents = shippingFee(goodsCents, deps.config.shop.shippingFlatCents, deps.config.shop.shippingFreeFromCents);
  return {
    lines,
    goodsCents,
    shippingCents,
    totalCents: goodsCents + shippingCents,
    weightGrams: lines.reduce((s, l) => s + l.weightGrams, 0),
    changes,
  };
}

/** Sets the quantities typed on the cart page (0 removes the line). */
export function setQuantities(cart: Cart, quantities: Map<string, number>): void {
  cart.lines = cart.lines
    .map((l) => (quantities.has(l.productId) ? { ...l, quantity: quantities.get(l.productId)! } : l))
    .filter((l) => l.quantity > 0);
}

export function removeLine(cart: Cart, productId: string): void {
  cart.lines = cart.lines.filter((l) => l.productId !== productId);
}
