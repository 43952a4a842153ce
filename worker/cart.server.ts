/**
 * The shopper's cart, held in a signed cookie (no server-side store): product ids and quantities only. Names and
 * prices always come from the catalog when the cart is shown, so a price change can never be smuggled in through
 * the cookie, and the order API prices the order again from the catalog in S3.
 */
import { z } from "zod";
import { type Catalog, type Product, productIdSchema } from "../aws/src/contract";
import { readCookie, shopCookie } from "./cookies.server";
import type { Env } from "./env";

/** Distinct products per cart. Keeps the signed cookie far under the 4 KB browsers guarantee. */
export const MAX_CART_LINES = 20;
/** Per line, as the order contract allows. */
export const MAX_QUANTITY = 99;
const CART_MAX_AGE_SECONDS = 30 * 24 * 60 * 60;

export interface CartItem {
  productId: string;
  quantity: number;
}

export interface Cart {
  items: CartItem[];
}

export const EMPTY_CART: Cart = { items: [] };

/** Compact on the wire: `{ v: 1, i: [["dongding-oolong", 2], …] }`. */
const cookieValueSchema = z.object({
  v: z.literal(1),
  i: z.array(z.tuple([productIdSchema, z.number().int().min(1).max(MAX_QUANTITY)])).max(MAX_CART_LINES),
});

const cartCookie = (env: Pick<Env, "SITE_URL" | "SESSION_SECRET">) =>
  shopCookie(env, "cart", { maxAge: CART_MAX_AGE_SECONDS });

/** The cart in this request's cookie; anything missing, unsigned or malformed reads as an empty cart. */
export async function readCart(env: Pick<Env, "SITE_URL" | "SESSION_SECRET">, request: Request): Promise<Cart> {
  const parsed = cookieValueSchema.safeParse(await readCookie(cartCookie(env), request));
  if (!parsed.success) return EMPTY_CART;
  const seen = new Set<string>();
  const items: CartItem[] = [];
  for (const [productId, quantity] of parsed.data.i) {
    if (seen.has(productId)) continue;
    seen.add(productId);
    items.push({ productId, quantity });
  }
  return { items };
}

/** The Set-Cookie header that stores `cart`; an empty cart deletes the cookie. */
export function cartCookieHeader(env: Pick<Env, "SITE_URL" | "SESSION_SECRET">, cart: Cart): Promise<string> {
  const cookie = cartCookie(env);
  if (cart.items.length === 0) return cookie.serialize("", { maxAge: 0 });
  return cookie.serialize({ v: 1, i: cart.items.map((item) => [item.productId, item.quantity]) });
}

export function cartItemCount(cart: Cart): number {
  return cart.items.reduce((sum, item) => sum + item.quantity, 0);
}

// ---------------------------------------------------------------------------------------------
// Changes, as the cart forms post them

const quantity = (min: number) =>
  z.coerce
    .number({ error: `數量需為 ${min} 到 ${MAX_QUANTITY} 之間的整數` })
    .int(`數量需為 ${min} 到 ${MAX_QUANTITY} 之間的整數`)
    .min(min, `數量需為 ${min} 到 ${MAX_QUANTITY} 之間的整數`)
    .max(MAX_QUANTITY, `數量需為 ${min} 到 ${MAX_QUANTITY} 之間的整數`);

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
export type CartChange = z.infer<typeof cartChangeSchema>;

export type CartChangeResult = { ok: true; cart: Cart; message: string } | { ok: false; message: string };

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
      const quantity = Math.min(wanted, MAX_QUANTITY);
      const items = existing
        ? cart.items.map((item) => (item.productId === product.id ? { ...item, quantity } : item))
        : [...cart.items, { productId: product.id, quantity }];
      const message =
        wanted > MAX_QUANTITY
          ? `「${product.name}」每筆訂單最多 ${MAX_QUANTITY} 件，已調整為 ${MAX_QUANTITY} 件。`
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
      ...(product.imageKey ? { imageKey: product.imageKey } : {}),
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
