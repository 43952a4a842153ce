/**
 * The shop's cookies and their codecs (the cart, the remembered orders; the owner's session is in
 * admin/session.server.ts): signed with SESSION_SECRET (Remix `createCookie`), HttpOnly, SameSite=Lax, Path=/, and
 * `__Host-` + Secure wherever the browser honours them (ADR 0008):
 *   - SITE_URL on https (preview, production), and
 *   - SITE_URL on a loopback host over plain http (`npm start`, the e2e tests): browsers count http://127.0.0.1 and
 *     http://localhost as secure contexts, so Chromium stores and sends `__Host-`/Secure cookies there (checked).
 * Only a plain-http SITE_URL on another host (a phone testing the dev server over the LAN) gets neither, because
 * a browser would silently drop them there; deployed environments never use plain http.
 */
import { type Cookie, type CookieOptions, createCookie } from "@remix-run/cloudflare";
import * as z from "zod";
import { MAX_LINE_QUANTITY, ORDER_ID_PATTERN, productIdSchema, TAIWAN_MOBILE_PATTERN } from "../aws/src/contract";
import type { Env } from "./env";

interface CookiePolicy {
  /** `__Host-` requires Secure, Path=/ and no Domain, and says so to the browser. */
  prefix: "__Host-" | "";
  secure: boolean;
}

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

export function cookiePolicy(env: Pick<Env, "SITE_URL">): CookiePolicy {
  const url = new URL(env.SITE_URL);
  if (url.protocol === "https:" || LOOPBACK_HOSTS.has(url.hostname) || url.hostname.endsWith(".localhost")) {
    return { prefix: "__Host-", secure: true };
  }
  return { prefix: "", secure: false };
}

type ShopCookieOptions = Omit<CookieOptions, "secrets" | "secure" | "httpOnly" | "sameSite" | "path" | "domain">;

/** A signed shop cookie named `<prefix><baseName>` with the attributes above; `maxAge` etc. per cookie. */
export function shopCookie(
  env: Pick<Env, "SITE_URL" | "SESSION_SECRET">,
  baseName: string,
  options: ShopCookieOptions,
) {
  const policy = cookiePolicy(env);
  return createCookie(`${policy.prefix}${baseName}`, {
    ...options,
    secrets: [env.SESSION_SECRET],
    secure: policy.secure,
    httpOnly: true,
    sameSite: "lax",
    path: "/",
  });
}

/** Reads a cookie's signed value; a missing, tampered or malformed cookie is `null`, never an error. */
export async function readCookie(cookie: Cookie, request: Request): Promise<unknown> {
  try {
    return await cookie.parse(request.headers.get("Cookie"));
  } catch {
    return null;
  }
}

type CookieEnv = Pick<Env, "SITE_URL" | "SESSION_SECRET">;
const THIRTY_DAYS_SECONDS = 30 * 24 * 60 * 60;

// ---------------------------------------------------------------------------------------------
// The cart: product ids and quantities only. Names and prices always come from the catalog when the cart is shown
// (app/lib/cart.server.ts), so a price can never be smuggled in through the cookie.

/** Distinct products per cart. Keeps the signed cookie far under the 4 KB browsers guarantee. */
export const MAX_CART_LINES = 20;

export interface CartItem {
  productId: string;
  quantity: number;
}

export interface Cart {
  items: CartItem[];
}

export const EMPTY_CART: Cart = { items: [] };

/** Compact on the wire: `{ v: 1, i: [["dongding-oolong", 2], …] }`. */
const cartValueSchema = z.object({
  v: z.literal(1),
  i: z.array(z.tuple([productIdSchema, z.number().int().min(1).max(MAX_LINE_QUANTITY)])).max(MAX_CART_LINES),
});

const cartCookie = (env: CookieEnv) => shopCookie(env, "cart", { maxAge: THIRTY_DAYS_SECONDS });

/** The cart in this request's cookie; anything missing, unsigned or malformed reads as an empty cart. */
export async function readCart(env: CookieEnv, request: Request): Promise<Cart> {
  const parsed = cartValueSchema.safeParse(await readCookie(cartCookie(env), request));
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
export function cartCookieHeader(env: CookieEnv, cart: Cart): Promise<string> {
  const cookie = cartCookie(env);
  if (cart.items.length === 0) return cookie.serialize("", { maxAge: 0 });
  return cookie.serialize({ v: 1, i: cart.items.map((item) => [item.productId, item.quantity]) });
}

// ---------------------------------------------------------------------------------------------
// Remembered orders: the orders this browser placed or looked up (id + phone, newest first), so the order page
// needs no retyping. Whatever the page shows comes from the order API; the cookie only supplies the phone number.

export const MAX_REMEMBERED_ORDERS = 5;

export interface OrderRef {
  id: string;
  phone: string;
}

const ordersValueSchema = z.object({
  v: z.literal(1),
  o: z
    .array(z.tuple([z.string().regex(ORDER_ID_PATTERN), z.string().regex(TAIWAN_MOBILE_PATTERN)]))
    .max(MAX_REMEMBERED_ORDERS),
});

const ordersCookie = (env: CookieEnv) => shopCookie(env, "orders", { maxAge: THIRTY_DAYS_SECONDS });

export async function readRememberedOrders(env: CookieEnv, request: Request): Promise<OrderRef[]> {
  const parsed = ordersValueSchema.safeParse(await readCookie(ordersCookie(env), request));
  return parsed.success ? parsed.data.o.map(([id, phone]) => ({ id, phone })) : [];
}

/** The Set-Cookie header that stores `refs` (at most MAX_REMEMBERED_ORDERS); none deletes the cookie. */
export function rememberedOrdersHeader(env: CookieEnv, refs: readonly OrderRef[]): Promise<string> {
  const cookie = ordersCookie(env);
  if (refs.length === 0) return cookie.serialize("", { maxAge: 0 });
  return cookie.serialize({ v: 1, o: refs.slice(0, MAX_REMEMBERED_ORDERS).map((o) => [o.id, o.phone]) });
}

// ---------------------------------------------------------------------------------------------
// Store pickup (ADR 0027): what the shopper had typed at checkout while they are on ECPay's store map, and the token
// the map echoes back (ExtraData). Thirty minutes; the store itself comes back in a signed ticket, not in here.

const pickupDraftSchema = z.object({
  v: z.literal(1),
  t: z.string().regex(/^[A-Za-z0-9_-]{16}$/),
  f: z.record(z.string(), z.string().max(1000)),
});
export type PickupDraft = { token: string; fields: Record<string, string> };

const pickupCookie = (env: CookieEnv) => shopCookie(env, "pickup", { maxAge: 30 * 60 });

export async function readPickupDraft(env: CookieEnv, request: Request): Promise<PickupDraft | null> {
  const parsed = pickupDraftSchema.safeParse(await readCookie(pickupCookie(env), request));
  return parsed.success ? { token: parsed.data.t, fields: parsed.data.f } : null;
}

export function pickupDraftHeader(env: CookieEnv, draft: PickupDraft | null): Promise<string> {
  const cookie = pickupCookie(env);
  if (!draft) return cookie.serialize("", { maxAge: 0 });
  return cookie.serialize({ v: 1, t: draft.token, f: draft.fields });
}
