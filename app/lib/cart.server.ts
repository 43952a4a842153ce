/**
 * The cart: what a change to it means, what it costs now, and the cart page's answers. The cart itself is a signed
 * cookie of product ids and quantities (worker/cookies.server.ts); names and prices always come from the catalog
 * when it is shown, so a price change can never be smuggled in through the cookie, and the order API prices the
 * order again from the catalog in S3.
 */
import { data, redirect } from "@remix-run/cloudflare";
import { z } from "zod";
import { type Catalog, MAX_LINE_QUANTITY, type Product, productIdSchema } from "../../aws/src/contract";
import { getCatalog } from "../../worker/content.server";
import type { BffContext } from "../../worker/context";
import { type Cart, type CartItem, cartCookieHeader, MAX_CART_LINES, readCart } from "../../worker/cookies.server";
import { orUnavailable } from "./answers.server";
import { assertSameSite, readForm } from "./forms.server";

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
export function applyCartChange(cart: Cart, change: CartChange, catalog: Catalog): CartChangeResult {
  const product = catalog.products.find((p) => p.id === change.productId);
  const existing = cart.items.find((item) => item.productId === change.productId);
  const others = cart.items.filter((item) => item.productId !== change.productId);
  const name = product?.name ?? "這項商品";

  switch (change.intent) {
    case "add": {
      if (!product) return { ok: false, message: "找不到這項商品，可能已經下架。" };
      if (!product.available) return { ok: false, message: `「${product.name}」已售完，暫時無法購買。` };
      if (!existing && cart.items.length >= MAX_CART_LINES) {
        return { ok: false, message: `購物車最多可放 ${MAX_CART_LINES} 種商品。` };
      }
      const wanted = (existing?.quantity ?? 0) + change.quantity;
      const quantity = Math.min(wanted, MAX_LINE_QUANTITY);
      const items = existing
        ? cart.items.map((item) => (item.productId === product.id ? { ...item, quantity } : item))
        : [...cart.items, { productId: product.id, quantity }];
      const message =
        wanted > MAX_LINE_QUANTITY
          ? `「${product.name}」每筆訂單最多 ${MAX_LINE_QUANTITY} 件，已調整為 ${MAX_LINE_QUANTITY} 件。`
          : `已將「${product.name}」加入購物車。`;
      return { ok: true, cart: { items }, message };
    }
    case "set": {
      if (!existing) return { ok: false, message: "購物車裡沒有這項商品。" };
      if (change.quantity === 0) return { ok: true, cart: { items: others }, message: `已移除「${name}」。` };
      return {
        ok: true,
        cart: {
          items: cart.items.map((item) =>
            item.productId === change.productId ? { ...item, quantity: change.quantity } : item,
          ),
        },
        message: `「${name}」的數量已更新為 ${change.quantity}。`,
      };
    }
    case "remove":
      if (!existing) return { ok: true, cart, message: "購物車裡已經沒有這項商品。" };
      return { ok: true, cart: { items: others }, message: `已移除「${name}」。` };
  }
}

// ---------------------------------------------------------------------------------------------
// Pricing for display, from the catalog

export interface CartLine {
  productId: string;
  name: string;
  unitPrice: number;
  quantity: number;
  lineTotal: number;
  available: boolean;
  image?: Product["image"];
  imageKey?: string;
}

export interface PricedCart {
  lines: CartLine[];
  /** Of the lines on sale; sold-out lines are shown but not counted. */
  total: number;
  itemCount: number;
  /** Sold-out lines: the shopper must remove them before checking out. */
  soldOut: string[];
  /** Products no longer in the catalog at all; they are dropped from the cart. */
  dropped: number;
  /** What checkout would order: the lines on sale, in cart order. */
  orderItems: CartItem[];
  /** Non-empty and nothing sold out. */
  orderable: boolean;
}

export function priceCart(cart: Cart, catalog: Catalog): PricedCart {
  const byId = new Map<string, Product>(catalog.products.map((p) => [p.id, p]));
  const lines: CartLine[] = [];
  let dropped = 0;
  for (const item of cart.items) {
    const product = byId.get(item.productId);
    if (!product) {
      dropped++;
      continue;
    }
    lines.push({
      productId: product.id,
      name: product.name,
      unitPrice: product.unitPrice,
      quantity: item.quantity,
      lineTotal: product.unitPrice * item.quantity,
      available: product.available,
      // The photo only (a line never shows "processing": the placeholder there is nothing at all).
      ...(product.image ? { image: product.image } : product.imageKey ? { imageKey: product.imageKey } : {}),
    });
  }
  const onSale = lines.filter((line) => line.available);
  const soldOut = lines.filter((line) => !line.available).map((line) => line.productId);
  return {
    lines,
    total: onSale.reduce((sum, line) => sum + line.lineTotal, 0),
    itemCount: onSale.reduce((sum, line) => sum + line.quantity, 0),
    soldOut,
    dropped,
    orderItems: onSale.map((line) => ({ productId: line.productId, quantity: line.quantity })),
    orderable: onSale.length > 0 && soldOut.length === 0,
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

export async function loadCartPage(bff: BffContext, request: Request) {
  const [cart, catalog] = await Promise.all([readCart(bff.env, request), orUnavailable(getCatalog(bff))]);
  const priced = priceCart(cart, catalog);
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
  const form = Object.fromEntries(await readForm(request));
  const change = cartChangeSchema.safeParse(form);
  if (!change.success) {
    const message = change.error.issues[0]?.message ?? "無法更新購物車。";
    return data<CartActionData>({ ok: false, message }, { status: 400 });
  }
  const [cart, catalog] = await Promise.all([readCart(bff.env, request), orUnavailable(getCatalog(bff))]);
  const result = applyCartChange(cart, change.data, catalog);
  if (!result.ok) return data<CartActionData>({ ok: false, message: result.message }, { status: 409 });

  const headers = { "Set-Cookie": await cartCookieHeader(bff.env, result.cart) };
  const to = change.data.intent === "add" ? `/cart?added=${encodeURIComponent(change.data.productId)}` : "/cart";
  return redirect(to, { status: 303, headers });
}
