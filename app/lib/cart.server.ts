/**
 * The cart: what a change to it means, what it costs now, and the cart page's answers. The cart itself is a signed
 * cookie of product ids and quantities (worker/cookies.server.ts); names and prices always come from the catalog
 * when it is shown, so a price change can never be smuggled in through the cookie, and the order API prices the
 * order again from the catalog in S3.
 */
import { data, redirect } from "@remix-run/cloudflare";
import { z } from "zod";
import {
  type Catalog,
  type FeeLine,
  MAX_LINE_QUANTITY,
  PAYMENT_METHODS,
  type PaymentMethod,
  type Product,
  productIdSchema,
  type ShippingSettings,
  type StockLevels,
} from "../../aws/src/contract";
import { amountToFreeShipping, feeRuleFor, feesFor } from "../../aws/src/domain/pricing";
import { getCatalog, getSiteStatus } from "../../worker/content.server";
import type { BffContext } from "../../worker/context";
import { getStockLevels } from "../../worker/stock.server";
import { type Cart, type CartItem, cartCookieHeader, MAX_CART_LINES, readCart } from "../../worker/cookies.server";
import { orUnavailable } from "./answers.server";
import { assertSameSite, FORM_LIMITS, readForm } from "./forms.server";

export function cartItemCount(cart: Cart): number {
  return cart.items.reduce((sum, item) => sum + item.quantity, 0);
}

// ---------------------------------------------------------------------------------------------
// Changes, as the cart forms post them

const quantity = (min: number) => {
  const message = `數量需為 ${min} 到 ${MAX_LINE_QUANTITY} 之間的整數`;
  return z.coerce.number({ error: message }).int(message).min(min, message).max(MAX_LINE_QUANTITY, message);
};

const productId = productIdSchema.catch("");

export const cartChangeSchema = z.discriminatedUnion(
  "intent",
  [
    z.object({ intent: z.literal("add"), productId, quantity: quantity(1).default(1) }),
    z.object({ intent: z.literal("set"), productId, quantity: quantity(0) }),
    z.object({ intent: z.literal("remove"), productId }),
  ],
  { error: "無法辨識的購物車操作" },
);
type CartChange = z.infer<typeof cartChangeSchema>;

type CartChangeResult = { ok: true; cart: Cart; message: string } | { ok: false; message: string };

/**
 * Applies one change. Adding checks the catalog (the product exists and is on sale); changing or removing a
 * line does not, so a shopper can always take a sold-out product out again.
 */
export function applyCartChange(
  cart: Cart,
  change: CartChange,
  catalog: Catalog,
  stock: StockLevels | null = null,
): CartChangeResult {
  const product = catalog.products.find((p) => p.id === change.productId);
  const existing = cart.items.find((item) => item.productId === change.productId);
  const others = cart.items.filter((item) => item.productId !== change.productId);
  const name = product?.name ?? "這項商品";
  /** Units left by the edge's copy of the count (undefined: not counted). */
  const left = product ? (stock?.[product.id] ?? undefined) : undefined;

  switch (change.intent) {
    case "add": {
      if (!product) return { ok: false, message: "找不到這項商品，可能已經下架。" };
      if (!product.available || left === 0) return { ok: false, message: `「${product.name}」已售完，暫時無法購買。` };
      if (!existing && cart.items.length >= MAX_CART_LINES) {
        return { ok: false, message: `購物車最多可放 ${MAX_CART_LINES} 種商品。` };
      }
      const wanted = (existing?.quantity ?? 0) + change.quantity;
      const limit = Math.min(MAX_LINE_QUANTITY, left ?? MAX_LINE_QUANTITY);
      const quantity = Math.min(wanted, limit);
      const items = existing
        ? cart.items.map((item) => (item.productId === product.id ? { ...item, quantity } : item))
        : [...cart.items, { productId: product.id, quantity }];
      const message =
        wanted <= limit
          ? `已將「${product.name}」加入購物車。`
          : limit < MAX_LINE_QUANTITY
            ? `「${product.name}」只剩 ${limit} 件，購物車裡已調整為 ${limit} 件。`
            : `「${product.name}」每筆訂單最多 ${MAX_LINE_QUANTITY} 件，已調整為 ${MAX_LINE_QUANTITY} 件。`;
      return { ok: true, cart: { items }, message };
    }
    case "set": {
      if (!existing) return { ok: false, message: "購物車裡沒有這項商品。" };
      if (change.quantity === 0) return { ok: true, cart: { items: others }, message: `已移除「${name}」。` };
      // Fewer than asked when only a few are left (none left: the line stays, shown sold out, for the shopper to remove).
      const quantity = left !== undefined && left > 0 ? Math.min(change.quantity, left) : change.quantity;
      return {
        ok: true,
        cart: {
          items: cart.items.map((item) => (item.productId === change.productId ? { ...item, quantity } : item)),
        },
        message:
          quantity < change.quantity
            ? `「${name}」只剩 ${quantity} 件，數量已調整為 ${quantity}。`
            : `「${name}」的數量已更新為 ${quantity}。`,
      };
    }
    case "remove":
      if (!existing) return { ok: true, cart, message: "購物車裡已經沒有這項商品。" };
      return { ok: true, cart: { items: others }, message: `已移除「${name}」。` };
  }
}

// ---------------------------------------------------------------------------------------------
// Pricing for display, from the catalog, the owner's fees and the stock counts

export interface CartLine {
  productId: string;
  name: string;
  unitPrice: number;
  quantity: number;
  lineTotal: number;
  /** On sale, and not sold out by its stock count. */
  available: boolean;
  /** Units left, when the product's stock is counted (the edge's brief copy; the order API decides). */
  left?: number;
  image?: Product["image"];
  imageKey?: string;
}

/** What the shopper pays on top of the items, shown before they commit (the order API prices it again). */
export interface CartCharges {
  /** The home-delivery fee this subtotal pays: 0 when there is none or it ships free. */
  shippingFee: number;
  /** The subtotal reached the free-shipping threshold (there would be a fee otherwise). */
  freeShipping: boolean;
  /** How much more ships free ("再買 NT$320 即可免運"); null when there is nothing to gain. */
  toFreeShipping: number | null;
  /** Added for pay on arrival (free shipping does not waive it). */
  codSurcharge: number;
  /** The fee lines and the total for each payment method, as the order will have them. */
  byMethod: Record<PaymentMethod, { fees: FeeLine[]; total: number }>;
}

export interface PricedCart {
  lines: CartLine[];
  /** Of the lines on sale; sold-out lines are shown but not counted. */
  subtotal: number;
  /** Fees and totals for that subtotal. */
  charges: CartCharges;
  itemCount: number;
  /** Sold-out lines: the shopper must remove them before checking out. */
  soldOut: string[];
  /** Lines asking for more than is left: the shopper must lower them before checking out. */
  short: { productId: string; left: number }[];
  /** Products no longer in the catalog at all; they are dropped from the cart. */
  dropped: number;
  /** What checkout would order: the lines on sale, in cart order. */
  orderItems: CartItem[];
  /** Non-empty, nothing sold out, nothing short. */
  orderable: boolean;
}

export interface PricingContext {
  /** The owner's fee settings (site.json); absent means free delivery. */
  shipping?: ShippingSettings;
  /** Units left of each counted product; null or absent when the counts could not be read (nothing is marked). */
  stock?: StockLevels | null;
}

export function priceCart(cart: Cart, catalog: Catalog, context: PricingContext = {}): PricedCart {
  const byId = new Map<string, Product>(catalog.products.map((p) => [p.id, p]));
  const lines: CartLine[] = [];
  let dropped = 0;
  for (const item of cart.items) {
    const product = byId.get(item.productId);
    if (!product) {
      dropped++;
      continue;
    }
    const left = context.stock?.[product.id];
    lines.push({
      productId: product.id,
      name: product.name,
      unitPrice: product.unitPrice,
      quantity: item.quantity,
      lineTotal: product.unitPrice * item.quantity,
      available: product.available && left !== 0,
      ...(left !== undefined ? { left } : {}),
      // The photo only (a line never shows "processing": the placeholder there is nothing at all).
      ...(product.image ? { image: product.image } : product.imageKey ? { imageKey: product.imageKey } : {}),
    });
  }
  const onSale = lines.filter((line) => line.available);
  const soldOut = lines.filter((line) => !line.available).map((line) => line.productId);
  const short = onSale
    .filter((line) => line.left !== undefined && line.quantity > line.left)
    .map((line) => ({ productId: line.productId, left: line.left! }));
  const subtotal = onSale.reduce((sum, line) => sum + line.lineTotal, 0);
  return {
    lines,
    subtotal,
    charges: chargesFor(subtotal, context.shipping),
    itemCount: onSale.reduce((sum, line) => sum + line.quantity, 0),
    soldOut,
    short,
    dropped,
    orderItems: onSale.map((line) => ({ productId: line.productId, quantity: line.quantity })),
    orderable: onSale.length > 0 && soldOut.length === 0 && short.length === 0,
  };
}

/** The fees of an items subtotal, by the same rules the order API prices with (aws/src/domain/pricing.ts). */
export function chargesFor(subtotal: number, shipping: ShippingSettings | undefined): CartCharges {
  const byMethod = Object.fromEntries(
    PAYMENT_METHODS.map((paymentMethod) => {
      const fees = feesFor(subtotal, { paymentMethod, shipping });
      return [paymentMethod, { fees, total: subtotal + fees.reduce((sum, fee) => sum + fee.amount, 0) }];
    }),
  ) as CartCharges["byMethod"];
  const amountOf = (method: PaymentMethod, kind: FeeLine["kind"]) =>
    byMethod[method].fees.find((fee) => fee.kind === kind)?.amount ?? 0;
  const shippingFee = amountOf("credit", "shipping");
  return {
    shippingFee,
    freeShipping: shippingFee === 0 && (feeRuleFor(shipping).fee ?? 0) > 0,
    toFreeShipping: amountToFreeShipping(subtotal, shipping),
    codSurcharge: amountOf("cod", "cod_surcharge"),
    byMethod,
  };
}

/** The cart without products the catalog no longer has (what the shopper sees after priceCart). */
export function withoutDropped(cart: Cart, catalog: Catalog): Cart {
  const ids = new Set(catalog.products.map((p) => p.id));
  return { items: cart.items.filter((item) => ids.has(item.productId)) };
}

// ---------------------------------------------------------------------------------------------
// The cart page and the add-to-cart forms

export interface CartPageData {
  cart: PricedCart;
  /** The name of the product just added (the no-JavaScript add-to-cart lands here). */
  added: string | null;
}

/** What prices a cart besides the catalog: the owner's fees (site.json, edge-cached like the catalog). */
export async function pricingContext(bff: BffContext): Promise<PricingContext> {
  const [site, stock] = await Promise.all([orUnavailable(getSiteStatus(bff)), getStockLevels(bff)]);
  return { ...(site.shipping ? { shipping: site.shipping } : {}), stock };
}

export async function loadCartPage(bff: BffContext, request: Request) {
  const [cart, catalog, context] = await Promise.all([
    readCart(bff.env, request),
    orUnavailable(getCatalog(bff)),
    pricingContext(bff),
  ]);
  const priced = priceCart(cart, catalog, context);
  const addedId = new URL(request.url).searchParams.get("added");
  const added = catalog.products.find((p) => p.id === addedId)?.name ?? null;
  const page: CartPageData = { cart: priced, added };
  // Products the owner removed from the catalog leave the cookie too.
  if (priced.dropped === 0) return page;
  return data(page, { headers: { "Set-Cookie": await cartCookieHeader(bff.env, withoutDropped(cart, catalog)) } });
}

export interface CartActionData {
  ok: boolean;
  message: string;
}

/**
 * One cart change (add / set / remove), posted by a plain form (the shopper pages run no JavaScript): the browser
 * gets a redirect (post/redirect/get) to the cart, or the cart page with the reason the change could not be made.
 */
export async function updateCart(bff: BffContext, request: Request) {
  assertSameSite(request);
  const form = Object.fromEntries(await readForm(request, FORM_LIMITS.shop));
  const change = cartChangeSchema.safeParse(form);
  if (!change.success) {
    const message = change.error.issues[0]?.message ?? "無法更新購物車。";
    return data<CartActionData>({ ok: false, message }, { status: 400 });
  }
  const [cart, catalog, stock] = await Promise.all([
    readCart(bff.env, request),
    orUnavailable(getCatalog(bff)),
    getStockLevels(bff),
  ]);
  const result = applyCartChange(cart, change.data, catalog, stock);
  if (!result.ok) return data<CartActionData>({ ok: false, message: result.message }, { status: 409 });

  const headers = { "Set-Cookie": await cartCookieHeader(bff.env, result.cart) };
  const to = change.data.intent === "add" ? `/cart?added=${encodeURIComponent(change.data.productId)}` : "/cart";
  return redirect(to, { status: 303, headers });
}
